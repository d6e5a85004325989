import type { IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import type { Backend } from './backends';
import { failureFromThrown, type TransportFailure } from './failures';
import type { RequestGate, SlotOutcome } from './gate';
import { bodyAsJson, parseGenerateContentResponse, parseGoogleError, parseModelList, parseUploadedFile } from './parse';
import { nextRetryDelayMs, parseRetryAfterMs, pausesWholePool, retryDelayFrom, type RetryPolicy } from './retry';
import type { FileData, GenerateContentResponse, Model } from './types';
import { waitUnlessStopped } from './wait';

/**
 * Sends requests to Google through n8n's authenticated HTTP helper (proxy, SSRF rules and the
 * credential's auth all apply) and retries what can be retried.
 */

/** `this.helpers.httpRequestWithAuthentication` bound to the running node. */
export type AuthenticatedRequest = (
	credentialType: string,
	options: IHttpRequestOptions,
) => Promise<unknown>;

export interface CallOptions {
	policy: RetryPolicy;
	timeoutMs: number;
	gate: RequestGate;
	signal?: AbortSignal;
	/** Epoch ms after which no new attempt starts and the last one is cut short (item budget). */
	deadlineAt?: number;
	random?: () => number;
	sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The last failure of a request, after retries. */
export class TransportError extends Error {
	/** The model the failed request was for, when it was a generateContent request. */
	modelId?: string;

	constructor(
		readonly failure: TransportFailure,
		readonly attempts: number,
	) {
		super(`Request failed: ${failure.kind}`);
	}
}

function isFullResponse(value: unknown): value is IN8nHttpFullResponse {
	return typeof value === 'object' && value !== null && 'statusCode' in value;
}

function snippetOf(body: unknown): string {
	const text = typeof body === 'string' ? body : JSON.stringify(body) ?? '';
	return text.slice(0, 200);
}

/**
 * Every status but 401 comes back as a response so Google's error body can be read; 401 must
 * throw, because that is what makes n8n refresh the service-account token and retry once.
 * n8n 1.x ignores the `except` list and hands back the 401: the request is then repeated in
 * n8n's strict mode, where the 401 throws and the refresh happens.
 */
async function attempt(
	request: AuthenticatedRequest,
	backend: Backend,
	options: IHttpRequestOptions,
	signal: AbortSignal | undefined,
): Promise<{ response: IN8nHttpFullResponse } | { failure: TransportFailure }> {
	try {
		let response = await request(backend.credentialType, {
			...options,
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: { ignore: true, except: [401] },
		});
		if (isFullResponse(response) && response.statusCode === 401) {
			response = await request(backend.credentialType, { ...options, json: true, returnFullResponse: true });
		}
		if (!isFullResponse(response)) {
			return { failure: { kind: 'malformed', statusCode: 200, snippet: snippetOf(response) } };
		}
		if (response.statusCode >= 200 && response.statusCode < 300) return { response };
		return {
			failure: {
				kind: 'api',
				statusCode: response.statusCode,
				error: parseGoogleError(response.statusCode, response.body),
				retryAfterMs: parseRetryAfterMs(response.headers['retry-after'], Date.now()),
			},
		};
	} catch (error) {
		return { failure: failureFromThrown(error, signal) };
	}
}

function slotOutcome(outcome: { response: IN8nHttpFullResponse } | { failure: TransportFailure }): SlotOutcome {
	if ('response' in outcome) return 'success';
	const { failure } = outcome;
	return failure.kind === 'api' && failure.statusCode === 429 ? 'rateLimited' : 'failed';
}

/** Builds the options of one attempt; called anew for each, so a streamed body can be reopened. */
type AttemptOptions = (timeoutMs: number) => IHttpRequestOptions | Promise<IHttpRequestOptions>;

/** Reads a 2xx answer; undefined means the body was not the answer expected. */
type ReadAnswer<T> = (response: IN8nHttpFullResponse) => T | undefined;

async function pause(wait: () => Promise<void>, attempts: number): Promise<void> {
	// n8n's abortable sleep rejects when the execution is stopped.
	const stopped = await wait().then(
		() => false,
		() => true,
	);
	if (stopped) throw new TransportError({ kind: 'cancelled' }, attempts);
}

async function withRetries<T>(
	request: AuthenticatedRequest,
	backend: Backend,
	makeOptions: AttemptOptions,
	options: CallOptions,
	read: ReadAnswer<T>,
): Promise<{ value: T; attempts: number }> {
	const random = options.random ?? Math.random;
	const sleep = options.sleep ?? waitUnlessStopped;
	const { signal, deadlineAt } = options;
	for (let attemptIndex = 0; ; attemptIndex++) {
		const remaining = deadlineAt === undefined ? Infinity : deadlineAt - Date.now();
		const httpOptions = await makeOptions(Math.max(1, Math.min(options.timeoutMs, remaining)));
		const acquired = await options.gate.acquire(signal).catch(() => false);
		if (!acquired) throw new TransportError({ kind: 'cancelled' }, attemptIndex);
		const outcome = await attempt(request, backend, httpOptions, signal);
		options.gate.release(slotOutcome(outcome));

		let failure: TransportFailure;
		if ('response' in outcome) {
			const value = read(outcome.response);
			if (value !== undefined) return { value, attempts: attemptIndex + 1 };
			failure = { kind: 'malformed', statusCode: outcome.response.statusCode, snippet: snippetOf(outcome.response.body) };
		} else {
			failure = outcome.failure;
		}

		const delay = nextRetryDelayMs(failure, attemptIndex, options.policy, random);
		const outOfTime = deadlineAt !== undefined && delay !== undefined && Date.now() + delay >= deadlineAt;
		if (delay === undefined || outOfTime || signal?.aborted) {
			throw new TransportError(signal?.aborted ? { kind: 'cancelled' } : failure, attemptIndex + 1);
		}
		const serverDelay = retryDelayFrom(failure);
		if (serverDelay !== undefined && pausesWholePool(failure, options.gate.requestsInFlight)) {
			options.gate.pauseFor(serverDelay);
		}
		await pause(async () => await sleep(delay, signal), attemptIndex + 1);
	}
}

/** Sends an encoded generateContent body (see `encode.ts`) to `modelId`. */
export async function generateContent(
	request: AuthenticatedRequest,
	backend: Backend,
	modelId: string,
	body: Buffer,
	options: CallOptions,
): Promise<{ response: GenerateContentResponse; attempts: number }> {
	const url = backend.generateContentUrl(modelId);
	const { value, attempts } = await withRetries(
		request,
		backend,
		(timeout) => ({ method: 'POST', url, body, headers: { 'Content-Type': 'application/json' }, timeout }),
		options,
		(response) => parseGenerateContentResponse(response.body),
	);
	return { response: value, attempts };
}

/** All models the backend lists, following page tokens (bounded, in case a proxy loops). */
export async function listModels(
	request: AuthenticatedRequest,
	backend: Backend,
	options: CallOptions,
): Promise<Model[]> {
	const models: Model[] = [];
	let pageToken: string | undefined;
	for (let page = 0; page < 20; page++) {
		const { value } = await withRetries(
			request,
			backend,
			(timeout) => ({
				method: 'GET',
				url: backend.listModelsUrl,
				qs: { pageSize: 1000, ...(pageToken ? { pageToken } : {}) },
				timeout,
			}),
			options,
			(response) => parseModelList(response.body),
		);
		models.push(...value.models);
		pageToken = value.nextPageToken;
		if (!pageToken) break;
	}
	return models;
}

export interface UploadSource {
	mimeType: string;
	size: number;
	displayName: string;
	/** Opens the bytes to send; called again when an attempt must be repeated. */
	open(): Promise<unknown>;
}

function headerValue(headers: IN8nHttpFullResponse['headers'], name: string): string | undefined {
	const value = headers[name] ?? headers[name.toLowerCase()];
	return typeof value === 'string' ? value : Array.isArray(value) ? String(value[0]) : undefined;
}

/**
 * Uploads a file through the Gemini API's Files API (resumable protocol: start, then upload and
 * finalize in one request) and returns the file the model can read by URI.
 */
export async function uploadFile(
	request: AuthenticatedRequest,
	backend: Backend,
	source: UploadSource,
	options: CallOptions,
): Promise<FileData> {
	const uploadUrl = backend.fileUploadUrl;
	if (!uploadUrl) throw new TransportError({ kind: 'other', message: `${backend.label} has no Files API` }, 0);
	const session = await withRetries(
		request,
		backend,
		(timeout) => ({
			method: 'POST',
			url: uploadUrl,
			headers: {
				'X-Goog-Upload-Protocol': 'resumable',
				'X-Goog-Upload-Command': 'start',
				'X-Goog-Upload-Header-Content-Length': String(source.size),
				'X-Goog-Upload-Header-Content-Type': source.mimeType,
				'Content-Type': 'application/json',
			},
			body: { file: { display_name: source.displayName } },
			timeout,
		}),
		options,
		(response) => headerValue(response.headers, 'x-goog-upload-url'),
	);
	const { value: file } = await withRetries(
		request,
		backend,
		async (timeout) => ({
			method: 'POST',
			url: session.value,
			headers: {
				'Content-Length': String(source.size),
				'X-Goog-Upload-Offset': '0',
				'X-Goog-Upload-Command': 'upload, finalize',
			},
			body: (await source.open()) as IHttpRequestOptions['body'],
			timeout,
		}),
		options,
		(response) => parseUploadedFile(response.body),
	);
	const active = await waitUntilActive(request, backend, file, options);
	return { mimeType: active.mimeType ?? source.mimeType, fileUri: active.uri };
}

type UploadedFile = NonNullable<ReturnType<typeof parseUploadedFile>>;

/** Google processes some uploads before a model may read them; images are usually ACTIVE at once. */
async function waitUntilActive(
	request: AuthenticatedRequest,
	backend: Backend,
	uploaded: UploadedFile,
	options: CallOptions,
): Promise<UploadedFile> {
	const sleep = options.sleep ?? waitUnlessStopped;
	let file = uploaded;
	for (let poll = 0; file.state === 'PROCESSING' && poll < FILE_POLLS; poll++) {
		await pause(async () => await sleep(FILE_POLL_INTERVAL_MS, options.signal), poll);
		({ value: file } = await withRetries(
			request,
			backend,
			(timeout) => ({ method: 'GET', url: uploaded.uri, timeout }),
			options,
			(response) => parseUploadedFile({ file: bodyAsJson(response.body) }),
		));
	}
	if (file.state === 'ACTIVE' || file.state === undefined) return file;
	throw new TransportError(
		{ kind: 'other', message: `Google could not prepare the uploaded image for the model (file state ${file.state})` },
		1,
	);
}

const FILE_POLLS = 30;
const FILE_POLL_INTERVAL_MS = 1000;
