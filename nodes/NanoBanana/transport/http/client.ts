import type { IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import type { Backend } from '../auth/backends';
import type { TransportFailure } from '../failures/kinds';
import { nextRetryDelayMs, type RetryPolicy } from '../failures/retry';
import { isJsonDocument } from '../../shared/json';
import { isSlot, type GateLane } from '../pacing/gate';
import { waitUnlessStopped } from '../pacing/wait';
import { attempt, attemptResult, snippetOf, type AuthenticatedRequest } from './attempt';
import { failureFields, failureSummary, logPacing } from './attemptLog';
import { duration, silentLog, type LogFields, type NodeLog } from './log';

export type { AuthenticatedRequest } from './attempt';

/**
 * Sends requests to Google through n8n's authenticated HTTP helper (proxy, SSRF rules and the
 * credential's auth all apply) and retries what can be retried.
 */

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
	/**
	 * Before a request whose last attempt may have reached Google (no answer, a cut or unreadable
	 * answer, a 5xx) is sent again: asks Google what it has of it. A value ends the request with it
	 * (nothing is sent again), undefined sends it again, a throw ends the request with the attempt's
	 * failure: a request that must not happen twice (a paid batch job) is never repeated blind.
	 */
	recover?(failure: TransportFailure): Promise<T | undefined>;
}

/** Whether a failed attempt may have been carried out by Google all the same. */
export function mayHaveArrived(failure: TransportFailure): boolean {
	if (failure.kind === 'network' || failure.kind === 'malformed') return true;
	return failure.kind === 'api' && failure.statusCode >= 500;
}

export async function pauseUnlessStopped(wait: () => Promise<void>, attempts: number): Promise<void> {
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
		let httpOptions: IHttpRequestOptions | undefined;
		try {
			httpOptions = await spec.options();
		} finally {
			// Nothing was sent (e.g. the image's stream could not be opened): the slot goes back.
			if (httpOptions === undefined) options.gate.release(slot, { ok: false, failure: { kind: 'cancelled' } });
		}
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
		await pauseUnlessStopped(async () => await sleep(delay, signal), attemptIndex + 1);
		if (spec.recover && mayHaveArrived(failure)) {
			const recovered = await spec.recover(failure).catch(() => {
				log.warn(`${spec.name}: could not check what Google has of the last attempt; not sending it again`, failureFields(failure));
				throw signal?.aborted ? new TransportError({ kind: 'cancelled' }, attemptIndex + 1) : new TransportError(failure, attemptIndex + 1);
			});
			if (recovered !== undefined) {
				log.info(`${spec.name}: Google had the last attempt's work; not sending it again`, { attempt: attemptIndex + 1 });
				return { value: recovered, attempts: attemptIndex + 1 };
			}
		}
	}
}
