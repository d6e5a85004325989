/**
 * Sharing answers between identical requests (same credential identity, endpoint and body bytes).
 *
 * - `AnswerStore` keeps finished answers up to `maxBytes`, oldest dropped first. Only what the
 *   caller hands it is kept: the node stores only answers that yielded images, so an answer
 *   without one (a refusal, a safety stop, a random IMAGE_OTHER) is asked for again next time.
 * - `AnswerCache` is one execution's view: identical requests of that execution share one request
 *   while it is in flight, and finished answers come from its store. Requests in flight are never
 *   shared between executions (each has its own cache), so every execution keeps its own cancel,
 *   deadline and gate; executions share only finished answers, through a common store.
 */
export class AnswerStore<T> {
	private readonly entries = new Map<string, { answer: T; bytes: number }>();
	private storedBytes = 0;

	constructor(
		private readonly maxBytes: number,
		private readonly sizeOf: (answer: T) => number,
	) {}

	get(key: string): T | undefined {
		const entry = this.entries.get(key);
		if (!entry) return undefined;
		// Refresh its place: Map order is the eviction order.
		this.entries.delete(key);
		this.entries.set(key, entry);
		return entry.answer;
	}

	set(key: string, answer: T): void {
		this.delete(key);
		const bytes = this.sizeOf(answer);
		if (bytes > this.maxBytes) return;
		this.entries.set(key, { answer, bytes });
		this.storedBytes += bytes;
		for (const [oldKey] of this.entries) {
			if (this.storedBytes <= this.maxBytes) break;
			this.delete(oldKey);
		}
	}

	get size(): number {
		return this.entries.size;
	}

	delete(key: string): void {
		const entry = this.entries.get(key);
		if (!entry) return;
		this.entries.delete(key);
		this.storedBytes -= entry.bytes;
	}
}

export class AnswerCache<T> {
	private readonly inFlight = new Map<string, Promise<T>>();

	/**
	 * @param store where finished answers are kept (this execution's own, or one shared by executions)
	 * @param askAgainAfter a waiter whose shared request failed this way sends its own request
	 *   (an answer without an image is not the answer to every identical request)
	 */
	constructor(
		private readonly store: AnswerStore<T>,
		private readonly askAgainAfter: (error: unknown) => boolean = () => false,
	) {}

	/** The answer for `key`: kept, shared with an identical request in flight, or asked for by `create`. */
	async get(key: string, create: () => Promise<T>): Promise<{ answer: T; shared: boolean }> {
		const kept = this.store.get(key);
		if (kept !== undefined) return { answer: kept, shared: true };
		const pending = this.inFlight.get(key);
		if (pending) {
			const settled = await pending.then(
				(answer) => ({ ok: true as const, answer }),
				(error: unknown) => ({ ok: false as const, error }),
			);
			if (settled.ok) return { answer: settled.answer, shared: true };
			// Otherwise the waiter fails as the request it shared did.
			if (!this.askAgainAfter(settled.error)) return { answer: await pending, shared: true };
			if (this.inFlight.get(key) === pending) this.inFlight.delete(key);
			return await this.get(key, create);
		}
		const request = create();
		this.inFlight.set(key, request);
		try {
			const answer = await request;
			this.store.set(key, answer);
			return { answer, shared: false };
		} finally {
			if (this.inFlight.get(key) === request) this.inFlight.delete(key);
		}
	}
}
