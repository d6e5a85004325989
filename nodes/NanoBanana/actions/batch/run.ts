import { createHash } from 'crypto';
import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { DEFAULT_BATCH_MAX_WAIT_MINUTES, readOptions, RUN_OPTIONS, type NanoBananaOptions } from '../../description/options';
import {
	cancelBatch,
	createBatch,
	downloadFile,
	fileBatchBody,
	findBatch,
	FINISHED_STATES,
	getBatch,
	INLINE_REQUEST_OVERHEAD_BYTES,
	inlineBatchBody,
	uploadJsonl,
} from '../../transport/api/batches';
import { TransportError, type CallOptions, type UploadSource } from '../../transport/http/client';
import { jsonlLine, splitLines } from '../../transport/google/jsonl';
import { parseBatchItemResult } from '../../transport/google/parse';
import type { BatchItemResult, BatchJob } from '../../transport/google/types';
import type { LogFields } from '../../transport/http/log';
import { waitUnlessStopped } from '../../transport/pacing/wait';
import { batchDisplayName, canAttach, itemIndexOfKey, pollDelayMs, requestKey } from './plan';
import { finishImageItem, imageAnswerFrom, type PreparedItem, type PrepareItem } from '../item';
import type { RunContext } from '../runContext';

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
 */

/** Called with an item's thrown failure: returns its error item (Continue On Fail) or undefined (the run stops). */
export type ItemFailureHandler = (itemIndex: number, thrown: unknown) => INodeExecutionData | undefined;

/** The batch job answered without a result for this item. */
export class MissingBatchResultError extends NodeOperationError {}

interface BatchEntry {
	itemIndex: number;
	key: string;
	digest: string;
	/** Kept only while the job is small enough to go inline. */
	body?: Buffer;
	/** The item used an image big enough for the Files API: its real request needs an upload. */
	needsUpload: boolean;
	prepared: Pick<PreparedItem, 'parameters' | 'inputFileName'>;
}

interface JobGroup {
	modelId: string;
	entries: BatchEntry[];
	inlineBytes: number;
	/** Every request so far fits into the create request; once false, the job goes as a JSONL file. */
	inline: boolean;
}

const MINUTE_MS = 60_000;
/** Downloads of a results file before a connection that keeps breaking is an error. */
const RESULT_DOWNLOADS = 3;

function streamDigest(stream: unknown): Promise<string> {
	return (async () => {
		const hash = createHash('sha256');
		if (Buffer.isBuffer(stream)) return hash.update(stream).digest('hex');
		for await (const chunk of stream as AsyncIterable<Buffer>) hash.update(chunk);
		return hash.digest('hex');
	})();
}

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

	const batch = new BatchRun(context, run, prepare, options.reuseAnswersAcrossExecutions === true, maxWaitMs);
	await Promise.all(
		groups.map(async (group) => {
			await batch.runGroup(group, (itemIndex, outcome) => {
				results[itemIndex] = outcome instanceof Error ? onFailure(itemIndex, outcome) : outcome;
			});
		}),
	);
	return results;
}

/**
 * Step 1: prepares every item once, in order, holding at most one item's images at a time. A Files
 * API image is digested from its stream instead of uploaded: nothing is uploaded before we know
 * whether a job for these requests already exists.
 */
async function prepareGroups(
	context: IExecuteFunctions,
	run: RunContext,
	prepare: PrepareItem,
	itemCount: number,
	fail: (itemIndex: number, thrown: unknown) => void,
): Promise<JobGroup[]> {
	let uploadsAvoided = 0;
	const digestOnly: RunContext = {
		...run,
		upload: async (source: UploadSource) => {
			uploadsAvoided++;
			return { mimeType: source.mimeType, fileUri: `sha256:${await streamDigest(await source.open())}` };
		},
	};
	const maxInlineBytes = run.backend.batches?.maxInlineBytes ?? 0;
	const groups = new Map<string, JobGroup>();
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		if (run.signal?.aborted) throw new TransportError({ kind: 'cancelled' }, 0);
		const uploadsBefore = uploadsAvoided;
		let prepared: PreparedItem;
		try {
			prepared = await prepare(context, itemIndex, digestOnly);
		} catch (error) {
			fail(itemIndex, error);
			continue;
		}
		const modelId = prepared.parameters.modelIds[0];
		let group = groups.get(modelId);
		if (!group) {
			group = { modelId, entries: [], inlineBytes: 0, inline: true };
			groups.set(modelId, group);
		}
		const key = requestKey(itemIndex);
		const entry: BatchEntry = {
			itemIndex,
			key,
			digest: prepared.request.digest,
			needsUpload: uploadsAvoided > uploadsBefore,
			prepared: { parameters: prepared.parameters, inputFileName: prepared.inputFileName },
		};
		group.inlineBytes += prepared.request.body.length + key.length + INLINE_REQUEST_OVERHEAD_BYTES;
		if (group.inline && (group.inlineBytes > maxInlineBytes || entry.needsUpload)) {
			// Too big to go inline: the bodies are built again, one at a time, into the JSONL upload.
			group.inline = false;
			for (const earlier of group.entries) earlier.body = undefined;
		}
		if (group.inline) entry.body = prepared.request.body;
		group.entries.push(entry);
	}
	return [...groups.values()];
}

