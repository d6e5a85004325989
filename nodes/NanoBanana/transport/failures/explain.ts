import type { Backend } from '../auth/backends';
import { modelLabel, successionOf, type ModelSuccession } from '../../shared/models';
import type { TransportFailure } from './kinds';
import { isDailyQuotaExhausted, isSpendCapReached, retryDelayFrom } from './retry';

/**
 * Google's failures in plain words: what went wrong and what to do. Produces the message and
 * description of the NodeApiError the node throws (or writes into `json.error`).
 */

export interface FailureExplanation {
	message: string;
	description: string;
	httpCode?: string;
	/** Short machine-readable cause, e.g. RESOURCE_EXHAUSTED or ETIMEDOUT, kept in `json.error`. */
	reason: string;
}

export interface FailureContext {
	backend: Backend;
	modelId: string;
	attempts: number;
	timeoutMs: number;
}

function seconds(ms: number): string {
	const s = ms / 1000;
	return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

function tried(attempts: number): string {
	return attempts > 1 ? ` (tried ${attempts} times)` : '';
}

/** A 404 for an id Google shut down or closed: its successor and how to switch. */
function explainSuccession(modelId: string, succession: ModelSuccession, google: string): Pick<FailureExplanation, 'message' | 'description'> {
	const [first, ...others] = succession.successors.map(modelLabel);
	const instead = others.length > 0 ? `${first} (or ${others.join(', or ')})` : first;
	const howToSwitch = `To switch, open the node and set "Model" to ${succession.successors[0]} (Model → From List or ID), and replace the id in "Fallback Models" if it is there; then check the options the new model takes (docs/models.md).`;
	return succession.closed
		? {
				message: `The model "${modelId}" is not available to this Google project: use ${succession.successors[0]}`,
				description: `${modelLabel(modelId)} ${succession.what}, so new Google projects cannot use it. Use ${instead}, Google's recommended image model. ${howToSwitch} ${google}`,
			}
		: {
				message: `The model "${modelId}" is no longer available: use ${succession.successors[0]}`,
				description: `"${modelId}" ${succession.what}. Its successor is ${instead}. ${howToSwitch} ${google}`,
			};
}

function explainApi(
	failure: Extract<TransportFailure, { kind: 'api' }>,
	context: FailureContext,
): FailureExplanation {
	const { error, statusCode } = failure;
	const { backend, modelId } = context;
	const google = `Google said: "${error.message}"`;
	const status = error.status ?? String(statusCode);
	const base = { httpCode: String(statusCode), reason: error.details.reason ?? status };
	const { help } = backend;
	const withGoogle = (advice: { message: string; description: string }) => ({
		...base,
		message: advice.message,
		description: `${advice.description} ${google}`,
	});

	if (error.details.reason === 'API_KEY_INVALID' || /API key not valid/i.test(error.message)) {
		return { ...base, message: 'Google rejected the API key', description: `${help.invalidKey} ${google}` };
	}
	if (statusCode === 401) return withGoogle(help.refused);
	if (statusCode === 403) {
		if (error.details.reason === 'SERVICE_DISABLED' || /has not been used|is disabled|not enabled/i.test(error.message)) {
			return {
				...base,
				message: `The ${help.api} is not enabled for this Google Cloud project`,
				description: `Enable it in Google Cloud Console → APIs & Services → Library${error.details.helpUrl ? ` (${error.details.helpUrl})` : ''}, wait a few minutes, then run again. ${google}`,
			};
		}
		if (help.noKeyReached && /unregistered callers|API key/i.test(error.message)) return withGoogle(help.noKeyReached);
		return withGoogle(help.forbidden);
	}
	if (statusCode === 404) {
		const succession = successionOf(modelId);
		if (succession) return { ...base, ...explainSuccession(modelId, succession, google) };
		return {
			...base,
			message: `The model "${modelId}" was not found`,
			description: `${help.notFoundHint}Choose a model from the list (Model → From List) or check the id; preview models are retired every few months. ${google}`,
		};
	}
	if (statusCode === 429) {
		if (isDailyQuotaExhausted(failure)) {
			return {
				...base,
				message: `The daily quota for "${modelId}" is used up`,
				description: `Google's per-day limit for this model was reached, so retrying now would not help. It resets daily (midnight Pacific time); this execution sends no more requests to this model (Fallback Models, where set, are still tried). Enable billing or ask for a higher quota, or pick another model. ${google}`,
			};
		}
		if (isSpendCapReached(failure)) {
			return {
				...base,
				message: `The spend cap of the Google Cloud project is reached`,
				description: `Google refuses requests until the cap's period turns (a rolling window of minutes, or the month), so retrying now would not help; this execution sends no more requests to this model (Fallback Models, where set, are still tried, and meet the same cap). Raise the cap in Google AI Studio or Cloud Billing, or run again later. ${google}`,
			};
		}
		const wait = retryDelayFrom(failure);
		return {
			...base,
			message: `Google's rate limit or quota was hit${tried(context.attempts)}`,
			description: `${wait !== undefined ? `Google asked to wait ${seconds(wait)}. ` : ''}Lower "Max Concurrency", raise "Max Retries", or raise the quota for the project. ${google}`,
		};
	}
	if (statusCode >= 500 || statusCode === 408 || statusCode === 499) {
		return {
			...base,
			message: `Google's servers could not complete the request (${statusCode} ${status})${tried(context.attempts)}`,
			description: `This is usually temporary: run again later, or raise "Max Retries". For 2K/4K images raise "Timeout". ${google}`,
		};
	}
	if (statusCode === 400 && (error.status === 'FAILED_PRECONDITION' || /location is not supported|billing/i.test(error.message))) {
		return {
			...base,
			message: 'Google refused to serve this request for the account',
			description: `The free tier may not be available in your region, or billing must be enabled for the project. ${google}`,
		};
	}
	return {
		...base,
		message: `Google rejected the request (${statusCode} ${status})`,
		description: `Check the prompt, the images and the options (aspect ratio and image size must be supported by "${modelId}"). ${google}`,
	};
}

export function explainFailure(failure: TransportFailure, context: FailureContext): FailureExplanation {
	switch (failure.kind) {
		case 'api':
			return explainApi(failure, context);
		case 'network':
			if (failure.code === 'ETIMEDOUT' || failure.code === 'ECONNABORTED') {
				return {
					reason: 'TIMEOUT',
					message: `No answer from Google within ${seconds(context.timeoutMs)}${tried(context.attempts)}`,
					description:
						'Large images (2K, 4K) and busy models can take minutes. Raise the "Timeout" option, or run again later.',
				};
			}
			return {
				reason: failure.code,
				message: `The connection to ${context.backend.label} failed (${failure.code})${tried(context.attempts)}`,
				description:
					'Check that n8n can reach Google (proxy settings, firewall) and that the Base URL in the credential is right, then run again.',
			};
		case 'malformed':
			if (failure.cause === 'unreadable') {
				return {
					reason: 'MALFORMED_RESPONSE',
					message: `Google's answer could not be read${tried(context.attempts)}`,
					description: `The answer was cut off or was not JSON${failure.snippet ? ` (it began: "${failure.snippet}")` : ''}. It is tried again once at most, since Google may bill each answer. If a proxy or gateway sits in front of Google (Base URL in the credential), check it passes answers through unchanged.`,
				};
			}
			return {
				reason: 'UNEXPECTED_RESPONSE',
				message: `Google answered without a result${tried(context.attempts)}`,
				description: `The answer was JSON but held neither an image nor a reason for its absence${failure.snippet ? ` (it began: "${failure.snippet}")` : ''}. It was not sent again, since Google may bill each answer. Run the item again later; if a proxy or gateway sits in front of Google (Base URL in the credential), check it passes answers through unchanged.`,
			};
		case 'budget':
			return {
				reason: 'TIME_BUDGET',
				message: `The item's time budget ran out before Google answered${tried(context.attempts)}`,
				description:
					'Each item may take at most "Item Time Budget" (Options) across its attempts, its waits for a free request slot and its fallback models. Raise it, or lower "Max Concurrency" so fewer items wait their turn.',
			};
		case 'cancelled':
			return {
				reason: 'CANCELLED',
				message: 'The execution was canceled before Google answered',
				description: 'Nothing to fix: run the workflow again when you are ready.',
			};
		case 'other':
			return {
				reason: failure.reason ?? 'REQUEST_FAILED',
				message: failure.message,
				description: failure.description ?? 'Check the credential settings and run again.',
			};
	}
}
