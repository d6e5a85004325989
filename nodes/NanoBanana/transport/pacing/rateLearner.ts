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
/** Each probe shortens the spacing by this factor (rate up by ~5%). */
const PROBE_FACTOR = 0.95;
/** A probe needs at least this long (and two windows) of paced starts without a refusal. */
const MIN_PROBE_PERIOD_MS = 10_000;
/** Fewer starts taken than this before the first refusal say nothing about our share of the quota. */
const MIN_ACCEPTED_TO_LEARN = 2;
/** Start times older than the longest window learned are of no use. */
const HISTORY_MS = 60_000;
/** Bound on remembered starts, whatever the rate. */
const MAX_HISTORY = 10_000;

export interface RateChange {
	/** New spacing between request starts in ms. */
	intervalMs: number;
	/** Starts the server accepted in the window before the refusal (undefined for a probe). */
	acceptedInWindow?: number;
	windowMs: number;
	reason: 'learned' | 'slowedDown' | 'probedUp';
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

	/** Records a request start (call in start order). */
	started(at: number): void {
		this.starts.push(at);
		this.forget(at);
	}

	/**
	 * A request that started at `startedAt` was accepted. When it had waited for the pace and the
	 * pace has held for a while without a refusal, the spacing shrinks a little (probe upward).
	 */
	accepted(startedAt: number, now: number, heldByPace: boolean): RateChange | undefined {
		if (this.interval === 0 || !heldByPace || startedAt < this.changedAt) return undefined;
		if (now - this.changedAt < Math.max(MIN_PROBE_PERIOD_MS, 2 * this.windowMs)) return undefined;
		this.interval *= PROBE_FACTOR;
		this.changedAt = now;
		return { intervalMs: this.interval, windowMs: this.windowMs, reason: 'probedUp' };
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
