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

/**
 * Whether a job found under our display name may stand in for a new one: one still pending or
 * running always (its requests are paid for already); a finished one only when the user allows
 * answers to be reused across executions.
 */
export function canAttach(state: string, reuseFinished: boolean): boolean {
	return ACTIVE_STATES.has(state) || (reuseFinished && state === 'BATCH_STATE_SUCCEEDED');
}

const FIRST_POLL_MS = 1000;
const MAX_POLL_MS = 60_000;

/** Wait before poll number `poll` (0-based): 1 s, 2 s, 4 s … doubling up to a minute. */
export function pollDelayMs(poll: number): number {
	return Math.min(MAX_POLL_MS, FIRST_POLL_MS * 2 ** Math.min(poll, 16));
}
