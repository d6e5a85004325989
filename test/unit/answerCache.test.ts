import { AnswerCache } from '../../nodes/NanoBanana/actions/answerCache';

describe('AnswerCache', () => {
	it('asks once for identical requests in flight together', async () => {
		const cache = new AnswerCache<string>(1000, (answer) => answer.length);
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
		const cache = new AnswerCache<string>(10, (answer) => answer.length);
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
		const cache = new AnswerCache<string>(1000, (answer) => answer.length);
		await expect(cache.get('k', async () => Promise.reject(new Error('503')))).rejects.toThrow('503');
		expect(await cache.get('k', async () => 'ok')).toEqual({ answer: 'ok', shared: false });
	});
});
