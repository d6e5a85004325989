/** Reading untyped JSON safely: wrong types become absent, never a throw. */

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

/** A proxy may hand the body over as text; JSON in a string is still JSON. */
export function bodyAsJson(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	try {
		return JSON.parse(body) as unknown;
	} catch {
		return body;
	}
}

/** Whether a body is a JSON document (object or list), as opposed to cut-off text, HTML or nothing. */
export function isJsonDocument(body: unknown): boolean {
	const json = bodyAsJson(body);
	return typeof json === 'object' && json !== null;
}
