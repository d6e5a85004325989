import type { GoogleApiError } from '../google/types';
import { Problem } from '../../shared/problem';
import { bodyAsJson } from '../../shared/json';
import { parseGoogleError } from '../google/parse';

/**
 * Every way one HTTP attempt can fail, as data. The retry policy decides on these; `errors.ts`
 * turns the last one into words for the user.
 */
export type TransportFailure =
	| { kind: 'api'; statusCode: number; error: GoogleApiError; retryAfterMs?: number }
	/** No HTTP answer: timeout, reset or refused connection, DNS. */
	| { kind: 'network'; code: string; message: string }
	/**
	 * A 2xx that is not the answer expected: `unreadable` when the body was cut off or is not JSON
	 * (a proxy's page), `unexpected` when it is JSON without the answer in it (e.g. no candidates).
	 * Absent means `unexpected`.
	 */
	| { kind: 'malformed'; statusCode: number; snippet: string; cause?: 'unreadable' | 'unexpected' }
	/** The execution was stopped. */
	| { kind: 'cancelled' }
	/** The item's time budget ran out before (or while) the request was sent. */
	| { kind: 'budget' }
	/** Anything else thrown on the way, e.g. a failed token exchange; its message is already plain. */
	| { kind: 'other'; message: string; description?: string; reason?: string };

const NETWORK_CODES = [
	'ETIMEDOUT',
	'ECONNABORTED',
	'ECONNRESET',
	'ECONNREFUSED',
	'EPIPE',
	'ENOTFOUND',
	'EAI_AGAIN',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
];

type Inspectable = {
	message?: unknown;
	messages?: unknown;
	httpCode?: unknown;
	code?: unknown;
	name?: unknown;
	description?: unknown;
	context?: { data?: unknown };
	response?: { status?: unknown; data?: unknown };
};

function asInspectable(error: unknown): Inspectable {
	return typeof error === 'object' && error !== null ? (error as Inspectable) : {};
}

function allText(error: Inspectable): string {
	const messages = Array.isArray(error.messages) ? error.messages.map(String) : [];
	return [error.message, error.code, error.httpCode, error.name, ...messages]
		.filter((value) => value !== undefined && value !== null)
		.map(String)
		.join(' ');
}

/**
 * Classifies what n8n's HTTP helper threw. It throws (rather than returns) only for 401 — which
 * it has already retried once with a fresh token — and when no HTTP answer came at all; n8n wraps
 * both in a NodeApiError whose `httpCode`, `messages` and `context.data` keep what we need.
 */
export function failureFromThrown(thrown: unknown, signal?: AbortSignal): TransportFailure {
	if (signal?.aborted) return { kind: 'cancelled' };
	// The credential's own checks (preAuthentication, authenticate) throw before anything is sent.
	if (thrown instanceof Problem) {
		return { kind: 'other', message: thrown.message, description: thrown.description, reason: thrown.reason };
	}
	const error = asInspectable(thrown);
	const text = allText(error);
	if (/\bERR_CANCELED\b|\bcanceled\b|\bAbortError\b/.test(text)) return { kind: 'cancelled' };

	const status = Number(error.httpCode ?? error.response?.status);
	if (Number.isInteger(status) && status >= 400 && status < 600) {
		const body = error.context?.data ?? error.response?.data;
		return { kind: 'api', statusCode: status, error: parseGoogleError(status, bodyAsJson(body)) };
	}

	const code = NETWORK_CODES.find((candidate) => text.includes(candidate));
	if (code) return { kind: 'network', code, message: String(error.message ?? code) };
	if (/timeout|timed out/i.test(text)) return { kind: 'network', code: 'ETIMEDOUT', message: text };
	if (/socket hang up|other side closed|aborted|closed unexpectedly/i.test(text)) {
		return { kind: 'network', code: 'ECONNRESET', message: String(error.message ?? '') };
	}
	// n8n wraps what a credential's hooks throw in a NodeApiError that keeps message and description.
	const description = typeof error.description === 'string' && error.description ? error.description : undefined;
	return { kind: 'other', message: String(error.message ?? 'Unknown error'), description };
}
