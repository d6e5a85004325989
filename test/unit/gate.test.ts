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
	};
}

const tick = async () => await new Promise((resolve) => setImmediate(resolve));

describe('RequestGate', () => {
	it('lets requests through at once when nothing limits them', async () => {
		const clock = fakeClock();
		const gate = new RequestGate(4, 0, clock.now, clock.wait);
		expect(await gate.acquire()).toBe(true);
		expect(await gate.acquire()).toBe(true);
		expect(clock.waits).toEqual([]);
	});

	it('holds every new request back after a pause until it is over', async () => {
		const clock = fakeClock();
		const gate = new RequestGate(4, 0, clock.now, clock.wait);
		gate.pauseFor(5000);
		gate.pauseFor(1000); // a shorter pause never shortens the longer one
		await gate.acquire();
		expect(clock.now()).toBe(5000);
		await gate.acquire();
		expect(clock.now()).toBe(5000);
	});

	it('spaces request starts by the requests-per-minute pace', async () => {
		const clock = fakeClock();
		const gate = new RequestGate(8, 30, clock.now, clock.wait);
		const starts: number[] = [];
		for (let i = 0; i < 4; i++) {
			await gate.acquire();
			gate.release('success');
			starts.push(clock.now());
		}
		expect(starts).toEqual([0, 2000, 4000, 6000]);
	});

	it('caps requests in flight and wakes a waiter on release', async () => {
		const gate = new RequestGate(2, 0);
		await gate.acquire();
		await gate.acquire();
		let third = false;
		const waiting = gate.acquire().then(() => (third = true));
		await tick();
		expect(third).toBe(false);
		gate.release('success');
		await waiting;
		expect(third).toBe(true);
	});

	it('lowers the cap to what the server accepted after a 429 and raises it slowly after successes', async () => {
		const gate = new RequestGate(4, 0);
		for (let i = 0; i < 4; i++) await gate.acquire();
		gate.release('rateLimited'); // 3 still running
		gate.release('rateLimited'); // 2 still running: the server takes 2
		expect(gate.currentLimit).toBe(2);
		gate.release('success');
		gate.release('success');
		for (let i = 0; i < 97; i++) {
			await gate.acquire();
			gate.release('success');
		}
		expect(gate.currentLimit).toBe(2); // 99 successes at cap 2 are not yet enough
		await gate.acquire();
		gate.release('success');
		expect(gate.currentLimit).toBe(3); // the 100th earns one more slot
	});

	it('stops waiting when the execution is stopped', async () => {
		const gate = new RequestGate(1, 0);
		await gate.acquire();
		const controller = new AbortController();
		const waiting = gate.acquire(controller.signal);
		controller.abort();
		expect(await waiting).toBe(false);
	});
});
