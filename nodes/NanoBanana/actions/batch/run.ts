import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { DEFAULT_BATCH_MAX_WAIT_MINUTES } from '../../description/defaults';
import { readOptions, RUN_OPTIONS, type NanoBananaOptions } from '../../description/options';
import { deleteBatch, FINISHED_STATES } from '../../transport/api/batches';
import type { BatchJob } from '../../transport/google/types';
import type { PrepareItem } from '../item';
import type { RunContext } from '../runContext';
import { claimJob, claimsOn, type JobClaim } from './attached';
import { collectResults, ResultCollector } from './collect';
import { prepareGroups, type JobGroup } from './groups';
import { batchDisplayName } from './plan';
import { batchSession, type BatchSession, type Settle } from './session';
import { createJob, findExistingJob, lookForCreatedJob } from './submit';
import { cancelJob, jobFailure, readFinishedJob, StillRunningError, waitUntilFinished } from './waiting';
import { CostCapRefusal } from '../../cost/ledger';

/**
 * Batch Mode: every item of the execution goes to Google as part of one batch job per model (half
 * the price), the node waits for the job, and each answer becomes exactly the output item the
 * request pool would have made (same reading, same output shaping, same failures).
 *
 * 1. Each item is prepared once, as for a normal request, and its body digested; the digests give
 *    the job's display name. Bodies are kept while the job is small enough to send inline; a
 *    bigger job's lines stream into a JSONL upload as they are built (`upload.ts`).
 * 2. A job still pending or running under that name, or one that succeeded less than 48 hours ago
 *    and was never delivered, is used instead of paying again (a restart of n8n or a failed run
 *    loses nothing); otherwise a job is created, inline or from the uploaded JSONL file. A create
 *    whose answer is lost is looked up, not sent again.
 * 3. The job is polled with growing waits, through outages, up to Batch Max Wait; stopping the
 *    execution, or another job of it failing, cancels it at Google.
 * 4. Results (inline, or a results file read as a stream) are matched to items by key. A job whose
 *    results were delivered is deleted unless answers may be reused across executions, or another
 *    execution of this n8n process still waits for it (`attached.ts`).
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

/** What a Batch Mode run gives the router: output items, and a note for the error that may end it. */
export interface BatchRun {
	results: Array<INodeExecutionData | undefined>;
	/**
	 * When an item's failure ends the run (no Continue On Fail) after jobs succeeded: how many images
	 * wait at Google and how to collect them without paying again.
	 */
	keptNote?: string;
}

/** A job that finished and whose results were handed out: its images among them. */
interface Collected {
	job: BatchJob;
	images: number;
	claim: JobClaim;
	modelId: string;
}

export async function runBatch(
	context: IExecuteFunctions,
	run: RunContext,
	prepare: PrepareItem,
	onFailure: ItemFailureHandler,
	shouldStop: () => boolean,
): Promise<BatchRun> {
	checkBatchModeAvailable(context, run);
	const options = readOptions(context.getNodeParameter('options', 0, {}), RUN_OPTIONS);
	const maxWaitMs = batchMaxWaitMs(options);
	const itemCount = context.getInputData().length;
	const results = new Array<INodeExecutionData | undefined>(itemCount);
	const settled = new Set<number>();
	// Each item is settled once, with its first cause (a failed upload is not overwritten later).
	const settleOnce = (itemIndex: number, outcome: unknown) => {
		if (settled.has(itemIndex)) return;
		settled.add(itemIndex);
		results[itemIndex] = outcome instanceof Error || !isOutputItem(outcome) ? onFailure(itemIndex, outcome) : outcome;
	};

	// Batch Mode sends each item to its first model: Fallback Models are neither used nor checked.
	const firstOnly: RunContext = { ...run, firstModelOnly: true };
	const groups = await prepareGroups(context, firstOnly, prepare, itemCount, settleOnce, shouldStop);
	// A bad input without Continue On Fail stops the run before anything is paid for.
	if (shouldStop()) return { results };

	// A job that fails fails its own items only: with Continue On Fail the other models' jobs go on
	// and deliver their paid images. Without it the run ends, so the others are given up too
	// (cancelled at Google): nothing would collect them, and nothing may poll them afterwards.
	const abandon = new AbortController();
	const signal = run.signal ? AbortSignal.any([run.signal, abandon.signal]) : abandon.signal;
	const scoped: RunContext = { ...firstOnly, signal, callOptions: { ...run.callOptions, signal } };
	const reuse = options.reuseAnswersAcrossExecutions === true;
	const session = batchSession(context, scoped, prepare, reuse, maxWaitMs, () => run.signal?.aborted === true, shouldStop);
	try {
		const collected = await Promise.all(
			groups.map(async (group) => {
				try {
					return await runGroup(session.forModel(group.modelId), group, settleOnce);
				} catch (error) {
					// Given up because another job failed: that job's items carry the run's error.
					const givenUp = abandon.signal.aborted && run.signal?.aborted !== true;
					if (!givenUp) for (const entry of group.entries) settleOnce(entry.itemIndex, error);
					// A wait that ran out keeps its job (and the others') running for a rerun to collect.
					if (shouldStop() && !(error instanceof StillRunningError)) abandon.abort();
					return undefined;
				}
			}),
		);
		const finished = collected.filter((entry): entry is Collected => entry !== undefined);
		if (shouldStop()) {
			for (const { claim } of finished) claim.leave();
			const kept = finished.filter(({ images }) => images > 0);
			return { results, keptNote: kept.length > 0 ? keptNote(kept) : undefined };
		}
		// Every item settled: a failed job's items with its error (Continue On Fail), the others delivered.
		// Delivered: unless answers may be reused, the job goes, so running the same items again pays
		// for new images instead of collecting these (a job still found was never delivered). Not
		// while another execution of this process waits for it: the last one to collect deletes it.
		await Promise.all(
			finished.map(async ({ job, claim, modelId }) => {
				const othersWaiting = claim.leave();
				if (reuse) return;
				if (othersWaiting > 0) session.logJob('batch job kept: another execution waits for its results', job, { executions: othersWaiting });
				else await deleteDelivered(session.forModel(modelId), job);
			}),
		);
		return { results };
	} finally {
		session.close();
	}
}

