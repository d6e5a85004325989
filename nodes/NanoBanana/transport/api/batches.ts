import { checkResourceName, type Backend, type BatchEndpoints } from '../auth/backends';
import { readJsonWithout } from '../google/jsonStream';
import { parseBatchItemResult, parseBatchJob, parseBatchList } from '../google/parseBatch';
import type { BatchItemResult, BatchJob } from '../google/types';
import { TransportError, withRetries, type AuthenticatedRequest, type CallOptions } from '../http/client';

/**
 * Google's Batch Mode wire calls (Gemini API): create a job from inline requests or a JSONL file,
 * read it, list jobs, cancel it, and download a file of results as a stream (the JSONL upload is
 * the Files API's, in `files.ts`).
 */

export const FINISHED_STATES = new Set([
	'BATCH_STATE_SUCCEEDED',
	'BATCH_STATE_FAILED',
	'BATCH_STATE_CANCELLED',
	'BATCH_STATE_EXPIRED',
]);

/** The backend's batch endpoints; a backend without them (Vertex AI) never reaches this far. */
export function batchEndpoints(backend: Backend): BatchEndpoints {
	if (!backend.batches) throw new TransportError({ kind: 'other', message: `${backend.label} has no Batch Mode` }, 0);
	return backend.batches;
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };

/**
 * The create body of a job whose requests travel inside it. Encoded bodies are spliced in as they
 * are, so no image is encoded twice.
 */
export function inlineBatchBody(displayName: string, requests: Array<{ key: string; body: Buffer }>): Buffer {
	const parts: Buffer[] = [Buffer.from(`{"batch":{"displayName":${JSON.stringify(displayName)},"inputConfig":{"requests":{"requests":[`)];
	requests.forEach(({ key, body }, index) => {
		parts.push(Buffer.from(`${index > 0 ? ',' : ''}{"request":`), body, Buffer.from(`,"metadata":{"key":${JSON.stringify(key)}}}`));
	});
	parts.push(Buffer.from(']}}}}'));
	return Buffer.concat(parts);
}

/** Bytes `inlineBatchBody` adds around each request body, besides its key. */
export const INLINE_REQUEST_OVERHEAD_BYTES = 64;

/** The create body of a job whose requests are in an uploaded JSONL file. */
export function fileBatchBody(displayName: string, fileName: string): Buffer {
	return Buffer.from(JSON.stringify({ batch: { displayName, inputConfig: { fileName } } }));
}

function readJob(body: unknown): BatchJob | undefined {
	const job = parseBatchJob(body);
	if (!job) return undefined;
	checkResourceName(job.name, 'job');
	return job;
}

/**
 * `POST models/{model}:batchGenerateContent` with a `{batch: …}` body (`inlineBatchBody`,
 * `fileBatchBody`). A create whose answer was lost (reset, timeout, 5xx) may have made the job:
 * before it is sent again, `findCreated` looks for it (by its display name), and the job found is
 * the answer. When the lookup itself fails, the create is not repeated.
 */
export async function createBatch(
	request: AuthenticatedRequest,
	backend: Backend,
	modelId: string,
	body: Buffer,
	options: CallOptions,
	findCreated: (failure: TransportError['failure']) => Promise<BatchJob | undefined>,
): Promise<BatchJob> {
	const url = batchEndpoints(backend).createUrl(modelId);
	const { value } = await withRetries(
		request,
		backend,
		{
			name: 'batchGenerateContent',
			options: () => ({ method: 'POST', url, body, headers: JSON_HEADERS }),
			read: (response) => readJob(response.body),
			describe: (job) => ({ batchJob: job.name, state: job.state }),
			recover: findCreated,
		},
		options,
	);
	return value;
}

/** The key whose arrays hold a job's inline results (in `metadata.output` and in `response`). */
const RESULTS_KEY = 'inlinedResponses';

/**
 * A JSON resource read as a stream: never held whole, so a job whose results travel inside it
 * (hundreds of images, past V8's 512 MB string limit) is read like any other. Inline results go
 * to `onResult` one at a time (or nowhere); the rest is parsed by `parse`. The Timeout covers the
 * wait for the answer to start and stalls, not the whole transfer, as for a results file.
 */
