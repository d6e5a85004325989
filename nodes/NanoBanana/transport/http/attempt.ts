import type { IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import type { Backend } from '../auth/backends';
import { failureFromThrown, type TransportFailure } from '../failures/kinds';
import { parseRetryAfterMs } from '../failures/retry';
import { parseGoogleError } from '../google/parse';
import type { AttemptResult } from '../pacing/gate';
import { redactedSnippet } from './redact';

/**
 * One HTTP attempt through n8n's authenticated helper: its answer or its failure as data, over
 * after its timeout whatever the server does. Retrying is `client.ts`'s business.
 */

/**
 * `this.helpers.httpRequestWithAuthentication` bound to the running node. `abortSignal` in the
 * options ends that one request (its timeout); the caller makes it reach n8n's HTTP client.
 */
export type AuthenticatedRequest = (
	credentialType: string,
	options: IHttpRequestOptions,
) => Promise<unknown>;

function isFullResponse(value: unknown): value is IN8nHttpFullResponse {
	return typeof value === 'object' && value !== null && 'statusCode' in value;
}

/** The start of an unreadable answer shown in the error (already redacted). */
const SNIPPET_LENGTH = 120;

export function snippetOf(body: unknown, secrets: readonly string[]): string {
	const text = typeof body === 'string' ? body : JSON.stringify(body) ?? '';
	return redactedSnippet(text, secrets, SNIPPET_LENGTH);
}

export type Outcome = { response: IN8nHttpFullResponse } | { failure: TransportFailure };

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
	// An error asked for as a stream (a job or results file read as one): Google's error body is small.
	const body: unknown = isStream(response.body) ? await errorBodyOf(response.body) : response.body;
	return {
		failure: {
			kind: 'api',
			statusCode: response.statusCode,
			error: parseGoogleError(response.statusCode, body),
			retryAfterMs: parseRetryAfterMs(response.headers['retry-after'], Date.now()),
		},
	};
}

/**
 * One attempt, over after `timeoutMs` without an answer whatever the server does. n8n's own
 * `timeout` only fires when the connection goes quiet, so a server trickling bytes could hold a
 * request for ever: the attempt races a timer that aborts the request (through its own signal,
 * which also follows the execution's Stop) and, should an n8n version not pass the signal on,
 * stops waiting for it. A body asked for as a stream (`encoding: 'stream'`) is the exception once
 * it has started: a results file may take longer than the Timeout to arrive, so from then on only
 * a stall (no bytes for `timeoutMs`) cuts it.
 */
export async function attempt(
	request: AuthenticatedRequest,
	backend: Backend,
	options: IHttpRequestOptions,
	timeoutMs: number,
	timedOut: TransportFailure,
	call: { signal?: AbortSignal; secrets: readonly string[] },
): Promise<Outcome> {
	const { signal } = call;
	// The request's own signal, aborted by the timer below or by the execution's Stop. Not
	// AbortSignal.any: it files every combined signal under the execution's signal, which lives as
	// long as the execution (a day of batch polls), and Node drops those entries late or never
	// (nodejs/node#55351, #64476). A listener instead, which leaves when the attempt ends, or when
	// its streamed body does.
	const cut = new AbortController();
	const stop = (): void => cut.abort(signal?.reason);
	let stopFollowed = false;
	if (signal?.aborted) cut.abort(signal.reason);
	else if (signal) {
		signal.addEventListener('abort', stop, { once: true });
		stopFollowed = true;
	}
	const unfollowStop = (): void => {
		if (stopFollowed) signal?.removeEventListener('abort', stop);
		stopFollowed = false;
	};
	let answered = false;
	// Timers from AbortSignal.timeout do not keep n8n's process alive and cannot be cleared, so
	// its listener goes when the attempt is over: the listener holds the race below, which holds
	// the outcome, and a timer left armed kept every answer of the execution (a 1000-item run's
	// answers, for the 300 s of the default Timeout) reachable from the timer.
	const expiry = AbortSignal.timeout(timeoutMs);
	let onExpiry = (): void => {};
	const deadline = new Promise<Outcome>((resolve) => {
		onExpiry = () => {
			if (answered) return;
			cut.abort();
			resolve({ failure: timedOut });
		};
		expiry.addEventListener('abort', onExpiry, { once: true });
	});
	let streamed = false;
	const sent = send(request, backend, { ...options, timeout: timeoutMs, abortSignal: cut.signal }, call.secrets).then(
		(outcome): Outcome => {
			if (expiry.aborted) return outcome;
			answered = true;
			if (!('response' in outcome) || options.encoding !== 'stream') return outcome;
			const body: unknown = outcome.response.body;
			if (!isStream(body)) return outcome;
			streamed = true;
			const watched = watchStalls(body, timeoutMs, cut, unfollowStop) as unknown as IN8nHttpFullResponse['body'];
			return { response: { ...outcome.response, body: watched } };
		},
		(error: unknown): Outcome => ({ failure: expiry.aborted && !answered ? timedOut : failureFromThrown(error, signal) }),
	);
	try {
		return await Promise.race([sent, deadline]);
	} finally {
		expiry.removeEventListener('abort', onExpiry);
		// A streamed body is still being read: a Stop must still cut it (watchStalls lets go at its end).
		if (!streamed) unfollowStop();
	}
}

