/**
 * Runs `task(0..count-1)` with at most `concurrency` running at once and returns the results in
 * index order. A handful of workers pull the next index from a shared counter: no timers, no
 * queue objects, and a slow item never holds up the others.
 *
 * A task may hand its place back early (`release`) once the part that needs the place is over
 * (its request was answered): the next task starts at once, while this one finishes the rest
 * (building its output item), so turning an answer into output never delays the next request.
 *
 * `shouldStop` is checked before each new task starts, so a fatal error stops the pool from
 * starting more work while the tasks already running finish. While `alone()` holds, tasks run one
 * at a time: until a request has fetched the service-account token that all others reuse (an item
 * that fails before sending anything, a bad item 0, fetches none), parallel requests would each
 * fetch one.
 */
export async function runPool<T>(
	count: number,
	concurrency: number,
	task: (index: number, release: () => void) => Promise<T>,
	shouldStop: () => boolean = () => false,
	alone: () => boolean = () => false,
): Promise<Array<T | undefined>> {
	const results: Array<T | undefined> = new Array<T | undefined>(count);
	const finishing: Array<Promise<void>> = [];
	let next = 0;
	while (next < count && !shouldStop() && alone()) {
		const index = next++;
		results[index] = await task(index, () => {});
	}
	const worker = async () => {
		while (next < count && !shouldStop()) {
			const index = next++;
			let release = () => {};
			const released = new Promise<void>((resolve) => (release = resolve));
			const done = task(index, release).then((result) => {
				results[index] = result;
			});
			finishing.push(done);
			await Promise.race([done, released]);
		}
	};
	const workers = Math.max(1, Math.min(concurrency, count));
	await Promise.all(Array.from({ length: workers }, worker));
	await Promise.all(finishing);
	return results;
}
