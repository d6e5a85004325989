import { RequestGate } from '../../nodes/NanoBanana/transport/gate';

/** A fake clock whose waits advance time, so pacing is checked without sleeping. */
function fakeClock() {
	let now = 0;
	const waits: number[] = [];
	return {
		now: () => now,
		wait: async (ms: number) => {
			waits.push(ms);
			now += ms;
		},
		waits,
		advance: (ms: number) => {
			now += ms;
		},
	};
}

describe('RequestGate', () => {
	it('lets requests through at once when nothing limits them', async () => {
		const clock = fakeClock();
		const gate = new RequestGate(0, clock.now, clock.wait);
		await gate.waitTurn();
		await gate.waitTurn();
		expect(clock.waits).toEqual([]);
	});

	it('holds every new request back after a pause until it is over', async () => {
		const clock = fakeClock();
		const gate = new RequestGate(0, clock.now, clock.wait);
		gate.pauseFor(5000);
		gate.pauseFor(1000); // a shorter pause never shortens the longer one
		await gate.waitTurn();
		expect(clock.now()).toBe(5000);
		await gate.waitTurn();
		expect(clock.now()).toBe(5000);
	});

	it('spaces request starts by the requests-per-minute pace', async () => {
		const clock = fakeClock();
		const gate = new RequestGate(30, clock.now, clock.wait);
		const starts: number[] = [];
		for (let i = 0; i < 4; i++) {
			await gate.waitTurn();
			starts.push(clock.now());
		}
		expect(starts).toEqual([0, 2000, 4000, 6000]);
	});

	it('gives concurrent waiters distinct slots', async () => {
		let now = 0;
		const pending: Array<() => void> = [];
		const gate = new RequestGate(60, () => now, async () => await new Promise<void>((resolve) => pending.push(resolve)));
		const starts: number[] = [];
		const waiters = [0, 1, 2].map(async () => {
			await gate.waitTurn();
			starts.push(now);
		});
		for (let step = 0; step < 10 && starts.length < 3; step++) {
			await new Promise((resolve) => setImmediate(resolve));
			now += 1000;
			pending.splice(0).forEach((resolve) => resolve());
		}
		await Promise.all(waiters);
		expect(new Set(starts).size).toBe(3);
	});
});
