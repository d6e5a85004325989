/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code, run by Node, not n8n (README: Lint) */
import { runPool } from '../../../nodes/NanoBanana/actions/pool';

function deferred() {
	let resolve!: () => void;
	const promise = new Promise<void>((r) => (resolve = r));
	return { promise, resolve };
}

describe('runPool', () => {
	it('never runs more than the limit and keeps input order', async () => {
		let running = 0;
		let maxRunning = 0;
		const delays = [30, 5, 20, 1, 15, 2, 8, 0];
		const results = await runPool(delays.length, 3, async (index) => {
			running++;
			maxRunning = Math.max(maxRunning, running);
			await new Promise((resolve) => setTimeout(resolve, delays[index]));
			running--;
			return `item-${index}`;
		});
		expect(maxRunning).toBe(3);
		expect(results).toEqual(delays.map((_, index) => `item-${index}`));
	});

	it('uses the whole limit while work remains', async () => {
		const gates = Array.from({ length: 4 }, deferred);
		const started: number[] = [];
		const done = runPool(4, 4, async (index) => {
			started.push(index);
			await gates[index].promise;
			return index;
		});
		await new Promise((resolve) => setImmediate(resolve));
		expect(started).toEqual([0, 1, 2, 3]);
		gates.forEach((gate) => gate.resolve());
		await done;
	});

	it('starts nothing new once told to stop', async () => {
		let stop = false;
		const started: number[] = [];
		await runPool(
			10,
			2,
			async (index) => {
				started.push(index);
				if (index === 1) stop = true;
				return index;
			},
			() => stop,
		);
		// Task 1 asked to stop while task 0 ran: not one task more starts (not "some time later").
		expect(started).toEqual([0, 1]);
	});

	it('starts nothing new once told to stop, also while tasks run one at a time', async () => {
		const started: number[] = [];
		await runPool(
			10,
			4,
			async (index) => {
				started.push(index);
				return index;
			},
			() => started.length >= 2,
			() => true,
		);
		expect(started).toEqual([0, 1]);
	});

	it('runs tasks one at a time while alone() holds: until one has sent a request, not only task 0', async () => {
		const gates = Array.from({ length: 5 }, deferred);
		const started: number[] = [];
		let sent = false;
		const done = runPool(
			5,
			4,
			async (index) => {
				started.push(index);
				await gates[index].promise;
				if (index === 1) sent = true; // task 0 failed before sending anything (a bad item 0)
				return index;
			},
			() => false,
			() => !sent,
		);
		const settle = async () => await new Promise((resolve) => setImmediate(resolve));
		await settle();
		expect(started).toEqual([0]);
		gates[0].resolve();
		await settle();
		expect(started).toEqual([0, 1]);
		gates[1].resolve();
		await settle();
		expect(started).toEqual([0, 1, 2, 3, 4]);
		gates.forEach((gate) => gate.resolve());
		expect(await done).toEqual([0, 1, 2, 3, 4]);
	});

	it('a task that hands its place back lets the next one start while it finishes', async () => {
		const finish = deferred();
		const started: number[] = [];
		const done = runPool(3, 1, async (index, release) => {
			started.push(index);
			if (index === 0) {
				release();
				await finish.promise; // still building its output
			}
			return index;
		});
		await new Promise((resolve) => setImmediate(resolve));
		expect(started).toEqual([0, 1, 2]);
		finish.resolve();
		expect(await done).toEqual([0, 1, 2]);
	});
});
