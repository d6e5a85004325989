import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { DEFAULT_BATCH_MAX_WAIT_MINUTES } from '../../description/defaults';
import { readOptions, RUN_OPTIONS, type NanoBananaOptions } from '../../description/options';
import type { PrepareItem } from '../item';
import type { RunContext } from '../runContext';
import { collectResults } from './collect';
import { prepareGroups, type JobGroup } from './groups';
import { batchDisplayName } from './plan';
import { batchSession, type BatchSession, type Settle } from './session';
import { createJob, findExistingJob } from './submit';
import { cancelJob, jobFailure, waitUntilFinished } from './waiting';

/**
 * Batch Mode: every item of the execution goes to Google as part of one batch job per model (half
 * the price), the node waits for the job, and each answer becomes exactly the output item the
 * request pool would have made (same reading, same output shaping, same failures).
 *
 * 1. Each item is prepared as for a normal request and its body digested; the digests give the
 *    job's display name. Bodies are kept only while the job is small enough to send inline.
 * 2. A job still pending or running under that name is attached to instead of paying again (a
 *    restart of n8n loses nothing); otherwise a job is created, inline or from a JSONL file that
 *    streams through a Files API upload one request at a time.
 * 3. The job is polled with growing waits; stopping the execution cancels it at Google.
 * 4. Results (inline, or a results file read as a stream) are matched to items by key.
 *
 * Files: `groups.ts` (1), `submit.ts` (2), `waiting.ts` (3), `collect.ts` (4); `plan.ts` holds the
 * pure decisions, `session.ts` what the steps share.
 */

/** Called with an item's thrown failure: returns its error item (Continue On Fail) or undefined (the run stops). */
export type ItemFailureHandler = (itemIndex: number, thrown: unknown) => INodeExecutionData | undefined;

const MINUTE_MS = 60_000;

/** The option is checked (finite, in range) by readOptions before any request. */
function batchMaxWaitMs(options: NanoBananaOptions): number {
	return (options.batchMaxWait ?? DEFAULT_BATCH_MAX_WAIT_MINUTES) * MINUTE_MS;
}

/** Refuses Batch Mode before any request where the backend cannot run it (Vertex AI). */
export function checkBatchModeAvailable(context: IExecuteFunctions, run: RunContext): void {
	if (run.backend.batches) return;
	throw new NodeOperationError(context.getNode(), `Batch Mode is not available with ${run.backend.label}`, {
		description:
			'Vertex AI runs batch jobs only from Cloud Storage or BigQuery, which this node does not use. Switch "Authentication" to "Google AI Studio API Key" to use Batch Mode, or turn off "Batch Mode (Half Price)" to send the items one by one. Nothing was sent to Google.',
	});
}

export async function runBatch(
	context: IExecuteFunctions,
	run: RunContext,
	prepare: PrepareItem,
	onFailure: ItemFailureHandler,
	shouldStop: () => boolean,
): Promise<Array<INodeExecutionData | undefined>> {
	checkBatchModeAvailable(context, run);
	const options = readOptions(context.getNodeParameter('options', 0, {}), RUN_OPTIONS);
	const maxWaitMs = batchMaxWaitMs(options);
	const itemCount = context.getInputData().length;
	const results = new Array<INodeExecutionData | undefined>(itemCount);

	const groups = await prepareGroups(context, run, prepare, itemCount, (itemIndex, thrown) => {
		results[itemIndex] = onFailure(itemIndex, thrown);
	});
	// A bad input without Continue On Fail stops the run before anything is paid for.
	if (shouldStop()) return results;

	const session = batchSession(context, run, prepare, options.reuseAnswersAcrossExecutions === true, maxWaitMs);
	await Promise.all(
		groups.map(async (group) => {
			await runGroup(session, group, (itemIndex, outcome) => {
				results[itemIndex] = outcome instanceof Error ? onFailure(itemIndex, outcome) : outcome;
			});
		}),
	);
	return results;
}

/** One model's job, from finding or creating it to its results. */
async function runGroup(session: BatchSession, group: JobGroup, settle: Settle): Promise<void> {
	if (group.entries.length === 0) return;
	const displayName = batchDisplayName(group.modelId, group.entries);
	let job = await findExistingJob(session, displayName);
	if (job) {
		session.logJob('attached to the batch job already sent for these items', job, { model: group.modelId });
	} else {
		const created = await createJob(session, group, displayName, settle).then(
			(value) => ({ value }),
			(error: unknown) => ({ error }),
		);
		if (!('value' in created)) {
			// Stopped while the create request was out: Google may have the job without us
			// knowing its name. It is found by its display name and cancelled like any other.
			const orphan = session.run.signal?.aborted ? await findExistingJob(session, displayName, session.afterStop) : undefined;
			if (orphan) await cancelJob(session, orphan);
			throw created.error;
		}
		job = created.value;
		session.logJob('batch job created', job, { model: group.modelId, requests: group.entries.length });
	}
	job = await waitUntilFinished(session, job);
	if (job.state !== 'BATCH_STATE_SUCCEEDED') throw jobFailure(session, job);
	session.logJob('batch job finished', job);
	await collectResults(session, job, group, settle);
}
