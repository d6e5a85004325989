/**
 * Reading untyped JSON safely: wrong types become absent, never a throw. A leaf: every folder may
 * use it (Google's answers, the credential's key file, the metadata server).
 */

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringField(record: JsonRecord, key: string): string | undefined {
	const value = record[key];
	return typeof value === 'string' ? value : undefined;
}

export function numberField(record: JsonRecord, key: string): number | undefined {
	const value = record[key];
	return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function arrayField(record: JsonRecord, key: string): unknown[] {
	const value = record[key];
	return Array.isArray(value) ? value : [];
}

/**
 * JSON that may arrive inside a string (a proxy's body handed over as text, a pasted key file, a
 * metadata server's answer): a string is parsed, `undefined` when it is not JSON; any other value
 * is already parsed and comes back as it is.
 */
export function jsonInString(value: unknown): unknown {
	if (typeof value !== 'string') return value;
	try {
		return JSON.parse(value) as unknown;
	} catch {
		return undefined;
	}
}

/** A proxy may hand the body over as text; JSON in a string is still JSON, other text stays text. */
export function bodyAsJson(body: unknown): unknown {
	const json = jsonInString(body);
	return json === undefined ? body : json;
}

/** Whether a body is a JSON document (object or list), as opposed to cut-off text, HTML or nothing. */
export function isJsonDocument(body: unknown): boolean {
	const json = bodyAsJson(body);
	return typeof json === 'object' && json !== null;
}
