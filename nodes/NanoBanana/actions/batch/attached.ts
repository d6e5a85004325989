/**
 * The executions of this n8n process that wait for each batch job (by job name). Two runs of the
 * same items (a schedule that fires while the first still waits) attach to one job by design; the
 * job may be deleted once delivered, or cancelled on Stop, only when no other execution here still
 * waits for it. Executions in another process (a queue-mode worker, a second n8n) cannot be seen
 * from here: see `jobGone` in waiting.ts for what such an execution is told.
 */
const waiting = new Map<string, number>();

/** One execution's claim on a job; `leave` once it is done with it (collected, failed or stopped). */
export interface JobClaim {
	/** Executions of this process other than this one that wait for the job. */
	others(): number;
	/** Gives the claim back (once); returns how many executions of this process still wait for the job. */
	leave(): number;
}

export function claimJob(jobName: string): JobClaim {
	waiting.set(jobName, (waiting.get(jobName) ?? 0) + 1);
	let left = false;
	return {
		others: () => (waiting.get(jobName) ?? 0) - (left ? 0 : 1),
		leave: () => {
			if (!left) {
				left = true;
				const rest = (waiting.get(jobName) ?? 1) - 1;
				if (rest > 0) waiting.set(jobName, rest);
				else waiting.delete(jobName);
			}
			return waiting.get(jobName) ?? 0;
		},
	};
}

/** Executions of this process waiting for `jobName` (for a job found after a stopped create). */
export function claimsOn(jobName: string): number {
	return waiting.get(jobName) ?? 0;
}

/**
 * Results whose cost an execution of this process has already counted, by job and result key. Two
 * executions attached to one job, or a re-run that collects a kept job again (Reuse Answers Across
 * Executions), receive the same answers, billed once: only the first to collect an answer counts
 * it (spending caps, the day's total, the closing line); the others show it as shared. The oldest
 * jobs are forgotten past a bound; an answer collected again after that (or after a restart, or
 * in another process) is counted again, which errs on the side of the caps.
 */
const counted = new Map<string, Set<string>>();
const COUNTED_JOBS = 100;

/** True the first time this process collects `key` of `jobName`: that collection counts its cost. */
export function firstCollection(jobName: string, key: string): boolean {
	let keys = counted.get(jobName);
	if (!keys) {
		keys = new Set();
		counted.set(jobName, keys);
		const oldest = counted.keys().next().value;
		if (counted.size > COUNTED_JOBS && oldest !== undefined) counted.delete(oldest);
	}
	if (keys.has(key)) return false;
	keys.add(key);
	return true;
}
