/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code, run by Node, not n8n (README: Lint) */
import type { TransportFailure } from '../../../../nodes/NanoBanana/transport/failures/kinds';
import { COLD_START_SPACING_MS, isSlot, MIN_START_SPACING_MS, SharedRequestGate, type AcquireResult, type GateLane, type PacingEvent, type Slot } from '../../../../nodes/NanoBanana/transport/pacing/gate';
import { DEFAULT_RETRY_POLICY } from '../../../../nodes/NanoBanana/transport/failures/retry';
import { VirtualClock } from '../../virtualClock';

function failure429(retryDelayMs?: number, quotaId?: string): TransportFailure {
	return {
		kind: 'api',
		statusCode: 429,
		error: { code: 429, message: 'quota', details: { retryDelayMs, quotaViolations: quotaId ? [{ quotaId }] : [] } },
	};
}

/** A promise's value once pending work has run, or 'pending' (a hang fails the test instead of timing it out). */
async function settled<T>(promise: Promise<T>): Promise<T | 'pending'> {
	return await Promise.race([promise, new Promise<'pending'>((resolve) => setImmediate(() => resolve('pending')))]);
}

async function take(lane: GateLane, signal?: AbortSignal, deadlineAt?: number): Promise<Slot> {
	const slot = await lane.acquire(signal, deadlineAt);
	if (!isSlot(slot)) throw new Error(`no slot: ${JSON.stringify(slot)}`);
	return slot;
}

