import type { TransportFailure } from './kinds';

/**
 * When to try a request again and how long to wait first. Pure functions: the randomness comes in
 * as an argument so tests can pin it.
 */

export interface RetryPolicy {
	maxRetries: number;
	/** First backoff step; Google's SDKs start at 1 s. */
	baseDelayMs: number;
	/** Backoff never grows past this; Google's SDKs cap at 60 s. */
	maxDelayMs: number;
	/**
	 * A server-requested wait longer than this is not worth sitting through inside one execution:
	 * the item fails with the wait in its message instead.
	 */
	maxServerDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: Omit<RetryPolicy, 'maxRetries'> = {
	baseDelayMs: 1000,
	maxDelayMs: 60_000,
	maxServerDelayMs: 5 * 60_000,
};

const RETRYABLE_STATUS = new Set([408, 429, 499, 500, 502, 503, 504]);

/** A per-day quota will not come back within a run, so retrying only burns time. */
export function isDailyQuotaExhausted(failure: TransportFailure): boolean {
	if (failure.kind !== 'api' || failure.error.code !== 429) return false;
	return failure.error.details.quotaViolations.some(({ quotaId, description }) =>
		/per.?day|daily/i.test(`${quotaId ?? ''} ${description ?? ''}`),
	);
}

/**
 * A project's spend cap (e.g. $10 per rolling 10 minutes, $250 a month): its 429 names no quota
 * we know of, only the cap in the message; it does not clear in seconds either.
 */
export function isSpendCapReached(failure: TransportFailure): boolean {
	if (failure.kind !== 'api' || failure.statusCode !== 429) return false;
	return /spend(ing)?\s+(cap|limit)/i.test(failure.error.message);
}

/** A quota that will not come back within a run: per day, or a spend cap. */
export function isLongQuotaExhausted(failure: TransportFailure): boolean {
	return isDailyQuotaExhausted(failure) || isSpendCapReached(failure);
}

/** The wait the server asked for: `RetryInfo.retryDelay` in the body, else `Retry-After`. */
export function retryDelayFrom(failure: TransportFailure): number | undefined {
	if (failure.kind !== 'api') return undefined;
	return failure.error.details.retryDelayMs ?? failure.retryAfterMs;
}

/**
 * A failure that says "not now" rather than "never": overload, limits, lost connections. A 2xx
 * is not one of them: Google did answer (and may have billed it), so it is never a reason to
 * try another model.
 */
export function isTransient(failure: TransportFailure): boolean {
	if (failure.kind === 'network') return true;
	return failure.kind === 'api' && RETRYABLE_STATUS.has(failure.statusCode);
}

/**
 * How many times a request is repeated after 2xx answers that could not be read (cut off, not
 * JSON): such an answer may have been billed, so it is tried again once, not Max Retries times.
 */
export const MAX_UNREADABLE_ANSWER_RETRIES = 1;

export function isRetryable(failure: TransportFailure, policy: RetryPolicy): boolean {
	// A readable 2xx without the answer (e.g. no candidates) would come back the same, paid again.
	if (failure.kind === 'malformed') return failure.cause === 'unreadable';
	if (!isTransient(failure)) return false;
	if (failure.kind !== 'api') return true;
	if (isLongQuotaExhausted(failure)) return false;
	const serverDelay = retryDelayFrom(failure);
	return serverDelay === undefined || serverDelay <= policy.maxServerDelayMs;
}

/** Capped exponential backoff with full jitter: uniform in [0, min(cap, base·2^attempt)). */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: () => number): number {
	const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
	return Math.floor(random() * ceiling);
}

/**
 * How long to wait before retry number `attempt + 1`, or undefined when the failure must not be
 * retried (not retryable, or retries used up). Never shorter than what the server asked for.
 * `unreadableAnswers` counts the request's unreadable 2xx answers so far, this one included.
 */
export function nextRetryDelayMs(
	failure: TransportFailure,
	attempt: number,
	policy: RetryPolicy,
	random: () => number,
	unreadableAnswers = 0,
): number | undefined {
	if (attempt >= policy.maxRetries || !isRetryable(failure, policy)) return undefined;
	if (failure.kind === 'malformed' && unreadableAnswers > MAX_UNREADABLE_ANSWER_RETRIES) return undefined;
	return Math.max(backoffDelayMs(attempt, policy, random), retryDelayFrom(failure) ?? 0);
}

