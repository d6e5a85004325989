/**
 * Shares answers between identical requests (same endpoint, same body bytes). Requests in flight
 * are always shared; finished answers are kept up to `maxBytes`, oldest dropped first. Failures
 * are never kept, so a later identical request tries again.
 *
 * Each execution has its own cache (identical items in one run cost one request); a module-level
 * one serves across executions only for users who switch it on.
 */
export class AnswerCache<T> {
	private readonly entries = new Map<string, { answer: Promise<T>; bytes: number }>();
	private storedBytes = 0;

	constructor(
		private readonly maxBytes: number,
		private readonly sizeOf: (answer: T) => number,
	) {}

	/** The shared answer for `key`, asking `create` only when none is kept or in flight. */
	async get(key: string, create: () => Promise<T>): Promise<{ answer: T; shared: boolean }> {
		const existing = this.entries.get(key);
		if (existing) {
			// Refresh its place: Map order is the eviction order.
			this.entries.delete(key);
			this.entries.set(key, existing);
			return { answer: await existing.answer, shared: true };
		}
		const answer = create();
		const entry = { answer, bytes: 0 };
		this.entries.set(key, entry);
		answer.then(
			(value) => {
				entry.bytes = this.sizeOf(value);
				this.storedBytes += entry.bytes;
				this.evict();
			},
			() => {
				if (this.entries.get(key) === entry) this.entries.delete(key);
			},
		);
		return { answer: await answer, shared: false };
	}

	get size(): number {
		return this.entries.size;
	}

	private evict(): void {
		for (const [key, entry] of this.entries) {
			if (this.storedBytes <= this.maxBytes) break;
			if (entry.bytes === 0) continue; // still in flight
			this.entries.delete(key);
			this.storedBytes -= entry.bytes;
		}
	}
}
