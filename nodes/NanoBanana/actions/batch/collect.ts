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
import type { BatchSession, Outcome, Settle } from './session';
import { estimateRequest } from '../../cost/estimate';
import { isNotFound, jobGone } from './waiting';
import { firstCollection } from './attached';

/**
 * Step 4: a finished job's results (inline, or a results file read as a stream) matched to items by
 * key; every answer goes through the same reading and output shaping as the request pool's.
 */

/** The batch job answered without a result for this item. */
export class MissingBatchResultError extends NodeOperationError {}

/** Downloads of a results file before a connection that keeps breaking is an error. */
const RESULT_DOWNLOADS = 3;

export async function collectResults(session: BatchSession, job: BatchJob, group: JobGroup, settle: Settle): Promise<void> {
	const pending = new Map(group.entries.map((entry) => [entry.key, entry]));
	const take = async (result: BatchItemResult) => {
		const entry = pending.get(result.key);
		if (!entry || itemIndexOfKey(result.key) !== entry.itemIndex) return;
		pending.delete(result.key);
		settle(entry.itemIndex, await outcomeOf(session, job, group, entry, result));
	};
	const { request, backend, callOptions } = session.run;
	if (job.inlinedResponses) {
		// Inside the job resource: read again as a stream, each result handed out as it arrives.
		await readResults(session, job, async () => void (await getBatch(request, backend, job.name, callOptions, take)), () => pending.size > 0);
	} else if (job.responsesFile) {
		const fileName = job.responsesFile;
		await readResults(session, job, async () => await readResultsFile(session, fileName, take), () => pending.size > 0);
	}
	for (const entry of pending.values()) {
		settle(
			entry.itemIndex,
			new MissingBatchResultError(session.context.getNode(), `Batch job ${job.name} finished without an answer for this item`, {
				itemIndex: entry.itemIndex,
				description: 'Run the workflow again; if it keeps happening, turn off "Batch Mode (Half Price)" for these items.',
			}),
		);
	}
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
		if (attempt >= RESULT_DOWNLOADS || session.run.signal?.aborted) {
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
	job: BatchJob,
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
		const itemCost = firstCollection(job.name, entry.key)
			? cost.answered(group.reservation, modelId, result.response.usageMetadata, true, estimateOf(modelId, entry))
			: cost.shared(true);
		const answer = imageAnswerFrom(result.response);
		cost.countImages(answer.images.length);
		return await finishImageItem(session.context, entry.itemIndex, entry.prepared, answer, {
			modelId,
			attempts: 1,
			shared: false,
			batchJob: job.name,
			cost: itemCost,
		});
	} catch (error) {
		return error instanceof Error ? error : new Error(String(error));
	}
}
