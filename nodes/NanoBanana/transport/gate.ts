import { sleepWithAbort } from 'n8n-workflow';

/**
 * One gate per execution, shared by every request of the item pool. It makes the whole pool
 * honour a quota together: after a 429 that names a wait, nobody starts a request before the wait
 * is over (instead of each worker finding the limit on its own), and an optional
 * requests-per-minute pace spaces request starts evenly.
 */
export class RequestGate {
	private resumeAt = 0;
	private nextSlotAt = 0;

	constructor(
		private readonly requestsPerMinute: number,
		private readonly now: () => number = Date.now,
		private readonly wait: (ms: number, signal?: AbortSignal) => Promise<void> = sleepWithAbort,
	) {}

	/** Resolves when a new request may start. */
	async waitTurn(signal?: AbortSignal): Promise<void> {
		for (;;) {
			const now = this.now();
			const pausedFor = this.resumeAt - now;
			const slotIn = this.nextSlotAt - now;
			const waitMs = Math.max(pausedFor, slotIn, 0);
			if (waitMs <= 0) break;
			await this.wait(waitMs, signal);
			if (signal?.aborted) return;
		}
		if (this.requestsPerMinute > 0) {
			// Claimed synchronously after the check, so two workers never take the same slot.
			this.nextSlotAt = Math.max(this.now(), this.nextSlotAt) + 60_000 / this.requestsPerMinute;
		}
	}

	/** Holds every new request back for `ms` from now (never shortens an earlier pause). */
	pauseFor(ms: number): void {
		this.resumeAt = Math.max(this.resumeAt, this.now() + ms);
	}
}
