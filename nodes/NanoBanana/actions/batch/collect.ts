import { NodeOperationError } from 'n8n-workflow';

import { downloadFile, getBatch } from '../../transport/api/batches';
import { splitLines } from '../../transport/google/jsonl';
import { parseBatchItemResult } from '../../transport/google/parseBatch';
import type { BatchItemResult, BatchJob } from '../../transport/google/types';
import { TransportError } from '../../transport/http/client';
import { imageAnswerFrom } from '../answer';
import { finishImageItem } from '../item';
import type { BatchEntry, JobGroup } from './groups';
import { itemIndexOfKey } from './plan';
import type { BatchSession, Outcome, ResultSink, Settle } from './session';
import { estimateRequest } from '../../cost/estimate';
import { isNotFound, jobGone, RESULT_READS } from './waiting';
import { firstCollection } from './attached';

/**
 * Step 4: a finished job's results (inline, or a results file read as a stream) matched to items by
 * key; every answer goes through the same reading and output shaping as the request pool's.
 */

/** The batch job answered without a result for this item. */
export class MissingBatchResultError extends NodeOperationError {}


/**
 * Hands a job's results to their items, each once, whichever read brings them: the poll that finds
 * the job finished (an inline job's results travel inside it) or a read of their own. The job's
 * name says which job the results came from (cost, `json.nanoBanana.batchJob`).
 */
export class ResultCollector {
	private readonly pending: Map<string, BatchEntry>;
	private results = 0;
	/** A read of the finished job reached its end (see ResultSink). */
	private whole = false;

	constructor(
		private readonly session: BatchSession,
		private readonly group: JobGroup,
		private readonly settle: Settle,
	) {
		this.pending = new Map(group.entries.map((entry) => [entry.key, entry]));
	}

	/** What a read of `job` passes on: each result goes to its item as it arrives. */
	from(job: Pick<BatchJob, 'name'>): (result: BatchItemResult) => Promise<void> {
		return async (result) => {
			this.results++;
			const entry = this.pending.get(result.key);
			if (!entry || itemIndexOfKey(result.key) !== entry.itemIndex) return;
			this.pending.delete(result.key);
			this.settle(entry.itemIndex, await outcomeOf(this.session, job.name, this.group, entry, result));
		};
	}

	/** What reads of `job`'s resource (polls, the read of a finished job found) hand results to. */
	sink(job: Pick<BatchJob, 'name'>): ResultSink {
		return {
			take: this.from(job),
			started: () => this.results > 0,
			readWhole: () => {
				this.whole = true;
			},
		};
	}

	/** Whether a read of the finished job reached its end (nothing it carries is missing). */
	get readToEnd(): boolean {
		return this.whole;
	}

	/** Items still without a result. */
	get waiting(): BatchEntry[] {
		return [...this.pending.values()];
	}

	/** Every item the finished job `jobName` answered nothing for fails with that. */
	settleMissing(jobName: string): void {
		for (const entry of this.pending.values()) {
			this.settle(
				entry.itemIndex,
				new MissingBatchResultError(this.session.context.getNode(), `Batch job ${jobName} finished without an answer for this item`, {
					itemIndex: entry.itemIndex,
					description: 'Run the workflow again; if it keeps happening, turn off "Batch Mode (Half Price)" for these items.',
				}),
			);
		}
		this.pending.clear();
	}
}

export async function collectResults(session: BatchSession, job: BatchJob, collector: ResultCollector): Promise<void> {
	const take = collector.from(job);
	const wantsMore = () => collector.waiting.length > 0;
	const { request, backend, callOptions } = session.run;
	if (job.inlinedResponses && wantsMore() && !collector.readToEnd) {
		// Inside the job resource: the read that found it finished handed them out already (a read
		// that reached its end carries them all). A job already finished when it was created or
		// looked up (a lost create answer) had no such read: it is read here, as a stream.
		await readResults(session, job, async () => void (await getBatch(request, backend, job.name, callOptions, take)), wantsMore);
	} else if (job.responsesFile) {
		const fileName = job.responsesFile;
		await readResults(session, job, async () => await readResultsFile(session, fileName, take), wantsMore);
	}
	collector.settleMissing(job.name);
}

/**
 * Reads a job's results as they stream in (`read` reads them once, handing each to `take`). A read
 * cut short is started again (results already taken are skipped by key), a few times at most.
 */
async function readResults(session: BatchSession, job: BatchJob, read: () => Promise<void>, wantsMore: () => boolean): Promise<void> {
	for (let attempt = 1; ; attempt++) {
		const broken = await read().then(
			() => undefined,
			(error: unknown) => error,
		);
		if (broken === undefined || !wantsMore()) return;
		if (isNotFound(broken)) throw jobGone(session, job);
		// A refusal (not a cut connection) is not read again.
		if (broken instanceof TransportError && broken.failure.kind !== 'network') throw broken;
		if (attempt >= RESULT_READS || session.run.signal?.aborted) {
			throw new TransportError({ kind: 'network', code: 'ECONNRESET', message: `the results of ${job.name} stopped arriving` }, attempt);
		}
		session.logJob('results download cut short; reading it again', job, { download: attempt });
	}
}

/** The results file, line by line as it streams in. */
async function readResultsFile(session: BatchSession, fileName: string, take: (result: BatchItemResult) => Promise<void>): Promise<void> {
	const { request, backend, callOptions } = session.run;
	const stream = await downloadFile(request, backend, fileName, callOptions);
	for await (const line of splitLines(stream)) {
		const result = parseBatchItemResult(line.toString('utf8'));
		if (result) await take(result);
	}
}

function estimateOf(modelId: string, entry: BatchEntry): number {
	return entry.prepared.shape ? estimateRequest(modelId, entry.prepared.shape, true) ?? 0 : 0;
}

async function outcomeOf(
	session: BatchSession,
	jobName: string,
	group: JobGroup,
	entry: BatchEntry,
	result: BatchItemResult,
): Promise<Outcome> {
	const { modelId } = group;
	try {
		if (result.error) {
			const failure = new TransportError({ kind: 'api', statusCode: result.error.code, error: result.error }, 1);
			failure.modelId = modelId;
			return failure;
		}
		if (!result.response) {
			return new TransportError({ kind: 'malformed', statusCode: 200, snippet: 'a batch result without a response' }, 1);
		}
		const { cost } = session.run;
		// Billed at batch rates whether or not it holds an image; once, whoever collects it first.
		const itemCost = firstCollection(jobName, entry.key)
			? cost.answered(group.reservation, modelId, result.response.usageMetadata, true, estimateOf(modelId, entry))
			: cost.shared(true);
		const answer = imageAnswerFrom(result.response);
		cost.countImages(answer.images.length);
		return await finishImageItem(session.context, entry.itemIndex, entry.prepared, answer, {
			modelId,
			attempts: 1,
			shared: false,
			batchJob: jobName,
			cost: itemCost,
		});
	} catch (error) {
		return error instanceof Error ? error : new Error(String(error));
	}
}
