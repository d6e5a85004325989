import { runPool } from '../../../../nodes/NanoBanana/actions/pool';
import { aiStudioBackend } from '../../../../nodes/NanoBanana/transport/auth/backends';
import { generateContent } from '../../../../nodes/NanoBanana/transport/api/models';
import type { AuthenticatedRequest } from '../../../../nodes/NanoBanana/transport/http/client';
import type { NodeLog } from '../../../../nodes/NanoBanana/transport/http/log';
import { ExecutionGates, GateRegistry } from '../../../../nodes/NanoBanana/transport/pacing/gateRegistry';
import { DEFAULT_RETRY_POLICY } from '../../../../nodes/NanoBanana/transport/failures/retry';
import { VirtualClock } from '../../virtualClock';

/**
 * Whole runs in virtual time for the simulations: item pools of `generateContent` calls (the real
 * client, retries and gate) against simulated servers with the limits Google and the benchmark
 * emulator have.
 */

export const backend = aiStudioBackend({ apiKey: 'k', baseUrl: 'http://server.invalid' });
const answer = {
	candidates: [{ content: { parts: [{ inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }] }, finishReason: 'STOP' }],
};

export type Limit =
	| { kind: 'startsPerWindow'; starts: number; windowMs: number; quotaId?: string; offsetMs?: number }
	/** Refuses the requests numbered in `calls` once each, naming a per-minute quota and a short wait (someone else's burst). */
	| { kind: 'strayRefusals'; calls: number[]; retryDelayS: number }
	| { kind: 'inFlight'; max: number }
	| { kind: 'none' }
	/**
	 * No limit at all, but each call is refused with a bare 429 (no QuotaFailure, no RetryInfo:
	 * what Vertex's dynamic shared quota sends now and then) with probability `share`, drawn
	 * from `random`; only calls starting before `untilMs` are refused.
	 */
	| { kind: 'randomBareRefusals'; share: number; random: () => number; untilMs?: number };

/** A refusal comes back this long after the request left (a loaded machine, a 1 MB body). */
export const REFUSAL_ROUND_TRIP_MS = 40;

export function simulatedServer(clock: VirtualClock, limit: Limit, latencyMs: number) {
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
		} else if (limit.kind === 'inFlight' && inFlight >= limit.max) {
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

export async function runExecutions(
	clock: VirtualClock,
	request: AuthenticatedRequest,
	/** `startAfterMs`: when the execution starts (two `n8n execute` processes never start together). */
	executions: Array<{ items: number; maxConcurrency: number; requestsPerMinute?: number; startAfterMs?: number }>,
	random: () => number = () => 0.5,
	/** Each execution in an n8n process of its own (its own gates), as two workers on one key. */
	separateProcesses = false,
	/** Where each execution's log lines go, with the virtual time (to study a run). */
	trace?: (line: string) => void,
) {
	const shared = new GateRegistry(clock);
	let done = 0;
	let failed = 0;
	const starts: number[] = [];
	const timedRequest: AuthenticatedRequest = async (type, options) => {
		starts.push(clock.now());
		return await request(type, options);
	};
	const runs = executions.map(async ({ items, maxConcurrency, requestsPerMinute, startAfterMs }, index) => {
		if (startAfterMs) await clock.wait(startAfterMs);
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
					log: trace ? tracingLog(clock, `#${index}`, trace) : undefined,
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

/** The shortest run under a fixed-window quota starting at a window boundary: the last window's starts, answered. */
export function fixedWindowIdealMs(items: number, perWindow: number, windowMs: number, latencyMs: number): number {
	return (Math.ceil(items / perWindow) - 1) * windowMs + latencyMs;
}

/** A small seeded generator (mulberry32): the same "random" refusals and jitter on every run. */
export function seeded(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function tracingLog(clock: VirtualClock, name: string, trace: (line: string) => void): NodeLog {
	const line = (message: string) => trace(`${String(Math.round(clock.now())).padStart(6)} ${name} ${message}`);
	const log: NodeLog = { debug: line, info: line, warn: line, with: () => log };
	return log;
}
