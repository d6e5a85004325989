import { NodeOperationError } from 'n8n-workflow';

import { downloadFile } from '../../transport/api/batches';
import { splitLines } from '../../transport/google/jsonl';
import { parseBatchItemResult } from '../../transport/google/parseBatch';
import type { BatchItemResult, BatchJob } from '../../transport/google/types';
import { TransportError } from '../../transport/http/client';
import { imageAnswerFrom } from '../answer';
import { finishImageItem } from '../item';
import type { BatchEntry, JobGroup } from './groups';
import { itemIndexOfKey } from './plan';
import type { BatchSession, Outcome, Settle } from './session';
import { isNotFound, jobGone } from './waiting';

/**
 * Step 4: a finished job's results (inline, or a results file read as a stream) matched to items by
 * key; every answer goes through the same reading and output shaping as the request pool's.
 */

/** The batch job answered without a result for this item. */
export class MissingBatchResultError extends NodeOperationError {}

/** Downloads of a results file before a connection that keeps breaking is an error. */
const RESULT_DOWNLOADS = 3;

export async function collectResults(session: BatchSession, job: BatchJob, group: JobGroup, settle: Settle): Promise<void> {
	const pending = new Map(group.entries.filter((entry) => !entry.settled).map((entry) => [entry.key, entry]));
	const take = async (result: BatchItemResult) => {
		const entry = pending.get(result.key);
		if (!entry || itemIndexOfKey(result.key) !== entry.itemIndex) return;
		pending.delete(result.key);
		settle(entry.itemIndex, await outcomeOf(session, job, group.modelId, entry, result));
	};
	if (job.inlinedResponses) {
		for (const result of job.inlinedResponses) await take(result);
	} else if (job.responsesFile) {
		await readResultsFile(session, job, job.responsesFile, take, () => pending.size > 0);
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
 * Reads the results file line by line as it streams in. A download cut short is opened again
 * (results already taken are skipped by key), a few times at most.
 */
async function readResultsFile(
	session: BatchSession,
	job: BatchJob,
	fileName: string,
	take: (result: BatchItemResult) => Promise<void>,
	wantsMore: () => boolean,
): Promise<void> {
	const { request, backend, callOptions, signal } = session.run;
	for (let download = 1; ; download++) {
		const stream = await downloadFile(request, backend, fileName, callOptions).catch((error: unknown) => {
			throw isNotFound(error) ? jobGone(session, job) : error;
		});
		const broken = await (async () => {
			for await (const line of splitLines(stream)) {
				const result = parseBatchItemResult(line.toString('utf8'));
				if (result) await take(result);
			}
		})().then(
			() => undefined,
			(error: unknown) => error,
		);
		if (broken === undefined || !wantsMore()) return;
		if (download >= RESULT_DOWNLOADS || signal?.aborted) {
			throw new TransportError({ kind: 'network', code: 'ECONNRESET', message: `the results of ${job.name} stopped arriving` }, download);
		}
		session.logJob('results download cut short; reading it again', job, { download });
	}
}

async function outcomeOf(
	session: BatchSession,
	job: BatchJob,
	modelId: string,
	entry: BatchEntry,
	result: BatchItemResult,
): Promise<Outcome> {
	try {
		if (result.error) {
			const failure = new TransportError({ kind: 'api', statusCode: result.error.code, error: result.error }, 1);
			failure.modelId = modelId;
			return failure;
		}
		if (!result.response) {
			return new TransportError({ kind: 'malformed', statusCode: 200, snippet: 'a batch result without a response' }, 1);
		}
		return await finishImageItem(session.context, entry.itemIndex, entry.prepared, imageAnswerFrom(result.response), {
			modelId,
			attempts: 1,
			shared: false,
			batchJob: job.name,
		});
	} catch (error) {
		return error instanceof Error ? error : new Error(String(error));
	}
}