/** `Retry-After` is either seconds or an HTTP date. */
export function parseRetryAfterMs(header: unknown, nowMs: number): number | undefined {
	const value = Array.isArray(header) ? header[0] : header;
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const text = String(value).trim();
	if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
	const date = Date.parse(text);
	return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/**
 * What a 429 says about the server's limit:
 * - `dailyQuota`: a per-day quota or a spend cap; it will not come back within a run (fail fast,
 *   and the execution's lane sends no more);
 * - `rate`: a per-window rate (requests per minute…): every request is refused until the window
 *   turns, so the whole gate waits and request starts are paced;
 * - `concurrency`: the server takes only so many requests at once: the gate caps requests in
 *   flight and only the refused request waits;
 * - `sporadic`: a 429 that shows no limit (see `isUnexplained429`), alone among answers that
 *   were taken: Vertex's dynamic shared quota and an overloaded model send these now and then.
 *   It is retried with backoff like a 503; learning a pace from it would slow every later
 *   request for nothing (10% of calls refused at random once paced a run 70× slower).
 * A 429 that names a quota is a rate; a bare one is a rate when it came while fewer requests
 * were in flight than the server has taken at once before (`concurrencyCap`, undefined while no
 * concurrency limit is known), nothing else in flight included. Otherwise it looks like what a
 * concurrency limit does. An unexplained one is judged so only when such refusals cluster
 * (`unexplainedCluster`, see `refusalsCluster`): a limit refuses most calls once reached.
 */
export type RefusalKind = 'dailyQuota' | 'rate' | 'concurrency' | 'sporadic';

export function refusalKind(
	failure: TransportFailure,
	othersInFlight: number,
	concurrencyCap: number | undefined,
	unexplainedCluster = false,
): RefusalKind | undefined {
	if (failure.kind !== 'api' || failure.statusCode !== 429) return undefined;
	if (isLongQuotaExhausted(failure)) return 'dailyQuota';
	if (failure.error.details.quotaViolations.length > 0) return 'rate';
	if (isUnexplained429(failure) && !unexplainedCluster) return 'sporadic';
	if (othersInFlight === 0 || (concurrencyCap !== undefined && othersInFlight < concurrencyCap)) return 'rate';
	return 'concurrency';
}

/** A 429 with neither a QuotaFailure nor a wait (RetryInfo, Retry-After): it shows no limit. */
export function isUnexplained429(failure: TransportFailure): boolean {
	return (
		failure.kind === 'api' &&
		failure.statusCode === 429 &&
		failure.error.details.quotaViolations.length === 0 &&
		retryDelayFrom(failure) === undefined
	);
}

/** How many of the latest answers `refusalsCluster` looks at. */
export const CLUSTER_ANSWERS = 10;
/**
 * Unexplained 429s among the last `CLUSTER_ANSWERS` answers that make a limit: half. At 10% of
 * calls refused at random, 5 of 10 happen about once in 600 answers; a reached rate or
 * concurrency limit refuses most calls, so it gets there within a few answers.
 */
const CLUSTER_REFUSALS = 5;

/** `recent` holds, oldest first, whether each latest answer was an unexplained 429. */
export function refusalsCluster(recent: readonly boolean[]): boolean {
	return recent.slice(-CLUSTER_ANSWERS).filter(Boolean).length >= CLUSTER_REFUSALS;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * The window a rate limit counts in: named by the quota (`...PerMinute...`), else guessed from
 * the wait the server asked for (a wait of about a second means a per-second window), else a
 * minute, the window of Google's request quotas. A 429 that shows no limit at all (see
 * `isUnexplained429`) names no window: a second, so a pace taught by a cluster of them fits what
 * the server took just now rather than spreading one second's starts over a minute.
 */
export function rateWindowMs(failure: TransportFailure): number {
	if (isUnexplained429(failure)) return SECOND;
	if (failure.kind === 'api') {
		const names = failure.error.details.quotaViolations.map(({ quotaId, description }) => `${quotaId ?? ''} ${description ?? ''}`).join(' ');
		if (/per.?second/i.test(names)) return SECOND;
		if (/per.?minute/i.test(names)) return MINUTE;
		if (/per.?hour/i.test(names)) return HOUR;
	}
	const delay = retryDelayFrom(failure);
	return delay !== undefined && delay <= 1.5 * SECOND ? SECOND : MINUTE;
}