function isOutputItem(outcome: unknown): outcome is INodeExecutionData {
	return typeof outcome === 'object' && outcome !== null && 'json' in outcome;
}

function keptNote(kept: Collected[]): string {
	const parts = kept.map(({ job, images }) => `${images} image${images === 1 ? '' : 's'} from batch job ${job.name}`);
	return `${parts.join(' and ')} ${kept.length === 1 && kept[0].images === 1 ? 'is' : 'are'} kept at Google for 48 hours: run the workflow again with the same items (with "Continue On Fail" on, to get the others) to collect them without paying again (unless another execution of the same items collects and deletes the job first).`;
}

async function deleteDelivered(session: BatchSession, job: BatchJob): Promise<void> {
	try {
		await deleteBatch(session.run.request, session.run.backend, job.name, session.afterStop);
		session.logJob('batch job deleted at Google: its results were delivered', job);
	} catch {
		session.run.log.warn('could not delete the delivered batch job; running the same items again will collect it instead of paying again', {
			batchJob: job.name,
		});
	}
}

/** One model's job, from finding or creating it to its results; its cost reservation ends with it. */
async function runGroup(session: BatchSession, group: JobGroup, settle: Settle): Promise<Collected | undefined> {
	try {
		return await runJob(session, group, settle);
	} finally {
		group.reservation?.end();
	}
}

async function runJob(session: BatchSession, group: JobGroup, settle: Settle): Promise<Collected | undefined> {
	if (group.entries.length === 0) return undefined;
	const displayName = batchDisplayName(group.modelId, group.entries);
	let images = 0;
	const collector = new ResultCollector(session, group, (itemIndex, outcome) => {
		if (!(outcome instanceof Error)) images++;
		settle(itemIndex, outcome);
	});
	let job = await findExistingJob(session, displayName);
	let claim: JobClaim | undefined;
	if (job) {
		claim = claimJob(job.name);
		session.logJob('attached to the batch job already sent for these items', job, { model: group.modelId });
		// A list entry may leave out the results: a finished job is read whole, its inline results
		// handed to their items as they arrive (that read is the only one).
		if (FINISHED_STATES.has(job.state)) {
			job = await readFinishedJob(session, job, collector.sink(job)).catch((error: unknown) => {
				claim?.leave();
				throw error;
			});
		}
	} else {
		// The whole job's estimate must fit the caps before it is created; otherwise its items fail unsent.
		const refused = await reserveJob(session, group);
		if (refused) {
			for (const entry of group.entries) settle(entry.itemIndex, refused);
			return undefined;
		}
		const created = await createJob(session, group, displayName).then(
			(value) => ({ value }),
			(error: unknown) => ({ error }),
		);
		if (!('value' in created)) {
			// Stopped while the create request was out: Google may have the job without us knowing
			// its name. It is looked for by its display name (a few times: lists lag) and cancelled.
			const orphan = session.run.signal?.aborted ? await lookForCreatedJob(session, displayName, session.afterStop) : undefined;
			if (orphan) await cancelJob(session, orphan, claimsOn(orphan.name));
			throw created.error;
		}
		job = created.value;
		claim = claimJob(job.name);
		session.logJob('batch job created', job, { model: group.modelId, requests: group.entries.length });
	}
	let collected = false;
	try {
		job = await waitUntilFinished(session, job, claim, collector.sink(job));
		if (job.state !== 'BATCH_STATE_SUCCEEDED') throw jobFailure(session, job);
		session.logJob('batch job finished', job);
		await collectResults(session, job, collector);
		collected = true;
		return { job, images, claim, modelId: group.modelId };
	} finally {
		// A job this execution could not collect is no longer waited for by it.
		if (!collected) claim.leave();
	}
}

/** Holds the job's estimate (all its requests, batch rates); a refusal is returned. */
async function reserveJob(session: BatchSession, group: JobGroup): Promise<CostCapRefusal | undefined> {
	const shapes = group.entries.map((entry) => entry.prepared.shape ?? { promptChars: 0, inputImages: 0, images: 1 });
	const outcome = await session.run.cost.reserve(group.modelId, shapes, true).then(
		(reservation) => ({ reservation }),
		(error: unknown) => ({ error }),
	);
	if ('reservation' in outcome) {
		group.reservation = outcome.reservation;
		return undefined;
	}
	if (outcome.error instanceof CostCapRefusal) return outcome.error;
	throw new NodeOperationError(session.context.getNode(), outcome.error instanceof Error ? outcome.error : String(outcome.error));
}
