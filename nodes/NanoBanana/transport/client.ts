import type { IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';
import { sleepWithAbort } from 'n8n-workflow';

import type { Backend } from './backends';
import { failureFromThrown, type TransportFailure } from './failures';
import type { RequestGate } from './gate';
import { parseGenerateContentResponse, parseGoogleError, parseModelList } from './parse';
import { nextRetryDelayMs, parseRetryAfterMs, retryDelayFrom, type RetryPolicy } from './retry';
import type { GenerateContentRequest, GenerateContentResponse, Model } from './types';

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
	random?: () => number;
	sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The last failure of a request, after retries. */
export class TransportError extends Error {
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
 */
async function attempt(
	request: AuthenticatedRequest,
	backend: Backend,
	options: IHttpRequestOptions,
	signal: AbortSignal | undefined,
): Promise<{ response: IN8nHttpFullResponse } | { failure: TransportFailure }> {
	try {
		const response = await request(backend.credentialType, {
			...options,
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: { ignore: true, except: [401] },
		});
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

async function withRetries<T>(
	request: AuthenticatedRequest,
	backend: Backend,
	httpOptions: IHttpRequestOptions,
	options: CallOptions,
	/** Reads a 2xx body; undefined means the body was not the answer expected. */
	read: (body: unknown) => T | undefined,
): Promise<{ value: T; attempts: number }> {
	const random = options.random ?? Math.random;
	const sleep = options.sleep ?? sleepWithAbort;
	for (let attemptIndex = 0; ; attemptIndex++) {
		await options.gate.waitTurn(options.signal);
		if (options.signal?.aborted) throw new TransportError({ kind: 'cancelled' }, attemptIndex);
		const outcome = await attempt(request, backend, httpOptions, options.signal);
		let result: TransportFailure;
		if ('response' in outcome) {
			const value = read(outcome.response.body);
			if (value !== undefined) return { value, attempts: attemptIndex + 1 };
			result = {
				kind: 'malformed',
				statusCode: outcome.response.statusCode,
				snippet: snippetOf(outcome.response.body),
			};
		} else {
			result = outcome.failure;
		}

		const delay = nextRetryDelayMs(result, attemptIndex, options.policy, random);
		if (delay === undefined || options.signal?.aborted) {
			throw new TransportError(options.signal?.aborted ? { kind: 'cancelled' } : result, attemptIndex + 1);
		}
		const serverDelay = retryDelayFrom(result);
		if (serverDelay !== undefined) options.gate.pauseFor(serverDelay);
		await sleep(delay, options.signal);
	}
}

export async function generateContent(
	request: AuthenticatedRequest,
	backend: Backend,
	modelId: string,
	body: GenerateContentRequest,
	options: CallOptions,
): Promise<{ response: GenerateContentResponse; attempts: number }> {
	const { value, attempts } = await withRetries(
		request,
		backend,
		{ method: 'POST', url: backend.generateContentUrl(modelId), body, timeout: options.timeoutMs },
		options,
		parseGenerateContentResponse,
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
			{
				method: 'GET',
				url: backend.listModelsUrl,
				qs: { pageSize: 1000, ...(pageToken ? { pageToken } : {}) },
				timeout: options.timeoutMs,
			},
			options,
			parseModelList,
		);
		models.push(...value.models);
		pageToken = value.nextPageToken;
		if (!pageToken) break;
	}
	return models;
}