function isStream(body: unknown): body is AsyncIterable<Buffer> {
	return typeof body === 'object' && body !== null && Symbol.asyncIterator in body;
}

const ERROR_BODY_BYTES = 64 * 1024;

/** The first bytes of a streamed error answer, as text (JSON is parsed by `parseGoogleError`). */
async function errorBodyOf(stream: AsyncIterable<Buffer | string>): Promise<string> {
	const parts: Buffer[] = [];
	let bytes = 0;
	try {
		for await (const piece of stream) {
			const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
			parts.push(chunk);
			bytes += chunk.length;
			if (bytes >= ERROR_BODY_BYTES) break;
		}
	} catch {
		// What arrived is all there is to read.
	}
	return Buffer.concat(parts).subarray(0, ERROR_BODY_BYTES).toString('utf8');
}

/**
 * Passes a streamed body through, cutting the request when the reader waited `timeoutMs` for the
 * next bytes. One timer at a time, however long the transfer.
 */
async function* watchStalls(body: AsyncIterable<Buffer>, timeoutMs: number, cut: AbortController, done: () => void): AsyncGenerator<Buffer> {
	let finished = false;
	// Only time spent waiting for bytes counts: a reader busy with a result is not a stall.
	let waitingSince: number | undefined;
	const arm = (ms: number): void => {
		AbortSignal.timeout(ms).addEventListener(
			'abort',
			() => {
				if (finished) return;
				const waited = waitingSince === undefined ? 0 : Date.now() - waitingSince;
				if (waited < timeoutMs) {
					arm(timeoutMs - waited);
					return;
				}
				cut.abort(Object.assign(new Error(`No data for ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
			},
			{ once: true },
		);
	};
	arm(timeoutMs);
	const iterator = body[Symbol.asyncIterator]();
	try {
		for (;;) {
			waitingSince = Date.now();
			const next = await nextUnlessCut(iterator, cut.signal);
			waitingSince = undefined;
			if (next.done) return;
			yield next.value;
		}
	} finally {
		finished = true;
		done();
		void iterator.return?.()?.then(undefined, () => undefined);
	}
}

/**
 * The next piece of a body, or the cut's reason once it is cut (even if the HTTP client does not
 * end the body when cut). Its abort listener goes as soon as the piece arrives: racing every piece
 * against one long-lived promise would keep each piece reachable from it until the transfer ends,
 * the whole body in memory after all.
 */
async function nextUnlessCut(iterator: AsyncIterator<Buffer>, signal: AbortSignal): Promise<IteratorResult<Buffer>> {
	return await new Promise<IteratorResult<Buffer>>((resolve, reject) => {
		if (signal.aborted) {
			reject(signal.reason);
			return;
		}
		const onCut = () => reject(signal.reason);
		signal.addEventListener('abort', onCut, { once: true });
		iterator.next().then(
			(next) => {
				signal.removeEventListener('abort', onCut);
				resolve(next);
			},
			(error: unknown) => {
				signal.removeEventListener('abort', onCut);
				reject(error);
			},
		);
	});
}

export function attemptResult(outcome: Outcome): AttemptResult {
	return 'response' in outcome ? { ok: true } : { ok: false, failure: outcome.failure };
}
