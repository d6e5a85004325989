import { runPool } from '../../../../nodes/NanoBanana/actions/pool';
import { generateContent } from '../../../../nodes/NanoBanana/transport/api/models';
import type { AuthenticatedRequest, TransportError } from '../../../../nodes/NanoBanana/transport/http/client';
import { explainFailure } from '../../../../nodes/NanoBanana/transport/failures/explain';
import { COLD_START_SPACING_MS } from '../../../../nodes/NanoBanana/transport/pacing/gate';
import { ExecutionGates, GateRegistry } from '../../../../nodes/NanoBanana/transport/pacing/gateRegistry';
import { DEFAULT_RETRY_POLICY } from '../../../../nodes/NanoBanana/transport/failures/retry';
import { VirtualClock } from '../../virtualClock';
import { backend, fixedWindowIdealMs, REFUSAL_ROUND_TRIP_MS, runExecutions, seeded, simulatedServer } from './simulation';

/**
 * Whole runs in virtual time: item pools of `generateContent` calls (the real client, retries
 * and gate) against simulated servers with the limits Google and the benchmark emulator have.
 */
describe('learning the limit, simulated', () => {
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

	it('no limit, 64 items of 1.5 s, Max Concurrency 32: within 1.1× of two waves (3 s)', async () => {
		// The first wave's spread is the second's: 32 starts 25 ms apart took 0.8 s (1.26×).
		const clock = new VirtualClock();
		const server = simulatedServer(clock, { kind: 'none' }, 1500);
		const run = await runExecutions(clock, server.request, [{ items: 64, maxConcurrency: 32 }]);
		expect(run).toMatchObject({ done: 64, failed: 0 });
		expect(run.elapsedMs).toBeLessThanOrEqual(1.1 * 3000);
	});

	describe('two n8n processes on one key share a 4-per-second quota (fixed 1 s windows), knowing only what Google answers', () => {
		const limit = { kind: 'startsPerWindow', starts: 4, windowMs: 1000 } as const;

		// With 1.5 s answers the 5th cold-start request is refused while 4 run: a tentative cap of 4
		// (2.7 starts/s) until the probe over it, once the server's wait has passed, is taken.
		it.each([0, 300, 700])('30 items each of 1.5 s, Max Concurrency 8 each, %i ms into a window: within 1.3× of ideal, at most 20%% refused', async (offsetMs) => {
			const clock = new VirtualClock();
			const server = simulatedServer(clock, { ...limit, offsetMs }, 1500);
			const run = await runExecutions(clock, server.request, [{ items: 30, maxConcurrency: 8 }, { items: 30, maxConcurrency: 8 }], () => 0.5, true);
			expect(run).toMatchObject({ done: 60, failed: 0 });
			const ideal = fixedWindowIdealMs(60, 4, 1000, 1500);
			expect(run.elapsedMs / ideal).toBeLessThanOrEqual(1.3);
			expect(server.stats.refused / server.stats.calls).toBeLessThanOrEqual(0.2);
		});

		// Issue 24 point 10: the second process, starting a moment later, found every window spent,
		// slowed its pace to one start every 1.5 s, and its waiters had reserved starts that far
		// apart; when the first process finished and the pace went up again, they slept on until
		// those times: 25 s instead of 15 (1.67×), lost in one piece at the end.
		it.each([300, 700, 1500])('30 items each of 1 s, Max Concurrency 8 each, the second process %i ms later: within 1.3× of ideal', async (startAfterMs) => {
			const clock = new VirtualClock();
			const server = simulatedServer(clock, limit, 1000);
			const run = await runExecutions(clock, server.request, [{ items: 30, maxConcurrency: 8 }, { items: 30, maxConcurrency: 8, startAfterMs }], () => 0.5, true);
			expect(run).toMatchObject({ done: 60, failed: 0 });
			expect(run.elapsedMs / fixedWindowIdealMs(60, 4, 1000, 1000)).toBeLessThanOrEqual(1.3);
		});

		it('one process alone: within 1.2× of ideal', async () => {
			const clock = new VirtualClock();
			const server = simulatedServer(clock, limit, 1500);
			const run = await runExecutions(clock, server.request, [{ items: 30, maxConcurrency: 8 }]);
			expect(run).toMatchObject({ done: 30, failed: 0 });
			expect(run.elapsedMs / fixedWindowIdealMs(30, 4, 1000, 1500)).toBeLessThanOrEqual(1.2);
		});
	});

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

	// A cluster of unexplained 429s may teach a pace and a cap (over a second, not a minute); once
	// the last answers hold none, both are forgotten.
	it('the pace recovers once a burst of bare 429s stops: the last 80 starts come as fast as without refusals', async () => {
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
