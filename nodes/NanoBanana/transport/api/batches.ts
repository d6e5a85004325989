import { checkResourceName, type Backend, type BatchEndpoints } from '../auth/backends';
import { parseBatchJob, parseBatchList } from '../google/parseBatch';
import type { BatchJob } from '../google/types';
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

export async function getBatch(
	request: AuthenticatedRequest,
	backend: Backend,
	jobName: string,
	options: CallOptions,
): Promise<BatchJob> {
	const url = batchEndpoints(backend).jobUrl(jobName);
	const { value } = await withRetries(
		request,
		backend,
		{
			name: 'batches.get',
			options: () => ({ method: 'GET', url }),
			read: (response) => readJob(response.body),
			describe: (job) => ({ batchJob: job.name, state: job.state }),
		},
		options,
	);
	return value;
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
		const { value } = await withRetries(
			request,
			backend,
			{
				name: 'batches.list',
				options: () => ({ method: 'GET', url, qs: query }),
				read: (response) => parseBatchList(response.body),
			},
			options,
		);
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
			read: (response) => {
				const body = response.body as unknown;
				return typeof body === 'object' && body !== null && Symbol.asyncIterator in body
					? (body as AsyncIterable<Buffer>)
					: undefined;
			},
		},
		options,
	);
	return value;
}