async function readStreamed<T>(
	request: AuthenticatedRequest,
	backend: Backend,
	name: string,
	url: string,
	qs: Record<string, string | number> | undefined,
	parse: (body: unknown) => T | undefined,
	options: CallOptions,
	onResult?: (result: BatchItemResult) => Promise<void>,
): Promise<T> {
	const { value: stream } = await withRetries(
		request,
		backend,
		{
			name,
			options: () => ({ method: 'GET', url, ...(qs ? { qs } : {}), headers: { Accept: 'application/json' }, encoding: 'stream' }),
			read: (response) => asStream(response.body),
		},
		options,
	);
	const rest = await readJsonWithout(stream, RESULTS_KEY, async (element) => {
		const result = onResult ? parseBatchItemResult(element.toString('utf8')) : undefined;
		if (result && onResult) await onResult(result);
	}).catch((error: unknown) => {
		// A body cut short is a broken connection: the caller may read it again.
		throw error instanceof TransportError
			? error
			: new TransportError({ kind: 'network', code: 'ECONNRESET', message: `the answer of ${name} stopped arriving` }, 1);
	});
	const value = parse(rest);
	if (value === undefined) throw new TransportError({ kind: 'malformed', statusCode: 200, snippet: `an unreadable answer of ${name}` }, 1);
	return value;
}

function asStream(body: unknown): AsyncIterable<Buffer> | undefined {
	return typeof body === 'object' && body !== null && Symbol.asyncIterator in body ? (body as AsyncIterable<Buffer>) : undefined;
}

/**
 * `GET batches/{id}`, read as a stream. A job with inline results comes back with
 * `inlinedResponses: []` (they are not kept); pass `onResult` to have them, one at a time.
 */
export async function getBatch(
	request: AuthenticatedRequest,
	backend: Backend,
	jobName: string,
	options: CallOptions,
	onResult?: (result: BatchItemResult) => Promise<void>,
): Promise<BatchJob> {
	const url = batchEndpoints(backend).jobUrl(jobName);
	return await readStreamed(request, backend, 'batches.get', url, undefined, readJob, options, onResult);
}

/** Pages through the account's batch jobs until `wanted` finds one (bounded, in case a proxy loops). */
export async function findBatch(
	request: AuthenticatedRequest,
	backend: Backend,
	wanted: (job: BatchJob) => boolean,
	options: CallOptions,
	maxPages = 20,
): Promise<BatchJob | undefined> {
	const url = batchEndpoints(backend).listUrl;
	let pageToken: string | undefined;
	for (let page = 0; page < maxPages; page++) {
		const query = { pageSize: 100, ...(pageToken ? { pageToken } : {}) };
		// Streamed too: a page may list finished jobs with their inline results.
		const value = await readStreamed(request, backend, 'batches.list', url, query, parseBatchList, options);
		const found = value.jobs.find(wanted);
		if (found) return { ...found, name: checkResourceName(found.name, 'job') };
		pageToken = value.nextPageToken;
		if (!pageToken) return undefined;
	}
	return undefined;
}

export async function cancelBatch(
	request: AuthenticatedRequest,
	backend: Backend,
	jobName: string,
	options: CallOptions,
): Promise<void> {
	const url = batchEndpoints(backend).cancelUrl(jobName);
	await withRetries(
		request,
		backend,
		{ name: 'batches.cancel', options: () => ({ method: 'POST', url, body: {}, headers: JSON_HEADERS }), read: () => true },
		options,
	);
}

/** `DELETE batches/{id}`: the job and its results are gone at Google. */
export async function deleteBatch(
	request: AuthenticatedRequest,
	backend: Backend,
	jobName: string,
	options: CallOptions,
): Promise<void> {
	const url = batchEndpoints(backend).jobUrl(jobName);
	await withRetries(request, backend, { name: 'batches.delete', options: () => ({ method: 'DELETE', url }), read: () => true }, options);
}

/**
 * Opens a results file as a stream of bytes (`GET /download/v1beta/files/…:download?alt=media`).
 * The body is never buffered: results of hundreds of images arrive line by line. The Timeout
 * covers the wait for the download to start and stalls, not the whole transfer (`attempt.ts`).
 */
export async function downloadFile(
	request: AuthenticatedRequest,
	backend: Backend,
	fileName: string,
	options: CallOptions,
): Promise<AsyncIterable<Buffer>> {
	const url = batchEndpoints(backend).downloadUrl(fileName);
	const { value } = await withRetries(
		request,
		backend,
		{
			name: 'download (batch results)',
			options: () => ({ method: 'GET', url, qs: { alt: 'media' }, headers: { Accept: '*/*' }, encoding: 'stream' }),
			read: (response) => asStream(response.body),
		},
		options,
	);
	return value;
}