describe('SharedRequestGate', () => {
	it('ramps a burst up: 25 ms apart for its first 100 ms, then ever closer down to the minimum; again after a minute idle', async () => {
		const clock = new VirtualClock();
		const lane = new SharedRequestGate(clock).join();
		const slots: Slot[] = [];
		const burst = Promise.all(Array.from({ length: 40 }, async () => slots.push(await take(lane))));
		await clock.runUntil(() => slots.length === 40);
		await burst;
		const starts = slots.map((slot) => slot.startedAt);
		expect(starts.slice(0, 5)).toEqual([0, 1, 2, 3, 4].map((i) => i * COLD_START_SPACING_MS));
		const gaps = starts.slice(1).map((t, i) => t - starts[i]);
		for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeLessThanOrEqual(gaps[i - 1] + 1e-9);
		expect(gaps[gaps.length - 1]).toBe(MIN_START_SPACING_MS);
		expect(starts[31]).toBeLessThanOrEqual(250); // 32 starts (a fixed 25 ms: 775 ms)
		for (const slot of slots) lane.release(slot, { ok: true });
		await clock.advanceTo(70_000);
		const again = Promise.all([0, 1].map(async () => (await take(lane)).startedAt));
		await clock.runUntil(() => false);
		expect(await again).toEqual([70_000, 70_000 + COLD_START_SPACING_MS]);
	});

	it('spaces starts by the strictest Max Requests per Minute of the executions using it, while they run', async () => {
		const clock = new VirtualClock();
		const gate = new SharedRequestGate(clock);
		const strict = gate.join(30);
		const loose = gate.join(120);
		expect(gate.startIntervalMs).toBe(2000);
		const starts: number[] = [];
		for (let i = 0; i < 3; i++) {
			const slot = take(i % 2 ? strict : loose);
			await clock.runUntil(() => false);
			starts.push((await slot).startedAt);
		}
		expect(starts).toEqual([0, 2000, 4000]);
		strict.leave();
		expect(gate.startIntervalMs).toBe(500);
		loose.leave();
		expect(gate.startIntervalMs).toBe(MIN_START_SPACING_MS); // the ramp is over by 4 s
	});

	it('a rate limit pauses every start for the wait asked for and paces the rest at the rate taken', async () => {
		const clock = new VirtualClock();
		const gate = new SharedRequestGate(clock);
		const lane = gate.join();
		const slots: Slot[] = [];
		const burst = Promise.all([0, 1, 2, 3, 4].map(async () => slots.push(await take(lane))));
		await clock.runUntil(() => slots.length === 5);
		await burst;
		const events = lane.release(slots[4], { ok: false, failure: failure429(950, 'GenerateRequestsPerSecondPerProject') });
		expect(events).toEqual([
			expect.objectContaining({ kind: 'rate', reason: 'learned', acceptedInWindow: 4, windowMs: 1000 }),
			{ kind: 'paused', pauseMs: 950, cause: 'rateLimit' },
		]);
		expect(gate.startIntervalMs).toBeCloseTo(262.5);
		const next: number[] = [];
		const more = Promise.all([0, 1].map(async () => next.push((await take(lane)).startedAt)));
		await clock.runUntil(() => next.length === 2);
		await more;
		const refusedAt = 4 * COLD_START_SPACING_MS;
		expect(next).toEqual([refusedAt + 950, refusedAt + 950 + 262.5]);
	});

	it('keeps the pace between the starts themselves when a busy event loop wakes a waiter late', async () => {
		const clock = new VirtualClock();
		let late = true;
		// The first paced waiter wakes 200 ms late, as under a busy event loop; the next one on time.
		const lateClock = {
			now: clock.now,
			wait: async (ms: number, signal?: AbortSignal) => {
				const extra = late && ms > 100 ? 200 : 0;
				if (extra) late = false;
				await clock.wait(ms + extra, signal);
			},
		};
		const gate = new SharedRequestGate(lateClock);
		const lane = gate.join(240); // 250 ms apart
		const starts: number[] = [];
		const all = Promise.all([0, 1, 2].map(async () => starts.push((await take(lane)).startedAt)));
		await clock.runUntil(() => starts.length === 3);
		await all;
		expect(starts[0]).toBe(0);
		expect(starts[1]).toBe(450); // woke late
		expect(starts[2] - starts[1]).toBeGreaterThanOrEqual(250); // not right after the late one
	});

	it('a bare 429 while as many run as before caps requests in flight without pausing anyone', async () => {
		const clock = new VirtualClock();
		const gate = new SharedRequestGate(clock);
		const lane = gate.join();
		const slots: Slot[] = [];
		for (let i = 0; i < 4; i++) {
			const slot = take(lane);
			await clock.runUntil(() => false);
			slots.push(await slot);
		}
		lane.release(slots[3], { ok: false, failure: failure429(1000) }); // 3 still running
		lane.release(slots[2], { ok: false, failure: failure429(1000) }); // 2 still running: the server takes 2
		expect(gate.concurrencyCap).toBe(2);
		expect(gate.startIntervalMs).toBe(COLD_START_SPACING_MS); // no rate learned, no pause
		let third = false;
		const waiting = take(lane).then(() => (third = true));
		await clock.runUntil(() => false);
		expect(third).toBe(false);
		lane.release(slots[0], { ok: true });
		await clock.runUntil(() => third);
		await waiting;
		expect(third).toBe(true);
	});

	it('raises a learned concurrency cap by one after a long run of successes', async () => {
		const clock = new VirtualClock();
		const gate = new SharedRequestGate(clock);
		const lane = gate.join();
		const a = await take(lane);
		await clock.advanceTo(100);
		const b = await take(lane);
		await clock.advanceTo(200);
		const c = await take(lane);
		lane.release(c, { ok: false, failure: failure429(1000) });
		expect(gate.concurrencyCap).toBe(2);
		lane.release(a, { ok: true });
		lane.release(b, { ok: true });
		for (let i = 0; i < 97; i++) {
			const slot = take(lane);
			await clock.runUntil(() => false);
			lane.release(await slot, { ok: true });
		}
		expect(gate.concurrencyCap).toBe(2); // 99 successes at cap 2 are not yet enough
		const last = take(lane);
		await clock.runUntil(() => false);
		expect(lane.release(await last, { ok: true })).toEqual([{ kind: 'concurrencyCap', cap: 3 }]);
	});

	describe('a cap learned from a refusal that named a wait is tentative', () => {
		/** Three taken one after the other, the fourth refused while three run, "retry in 1 s": cap 3 (until 1 s after). */
		async function tentativeCapOfThree(clock: VirtualClock, lane: GateLane): Promise<Slot[]> {
			const slots: Slot[] = [];
			for (let i = 0; i < 4; i++) {
				const slot = take(lane);
				await clock.runUntil(() => false);
				slots.push(await slot);
			}
			lane.release(slots[3], { ok: false, failure: failure429(1000) });
			expect(lane.gate.concurrencyCap).toBe(3);
			return slots.slice(0, 3);
		}

		it('once the wait has passed, one request goes out over it; taken, the cap grows by one', async () => {
			const clock = new VirtualClock();
			const lane = new SharedRequestGate(clock).join();
			await tentativeCapOfThree(clock, lane);
			const queued = lane.acquire();
			expect(await settled(queued)).toBe('pending'); // before the wait has passed: the cap holds
			await clock.advanceTo(2000);
			const probe = await take(lane); // the server's wait has passed: 4 in flight
			expect(lane.gate.requestsInFlight).toBe(4);
			expect(await settled(lane.acquire())).toBe('pending'); // one probe at a time
			expect(lane.release(probe, { ok: true })).toEqual([{ kind: 'concurrencyCap', cap: 4 }]);
			await clock.runUntil(() => false);
			expect(isSlot(await settled(queued) as AcquireResult)).toBe(true); // under the cap of 4 now
		});

		it('a probe over it refused while as many run confirms it: no more probes', async () => {
			const clock = new VirtualClock();
			const lane = new SharedRequestGate(clock).join();
			const running = await tentativeCapOfThree(clock, lane);
			await clock.advanceTo(2000);
			const probe = await take(lane);
			expect(lane.release(probe, { ok: false, failure: failure429(1000) })).toEqual([]);
			expect(lane.gate.concurrencyCap).toBe(3);
			await clock.advanceTo(5000);
			expect(await settled(lane.acquire())).toBe('pending');
			lane.release(running[0], { ok: true });
		});

		it('a confirmed cap goes too once a refusal shows a rate: the probe met a spent window, not a full server', async () => {
			// Two processes on one rate quota: the other's starts spend the window, so the probe over
			// the cap is refused while as many run. Kept, the cap held the run at 3 a second after
			// the other process finished, with the quota at 4.
			const clock = new VirtualClock();
			const lane = new SharedRequestGate(clock).join();
			const running = await tentativeCapOfThree(clock, lane);
			await clock.advanceTo(2000);
			lane.release(await take(lane), { ok: false, failure: failure429(1000) }); // confirms cap 3
			lane.release(running[0], { ok: true });
			lane.release(running[1], { ok: true });
			await clock.advanceTo(3500);
			const next = await take(lane); // 2 in flight, under the cap of 3
			lane.release(next, { ok: false, failure: failure429(500) });
			expect(lane.gate.concurrencyCap).toBeUndefined();
			lane.release(running[2], { ok: true });
		});

		it('a refusal with fewer running than the cap shows a rate: the cap goes, a pace comes', async () => {
			const clock = new VirtualClock();
			const lane = new SharedRequestGate(clock).join();
			const running = await tentativeCapOfThree(clock, lane);
			lane.release(running[0], { ok: true });
			lane.release(running[1], { ok: true });
			await clock.advanceTo(1500);
			const next = await take(lane); // 2 in flight, under the cap of 3
			const events = lane.release(next, { ok: false, failure: failure429(500) });
			expect(events).toEqual([{ kind: 'paused', pauseMs: 500, cause: 'rateLimit' }]);
			expect(lane.gate.concurrencyCap).toBeUndefined();
		});
	});

	it('forgets a pace taught by a cluster of 429s that show no limit once the last ten answers hold none', async () => {
		const clock = new VirtualClock();
		const gate = new SharedRequestGate(clock);
		const lane = gate.join();
		const bare = failure429();
		const slots: Slot[] = [];
		for (let i = 0; i < 10; i++) {
			const slot = take(lane);
			await clock.runUntil(() => false);
			slots.push(await slot);
		}
		for (const slot of slots.slice(0, 5)) lane.release(slot, { ok: true });
		for (const slot of slots.slice(5, 9)) lane.release(slot, { ok: false, failure: bare }); // sporadic so far
		await clock.advanceTo(1000); // the ramp of the first starts is over
		expect(gate.startIntervalMs).toBe(MIN_START_SPACING_MS);
		// 5 of the last 10: a cluster, with nothing else in flight: 5 taken over a second (not a minute).
		expect(lane.release(slots[9], { ok: false, failure: bare })).toEqual([
			expect.objectContaining({ kind: 'rate', reason: 'learned', acceptedInWindow: 5, windowMs: 1000 }),
		]);
		expect(gate.startIntervalMs).toBeCloseTo(210);
		let events: PacingEvent[] = [];
		for (let i = 0; i < 10; i++) {
			const slot = take(lane);
			await clock.runUntil(() => false);
			events = lane.release(await slot, { ok: true });
		}
		expect(events).toContainEqual({ kind: 'rate', intervalMs: 0, windowMs: 0, reason: 'cleared' });
		expect(gate.startIntervalMs).toBe(MIN_START_SPACING_MS);
	});

	it('a per-day quota closes the execution\'s lane without holding other executions back', async () => {
		const clock = new VirtualClock();
		const gate = new SharedRequestGate(clock);
		const lane = gate.join();
		const other = gate.join();
		const slot = await take(lane);
		const daily = failure429(30_000, 'GenerateRequestsPerDayPerProjectPerModel');
		expect(lane.release(slot, { ok: false, failure: daily })).toEqual([]);
		expect(await lane.acquire()).toEqual({ closedBy: daily });
		const next = take(other);
		await clock.runUntil(() => false);
		expect((await next).startedAt).toBe(COLD_START_SPACING_MS);
	});

	it('an overloaded server that names a wait holds everyone back; a long wait holds no one', async () => {
		const clock = new VirtualClock();
		const gate = new SharedRequestGate(clock);
		const lane = gate.join();
		const busy: TransportFailure = {
			kind: 'api',
			statusCode: 503,
			retryAfterMs: 2000,
			error: { code: 503, message: 'busy', details: { quotaViolations: [] } },
		};
		expect(lane.release(await take(lane), { ok: false, failure: busy })).toEqual([{ kind: 'paused', pauseMs: 2000, cause: 'serverBusy' }]);
		const next = take(lane);
		await clock.runUntil(() => false);
		expect((await next).startedAt).toBe(2000);
		const tooLong = { ...busy, retryAfterMs: DEFAULT_RETRY_POLICY.maxServerDelayMs + 1 };
		expect(lane.release(await next, { ok: false, failure: tooLong })).toEqual([]);
	});

	it('gives up waiting when the start could not come before the deadline', async () => {
		const clock = new VirtualClock();
		const gate = new SharedRequestGate(clock);
		const lane = gate.join();
		lane.release(await take(lane), { ok: false, failure: failure429(5000, 'GenerateRequestsPerMinutePerProjectPerModel') });
		expect(await lane.acquire(undefined, 3000)).toBe('outOfTime');
		const later = lane.acquire(undefined, 6000);
		await clock.runUntil(() => false);
		expect(typeof (await later)).toBe('object');
	});

	describe('shared by several executions', () => {
		it('stopping one execution ends only its own waits and never costs another its wake-up', async () => {
			const clock = new VirtualClock();
			const gate = new SharedRequestGate(clock);
			const first = gate.join();
			const second = gate.join();
			const a = await take(first);
			await clock.advanceTo(100);
			const b = await take(second);
			await clock.advanceTo(200);
			first.release(await take(first), { ok: false, failure: failure429(1000) }); // cap 2 in flight
			expect(gate.concurrencyCap).toBe(2);

			const stopFirst = new AbortController();
			const firstWaiting = first.acquire(stopFirst.signal);
			const secondWaiting = second.acquire(new AbortController().signal);
			await clock.runUntil(() => false);
			stopFirst.abort();
			expect(await firstWaiting).toBe('stopped');
			// The stopped waiter left the queue: the next release wakes the other execution.
			first.release(a, { ok: true });
			await clock.runUntil(() => false);
			const slot = await secondWaiting;
			expect(typeof slot).toBe('object');
			second.release(b, { ok: true });
		});

		it('stopping one execution during a shared pause leaves the others waiting for their start', async () => {
			const clock = new VirtualClock();
			const gate = new SharedRequestGate(clock);
			const first = gate.join();
			const second = gate.join();
			first.release(await take(first), { ok: false, failure: failure429(3000, 'GenerateRequestsPerMinutePerProjectPerModel') });
			const stop = new AbortController();
			const stopped = first.acquire(stop.signal);
			const other = second.acquire();
			await clock.advanceTo(1000);
			stop.abort();
			expect(await stopped).toBe('stopped');
			await clock.runUntil(() => false);
			expect(await other).toMatchObject({ startedAt: 3000 });
		});

		/** Execution A: Max Requests per Minute 6 (10 s apart), `waiting` items reserved behind one start. */
		async function pacedExecution(clock: VirtualClock, gate: SharedRequestGate, waiting: number, signal?: AbortSignal, deadlineAt?: number) {
			const lane = gate.join(6);
			lane.release(await take(lane), { ok: true });
			const waiters = Array.from({ length: waiting }, () => lane.acquire(signal, deadlineAt));
			await clock.settle();
			return { lane, waiters };
		}

		it('a Stop gives the stopped execution\'s reserved starts back: another execution starts at once', async () => {
			const clock = new VirtualClock();
			const gate = new SharedRequestGate(clock);
			const stop = new AbortController();
			const a = await pacedExecution(clock, gate, 10, stop.signal);
			await clock.advanceTo(1000);
			stop.abort();
			for (const waiter of a.waiters) expect(await waiter).toBe('stopped');
			a.lane.leave();
			const b = gate.join();
			const started = b.acquire(undefined, 5000);
			await clock.runUntil(() => false);
			expect(await started).toMatchObject({ startedAt: 1000 });
		});

		it('items that run out of time give their reserved starts back, also to waiters queued behind them', async () => {
			const clock = new VirtualClock();
			const gate = new SharedRequestGate(clock);
			const a = await pacedExecution(clock, gate, 10, undefined, 25_000); // the first two fit
			const b = gate.join();
			const behind = b.acquire(undefined, 60_000); // reserved after A's two
			await clock.settle();
			const outOfTime = await Promise.all(a.waiters.slice(2));
			expect(outOfTime).toEqual(Array(8).fill('outOfTime'));
			await clock.runUntil(() => false);
			expect(await a.waiters[0]).toMatchObject({ startedAt: 10_000 });
			expect(await a.waiters[1]).toMatchObject({ startedAt: 20_000 });
			expect(await behind).toMatchObject({ startedAt: 30_000 });
		});

		it('a Stop of one execution moves the other\'s reserved starts up, at the pace left once it leaves', async () => {
			const clock = new VirtualClock();
			const gate = new SharedRequestGate(clock);
			const stop = new AbortController();
			const a = await pacedExecution(clock, gate, 5, stop.signal); // 10 s … 50 s
			const b = gate.join();
			const bWaiting = [b.acquire(), b.acquire()]; // reserved at 60 s and 70 s
			await clock.advanceTo(1000);
			stop.abort();
			await clock.settle(); // A's waiters gone, its ceiling (10 s apart) still in force
			a.lane.leave();
			await clock.runUntil(() => false);
			const starts = (await Promise.all(bWaiting)).map((slot) => (isSlot(slot) ? slot.startedAt : slot));
			expect(starts[0]).toBe(1000);
			expect(starts[1]).toBeLessThanOrEqual(1000 + COLD_START_SPACING_MS);
		});

		it('when another item of an execution meets a per-day quota, its paced waiters leave at once and give their starts back', async () => {
			const clock = new VirtualClock();
			const gate = new SharedRequestGate(clock);
			const a = gate.join(6);
			const inFlight = await take(a);
			const waiters = [a.acquire(), a.acquire()]; // reserved at 10 s and 20 s
			await clock.advanceTo(500);
			a.release(inFlight, { ok: false, failure: failure429(undefined, 'GenerateRequestsPerDayPerProjectPerModel') });
			await clock.settle();
			expect(await settled(waiters[0])).toMatchObject({ closedBy: { statusCode: 429 } });
			expect(await settled(waiters[1])).toMatchObject({ closedBy: { statusCode: 429 } });
			a.leave();
			const b = gate.join();
			const started = b.acquire(undefined, 5000);
			await clock.runUntil(() => false);
			expect(await started).toMatchObject({ startedAt: 500 });
		});

		/** Cap 1 learned from a bare 429 while two ran; `a` still in flight. */
		async function capOfOne(clock: VirtualClock, lane: GateLane): Promise<Slot> {
			const a = await take(lane);
			await clock.advanceTo(100);
			lane.release(await take(lane), { ok: false, failure: failure429(1000) });
			expect(lane.gate.concurrencyCap).toBe(1);
			return a;
		}
		const perMinute = 'GenerateRequestsPerMinutePerProjectPerModel';

		it('a waiter whose item runs out of time passes its wake-up on to the next waiter', async () => {
			const clock = new VirtualClock();
			const gate = new SharedRequestGate(clock);
			const first = gate.join();
			const second = gate.join();
			const a = await capOfOne(clock, first);
			const nearDeadline = second.acquire(undefined, 2000);
			const patient = second.acquire();
			await clock.settle();
			first.release(a, { ok: false, failure: failure429(5000, perMinute) }); // pauses until 5100
			expect(await nearDeadline).toBe('outOfTime');
			await clock.runUntil(() => false);
			expect(await settled(patient)).toMatchObject({ startedAt: 5100 });
			expect(gate.requestsInFlight).toBe(1);
		});

		it('a woken waiter stopped before it takes the slot passes its wake-up on to the other execution', async () => {
			const clock = new VirtualClock();
			const gate = new SharedRequestGate(clock);
			const first = gate.join();
			const second = gate.join();
			const a = await capOfOne(clock, first);
			const stopFirst = new AbortController();
			const woken = first.acquire(stopFirst.signal);
			const other = second.acquire();
			await clock.runUntil(() => false);
			second.release(a, { ok: false, failure: failure429(3000, perMinute) }); // wakes `woken` into the pause
			await clock.advanceTo(1000);
			stopFirst.abort();
			expect(await woken).toBe('stopped');
			await clock.runUntil(() => false);
			expect(await settled(other)).toMatchObject({ startedAt: 3100 });
		});

		it('a request queued for a slot gives up at its deadline, not at the next release', async () => {
			const clock = new VirtualClock();
			const lane = new SharedRequestGate(clock).join();
			const a = await capOfOne(clock, lane);
			const queued = lane.acquire(undefined, 2000);
			let settledAt: number | undefined;
			void queued.then(() => (settledAt = clock.now()));
			await clock.runUntil(() => settledAt !== undefined);
			expect(await settled(queued)).toBe('outOfTime');
			expect(settledAt).toBe(2000);
			lane.release(a, { ok: true });
		});
	});
});