type Outcome = INodeExecutionData | Error;

class BatchRun {
	constructor(
		private readonly context: IExecuteFunctions,
		private readonly run: RunContext,
		private readonly prepare: PrepareItem,
		private readonly reuseFinished: boolean,
		private readonly maxWaitMs: number,
	) {}

	private get options(): CallOptions {
		return this.run.callOptions;
	}

	/** Job progress at info level: its name, state and counts, never a prompt or an image. */
	private log(message: string, job: BatchJob, extra: LogFields = {}): void {
		this.run.log.info(`${message} (${job.name}, ${job.state})`, {
			batchJob: job.name,
			state: job.state,
			...job.stats,
			...extra,
		});
	}

	async runGroup(group: JobGroup, settle: (itemIndex: number, outcome: Outcome) => void): Promise<void> {
		if (group.entries.length === 0) return;
		const displayName = batchDisplayName(group.modelId, group.entries);
		let job = await this.findExisting(displayName);
		if (job) {
			this.log('attached to the batch job already sent for these items', job, { model: group.modelId });
		} else {
			const created = await this.create(group, displayName, settle).then(
				(value) => ({ value }),
				(error: unknown) => ({ error }),
			);
			if (!('value' in created)) {
				// Stopped while the create request was out: Google may have the job without us
				// knowing its name. It is found by its display name and cancelled like any other.
				const orphan = this.run.signal?.aborted ? await this.findExisting(displayName, this.afterStop) : undefined;
				if (orphan) await this.cancel(orphan);
				throw created.error;
			}
			job = created.value;
			this.log('batch job created', job, { model: group.modelId, requests: group.entries.length });
		}
		job = await this.waitUntilFinished(job);
		if (job.state !== 'BATCH_STATE_SUCCEEDED') throw this.jobFailure(job);
		this.log('batch job finished', job);
		await this.deliver(job, group, settle);
	}

	private async findExisting(displayName: string, options = this.options): Promise<BatchJob | undefined> {
		const { request, backend } = this.run;
		return await findBatch(
			request,
			backend,
			(job) => job.displayName === displayName && canAttach(job.state, this.reuseFinished),
			options,
		).catch((error: unknown) => {
			if (options === this.afterStop) return undefined;
			throw error;
		});
	}

	/** For the calls that must still go out after "Stop" (cancelling the job): no stop signal, short. */
	private get afterStop(): CallOptions {
		return (this.afterStopOptions ??= {
			...this.run.callOptions,
			signal: undefined,
			policy: { ...this.run.callOptions.policy, maxRetries: 1 },
			timeoutMs: 15_000,
		});
	}

	private afterStopOptions?: CallOptions;

	private async create(
		group: JobGroup,
		displayName: string,
		settle: (itemIndex: number, outcome: Outcome) => void,
	): Promise<BatchJob> {
		const { request, backend } = this.run;
		if (group.inline) {
			const body = inlineBatchBody(
				displayName,
				group.entries.map((entry) => ({ key: entry.key, body: entry.body as Buffer })),
			);
			for (const entry of group.entries) entry.body = undefined;
			return await createBatch(request, backend, group.modelId, body, this.options);
		}
		const fileName = await uploadJsonl(request, backend, this.requestLines(group, settle), displayName, this.options);
		this.run.log.info('batch requests uploaded as a JSONL file', {
			file: fileName,
			model: group.modelId,
			requests: group.entries.length,
		});
		return await createBatch(request, backend, group.modelId, fileBatchBody(displayName, fileName), this.options);
	}

	/** The JSONL lines of a file job, each built when the upload is ready for it. */
	private async *requestLines(
		group: JobGroup,
		settle: (itemIndex: number, outcome: Outcome) => void,
	): AsyncGenerator<Buffer> {
		for (const entry of group.entries) {
			let prepared: PreparedItem;
			try {
				prepared = await this.prepare(this.context, entry.itemIndex, this.run);
			} catch (error) {
				settle(entry.itemIndex, error instanceof Error ? error : new Error(String(error)));
				continue;
			}
			yield jsonlLine(entry.key, prepared.request.body);
		}
	}

	private async waitUntilFinished(created: BatchJob): Promise<BatchJob> {
		const { request, backend, signal } = this.run;
		const giveUpAt = Date.now() + this.maxWaitMs;
		let job = created;
		let lastState = job.state;
		for (let poll = 0; !FINISHED_STATES.has(job.state); poll++) {
			const remaining = giveUpAt - Date.now();
			if (remaining <= 0) throw this.stillRunning(job);
			try {
				const stopped = await waitUnlessStopped(Math.min(pollDelayMs(poll), remaining), signal).then(
					() => false,
					() => true,
				);
				if (!stopped) job = await getBatch(request, backend, job.name, this.options);
			} finally {
				// Also when a poll was cut short by the stop: `cancel` ends the run with its own message.
				if (signal?.aborted) await this.cancel(job);
			}
			if (job.state !== lastState) {
				this.log('batch job state', job);
				lastState = job.state;
			}
		}
		return job;
	}

