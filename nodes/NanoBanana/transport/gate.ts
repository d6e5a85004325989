import { waitUnlessStopped } from './wait';

/** Successes per slot in use before the cap grows by one after a 429. */
const SUCCESSES_PER_STEP_UP = 50;

/** How a request that held a slot ended, as far as pacing is concerned. */
export type SlotOutcome = 'success' | 'rateLimited' | 'failed';

/**
 * One gate per execution, shared by every request of the item pool, so the pool honours a quota
 * together instead of each worker finding the limit on its own:
 * - after a 429 that names a wait, nobody starts a request before the wait is over;
 * - an optional requests-per-minute pace spaces request starts evenly;
 * - requests in flight are capped, and the cap adapts: a 429 lowers it to what the server just
 *   accepted, a long run of successes raises it again by one (additive increase, multiplicative
 *   decrease, as TCP does), up to the user's Max Concurrency. The run is long on purpose: a probe
 *   that finds the limit again costs the whole pool a retry delay.
 */
export class RequestGate {
	private resumeAt = 0;
	private nextSlotAt = 0;
	private inFlight = 0;
	private limit: number;
	private successStreak = 0;
	private waiters: Array<() => void> = [];

	constructor(
		private readonly maxInFlight: number,
		private readonly requestsPerMinute: number,
		private readonly now: () => number = Date.now,
		private readonly wait: (ms: number, signal?: AbortSignal) => Promise<void> = waitUnlessStopped,
	) {
		this.limit = Math.max(1, maxInFlight);
	}

	get currentLimit(): number {
		return this.limit;
	}

	get requestsInFlight(): number {
		return this.inFlight;
	}

	/**
	 * Resolves true when the caller may start a request (it must call `release` afterwards), or
	 * false when the execution was stopped while waiting.
	 */
	async acquire(signal?: AbortSignal): Promise<boolean> {
		for (;;) {
			if (signal?.aborted) return false;
			const now = this.now();
			const waitMs = Math.max(this.resumeAt - now, this.nextSlotAt - now, 0);
			if (waitMs > 0) {
				await this.wait(waitMs, signal);
				continue;
			}
			if (this.inFlight < this.limit) break;
			await this.nextRelease(signal);
		}
		this.inFlight++;
		if (this.requestsPerMinute > 0) {
			// Claimed synchronously after the check, so two workers never take the same slot.
			this.nextSlotAt = Math.max(this.now(), this.nextSlotAt) + 60_000 / this.requestsPerMinute;
		}
		return true;
	}

	release(outcome: SlotOutcome): void {
		this.inFlight--;
		if (outcome === 'rateLimited') {
			// The server just refused one more than it takes: what is still running is what it takes.
			this.limit = Math.max(1, Math.min(this.limit - 1, this.inFlight));
			this.successStreak = 0;
		} else if (outcome === 'success' && this.limit < this.maxInFlight) {
			this.successStreak++;
			if (this.successStreak >= SUCCESSES_PER_STEP_UP * this.limit) {
				this.limit++;
				this.successStreak = 0;
			}
		}
		this.waiters.shift()?.();
	}

	/** Holds every new request back for `ms` from now (never shortens an earlier pause). */
	pauseFor(ms: number): void {
		this.resumeAt = Math.max(this.resumeAt, this.now() + ms);
	}

	private async nextRelease(signal?: AbortSignal): Promise<void> {
		await new Promise<void>((resolve) => {
			const wake = () => {
				signal?.removeEventListener('abort', wake);
				resolve();
			};
			this.waiters.push(wake);
			signal?.addEventListener('abort', wake, { once: true });
		});
	}
}
