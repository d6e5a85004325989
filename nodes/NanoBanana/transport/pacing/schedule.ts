import { eitherSignal, type GateClock } from './wait';

/** One waiter's reserved start time. `nudge` (set while it sleeps) wakes it early when the time moved up. */
export interface Reservation {
	at: number;
	nudge?: () => void;
}

/**
 * The start times reserved by paced waiters, in arrival order, one pace interval apart: each
 * sleeps until its own time, so waiters start in the order they came, one per interval.
 *
 * A waiter that leaves before its start (its execution stopped, its item ran out of time, its
 * execution's lane closed) gives its time back: the reservations behind it move up, and a waiter
 * that comes later is not held behind starts nobody will take. Without this, a stopped execution
 * paced at 6 a minute with ten items waiting left the next 100 s reserved for no one.
 */
export class StartSchedule {
	private queue: Reservation[] = [];

	/** When a new reservation could start at the earliest, given the ones held (never before `from`). */
	nextFree(from: number, intervalAt: (at: number) => number): number {
		const last = this.queue[this.queue.length - 1];
		return last ? Math.max(from, last.at + intervalAt(last.at)) : from;
	}

	/** Reserves the first free start at or after `from`, behind every reservation held. */
	reserve(from: number, intervalAt: (at: number) => number): Reservation {
		const reservation: Reservation = { at: this.nextFree(from, intervalAt) };
		this.queue.push(reservation);
		return reservation;
	}

	/** The reservation was used: it leaves the queue, the others keep their times. */
	taken(reservation: Reservation): void {
		this.queue = this.queue.filter((held) => held !== reservation);
	}

	/**
	 * The waiter leaves without starting: its time goes back. The reservations behind it are timed
	 * again from `from` (see `retime`).
	 */
	giveBack(reservation: Reservation, from: number, intervalAt: (at: number) => number): void {
		const before = this.queue.length;
		this.taken(reservation);
		if (this.queue.length !== before) this.retime(from, intervalAt);
	}

	/**
	 * Times every reservation again, in order, from `from` (the gate's earliest start: now, after a
	 * pause, one interval after the last start) at the pace now in force. A waiter whose time came
	 * earlier is nudged awake to sleep the shorter wait; one whose time went later (a pause) finds
	 * out when it wakes.
	 */
	retime(from: number, intervalAt: (at: number) => number): void {
		let next = from;
		for (const reservation of this.queue) {
			const earlier = next < reservation.at;
			reservation.at = next;
			next = next + intervalAt(next);
			if (earlier) reservation.nudge?.();
		}
	}

	/**
	 * Sleeps until the reserved start (which moves up when a waiter ahead leaves, and back when a
	 * pause comes in) and `spacedAt()` (one interval after the gate's last start) have both passed.
	 */
	async waitFor(
		reservation: Reservation,
		clock: GateClock,
		signal: AbortSignal | undefined,
		deadlineAt: number,
		spacedAt: () => number,
	): Promise<'due' | 'stopped' | 'outOfTime'> {
		for (;;) {
			if (reservation.at > deadlineAt) return 'outOfTime';
			// A busy event loop wakes sleepers late, and the next reserved start may then come right
			// after: the spacing is kept between the starts themselves, or a window's budget spills
			// into the next window.
			const due = Math.max(reservation.at, spacedAt());
			const now = clock.now();
			if (now >= due) return 'due';
			const nudge = new AbortController();
			reservation.nudge = () => nudge.abort();
			const slept = await eitherSignal(signal, nudge.signal, async (either) => await clock.wait(due - now, either)).then(
				() => true,
				() => false,
			);
			reservation.nudge = undefined;
			if (!slept && signal?.aborted) return 'stopped';
		}
	}

	get size(): number {
		return this.queue.length;
	}
}