	/** Stopping the execution stops the job too: nobody would collect its results. */
	private async cancel(job: BatchJob): Promise<never> {
		try {
			await cancelBatch(this.run.request, this.run.backend, job.name, this.afterStop);
			this.log('batch job cancelled because the execution was stopped', job);
		} catch {
			this.run.log.warn('could not cancel the batch job', { batchJob: job.name });
		}
		throw new NodeOperationError(this.context.getNode(), `The execution was stopped; batch job ${job.name} was cancelled at Google`, {
			description: 'Run the workflow again to send the items again.',
		});
	}

	private stillRunning(job: BatchJob): NodeOperationError {
		const minutes = Math.round((this.maxWaitMs / MINUTE_MS) * 10) / 10;
		const done = job.stats.requestCount !== undefined
			? ` (${(job.stats.successfulRequestCount ?? 0) + (job.stats.failedRequestCount ?? 0)} of ${job.stats.requestCount} requests done)`
			: '';
		return new NodeOperationError(
			this.context.getNode(),
			`Batch job ${job.name} is still running at Google after ${minutes} minutes${done}`,
			{
				description:
					`The job keeps running and its results are kept. To collect them, run the workflow again with the same items: the node finds job ${job.name} by its fingerprint and waits for it instead of sending (and paying for) the requests again. To wait longer in one execution, raise "Batch Max Wait (Minutes)".`,
			},
		);
	}

	private jobFailure(job: BatchJob): NodeOperationError {
		const google = job.error ? ` Google said: "${job.error.message}"` : '';
		const node = this.context.getNode();
		if (job.state === 'BATCH_STATE_EXPIRED') {
			return new NodeOperationError(node, `Batch job ${job.name} expired before Google finished it`, {
				description: `Google gives a batch job 48 hours; this one ran out of time (usually a sign of heavy load at Google). Run the workflow again, or turn off "Batch Mode (Half Price)" to send the items one by one.${google}`,
			});
		}
		if (job.state === 'BATCH_STATE_CANCELLED') {
			return new NodeOperationError(node, `Batch job ${job.name} was cancelled`, {
				description: `Someone or something cancelled the job at Google before it finished. Run the workflow again to send the items again.${google}`,
			});
		}
		return new NodeOperationError(node, `Batch job ${job.name} failed at Google (${job.state})`, {
			description: `Google could not run the job as a whole.${google || ' It gave no reason.'} Check that the model supports Batch Mode, then run again; or turn off "Batch Mode (Half Price)".`,
		});
	}

	/** Step 4: every answer goes through the same reading and output shaping as the request pool's. */
	private async deliver(
		job: BatchJob,
		group: JobGroup,
		settle: (itemIndex: number, outcome: Outcome) => void,
	): Promise<void> {
		const pending = new Map(group.entries.map((entry) => [entry.key, entry]));
		const take = async (result: BatchItemResult) => {
			const entry = pending.get(result.key);
			if (!entry || itemIndexOfKey(result.key) !== entry.itemIndex) return;
			pending.delete(result.key);
			settle(entry.itemIndex, await this.outcomeOf(job, group.modelId, entry, result));
		};
		if (job.inlinedResponses) {
			for (const result of job.inlinedResponses) await take(result);
		} else if (job.responsesFile) {
			await this.readResultsFile(job, job.responsesFile, take, () => pending.size > 0);
		}
		for (const entry of pending.values()) {
			settle(
				entry.itemIndex,
				new MissingBatchResultError(this.context.getNode(), `Batch job ${job.name} finished without an answer for this item`, {
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
	private async readResultsFile(
		job: BatchJob,
		fileName: string,
		take: (result: BatchItemResult) => Promise<void>,
		wantsMore: () => boolean,
	): Promise<void> {
		const { request, backend } = this.run;
		for (let download = 1; ; download++) {
			const stream = await downloadFile(request, backend, fileName, this.options);
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
			if (download >= RESULT_DOWNLOADS || this.run.signal?.aborted) {
				throw new TransportError({ kind: 'network', code: 'ECONNRESET', message: `the results of ${job.name} stopped arriving` }, download);
			}
			this.log('results download cut short; reading it again', job, { download });
		}
	}

	private async outcomeOf(job: BatchJob, modelId: string, entry: BatchEntry, result: BatchItemResult): Promise<Outcome> {
		try {
			if (result.error) {
				const failure = new TransportError(
					{ kind: 'api', statusCode: result.error.code, error: result.error },
					1,
				);
				failure.modelId = modelId;
				return failure;
			}
			if (!result.response) {
				return new TransportError({ kind: 'malformed', statusCode: 200, snippet: 'a batch result without a response' }, 1);
			}
			return await finishImageItem(this.context, entry.itemIndex, entry.prepared, imageAnswerFrom(result.response), {
				modelId,
				attempts: 1,
				shared: false,
				batchJob: job.name,
			});
		} catch (error) {
			return error instanceof Error ? error : new Error(String(error));
		}
	}
}
