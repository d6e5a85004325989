import type { PacingEvent, Slot } from './slot';

/** Successes per slot in use before a concurrency cap grows by one after a 429. */
const SUCCESSES_PER_STEP_UP = 50;

/**
 * What a gate has learned about a server that takes only so many requests at once: a cap on
 * requests in flight, lowered when a request is refused while as many as before run, raised by one
 * after a long run of successes.
 */
export class ConcurrencyCap {
	private cap: number | undefined;
	/** When the cap was last lowered: refusals of requests started before that are of the same burst. */
	private loweredAt = -Infinity;
	private successStreak = 0;
	/**
	 * After a refusal that looked like a concurrency limit, one request at a time goes out until
	 * one is answered: if the limit is a rate after all, only that one is refused, not a round.
	 */
	private probing = false;
	private probe: Slot | undefined;

	/** The learned cap on requests in flight; undefined while no concurrency limit was seen. */
	get value(): number | undefined {
		return this.cap;
	}

	/** No request may start now, with `inFlight` running. */
	full(inFlight: number): boolean {
		return (this.cap !== undefined && inFlight >= this.cap) || (this.probing && this.probe !== undefined);
	}

	/** The cap a refusal of `slot` is judged against: unknown for a request out before the cap was last lowered. */
	capFor(slot: Slot): number | undefined {
		return slot.startedAt >= this.loweredAt ? this.cap : undefined;
	}

	started(slot: Slot): void {
		if (this.probing) this.probe = slot;
	}

	/** `slot` was answered (whatever the answer); call before `succeeded` or `refused`. */
	answered(slot: Slot, ok: boolean): void {
		if (slot !== this.probe) return;
		this.probe = undefined;
		if (ok) this.probing = false;
	}

	succeeded(): PacingEvent | undefined {
		if (this.cap === undefined || ++this.successStreak < SUCCESSES_PER_STEP_UP * this.cap) return undefined;
		this.cap++;
		this.successStreak = 0;
		return { kind: 'concurrencyCap', cap: this.cap };
	}

	/** A refusal was judged a concurrency limit with `inFlight` others still running. */
	refused(inFlight: number, now: number): PacingEvent {
		this.probing = true;
		// The server just refused one more than it takes: what is still running is what it takes.
		this.cap = Math.max(1, Math.min((this.cap ?? inFlight + 1) - 1, inFlight));
		this.loweredAt = now;
		this.successStreak = 0;
		return { kind: 'concurrencyCap', cap: this.cap };
	}

	/** A rate limit was seen: the pace takes over from the one-at-a-time probe. */
	rateLimited(): void {
		this.probing = false;
	}
}
