import type { GateClock } from './wait';

/**
 * The requests waiting for a slot to free (a concurrency cap reached), oldest first. A release
 * wakes one; a woken waiter that leaves without the slot hands the wake-up on (see the gate's
 * `acquire`). Each waiter also leaves on its own execution's stop or its item's deadline, so a
 * wake-up never goes to a waiter that no longer wants it.
 */
export class WaiterQueue {
	private waiters: Array<() => void> = [];

	constructor(private readonly clock: GateClock) {}

	/** Wakes the waiter that has waited longest, if any. */
	wakeNext(): void {
		this.waiters.shift()?.();
	}

	/**
	 * Waits for the next wake-up ('woken'), or until `signal` aborts or `deadlineAt` passes;
	 * either way it leaves the queue. `first`: a waiter woken before whose slot was taken by
	 * someone else goes back to the head of the queue, since it has waited longest.
	 */
	async next(signal: AbortSignal | undefined, deadlineAt: number, first: boolean): Promise<'woken' | 'stopped' | 'outOfTime'> {
		const ended = new AbortController();
		return await new Promise((resolve) => {
			let done = false;
			const finish = (how: 'woken' | 'stopped' | 'outOfTime') => {
				if (done) return;
				done = true;
				this.waiters = this.waiters.filter((waiter) => waiter !== wake);
				signal?.removeEventListener('abort', stop);
				ended.abort(); // ends the deadline timer
				resolve(how);
			};
			const wake = () => finish('woken');
			const stop = () => finish('stopped');
			if (first) this.waiters.unshift(wake);
			else this.waiters.push(wake);
			signal?.addEventListener('abort', stop, { once: true });
			if (Number.isFinite(deadlineAt)) {
				this.clock.wait(Math.max(0, deadlineAt - this.clock.now()), ended.signal).then(
					() => finish('outOfTime'),
					() => undefined,
				);
			}
		});
	}
}
