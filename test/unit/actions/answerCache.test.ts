import { AnswerCache, AnswerStore } from '../../../nodes/NanoBanana/actions/answerCache';

const store = (maxBytes = 1000) => new AnswerStore<string>(maxBytes, (answer) => answer.length);

class NoImage extends Error {}

describe('AnswerCache', () => {
	it('asks once for identical requests in flight together', async () => {
		const cache = new AnswerCache(store());
		let calls = 0;
		let release!: (value: string) => void;
		const create = async () => {
			calls++;
			return await new Promise<string>((resolve) => (release = resolve));
		};
		const first = cache.get('k', create);
		const second = cache.get('k', create);
		release('image');
		expect(await first).toEqual({ answer: 'image', shared: false });
		expect(await second).toEqual({ answer: 'image', shared: true });
		expect(calls).toBe(1);
	});

	it('keeps finished answers within its byte budget, dropping the oldest', async () => {
		const cache = new AnswerCache(store(10));
		await cache.get('a', async () => 'aaaa');
		await cache.get('b', async () => 'bbbb');
		await cache.get('c', async () => 'cccc'); // 12 bytes > 10: 'a' goes
		let asked = 0;
		const again = await cache.get('a', async () => {
			asked++;
			return 'a2';
		});
		expect(again).toEqual({ answer: 'a2', shared: false });
		expect(asked).toBe(1);
		expect((await cache.get('c', async () => 'new')).shared).toBe(true);
	});

	it('never keeps a failure', async () => {
		const cache = new AnswerCache(store());
		await expect(cache.get('k', async () => Promise.reject(new Error('503')))).rejects.toThrow('503');
		expect(await cache.get('k', async () => 'ok')).toEqual({ answer: 'ok', shared: false });
	});

	it('a waiter shares the failure of the request it waited on, unless told to ask again', async () => {
		const cache = new AnswerCache(store(), (error) => error instanceof NoImage);
		let calls = 0;
		let fail!: (error: Error) => void;
		const create = async () => {
			calls++;
			if (calls === 1) return await new Promise<string>((_, reject) => (fail = reject));
			return 'image';
		};
		const first = cache.get('k', create);
		const second = cache.get('k', create);
		fail(new NoImage('IMAGE_OTHER'));
		await expect(first).rejects.toThrow('IMAGE_OTHER');
		// The answer without an image was not the answer to the waiting request: it asked on its own.
		expect(await second).toEqual({ answer: 'image', shared: false });
		expect(calls).toBe(2);

		const shared = new AnswerCache(store(), (error) => error instanceof NoImage);
		let failHard!: (error: Error) => void;
		const hard = () => new Promise<string>((_, reject) => (failHard = reject));
		const a = shared.get('k', hard);
		const b = shared.get('k', hard);
		failHard(new Error('400 INVALID_ARGUMENT'));
		await expect(a).rejects.toThrow('400');
		await expect(b).rejects.toThrow('400');
	});

	it('two caches over one store share finished answers only, never a request in flight', async () => {
		const common = store();
		const execA = new AnswerCache(common);
		const execB = new AnswerCache(common);
		let release!: (value: string) => void;
		const slow = execA.get('k', async () => await new Promise<string>((resolve) => (release = resolve)));
		let bAsked = 0;
		const b = await execB.get('k', async () => {
			bAsked++;
			return 'b-image';
		});
		expect(b).toEqual({ answer: 'b-image', shared: false });
		expect(bAsked).toBe(1);
		release('a-image');
		expect(await slow).toEqual({ answer: 'a-image', shared: false });
		expect(await new AnswerCache(common).get('k', async () => 'never')).toEqual({ answer: 'a-image', shared: true });
	});
});

describe('AnswerStore', () => {
	it('does not keep an answer bigger than the whole budget', () => {
		const answers = store(3);
		answers.set('big', 'four');
		expect(answers.get('big')).toBeUndefined();
		expect(answers.size).toBe(0);
	});

	it('replacing a key does not count its bytes twice', () => {
		const answers = store(8);
		answers.set('a', 'aaaa');
		answers.set('a', 'AAAA');
		answers.set('b', 'bbbb');
		expect(answers.get('a')).toBe('AAAA');
		expect(answers.get('b')).toBe('bbbb');
	});
});
