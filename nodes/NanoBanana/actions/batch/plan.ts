import { createHash } from 'crypto';

/**
 * The pure decisions of Batch Mode: request keys, the fingerprint that finds a job again after a
 * restart, when to poll, and whether a job found by its fingerprint may be used.
 */

/** The key of an item's request in its job: results are matched by it, never by position. */
export function requestKey(itemIndex: number): string {
	return `item-${itemIndex}`;
}

/** The item a result key names, if it is one of ours. */
export function itemIndexOfKey(key: string): number | undefined {
	const match = /^item-(\d{1,9})$/.exec(key);
	return match ? Number(match[1]) : undefined;
}

const DISPLAY_NAME_PREFIX = 'n8n-nano-banana';

/**
 * A job's display name: a fingerprint of the model and every request (its key and a digest of its
 * body). The same items sent again give the same name, which is how a rerun finds the job it
 * already paid for; a job name never carries a prompt or an image.
 */
export function batchDisplayName(modelId: string, requests: Array<{ key: string; digest: string }>): string {
	const hash = createHash('sha256').update(`${DISPLAY_NAME_PREFIX} v2\n${modelId}\n`);
	for (const { key, digest } of requests) hash.update(`${key} ${digest}\n`);
	return `${DISPLAY_NAME_PREFIX}-${hash.digest('hex').slice(0, 32)}`;
}

const ACTIVE_STATES = new Set(['BATCH_STATE_PENDING', 'BATCH_STATE_RUNNING']);

/** How long Google keeps a finished job's results. */
export const RESULTS_KEPT_MS = 48 * 60 * 60 * 1000;

/**
 * Whether a job found under our display name may stand in for a new one: one still pending or
 * running (its requests are paid for already), and one that succeeded less than 48 hours ago (its
 * results are paid for and still kept), whatever "Reuse Answers Across Executions" says. An
 * execution that delivered a job's results deletes the job unless answers may be reused (`run.ts`),
 * so a succeeded job found here is one whose results nobody got, or one kept on purpose.
 */
export function canAttach(job: { state: string; endTime?: string }, nowMs: number): boolean {
	if (ACTIVE_STATES.has(job.state)) return true;
	if (job.state !== 'BATCH_STATE_SUCCEEDED') return false;
	const endedAt = job.endTime === undefined ? Number.NaN : Date.parse(job.endTime);
	// A job without an end time is taken: its results are fetched, and found missing, like any other's.
	return Number.isNaN(endedAt) || nowMs - endedAt < RESULTS_KEPT_MS;
}

const FIRST_POLL_MS = 1000;
const MAX_POLL_MS = 60_000;

/** Wait before poll number `poll` (0-based): 1 s, 2 s, 4 s … doubling up to a minute. */
export function pollDelayMs(poll: number): number {
	return Math.min(MAX_POLL_MS, FIRST_POLL_MS * 2 ** Math.min(poll, 16));
}

const MB = 1024 * 1024;

/**
 * Bytes one answer image takes inside a job resource (base64), by Image Size, rounded up from
 * what Google's PNGs weigh: a Generate batch of short prompts is small going in and large coming
 * back. An unknown size counts as the largest.
 */
const ANSWER_BYTES_BY_SIZE: Record<string, number> = { '512': 1 * MB, '1K': 3 * MB, '2K': 10 * MB, '4K': 36 * MB };

/** What an item's answer may weigh inside the job resource: images × their size's weight. */
export function expectedAnswerBytes(options: { imageSize?: string; numberOfImages?: number }): number {
	const perImage = ANSWER_BYTES_BY_SIZE[options.imageSize ?? '1K'] ?? ANSWER_BYTES_BY_SIZE['4K'];
	return perImage * Math.max(1, options.numberOfImages ?? 1);
}
