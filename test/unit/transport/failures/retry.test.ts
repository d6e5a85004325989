import type { TransportFailure } from '../../../../nodes/NanoBanana/transport/failures/kinds';
import {
	backoffDelayMs,
	DEFAULT_RETRY_POLICY,
	isRetryable,
	isTransient,
	nextRetryDelayMs,
	parseRetryAfterMs,
	rateWindowMs,
	refusalKind,
	refusalsCluster,
	retryDelayFrom,
	type RetryPolicy,
} from '../../../../nodes/NanoBanana/transport/failures/retry';

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

describe('what a 429 says about the limit', () => {
	const quota429 = withRetryInfo(1000, 'GenerateRequestsPerMinutePerProjectPerModel');
	const daily429 = withRetryInfo(1000, 'GenerateRequestsPerDayPerProjectPerModel-FreeTier');
	const bare429 = api(429, { error: { code: 429, message: 'busy', details: { retryDelayMs: 1000, quotaViolations: [] } } });

	it('a per-day quota is a daily quota, whatever is in flight', () => {
		expect(refusalKind(daily429, 3, undefined)).toBe('dailyQuota');
	});

	it('a 429 naming a quota is a rate, however many requests are in flight', () => {
		expect(refusalKind(quota429, 3, undefined)).toBe('rate');
		expect(refusalKind(quota429, 0, 8)).toBe('rate');
	});

	it('a bare 429 while others run looks like a concurrency limit the first time', () => {
		expect(refusalKind(bare429, 2, undefined)).toBe('concurrency');
		expect(refusalKind(bare429, 2, 2)).toBe('concurrency');
	});

	it('a bare 429 with nothing else in flight, or fewer than the server took at once before, is a rate', () => {
		expect(refusalKind(bare429, 0, undefined)).toBe('rate');
		expect(refusalKind(bare429, 1, 2)).toBe('rate');
	});

	it('a 429 with neither a quota nor a wait is sporadic, unless such refusals cluster', () => {
		const unexplained = api(429);
		expect(refusalKind(unexplained, 0, undefined)).toBe('sporadic');
		expect(refusalKind(unexplained, 5, undefined)).toBe('sporadic');
		expect(refusalKind(unexplained, 0, undefined, true)).toBe('rate');
		expect(refusalKind(unexplained, 5, undefined, true)).toBe('concurrency');
		expect(refusalKind(api(429, { retryAfterMs: 2000 }), 5, undefined)).toBe('concurrency');
	});

	it('unexplained refusals cluster at half of the latest ten answers', () => {
		const answers = (refused: number, of = 10) => Array.from({ length: of }, (_, i) => i < refused);
		expect(refusalsCluster(answers(4))).toBe(false);
		expect(refusalsCluster(answers(5))).toBe(true);
		expect(refusalsCluster([...answers(5), ...answers(0)])).toBe(false); // older than the last ten
		expect(refusalsCluster(answers(5, 5))).toBe(true);
	});

	it('other failures say nothing about limits', () => {
		expect(refusalKind(api(503, { retryAfterMs: 2000 }), 0, undefined)).toBeUndefined();
		expect(refusalKind({ kind: 'network', code: 'ECONNRESET', message: '' }, 0, undefined)).toBeUndefined();
	});

	it('the window comes from the quota name, else from the wait asked for, else a minute; a 429 that shows no limit, a second', () => {
		expect(rateWindowMs(withRetryInfo(30_000, 'GenerateRequestsPerSecondPerProject'))).toBe(1000);
		expect(rateWindowMs(withRetryInfo(800, 'GenerateRequestsPerMinutePerProjectPerModel'))).toBe(60_000);
		expect(rateWindowMs(withRetryInfo(700))).toBe(1000);
		expect(rateWindowMs(withRetryInfo(26_000))).toBe(60_000);
		expect(rateWindowMs(api(429))).toBe(1000);
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
