/**
 * Learns how many request starts a server accepts per window from what it accepted before a
 * refusal, and turns that into a spacing between starts. Pure: every method takes the time as an
 * argument, so the learner is tested without a clock.
 *
 * Google's limits are rates (requests per minute per project and model), not concurrency: once a
 * window's budget is spent, every request is refused until the window turns, however few are in
 * flight. Pacing starts just under the accepted rate keeps refusals (each one costs its item a
 * retry delay) rare; probing upward slowly finds a raised quota again without hammering the limit.
 */

/** Pace this much under the measured rate, so jitter in start times rarely crosses the limit. */
export const RATE_SAFETY_FACTOR = 1.05;
/** A refusal while already pacing slows the pace by this factor (the decrease of AIMD on the rate). */
const SLOWDOWN_FACTOR = 1.1;
/**
 * Windows at a pace without a refusal before it takes `STARTS_PER_STEP` more starts per window.
 * Every window made two processes sharing a quota overshoot it together twice as often (up to
 * 25% of calls refused against 21% in the simulations), for no gain in time.
 */
const WINDOWS_PER_STEP = 2;
/**
 * Starts per window added at each step. One is too many for shares of a few starts per window:
 * two processes at 2 a second each, stepping up together, ask for 6 in a window of 4.
 */
const STARTS_PER_STEP = 0.5;
/** Fewer starts taken than this before the first refusal say nothing about our share of the quota. */
const MIN_ACCEPTED_TO_LEARN = 2;
/** Start times older than the longest window learned are of no use. */
const HISTORY_MS = 60_000;
/** Bound on remembered starts, whatever the rate. */
const MAX_HISTORY = 10_000;

export interface RateChange {
	/** New spacing between request starts in ms (0: no pace any more, `reason` 'cleared'). */
	intervalMs: number;
	/** Starts the server accepted in the window before the refusal (undefined for a probe). */
	acceptedInWindow?: number;
	windowMs: number;
	reason: 'learned' | 'slowedDown' | 'probedUp' | 'cleared';
}

export class StartRateLearner {
	/** Start times (ascending) of requests not refused, plus refused ones in `refusedStarts`. */
	private readonly starts: number[] = [];
	private readonly refusedStarts: number[] = [];
	private interval = 0;
	private windowMs = 0;
	private changedAt = -Infinity;

	/** Spacing between request starts in ms; 0 while no rate limit has been seen. */
	get intervalMs(): number {
		return this.interval;
	}

	/** When the pace last changed (-Infinity before any). */
	get changedAtMs(): number {
		return this.changedAt;
	}

	/** A pace is in force. */
	get pacing(): boolean {
		return this.interval > 0;
	}

	/** Records a request start (call in start order). */
	started(at: number): void {
		this.starts.push(at);
		this.forget(at);
	}

	/**
	 * A request that started at `startedAt` was accepted. Each time two windows have passed at
	 * the pace without a refusal, and the pace held this start back (so the pace, not the load,
	 * limits the rate), the pace takes half a start more per window (the additive increase of
	 * AIMD): a share lost to someone else's burst comes back within seconds, not minutes.
	 */
	accepted(startedAt: number, now: number, heldByPace: boolean): RateChange | undefined {
		if (this.interval === 0 || !heldByPace || startedAt < this.changedAt) return undefined;
		if (now - this.changedAt < WINDOWS_PER_STEP * this.windowMs) return undefined;
		this.interval = this.windowMs / (this.windowMs / this.interval + STARTS_PER_STEP);
		this.changedAt = now;
		return { intervalMs: this.interval, windowMs: this.windowMs, reason: 'probedUp' };
	}

	/** Drops the pace: what taught it has passed. */
	reset(): void {
		this.interval = 0;
		this.changedAt = -Infinity;
	}

	/** A request was refused for another reason (a concurrency limit): it was not taken. */
	refusedOther(startedAt: number): void {
		this.refusedStarts.push(startedAt);
	}

	/**
	 * A request that started at `startedAt` was refused by a rate limit of `windowMs` windows.
	 * Counts the starts the server took in the window before it (those still in flight count as
	 * taken: a refusal comes back at once, an accepted request takes the model's time) and paces
	 * just under that. Refusals of requests started before the last change are old news.
	 *
	 * `retryDelayMs`, the wait the server asked for, says when its budget comes back: those starts
	 * were all it took over the span from the first of them to the end of that wait, which may be
	 * far shorter than the window the quota is named after (a per-minute quota whose minute ends
	 * in 0.2 s, or one shared with someone who spent most of it).
	 */
	refused(startedAt: number, now: number, windowMs: number, retryDelayMs?: number): RateChange | undefined {
		this.refusedStarts.push(startedAt);
		if (startedAt < this.changedAt) return undefined;
		const from = startedAt - windowMs;
		const accepted = countIn(this.starts, from, startedAt) - countIn(this.refusedStarts, from, startedAt);
		const reason = this.interval === 0 ? 'learned' : 'slowedDown';
		if (reason === 'learned' && accepted < MIN_ACCEPTED_TO_LEARN) {
			// Someone else spent the window (another process, an earlier run): the server's wait
			// is all there is to go by.
			return undefined;
		}
		const span = budgetSpanMs(this.starts, from, now, windowMs, retryDelayMs);
		const measured = (span / Math.max(1, accepted)) * RATE_SAFETY_FACTOR;
		this.interval = reason === 'learned' ? measured : Math.max(measured, this.interval * SLOWDOWN_FACTOR);
		this.windowMs = span;
		this.changedAt = now;
		return { intervalMs: this.interval, acceptedInWindow: accepted, windowMs: span, reason };
	}

	private forget(now: number): void {
		const horizon = now - Math.max(HISTORY_MS, this.windowMs);
		while (this.starts.length > 0 && (this.starts[0] < horizon || this.starts.length > MAX_HISTORY)) this.starts.shift();
		while (
			this.refusedStarts.length > 0 &&
			(this.refusedStarts[0] < horizon || this.refusedStarts.length > MAX_HISTORY)
		) {
			this.refusedStarts.shift();
		}
	}
}

/**
 * The time over which the server's budget was spent: from the first start counted in the window
 * to when the server will take requests again, never more than the window itself.
 */
function budgetSpanMs(starts: number[], from: number, now: number, windowMs: number, retryDelayMs?: number): number {
	const first = starts.find((t) => t >= from);
	if (retryDelayMs === undefined || first === undefined) return windowMs;
	return Math.min(windowMs, Math.max(1, now + retryDelayMs - first));
}

/** How many of `times` fall in [from, to). */
function countIn(times: number[], from: number, to: number): number {
	let count = 0;
	for (const t of times) if (t >= from && t < to) count++;
	return count;
}
