import { Problem } from '../shared/problem';

/**
 * Checks of the node's parameters and options, run before any request. A parameter set by an
 * expression can hold anything (NaN, an object, a number where text belongs): each value is
 * converted where the meaning is plain (a number as a file name) and refused otherwise, with an
 * error that names the parameter and the value it got.
 *
 * A rule is a function `(value, label) => typed value` that throws a `Problem` (INVALID_PARAMETER); options
 * declare theirs in `OPTION_RULES` (options.ts), one line per option.
 */


export type Rule<T> = (value: unknown, label: string) => T;

/** Names that would reach `Object.prototype` instead of a field of their own. */
const RESERVED_FIELD_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/** How a value is shown in an error: short, and plain about NaN, empty and objects. */
export function describeValue(value: unknown): string {
	if (value === undefined || value === null || value === '') return 'empty';
	if (typeof value === 'number') return Number.isNaN(value) ? 'NaN (not a number)' : String(value);
	if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'object') return 'an object';
	return String(value);
}

function refuse(label: string, expected: string, value: unknown, hint = ''): never {
	throw new Problem(
		'INVALID_PARAMETER',
		`"${label}" must be ${expected}, but it is ${describeValue(value)}`,
		`Set "${label}" to ${expected}. If it is an expression, check what it gives for this item${hint}.`,
	);
}

function asNumber(value: unknown): number | undefined {
	if (typeof value === 'number') return value;
	if (typeof value === 'string' && value.trim() !== '') return Number(value.trim());
	return undefined;
}

function rangeText(min: number | undefined, max: number | undefined): string {
	if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
	if (min !== undefined) return ` of at least ${min}`;
	if (max !== undefined) return ` of at most ${max}`;
	return '';
}

function numberRule(kind: 'whole' | 'any', min?: number, max?: number): Rule<number> {
	const expected = `${kind === 'whole' ? 'a whole number' : 'a number'}${rangeText(min, max)}`;
	return (value, label) => {
		const number = asNumber(value);
		const fits =
			number !== undefined &&
			Number.isFinite(number) &&
			(kind === 'any' || Number.isInteger(number)) &&
			(min === undefined || number >= min) &&
			(max === undefined || number <= max);
		if (!fits) refuse(label, expected, value, ' (Number() of a missing or non-numeric field gives NaN)');
		return number;
	};
}

/** A whole number in `[min, max]`; numeric text ("4") is read as the number. */
export function wholeNumber(range: { min?: number; max?: number } = {}): Rule<number> {
	return numberRule('whole', range.min, range.max);
}

/** A finite number in `[min, max]`; numeric text is read as the number. */
export function decimal(range: { min?: number; max?: number } = {}): Rule<number> {
	return numberRule('any', range.min, range.max);
}

/** Text; a number or true/false becomes its text; empty stays empty; lists and objects are refused. */
export function text(): Rule<string> {
	return (value, label) => {
		if (value === undefined || value === null) return '';
		if (typeof value === 'string') return value;
		if (typeof value === 'number' || typeof value === 'boolean') return String(value);
		return refuse(label, 'text', value);
	};
}

/** A comma-separated list as text; a list of texts or numbers is joined with commas. */
export function textList(): Rule<string> {
	const single = text();
	return (value, label) => {
		if (Array.isArray(value) && value.every((entry) => typeof entry === 'string' || typeof entry === 'number')) {
			return value.join(',');
		}
		if (Array.isArray(value)) return refuse(label, 'a comma-separated list of names', value);
		return single(value, label);
	};
}

/** true/false; the texts "true" and "false" count too. */
export function flag(): Rule<boolean> {
	return (value, label) => {
		if (typeof value === 'boolean') return value;
		if (value === 'true' || value === 'false') return value === 'true';
		return refuse(label, 'true or false', value);
	};
}

/** Text of the given shape (e.g. an aspect ratio), trimmed; `example` shows the shape. */
export function matching(pattern: RegExp, example: string): Rule<string> {
	return (value, label) => {
		const candidate = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : undefined;
		if (candidate === undefined || !pattern.test(candidate)) return refuse(label, `a value like ${example}`, value);
		return candidate;
	};
}

/**
 * A binary field name (trimmed). Names that reach an object's prototype are refused: they would
 * silently lose the image (`__proto__`) or fail deep inside n8n (`constructor`).
 */
export function checkFieldName(name: string, label: string): string {
	const trimmed = name.trim();
	if (RESERVED_FIELD_NAMES.has(trimmed)) {
		throw new Problem(
			'INVALID_PARAMETER',
			`"${label}" cannot be named "${trimmed}"`,
			`"__proto__", "constructor" and "prototype" are reserved names in JavaScript objects. Use another field name, e.g. "data" or "image".`,
		);
	}
	return trimmed;
}

export function fieldName(): Rule<string> {
	const single = text();
	return (value, label) => checkFieldName(single(value, label), label);
}

/** Rules for every key of a collection of settings. */
export type RuleSet<T> = { [K in keyof T]-?: Rule<NonNullable<T[K]>> };

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a collection (e.g. Options) through its rules: only keys with a rule, only the
 * collection's own properties, and only those in `keys` when given. Keys without a rule (left
 * over from an older node version) are ignored.
 */
export function readCollection<T extends object>(
	raw: unknown,
	rules: RuleSet<T>,
	labelOf: (key: string) => string,
	keys?: ReadonlyArray<keyof T>,
): Partial<T> {
	if (raw === undefined || raw === null) return {};
	if (!isRecord(raw)) refuse(labelOf('options'), 'a collection of options', raw);
	const result: Partial<T> = {};
	for (const key of keys ?? (Object.keys(rules) as Array<keyof T>)) {
		const name = key as string;
		if (!Object.prototype.hasOwnProperty.call(raw, name)) continue;
		if (!Object.prototype.hasOwnProperty.call(rules, name)) continue;
		// Not set (n8n leaves a cleared field empty): the default applies.
		if (raw[name] === undefined || raw[name] === null) continue;
		const rule = rules[key] as Rule<T[keyof T]>;
		result[key] = rule(raw[name], labelOf(name));
	}
	return result;
}
