import type { TransportFailure } from '../../nodes/NanoBanana/transport/failures';
import {
	backoffDelayMs,
	DEFAULT_RETRY_POLICY,
	isRetryable,
	isTransient,
	nextRetryDelayMs,
	parseRetryAfterMs,
	pausesWholePool,
	retryDelayFrom,
	type RetryPolicy,
} from '../../nodes/NanoBanana/transport/retry';

const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, maxRetries: 4 };

function api(statusCode: number, extra: Partial<Extract<TransportFailure, { kind: 'api' }>> = {}): TransportFailure {
	return { kind: 'api', statusCode, error: { code: statusCode, message: 'x', details: { quotaViolations: [] } }, ...extra };
}

function withRetryInfo(ms: number, quotaId?: string): TransportFailure {
	return {
		kind: 'api',
		statusCode: 429,
		error: {
			code: 429,
			message: 'quota',
			status: 'RESOURCE_EXHAUSTED',
			details: { retryDelayMs: ms, quotaViolations: quotaId ? [{ quotaId }] : [] },
		},
	};
}

describe('which failures are retried', () => {
	it.each([408, 429, 499, 500, 502, 503, 504])('retries HTTP %i', (status) => {
		expect(isRetryable(api(status), policy)).toBe(true);
	});

	it.each([400, 401, 403, 404, 413])('does not retry HTTP %i', (status) => {
		expect(isRetryable(api(status), policy)).toBe(false);
		expect(nextRetryDelayMs(api(status), 0, policy, () => 0.5)).toBeUndefined();
	});

	it('retries timeouts, dropped connections and cut-off answers, not cancellation', () => {
		expect(isRetryable({ kind: 'network', code: 'ETIMEDOUT', message: '' }, policy)).toBe(true);
		expect(isRetryable({ kind: 'network', code: 'ECONNRESET', message: '' }, policy)).toBe(true);
		expect(isRetryable({ kind: 'malformed', statusCode: 200, snippet: '{', cause: 'unreadable' }, policy)).toBe(true);
		expect(isRetryable({ kind: 'cancelled' }, policy)).toBe(false);
		expect(isRetryable({ kind: 'other', message: 'token' }, policy)).toBe(false);
	});

	it('fails fast on a per-day quota', () => {
		expect(isRetryable(withRetryInfo(1000, 'GenerateRequestsPerDayPerProjectPerModel-FreeTier'), policy)).toBe(false);
		expect(isRetryable(withRetryInfo(1000, 'GenerateRequestsPerMinutePerProjectPerModel'), policy)).toBe(true);
	});

	it('does not sit through a server wait longer than the limit', () => {
		expect(isRetryable(withRetryInfo(policy.maxServerDelayMs + 1), policy)).toBe(false);
		expect(isRetryable(withRetryInfo(policy.maxServerDelayMs), policy)).toBe(true);
	});

	it('stops after maxRetries', () => {
		expect(nextRetryDelayMs(api(503), 3, policy, () => 0.5)).toBeDefined();
		expect(nextRetryDelayMs(api(503), 4, policy, () => 0.5)).toBeUndefined();
		expect(nextRetryDelayMs(api(503), 0, { ...policy, maxRetries: 0 }, () => 0.5)).toBeUndefined();
	});
});

describe('how long to wait', () => {
	it('grows exponentially with full jitter', () => {
		expect(backoffDelayMs(0, policy, () => 0.999999)).toBe(999);
		expect(backoffDelayMs(3, policy, () => 0.5)).toBe(4000);
		expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
	});

	it('is capped', () => {
		expect(backoffDelayMs(20, policy, () => 0.999999)).toBe(policy.maxDelayMs - 1);
	});

	it('spreads workers out (jitter comes from the random source)', () => {
		const delays = [0.1, 0.4, 0.9].map((r) => backoffDelayMs(2, policy, () => r));
		expect(new Set(delays).size).toBe(3);
		for (const delay of delays) expect(delay).toBeLessThan(4000);
	});

	it('never waits less than RetryInfo asks', () => {
		expect(nextRetryDelayMs(withRetryInfo(26_000), 0, policy, () => 0.5)).toBe(26_000);
		expect(nextRetryDelayMs(withRetryInfo(10), 3, policy, () => 0.5)).toBe(4000);
	});

	it('honours Retry-After when there is no RetryInfo', () => {
		const failure = api(503, { retryAfterMs: 7000 });
		expect(retryDelayFrom(failure)).toBe(7000);
		expect(nextRetryDelayMs(failure, 0, policy, () => 0)).toBe(7000);
	});

	it('reads Retry-After as seconds or as a date', () => {
		expect(parseRetryAfterMs('3', 0)).toBe(3000);
		expect(parseRetryAfterMs(['1.5'], 0)).toBe(1500);
		const now = Date.parse('2026-01-01T00:00:00Z');
		expect(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
		expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
		expect(parseRetryAfterMs('soon', now)).toBeUndefined();
	});
});

describe('which waits hold back the whole pool', () => {
	const quota429 = withRetryInfo(1000, 'GenerateRequestsPerMinutePerProjectPerModel');
	const bare429 = api(429, { error: { code: 429, message: 'busy', details: { retryDelayMs: 1000, quotaViolations: [] } } });

	it('a quota 429 always does', () => {
		expect(pausesWholePool(quota429, 3)).toBe(true);
		expect(pausesWholePool(quota429, 0)).toBe(true);
	});

	it('a bare 429 only when nothing else was running (else it is a concurrency limit)', () => {
		expect(pausesWholePool(bare429, 2)).toBe(false);
		expect(pausesWholePool(bare429, 0)).toBe(true);
	});

	it('an overloaded server asking to wait does; a dropped connection does not', () => {
		expect(pausesWholePool(api(503, { retryAfterMs: 2000 }), 3)).toBe(true);
		expect(pausesWholePool({ kind: 'network', code: 'ECONNRESET', message: '' }, 0)).toBe(false);
	});
});

describe('2xx answers that are not the answer', () => {
	const unreadable = { kind: 'malformed', statusCode: 200, snippet: '{"candi', cause: 'unreadable' } as const;
	const unexpected = { kind: 'malformed', statusCode: 200, snippet: '{"usageMetadata":{}}', cause: 'unexpected' } as const;

	it('retries a cut-off or non-JSON body once, never twice, whatever Max Retries says', () => {
		const generous = { ...policy, maxRetries: 10 };
		expect(nextRetryDelayMs(unreadable, 0, generous, () => 0.5, 1)).toBeDefined();
		expect(nextRetryDelayMs(unreadable, 1, generous, () => 0.5, 2)).toBeUndefined();
		expect(nextRetryDelayMs(unreadable, 5, generous, () => 0.5, 2)).toBeUndefined();
	});

	it('does not retry readable JSON without the answer (it would be paid again)', () => {
		expect(isRetryable(unexpected, policy)).toBe(false);
		expect(isRetryable({ kind: 'malformed', statusCode: 200, snippet: '' }, policy)).toBe(false);
		expect(nextRetryDelayMs(unexpected, 0, policy, () => 0.5, 0)).toBeUndefined();
	});

	it('is never a reason to try another model', () => {
		expect(isTransient(unreadable)).toBe(false);
		expect(isTransient(unexpected)).toBe(false);
	});
});
