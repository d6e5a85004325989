import type { Logger } from 'n8n-workflow';

import { redactSecrets } from './redact';

/**
 * What the node writes to n8n's log (`this.logger`): request ids, models, attempts, waits, never
 * media, prompts or secrets. Callers pass flat fields of plain values only, so no object holding a
 * credential, a body or an image can end up serialised into a log line; every text value and
 * every message is redacted once more on the way out, and control characters (a newline in a
 * responseId from a proxy) cannot forge log lines.
 */

export type LogValue = string | number | boolean | undefined;
export type LogFields = Readonly<Record<string, LogValue>>;

export interface NodeLog {
	/** One line per request and its outcome: ids, latency, token counts. */
	debug(message: string, fields?: LogFields): void;
	/** Retries and the waits chosen. */
	info(message: string, fields?: LogFields): void;
	/** Pauses of the whole pool, executions cut short. */
	warn(message: string, fields?: LogFields): void;
	/** The same log with `fields` added to every line (e.g. the item index and model). */
	with(fields: LogFields): NodeLog;
}

/** For pure code and tests that do not look at the log. */
export const silentLog: NodeLog = {
	debug() {},
	info() {},
	warn() {},
	with: () => silentLog,
};

type LoggerLike = Pick<Logger, 'debug' | 'info' | 'warn'>;

/** Longest text value written; ids and model names are far shorter. */
const MAX_VALUE_LENGTH = 200;

/**
 * Each run of C0 control characters and DEL becomes one space. A char-code scan rather than a
 * regex: n8n's lint (no-control-regex) refuses control characters in regular expressions.
 */
function withoutLineBreaks(text: string): string {
	let line = '';
	let inRun = false;
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		const control = code <= 0x1f || code === 0x7f;
		if (!control) line += text[i];
		else if (!inRun) line += ' ';
		inRun = control;
	}
	return line;
}

function oneLine(text: string, secrets: readonly string[]): string {
	return withoutLineBreaks(redactSecrets(text, secrets));
}

function clean(text: string, secrets: readonly string[]): string {
	const line = oneLine(text, secrets);
	return line.length > MAX_VALUE_LENGTH ? `${line.slice(0, MAX_VALUE_LENGTH)}…` : line;
}

function cleanFields(fields: LogFields, secrets: readonly string[]): Record<string, string | number | boolean> {
	const result: Record<string, string | number | boolean> = {};
	for (const [key, value] of Object.entries(fields)) {
		if (typeof value === 'string') result[key] = clean(value, secrets);
		// Flat values only, also when a caller's cast got past the type: an object could carry a
		// body or a credential, and n8n's logger would print it whole.
		else if (typeof value === 'number' || typeof value === 'boolean') result[key] = value;
	}
	return result;
}

/**
 * A NodeLog writing to n8n's logger. `secrets` are the credential's exact values (see
 * `secretsOf`), removed from every line; `base` fields go on every line.
 */
export function nodeLog(logger: LoggerLike | undefined, secrets: readonly string[], base: LogFields = {}): NodeLog {
	if (!logger) return silentLog;
	// Without debug, n8n's text log shows the message alone: it names the item and model itself.
	const scope = [
		'Nano Banana',
		base.itemIndex === undefined ? '' : `item ${String(base.itemIndex)}`,
		base.model === undefined ? '' : String(base.model),
	]
		.filter(Boolean)
		.join(' ');
	const write = (level: 'debug' | 'info' | 'warn', message: string, fields: LogFields = {}) => {
		// n8n's logger adds its own keys to the metadata object: always hand it a fresh one.
		const metadata = cleanFields({ ...base, ...fields }, secrets);
		try {
			logger[level](oneLine(`${scope}: ${message}`, secrets), metadata);
		} catch {
			// Logging must never fail an item.
		}
	};
	return {
		debug: (message, fields) => write('debug', message, fields),
		info: (message, fields) => write('info', message, fields),
		warn: (message, fields) => write('warn', message, fields),
		with: (fields) => nodeLog(logger, secrets, { ...base, ...fields }),
	};
}

/** n8n's logger on the running node, where this n8n version provides one. */
export function loggerOf(context: { logger?: LoggerLike }): LoggerLike | undefined {
	try {
		const { logger } = context;
		return logger && typeof logger.debug === 'function' ? logger : undefined;
	} catch {
		// n8n-core resolves it from its DI container, which may not be set up outside a server.
		return undefined;
	}
}

/** Durations in log messages: "850 ms", "1.2 s". */
export function duration(ms: number): string {
	return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
