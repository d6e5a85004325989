import type { PacingEvent, Slot } from './slot';

/** Successes per slot in use before a concurrency cap grows by one after a 429. */
const SUCCESSES_PER_STEP_UP = 50;

/**
 * What a gate has learned about a server that takes only so many requests at once: a cap on
 * requests in flight, lowered when a request is refused while as many as before run, raised by one
 * after a long run of successes.
 *
 * A refusal that names a wait (RetryInfo) while N run is what a concurrency limit of N sends, but
 * also what a rate limit sends when its window's budget is spent while N slow requests are still
 * out (4 starts a second, 1.5 s answers: the 5th is refused while 4 run). So such a cap is only
 * tentative: once the server's wait has passed, one request goes out over the cap. A rate limit
 * takes it (its window has turned), and the cap grows by one, then probes again; a concurrency
 * limit refuses it while as many run as before, which confirms the cap.
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
	/** The cap came from a refusal that named a wait: probe over it once `probeAt` has passed. */
	private tentative = false;
	private probeAt = Infinity;
	/** The request out over a tentative cap, until answered. */
	private overCap: Slot | undefined;

	/** The learned cap on requests in flight; undefined while no concurrency limit was seen. */
	get value(): number | undefined {
		return this.cap;
	}

	/** No request may start at `now`, with `inFlight` running. */
	full(inFlight: number, now: number): boolean {
		if (this.probing && this.probe !== undefined) return true;
		if (this.cap === undefined || inFlight < this.cap) return false;
		return !this.mayProbe(inFlight, now);
	}

	/** When one request may go out over the tentative cap (Infinity when none may). */
	get probeTime(): number {
		return this.tentative && this.overCap === undefined ? this.probeAt : Infinity;
	}

	/** Requests in flight other than `slot` that the server is known to take: not the probe over the cap. */
	othersTaken(slot: Slot, inFlight: number): number {
		return this.overCap !== undefined && this.overCap !== slot ? inFlight - 1 : inFlight;
	}

	private mayProbe(inFlight: number, now: number): boolean {
		return inFlight === this.cap && now >= this.probeTime;
	}

	/** A cap is known and was not refuted by a probe over it. */
	get confirmedCap(): boolean {
		return this.cap !== undefined && !this.tentative;
	}

	/** The cap a refusal of `slot` is judged against: unknown for a request out before the cap was last lowered. */
	capFor(slot: Slot): number | undefined {
		return slot.startedAt >= this.loweredAt ? this.cap : undefined;
	}

	/** `slot` started with `inFlight` others running. */
	started(slot: Slot, inFlight: number): void {
		if (this.cap !== undefined && inFlight >= this.cap) {
			// Over the cap: this request is the probe of it (one at a time is no longer needed).
			this.overCap = slot;
			this.probing = false;
			return;
		}
		if (this.probing) this.probe = slot;
	}

	/**
	 * `slot` was answered (whatever the answer); call before `succeeded` or `refused`. Returns
	 * whether it was the probe over a tentative cap.
	 */
	answered(slot: Slot, ok: boolean): boolean {
		if (slot === this.probe) {
			this.probe = undefined;
			if (ok) this.probing = false;
		}
		if (slot !== this.overCap) return false;
		this.overCap = undefined; // a failure that shows no limit: the next request probes again
		return true;
	}

	succeeded(overCap: boolean, now: number): PacingEvent | undefined {
		if (this.cap !== undefined && overCap) {
			// The server took one more than the cap at once: not a concurrency limit at that level.
			this.cap++;
			this.probeAt = now;
			this.successStreak = 0;
			return { kind: 'concurrencyCap', cap: this.cap };
		}
		if (this.cap === undefined || ++this.successStreak < SUCCESSES_PER_STEP_UP * this.cap) return undefined;
		this.cap++;
		this.successStreak = 0;
		return { kind: 'concurrencyCap', cap: this.cap };
	}

	/**
	 * A refusal was judged a concurrency limit with `inFlight` others still running; `waitMs`, the
	 * wait the server asked for, makes the cap tentative until a probe over it is refused.
	 */
	refused(inFlight: number, now: number, waitMs: number | undefined): PacingEvent {
		this.probing = true;
		// The server just refused one more than it takes: what is still running is what it takes.
		this.cap = Math.max(1, Math.min((this.cap ?? inFlight + 1) - 1, inFlight));
		this.loweredAt = now;
		this.successStreak = 0;
		this.tentative = waitMs !== undefined;
		this.probeAt = now + (waitMs ?? 0);
		return { kind: 'concurrencyCap', cap: this.cap };
	}

	/** The probe over the tentative cap was refused: the cap holds. */
	confirmed(): void {
		this.tentative = false;
	}

	/** Drops the cap: what taught it has passed. */
	forget(): void {
		this.cap = undefined;
		this.tentative = false;
		this.probing = false;
		this.probe = undefined;
	}

	/**
	 * A rate limit was seen: the pace takes over, and the cap goes, tentative or not. A probe over
	 * it may have been refused because another process had spent the window, not because the server
	 * was full; kept, such a cap held one process at 3 a second on a quota of 4 once alone.
	 */
	rateLimited(): void {
		this.probing = false;
		this.cap = undefined;
		this.tentative = false;
	}
}
