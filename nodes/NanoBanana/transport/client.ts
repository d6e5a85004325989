import type { IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import type { Backend } from './backends';
import { failureFromThrown, type TransportFailure } from './failures';
import { isSlot, type AttemptResult, type GateLane, type PacingEvent } from './gate';
import { duration, silentLog, type LogFields, type NodeLog } from './log';
import { bodyAsJson, isJsonDocument, parseGenerateContentResponse, parseGoogleError, parseModelList, parseUploadedFile } from './parse';
import { redactedSnippet } from './redact';
import { nextRetryDelayMs, parseRetryAfterMs, type RetryPolicy } from './retry';
import type { FileData, GenerateContentResponse, Model } from './types';
import { waitUnlessStopped } from './wait';

/**
 * Sends requests to Google through n8n's authenticated HTTP helper (proxy, SSRF rules and the
 * credential's auth all apply) and retries what can be retried.
 */

/**
 * `this.helpers.httpRequestWithAuthentication` bound to the running node. `abortSignal` in the
 * options ends that one request (its timeout); the caller makes it reach n8n's HTTP client.
 */
export type AuthenticatedRequest = (
	credentialType: string,
	options: IHttpRequestOptions,
) => Promise<unknown>;

/**
 * Remembers, for one execution, that Google refused the credential itself: a 401 that n8n's token
 * refresh did not cure. Every later request of the execution fails with that refusal unsent, so a
 * dead key costs one request, not one (plus a token exchange) per item.
 */
export class CredentialRefusal {
	private refusal?: TransportFailure;

	get failure(): TransportFailure | undefined {
		return this.refusal;
	}

	/** Records `failure` when it is such a refusal; true when it is the first one recorded. */
	record(failure: TransportFailure): boolean {
		if (this.refusal || failure.kind !== 'api' || failure.statusCode !== 401) return false;
		this.refusal = failure;
		return true;
	}
}

export interface CallOptions {
	policy: RetryPolicy;
	timeoutMs: number;
	/** The execution's lane in the process's shared gate of this credential and model (or Files API). */
	gate: GateLane;
	/** The credential's secret values: removed from every snippet before it is shortened. */
	secrets: readonly string[];
	signal?: AbortSignal;
	/** Epoch ms after which no new attempt starts and the last one is cut short (item budget). */
	deadlineAt?: number;
	/** Shared by all requests of one execution; see `CredentialRefusal`. */
	refusal?: CredentialRefusal;
	/** Where attempts, retries and pauses are logged, with the item index and model already on it. */
	log?: NodeLog;
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

/** The start of an unreadable answer shown in the error (already redacted). */
const SNIPPET_LENGTH = 120;

function snippetOf(body: unknown, secrets: readonly string[]): string {
	const text = typeof body === 'string' ? body : JSON.stringify(body) ?? '';
	return redactedSnippet(text, secrets, SNIPPET_LENGTH);
}

type Outcome = { response: IN8nHttpFullResponse } | { failure: TransportFailure };

/**
 * Every status but 401 comes back as a response so Google's error body can be read; 401 must
 * throw, because that is what makes n8n refresh the service-account token and retry once.
 * n8n 1.x ignores the `except` list and hands back the 401: the request is then repeated in
 * n8n's strict mode, where the 401 throws and the refresh happens.
 */
async function send(
	request: AuthenticatedRequest,
	backend: Backend,
	options: IHttpRequestOptions,
	secrets: readonly string[],
): Promise<Outcome> {
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
		return { failure: { kind: 'malformed', statusCode: 200, snippet: snippetOf(response, secrets), cause: 'unreadable' } };
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
}

/**
 * One attempt, over after `timeoutMs` whatever the server does. n8n's own `timeout` only fires
 * when the connection goes quiet, so a server trickling bytes could hold a request for ever: the
 * attempt races a timer that aborts the request (through its own signal, which also follows the
 * execution's Stop) and, should an n8n version not pass the signal on, stops waiting for it.
 */
async function attempt(
	request: AuthenticatedRequest,
	backend: Backend,
	options: IHttpRequestOptions,
	timeoutMs: number,
	timedOut: TransportFailure,
	call: CallOptions,
): Promise<Outcome> {
	const { signal } = call;
	// Timers from AbortSignal.timeout do not keep n8n's process alive and need no clearing.
	const expiry = AbortSignal.timeout(timeoutMs);
	const abortSignal = signal ? AbortSignal.any([signal, expiry]) : expiry;
	const deadline = new Promise<Outcome>((resolve) => {
		expiry.addEventListener('abort', () => resolve({ failure: timedOut }), { once: true });
	});
	const sent = send(request, backend, { ...options, timeout: timeoutMs, abortSignal }, call.secrets).catch(
		(error: unknown): Outcome => ({ failure: expiry.aborted ? timedOut : failureFromThrown(error, signal) }),
	);
	return await Promise.race([sent, deadline]);
}

function attemptResult(outcome: Outcome): AttemptResult {
	return 'response' in outcome ? { ok: true } : { ok: false, failure: outcome.failure };
}

/** Logs what the shared gate decided after an answer: every execution using it is affected. */
function logPacing(log: NodeLog, event: PacingEvent, cause: TransportFailure | undefined): void {
	const fields = cause ? failureFields(cause) : {};
	switch (event.kind) {
		case 'paused':
			log.warn(
				`${event.cause === 'rateLimit' ? 'rate limit' : 'server busy'}: Google asked to wait ${duration(event.pauseMs)}${cause ? ` after ${failureSummary(cause)}` : ''}; no request for this credential and model starts before then`,
				{ ...fields, pauseMs: event.pauseMs },
			);
			return;
		case 'rate': {
			const perMinute = Math.round((60_000 / event.intervalMs) * 10) / 10;
			const what =
				event.reason === 'probedUp'
					? 'no refusal for a while: trying a slightly higher rate'
					: `rate limit (${event.acceptedInWindow ?? '?'} accepted in ${duration(event.windowMs)})`;
			log.info(`${what}: starting requests every ${duration(Math.round(event.intervalMs))} (${perMinute} per minute)`, {
				...fields,
				paceMs: Math.round(event.intervalMs),
				windowMs: event.windowMs,
				acceptedInWindow: event.acceptedInWindow,
				paceChange: event.reason,
			});
			return;
		}
		case 'concurrencyCap':
			log.info(`at most ${event.cap} requests in flight for this credential and model`, { ...fields, concurrencyCap: event.cap });
	}
}

/** How an attempt ended, in a few words for the log. */
function failureSummary(failure: TransportFailure): string {
	switch (failure.kind) {
		case 'api':
			return `${failure.statusCode}${failure.error.status ? ` ${failure.error.status}` : ''}`;
		case 'network':
			return failure.code;
		case 'malformed':
			return `${failure.statusCode} with an unreadable body`;
		case 'budget':
			return 'item time budget used up';
		default:
			return failure.kind;
	}
}

function failureFields(failure: TransportFailure): LogFields {
	return {
		status: failure.kind === 'api' || failure.kind === 'malformed' ? failure.statusCode : undefined,
		failure: failure.kind === 'api' ? failure.error.details.reason ?? failure.error.status : failure.kind === 'network' ? failure.code : failure.kind,
	};
}

/** One request as `withRetries` runs it. */
interface RequestSpec<T> {
	/** What is requested, for the log: "generateContent", "upload", … */
	name: string;
	/** Builds the options of one attempt; called anew for each, so a streamed body can be reopened. */
	options(): IHttpRequestOptions | Promise<IHttpRequestOptions>;
	/** Reads a 2xx answer; undefined means the body was not the answer expected. */
	read(response: IN8nHttpFullResponse): T | undefined;
	/** Log fields of a good answer (ids, token counts). */
	describe?(value: T): LogFields;
}

async function pause(wait: () => Promise<void>, attempts: number): Promise<void> {
	// n8n's abortable sleep rejects when the execution is stopped.
	const stopped = await wait().then(
		() => false,
		() => true,
	);
	if (stopped) throw new TransportError({ kind: 'cancelled' }, attempts);
}

/** Sends a request (any of Google's endpoints) through the gate, retrying what can be retried. */
export async function withRetries<T>(
	request: AuthenticatedRequest,
	backend: Backend,
	spec: RequestSpec<T>,
	options: CallOptions,
): Promise<{ value: T; attempts: number }> {
	const random = options.random ?? Math.random;
	const sleep = options.sleep ?? waitUnlessStopped;
	const { signal, deadlineAt, refusal } = options;
	const log = (options.log ?? silentLog).with({ request: spec.name });
	let unreadableAnswers = 0;
	let lastFailure: TransportFailure | undefined;
	for (let attemptIndex = 0; ; attemptIndex++) {
		const refused = refusal?.failure;
		if (refused) throw new TransportError(refused, attemptIndex);
		const slot = await options.gate.acquire(signal, deadlineAt);
		if (slot === 'stopped') throw new TransportError({ kind: 'cancelled' }, attemptIndex);
		if (slot === 'outOfTime') throw new TransportError(lastFailure ?? { kind: 'budget' }, attemptIndex);
		// A per-day quota or spend cap met by this execution: the item fails unsent, with that answer.
		if (!isSlot(slot)) throw new TransportError(slot.closedBy, Math.max(1, attemptIndex));
		// The clock is read after the gate: a request that waited for its turn gets only the time left.
		const remaining = deadlineAt === undefined ? Infinity : deadlineAt - Date.now();
		const refusedWhileWaiting = refusal?.failure;
		if (refusedWhileWaiting || remaining <= 0) {
			options.gate.release(slot, { ok: false, failure: { kind: 'cancelled' } });
			throw new TransportError(refusedWhileWaiting ?? { kind: 'budget' }, attemptIndex);
		}
		const byBudget = remaining < options.timeoutMs;
		const timeoutMs = Math.min(options.timeoutMs, remaining);
		const timedOut: TransportFailure = byBudget
			? { kind: 'budget' }
			: { kind: 'network', code: 'ETIMEDOUT', message: `No answer within ${timeoutMs} ms` };
		const httpOptions = await spec.options();
		const startedAt = Date.now();
		const outcome = await attempt(request, backend, httpOptions, timeoutMs, timedOut, options);
		const pacing = options.gate.release(slot, attemptResult(outcome));
		const attemptFields = { attempt: attemptIndex + 1, latencyMs: Date.now() - startedAt };

		let failure: TransportFailure;
		if ('response' in outcome) {
			const value = spec.read(outcome.response);
			if (value !== undefined) {
				const described = spec.describe?.(value) ?? {};
				const id = described.responseId === undefined ? '' : `, responseId ${described.responseId}`;
				log.debug(
					`${spec.name} answered ${outcome.response.statusCode} in ${duration(attemptFields.latencyMs)} (attempt ${attemptFields.attempt}${id})`,
					{ ...attemptFields, status: outcome.response.statusCode, ...described },
				);
				for (const event of pacing) logPacing(log, event, undefined);
				return { value, attempts: attemptIndex + 1 };
			}
			failure = {
				kind: 'malformed',
				statusCode: outcome.response.statusCode,
				snippet: snippetOf(outcome.response.body, options.secrets),
				cause: isJsonDocument(outcome.response.body) ? 'unexpected' : 'unreadable',
			};
			if (failure.cause === 'unreadable') unreadableAnswers++;
		} else {
			failure = outcome.failure;
		}
		log.debug(`${spec.name} failed: ${failureSummary(failure)} after ${duration(attemptFields.latencyMs)} (attempt ${attemptFields.attempt})`, {
			...attemptFields,
			...failureFields(failure),
		});
		for (const event of pacing) logPacing(log, event, failure);
		if (refusal?.record(failure)) {
			log.warn('Google refused the credential even after a token refresh: the other items of this execution fail without being sent', failureFields(failure));
		}

		const delay = nextRetryDelayMs(failure, attemptIndex, options.policy, random, unreadableAnswers);
		const outOfTime = deadlineAt !== undefined && delay !== undefined && Date.now() + delay >= deadlineAt;
		if (delay === undefined || outOfTime || signal?.aborted) {
			throw new TransportError(signal?.aborted ? { kind: 'cancelled' } : failure, attemptIndex + 1);
		}
		lastFailure = failure;
		log.info(`retrying ${spec.name} in ${duration(delay)} after ${failureSummary(failure)} (attempt ${attemptIndex + 1} of ${options.policy.maxRetries + 1})`, {
			...attemptFields,
			...failureFields(failure),
			delayMs: delay,
		});
		await pause(async () => await sleep(delay, signal), attemptIndex + 1);
	}
}

/** What the log keeps of an answer: ids and token counts, never its content. */
function answerFields(response: GenerateContentResponse): LogFields {
	const usage = response.usageMetadata;
	return {
		responseId: response.responseId,
		modelVersion: response.modelVersion,
		finishReason: response.candidates[0]?.finishReason,
		promptTokens: usage?.promptTokenCount,
		outputTokens: usage?.candidatesTokenCount,
		thoughtsTokens: usage?.thoughtsTokenCount,
		totalTokens: usage?.totalTokenCount,
	};
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
		{
			name: 'generateContent',
			options: () => ({ method: 'POST', url, body, headers: { 'Content-Type': 'application/json' } }),
			read: (response) => parseGenerateContentResponse(response.body),
			describe: answerFields,
		},
		options,
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
		const qs = { pageSize: 1000, ...(pageToken ? { pageToken } : {}) };
		const { value } = await withRetries(
			request,
			backend,
			{
				name: 'listModels',
				options: () => ({ method: 'GET', url: backend.listModelsUrl, qs }),
				read: (response) => parseModelList(response.body),
			},
			options,
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

export function headerValue(headers: IN8nHttpFullResponse['headers'], name: string): string | undefined {
	const value = headers[name] ?? headers[name.toLowerCase()];
	return typeof value === 'string' ? value : Array.isArray(value) ? String(value[0]) : undefined;
}

/** An open resumable upload session: where to send the bytes, in chunks of a multiple of `granularity`. */
export interface UploadSession {
	url: string;
	granularity: number;
}

/** Files API sessions take chunks in multiples of this unless Google's answer says otherwise. */
const DEFAULT_CHUNK_GRANULARITY = 8 * 1024 * 1024;

/**
 * Starts a resumable Files API upload (`X-Goog-Upload-Command: start`). The size may be left out
 * when it is not known in advance (a JSONL file written while it uploads).
 */
export async function startUpload(
	request: AuthenticatedRequest,
	backend: Backend,
	file: { mimeType: string; displayName: string; size?: number },
	options: CallOptions,
): Promise<UploadSession> {
	const uploadUrl = backend.fileUploadUrl;
	if (!uploadUrl) throw new TransportError({ kind: 'other', message: `${backend.label} has no Files API` }, 0);
	const { value } = await withRetries(
		request,
		backend,
		{
			name: 'upload start',
			options: () => ({
				method: 'POST',
				url: uploadUrl,
				headers: {
					'X-Goog-Upload-Protocol': 'resumable',
					'X-Goog-Upload-Command': 'start',
					...(file.size === undefined ? {} : { 'X-Goog-Upload-Header-Content-Length': String(file.size) }),
					'X-Goog-Upload-Header-Content-Type': file.mimeType,
					'Content-Type': 'application/json',
				},
				body: { file: { display_name: file.displayName } },
			}),
			read: (response) => {
				const url = headerValue(response.headers, 'x-goog-upload-url');
				if (!url) return undefined;
				const granularity = Number(headerValue(response.headers, 'x-goog-upload-chunk-granularity'));
				return { url, granularity: granularity > 0 ? granularity : DEFAULT_CHUNK_GRANULARITY };
			},
		},
		options,
	);
	return value;
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
	const session = await startUpload(request, backend, source, options);
	const { value: file } = await withRetries(
		request,
		backend,
		{
			name: 'upload',
			options: async () => ({
				method: 'POST',
				url: session.url,
				headers: {
					'Content-Length': String(source.size),
					'X-Goog-Upload-Offset': '0',
					'X-Goog-Upload-Command': 'upload, finalize',
				},
				body: (await source.open()) as IHttpRequestOptions['body'],
			}),
			read: (response) => parseUploadedFile(response.body),
			describe: (uploaded) => ({ bytes: source.size, state: uploaded.state }),
		},
		options,
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
			{
				name: 'upload state',
				options: () => ({ method: 'GET', url: uploaded.uri }),
				read: (response) => parseUploadedFile({ file: bodyAsJson(response.body) }),
				describe: (polled) => ({ state: polled.state }),
			},
			options,
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
