import { runPool } from '../../../../nodes/NanoBanana/actions/pool';
import { aiStudioBackend } from '../../../../nodes/NanoBanana/transport/auth/backends';
import { generateContent } from '../../../../nodes/NanoBanana/transport/api/models';
import { TransportError, type AuthenticatedRequest } from '../../../../nodes/NanoBanana/transport/http/client';
import { explainFailure } from '../../../../nodes/NanoBanana/transport/failures/explain';
import type { TransportFailure } from '../../../../nodes/NanoBanana/transport/failures/kinds';
import { COLD_START_SPACING_MS, isSlot, MIN_START_SPACING_MS, SharedRequestGate, type GateLane, type Slot } from '../../../../nodes/NanoBanana/transport/pacing/gate';
import { ExecutionGates, GateRegistry } from '../../../../nodes/NanoBanana/transport/pacing/gateRegistry';
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
	it('spreads starts a little until a first answer, then lets them through only the minimum spacing apart', async () => {
		const clock = new VirtualClock();
		const lane = new SharedRequestGate(clock).join();
		const starts: number[] = [];
		const slots: Slot[] = [];
		const first = Promise.all([0, 1, 2].map(async () => slots.push(await take(lane))));
		await clock.runUntil(() => slots.length === 3);
		await first;
		expect(slots.map((slot) => slot.startedAt)).toEqual([0, COLD_START_SPACING_MS, 2 * COLD_START_SPACING_MS]);
		lane.release(slots[0], { ok: true });
		await clock.advanceTo(1000);
		const warm = Promise.all([0, 1, 2].map(async () => starts.push((await take(lane)).startedAt)));
		await clock.runUntil(() => starts.length === 3);
		await warm;
		expect(starts).toEqual([1000, 1000 + MIN_START_SPACING_MS, 1000 + 2 * MIN_START_SPACING_MS]);
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
		expect(gate.startIntervalMs).toBe(COLD_START_SPACING_MS);
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

describe('GateRegistry', () => {
	it('hands every execution of one credential and model the same gate, and others their own', () => {
		const registry = new GateRegistry(new VirtualClock());
		const gate = registry.gateFor('cred-a', 'model:x');
		expect(registry.gateFor('cred-a', 'model:x')).toBe(gate);
		expect(registry.gateFor('cred-a', 'model:y')).not.toBe(gate);
		expect(registry.gateFor('cred-b', 'model:x')).not.toBe(gate);
	});

	it('drops a gate once no execution has used it for the idle time, not before', async () => {
		const clock = new VirtualClock();
		const registry = new GateRegistry(clock, 60_000);
		const executionGates = new ExecutionGates(registry, 'cred-a', 0);
		const gate = executionGates.forModel('x').gate;
		await clock.advanceTo(120_000);
		expect(registry.gateFor('cred-a', 'model:x')).toBe(gate); // still joined: kept
		executionGates.leaveAll();
		await clock.advanceTo(150_000);
		expect(registry.gateFor('cred-a', 'model:x')).toBe(gate); // idle for 30 s only
		await clock.advanceTo(181_000);
		registry.gateFor('cred-b', 'model:z');
		expect(registry.size).toBe(1);
		expect(registry.gateFor('cred-a', 'model:x')).not.toBe(gate);
	});
});

/**
 * Whole runs in virtual time: item pools of `generateContent` calls (the real client, retries
 * and gate) against simulated servers with the limits Google and the benchmark emulator have.
 */
describe('learning the limit, simulated', () => {
	const backend = aiStudioBackend({ apiKey: 'k', baseUrl: 'http://server.invalid' });
	const answer = {
		candidates: [{ content: { parts: [{ inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }] }, finishReason: 'STOP' }],
	};

	type Limit =
		| { kind: 'startsPerWindow'; starts: number; windowMs: number; quotaId?: string; offsetMs?: number }
		/** Refuses the requests numbered in `calls` once each, naming a per-minute quota and a short wait (someone else's burst). */
		| { kind: 'strayRefusals'; calls: number[]; retryDelayS: number }
		| { kind: 'inFlight'; max: number }
		/**
		 * No limit at all, but each call is refused with a bare 429 (no QuotaFailure, no RetryInfo:
		 * what Vertex's dynamic shared quota sends now and then) with probability `share`, drawn
		 * from `random`; only calls starting before `untilMs` are refused.
		 */
		| { kind: 'randomBareRefusals'; share: number; random: () => number; untilMs?: number };

	/** A refusal comes back this long after the request left (a loaded machine, a 1 MB body). */
	const REFUSAL_ROUND_TRIP_MS = 40;

	function simulatedServer(clock: VirtualClock, limit: Limit, latencyMs: number) {
		const stats = { calls: 0, refused: 0, maxInFlight: 0 };
		const windows = new Map<number, number>();
		let inFlight = 0;
		const refuse = (retryDelayS: number, quotaId?: string) => ({
			statusCode: 429,
			headers: {},
			body: {
				error: {
					code: 429,
					message: 'Resource has been exhausted',
					status: 'RESOURCE_EXHAUSTED',
					details: [
						{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryDelayS.toFixed(3)}s` },
						...(quotaId ? [{ '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaId }] }] : []),
					],
				},
			},
		});
		const bare = {
			statusCode: 429,
			headers: {},
			body: { error: { code: 429, message: 'Resource exhausted. Please try again later.', status: 'RESOURCE_EXHAUSTED' } },
		};
		const request: AuthenticatedRequest = async () => {
			stats.calls++;
			const now = clock.now();
			if (limit.kind === 'startsPerWindow') {
				// The run may begin anywhere in the server's window, not at its start.
				const at = now + (limit.offsetMs ?? 0);
				const window = Math.floor(at / limit.windowMs);
				const used = windows.get(window) ?? 0;
				if (used >= limit.starts) {
					stats.refused++;
					await clock.wait(REFUSAL_ROUND_TRIP_MS);
					return refuse(((window + 1) * limit.windowMs - at) / 1000, limit.quotaId);
				}
				windows.set(window, used + 1);
			} else if (limit.kind === 'strayRefusals') {
				if (limit.calls.includes(stats.calls)) {
					stats.refused++;
					await clock.wait(REFUSAL_ROUND_TRIP_MS);
					return refuse(limit.retryDelayS, 'GenerateRequestsPerMinutePerProjectPerModel');
				}
			} else if (limit.kind === 'randomBareRefusals') {
				if (now < (limit.untilMs ?? Infinity) && limit.random() < limit.share) {
					stats.refused++;
					await clock.wait(REFUSAL_ROUND_TRIP_MS);
					return bare;
				}
			} else if (inFlight >= limit.max) {
				stats.refused++;
				await clock.wait(REFUSAL_ROUND_TRIP_MS);
				return refuse(1);
			}
			inFlight++;
			stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
			await clock.wait(latencyMs);
			inFlight--;
			return { statusCode: 200, headers: {}, body: answer };
		};
		return { request, stats };
	}

	async function runExecutions(
		clock: VirtualClock,
		request: AuthenticatedRequest,
		executions: Array<{ items: number; maxConcurrency: number; requestsPerMinute?: number }>,
		random: () => number = () => 0.5,
		/** Each execution in an n8n process of its own (its own gates), as two workers on one key. */
		separateProcesses = false,
	) {
		const shared = new GateRegistry(clock);
		let done = 0;
		let failed = 0;
		const starts: number[] = [];
		const timedRequest: AuthenticatedRequest = async (type, options) => {
			starts.push(clock.now());
			return await request(type, options);
		};
		const runs = executions.map(async ({ items, maxConcurrency, requestsPerMinute }) => {
			const registry = separateProcesses ? new GateRegistry(clock) : shared;
			const gates = new ExecutionGates(registry, 'cred-a', requestsPerMinute ?? 0);
			await runPool(items, maxConcurrency, async () => {
				try {
					await generateContent(timedRequest, backend, 'gemini-2.5-flash-image', Buffer.from('{}'), {
						policy: { ...DEFAULT_RETRY_POLICY, maxRetries: 6 },
						timeoutMs: 60_000,
						gate: gates.forModel('gemini-2.5-flash-image'),
						secrets: [],
						random,
						sleep: clock.wait,
					});
					done++;
				} catch {
					failed++;
				}
			});
			gates.leaveAll();
		});
		const total = executions.reduce((sum, e) => sum + e.items, 0);
		const elapsedMs = await clock.runUntil(() => done + failed === total);
		await Promise.all(runs);
		return { elapsedMs, done, failed, starts };
	}

	it.each([
		[8, 0],
		[32, 0],
		[8, 300],
		[8, 700],
		[32, 700],
	])(
		'4 starts per second (bare 429 + RetryInfo), 40 items, Max Concurrency %i, the run %i ms into a window: within 1.2× of 10 s, at most 15%% refused',
		async (maxConcurrency, offsetMs) => {
			const clock = new VirtualClock();
			const server = simulatedServer(clock, { kind: 'startsPerWindow', starts: 4, windowMs: 1000, offsetMs }, 200);
			const run = await runExecutions(clock, server.request, [{ items: 40, maxConcurrency }]);
			expect(run).toMatchObject({ done: 40, failed: 0 });
			expect(run.elapsedMs).toBeLessThanOrEqual(1.2 * 10_000);
			expect(server.stats.refused / server.stats.calls).toBeLessThanOrEqual(0.15);
		},
	);

	it('30 per minute (fixed window, quota named), 40 items, Max Concurrency 8: within 1.2× of 80 s, at most 15% refused', async () => {
		const clock = new VirtualClock();
		const limit = { kind: 'startsPerWindow', starts: 30, windowMs: 60_000, quotaId: 'GenerateRequestsPerMinutePerProjectPerModel' } as const;
		const server = simulatedServer(clock, limit, 200);
		const run = await runExecutions(clock, server.request, [{ items: 40, maxConcurrency: 8 }]);
		expect(run).toMatchObject({ done: 40, failed: 0 });
		expect(run.elapsedMs).toBeLessThanOrEqual(1.2 * 80_000);
		expect(server.stats.refused / server.stats.calls).toBeLessThanOrEqual(0.15);
	});

	it('a stray refusal naming a per-minute quota but a 0.2 s wait does not slow the run to a crawl', async () => {
		// Someone else's burst spent the quota for a moment: the server's wait says it is back in
		// 0.2 s. Paced at "3 per minute" the 37 remaining items would take 12 minutes.
		const clock = new VirtualClock();
		const server = simulatedServer(clock, { kind: 'strayRefusals', calls: [4, 20], retryDelayS: 0.2 }, 200);
		const run = await runExecutions(clock, server.request, [{ items: 40, maxConcurrency: 8 }]);
		expect(run).toMatchObject({ done: 40, failed: 0 });
		expect(run.elapsedMs).toBeLessThanOrEqual(5000);
	});

	it('20 executions × 5 items arriving together against 4 per second share one pace: within 1.3× of 25 s, at most 15% refused', async () => {
		const clock = new VirtualClock();
		const server = simulatedServer(clock, { kind: 'startsPerWindow', starts: 4, windowMs: 1000 }, 200);
		const run = await runExecutions(clock, server.request, Array.from({ length: 20 }, () => ({ items: 5, maxConcurrency: 4 })));
		expect(run).toMatchObject({ done: 100, failed: 0 });
		expect(run.elapsedMs).toBeLessThanOrEqual(1.3 * 25_000);
		expect(server.stats.refused / server.stats.calls).toBeLessThanOrEqual(0.15);
	});

	it('a server taking 2 at a time is treated as a concurrency limit, not paced: within 1.5× of 4 s', async () => {
		const clock = new VirtualClock();
		const server = simulatedServer(clock, { kind: 'inFlight', max: 2 }, 200);
		const run = await runExecutions(clock, server.request, [{ items: 40, maxConcurrency: 8 }]);
		expect(run).toMatchObject({ done: 40, failed: 0 });
		expect(run.elapsedMs).toBeLessThanOrEqual(1.5 * 4000);
		expect(server.stats.maxInFlight).toBe(2);
	});

	/** The shortest run under a fixed-window quota starting at a window boundary: the last window's starts, answered. */
	function fixedWindowIdealMs(items: number, perWindow: number, windowMs: number, latencyMs: number): number {
		return (Math.ceil(items / perWindow) - 1) * windowMs + latencyMs;
	}

	describe('two n8n processes on one key share a 4-per-second quota (fixed 1 s windows), knowing only what Google answers', () => {
		const limit = { kind: 'startsPerWindow', starts: 4, windowMs: 1000 } as const;

		// Open (issue 19 point 1): with 1.5 s answers the 5th cold-start request, refused while 4 run,
		// is judged a concurrency limit (cap 4 = 2.7 starts/s), and the 5%-per-10 s probe is slow.
		it.failing.each([0, 300, 700])('30 items each of 1.5 s, Max Concurrency 8 each, %i ms into a window: within 1.3× of ideal, at most 20%% refused', async (offsetMs) => {
			const clock = new VirtualClock();
			const server = simulatedServer(clock, { ...limit, offsetMs }, 1500);
			const run = await runExecutions(clock, server.request, [{ items: 30, maxConcurrency: 8 }, { items: 30, maxConcurrency: 8 }], () => 0.5, true);
			expect(run).toMatchObject({ done: 60, failed: 0 });
			const ideal = fixedWindowIdealMs(60, 4, 1000, 1500);
			expect(run.elapsedMs / ideal).toBeLessThanOrEqual(1.3);
			expect(server.stats.refused / server.stats.calls).toBeLessThanOrEqual(0.2);
		});

		it.failing('one process alone: within 1.2× of ideal', async () => {
			const clock = new VirtualClock();
			const server = simulatedServer(clock, limit, 1500);
			const run = await runExecutions(clock, server.request, [{ items: 30, maxConcurrency: 8 }]);
			expect(run).toMatchObject({ done: 30, failed: 0 });
			expect(run.elapsedMs / fixedWindowIdealMs(30, 4, 1000, 1500)).toBeLessThanOrEqual(1.2);
		});
	});

	/** A small seeded generator (mulberry32): the same "random" refusals and jitter on every run. */
	function seeded(seed: number): () => number {
		let state = seed >>> 0;
		return () => {
			state = (state + 0x6d2b79f5) >>> 0;
			let t = state;
			t = Math.imul(t ^ (t >>> 15), t | 1);
			t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
			return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
		};
	}

	async function bareRefusalRun(items: number, share: number, seed: number, untilMs?: number) {
		const clock = new VirtualClock();
		const server = simulatedServer(clock, { kind: 'randomBareRefusals', share, random: seeded(seed), untilMs }, 300);
		const run = await runExecutions(clock, server.request, [{ items, maxConcurrency: 8 }], seeded(seed + 1000));
		return { ...run, refusedShare: server.stats.refused / server.stats.calls };
	}

	it.each([1, 2, 3, 4, 5])(
		'10%% bare 429s at random (no rate limit at all), 80 items of 300 ms, Max Concurrency 8, seed %i: at most 2× the run without them',
		async (seed) => {
			const quiet = await bareRefusalRun(80, 0, seed);
			expect(quiet).toMatchObject({ done: 80, failed: 0 });
			const run = await bareRefusalRun(80, 0.1, seed);
			expect(run).toMatchObject({ done: 80, failed: 0 });
			expect(run.refusedShare).toBeGreaterThan(0.05);
			expect(run.elapsedMs).toBeLessThanOrEqual(2 * quiet.elapsedMs);
		},
	);

	// Open (issue 20 point 1, second half): a cluster of unexplained 429s is learned as a per-minute
	// rate and the slow probe takes minutes to recover; marked failing until recovery is AIMD.
	it.failing('the pace recovers once a burst of bare 429s stops: the last 80 starts come as fast as without refusals', async () => {
		// Half the calls of the first 3 s are refused: refusals that cluster, which may slow the
		// gate down; once they stop, the 80 last starts must not stay held back.
		const run = await bareRefusalRun(240, 0.5, 7, 3000);
		expect(run).toMatchObject({ done: 240, failed: 0 });
		const last = run.starts.slice(-80);
		// 80 items of 300 ms on 8 workers start over 2.7 s when nothing holds them back.
		expect(last[last.length - 1] - last[0]).toBeLessThanOrEqual(1.5 * 2700);
	});

	it.each([
		['a per-day quota', 'GenerateRequestsPerDayPerProjectPerModel', 'Quota exceeded', /daily quota .* is used up/],
		['a spend cap', undefined, 'Your project has exceeded its spending cap.', /spend cap .* is reached/],
	])('after %s, Max Concurrency 2 and 6 items: only the requests in flight reach the server, the rest fail at once with its message', async (_, quotaId, message, expected) => {
		const clock = new VirtualClock();
		let calls = 0;
		const request: AuthenticatedRequest = async () => {
			calls++;
			await clock.wait(REFUSAL_ROUND_TRIP_MS);
			const details = quotaId ? [{ '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaId }] }] : [];
			return { statusCode: 429, headers: {}, body: { error: { code: 429, message, status: 'RESOURCE_EXHAUSTED', details } } };
		};
		const gates = new ExecutionGates(new GateRegistry(clock), 'cred-a', 0);
		const messages: string[] = [];
		const pool = runPool(6, 2, async () => {
			try {
				await generateContent(request, backend, 'gemini-2.5-flash-image', Buffer.from('{}'), {
					policy: { ...DEFAULT_RETRY_POLICY, maxRetries: 6 },
					timeoutMs: 60_000,
					gate: gates.forModel('gemini-2.5-flash-image'),
					secrets: [],
					random: () => 0.5,
					sleep: clock.wait,
				});
			} catch (error) {
				const failure = (error as TransportError).failure;
				messages.push(explainFailure(failure, { backend, modelId: 'gemini-2.5-flash-image', attempts: 1, timeoutMs: 60_000 }).message);
			}
		});
		const elapsedMs = await clock.runUntil(() => messages.length === 6);
		await pool;
		expect(calls).toBeLessThanOrEqual(2);
		expect(messages).toHaveLength(6);
		for (const text of messages) expect(text).toMatch(expected);
		expect(elapsedMs).toBeLessThanOrEqual(REFUSAL_ROUND_TRIP_MS + 2 * COLD_START_SPACING_MS);
	});

	it('Max Requests per Minute stays a hard ceiling above the learned rate', async () => {
		const clock = new VirtualClock();
		const server = simulatedServer(clock, { kind: 'startsPerWindow', starts: 4, windowMs: 1000 }, 200);
		const run = await runExecutions(clock, server.request, [{ items: 12, maxConcurrency: 8, requestsPerMinute: 120 }]);
		expect(run).toMatchObject({ done: 12, failed: 0 });
		expect(server.stats.refused).toBe(0);
		const gaps = run.starts.slice(1).map((t, i) => t - run.starts[i]);
		expect(Math.min(...gaps)).toBeGreaterThanOrEqual(500);
	});
});
