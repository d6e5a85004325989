/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code, run by Node, not n8n (README: Lint) */
/**
 * Virtual time for the gate's tests: `wait` registers a timer, `runUntil` lets every pending
 * promise settle and then jumps to the next timer. Pacing, pauses and whole simulated runs are
 * checked in virtual milliseconds, without sleeping and without depending on the machine's speed.
 */
export class VirtualClock {
	private time = 0;
	private timers: Array<{ at: number; seq: number; fire: () => void }> = [];
	private seq = 0;
	readonly waits: number[] = [];

	now = (): number => this.time;

	wait = async (ms: number, signal?: AbortSignal): Promise<void> => {
		this.waits.push(ms);
		if (signal?.aborted) throw new Error('The execution was stopped');
		await new Promise<void>((resolve, reject) => {
			const timer = { at: this.time + Math.max(0, ms), seq: this.seq++, fire: () => resolve() };
			const onAbort = () => {
				this.timers = this.timers.filter((t) => t !== timer);
				reject(new Error('The execution was stopped'));
			};
			timer.fire = () => {
				signal?.removeEventListener('abort', onAbort);
				resolve();
			};
			this.timers.push(timer);
			signal?.addEventListener('abort', onAbort, { once: true });
		});
	};

	/** Lets every pending promise chain run (several macrotask turns). */
	async settle(): Promise<void> {
		for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
	}

	/** Advances time timer by timer until `done()` or no timer is left; returns the virtual time. */
	async runUntil(done: () => boolean, limitMs = 24 * 3600_000): Promise<number> {
		for (;;) {
			await this.settle();
			if (done() || this.timers.length === 0) return this.time;
			this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
			const next = this.timers.shift()!;
			if (next.at > limitMs) throw new Error(`virtual time limit ${limitMs} ms passed`);
			this.time = Math.max(this.time, next.at);
			next.fire();
		}
	}

	/** Advances to `at` (firing the timers due on the way). */
	async advanceTo(at: number): Promise<void> {
		for (;;) {
			await this.settle();
			this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
			const next = this.timers[0];
			if (!next || next.at > at) break;
			this.timers.shift();
			this.time = Math.max(this.time, next.at);
			next.fire();
		}
		this.time = Math.max(this.time, at);
		await this.settle();
	}
}
