import type {
	BatchItemResult,
	BatchJob,
	Candidate,
	Content,
	ErrorDetails,
	GenerateContentResponse,
	GoogleApiError,
	GroundingMetadata,
	Model,
	Part,
	UsageMetadata,
} from './types';

/**
 * Parsing at the transport edge: answers from Google (or a proxy in front of it) arrive as
 * `unknown` and leave as typed values. Unknown fields are dropped; wrong types become absent,
 * so the rest of the node never meets a surprise shape.
 */

type JsonRecord = Record<string, unknown>;

function isRecord(value: unknown): value is JsonRecord {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(record: JsonRecord, key: string): string | undefined {
	const value = record[key];
	return typeof value === 'string' ? value : undefined;
}

function numberField(record: JsonRecord, key: string): number | undefined {
	const value = record[key];
	return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function arrayField(record: JsonRecord, key: string): unknown[] {
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

function parsePart(raw: unknown): Part | undefined {
	if (!isRecord(raw)) return undefined;
	const part: Part = {};
	const text = stringField(raw, 'text');
	if (text !== undefined) part.text = text;
	if (raw.thought === true) part.thought = true;
	const inline = raw.inlineData ?? raw.inline_data;
	if (isRecord(inline)) {
		const data = stringField(inline, 'data');
		const mimeType = stringField(inline, 'mimeType') ?? stringField(inline, 'mime_type');
		if (data !== undefined && mimeType !== undefined) part.inlineData = { data, mimeType };
	}
	return part;
}

function parseContent(raw: unknown): Content | undefined {
	if (!isRecord(raw)) return undefined;
	const parts = arrayField(raw, 'parts')
		.map(parsePart)
		.filter((part): part is Part => part !== undefined);
	return { role: 'model', parts };
}

function stringList(record: JsonRecord, key: string): string[] | undefined {
	const list = arrayField(record, key).filter((entry): entry is string => typeof entry === 'string');
	return list.length > 0 ? list : undefined;
}

/** Only the fields users need to credit the sources; anything else Google adds is dropped. */
function parseGroundingMetadata(raw: unknown): GroundingMetadata | undefined {
	if (!isRecord(raw)) return undefined;
	const sources = arrayField(raw, 'groundingChunks').flatMap((chunk) => {
		if (!isRecord(chunk)) return [];
		const source = isRecord(chunk.web) ? chunk.web : isRecord(chunk.image) ? chunk.image : undefined;
		if (!source) return [];
		const entry = { uri: stringField(source, 'uri'), title: stringField(source, 'title') };
		return entry.uri || entry.title ? [entry] : [];
	});
	const entryPoint = isRecord(raw.searchEntryPoint) ? stringField(raw.searchEntryPoint, 'renderedContent') : undefined;
	const metadata: GroundingMetadata = {
		webSearchQueries: stringList(raw, 'webSearchQueries'),
		imageSearchQueries: stringList(raw, 'imageSearchQueries'),
		sources,
		searchEntryPoint: entryPoint,
	};
	return metadata.webSearchQueries || metadata.imageSearchQueries || sources.length > 0 || entryPoint ? metadata : undefined;
}

function parseCandidate(raw: unknown): Candidate | undefined {
	if (!isRecord(raw)) return undefined;
	return {
		content: parseContent(raw.content),
		groundingMetadata: parseGroundingMetadata(raw.groundingMetadata),
		finishReason: stringField(raw, 'finishReason'),
		finishMessage: stringField(raw, 'finishMessage'),
		index: numberField(raw, 'index'),
	};
}

function parseUsage(raw: unknown): UsageMetadata | undefined {
	if (!isRecord(raw)) return undefined;
	return {
		promptTokenCount: numberField(raw, 'promptTokenCount'),
		candidatesTokenCount: numberField(raw, 'candidatesTokenCount'),
		thoughtsTokenCount: numberField(raw, 'thoughtsTokenCount'),
		totalTokenCount: numberField(raw, 'totalTokenCount'),
	};
}

/** Returns undefined when the body is not a generateContent answer at all (malformed JSON, HTML). */
export function parseGenerateContentResponse(body: unknown): GenerateContentResponse | undefined {
	const json = bodyAsJson(body);
	if (!isRecord(json)) return undefined;
	if (!('candidates' in json) && !('promptFeedback' in json)) return undefined;
	const feedback = isRecord(json.promptFeedback) ? json.promptFeedback : undefined;
	return {
		candidates: arrayField(json, 'candidates')
			.map(parseCandidate)
			.filter((candidate): candidate is Candidate => candidate !== undefined),
		promptFeedback: feedback && {
			blockReason: stringField(feedback, 'blockReason'),
			blockReasonMessage: stringField(feedback, 'blockReasonMessage'),
		},
		usageMetadata: parseUsage(json.usageMetadata),
		modelVersion: stringField(json, 'modelVersion'),
		responseId: stringField(json, 'responseId'),
	};
}

/** Google writes durations as `"26s"` or `"45.8s"` (proto3 JSON Duration). */
export function parseDurationMs(value: unknown): number | undefined {
	if (typeof value !== 'string') return undefined;
	const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
	return match ? Math.round(Number(match[1]) * 1000) : undefined;
}

function parseErrorDetails(rawDetails: unknown[]): ErrorDetails {
	const details: ErrorDetails = { quotaViolations: [] };
	for (const detail of rawDetails) {
		if (!isRecord(detail)) continue;
		const type = stringField(detail, '@type') ?? '';
		if (type.endsWith('google.rpc.RetryInfo')) {
			details.retryDelayMs = parseDurationMs(detail.retryDelay);
		} else if (type.endsWith('google.rpc.ErrorInfo')) {
			details.reason = stringField(detail, 'reason');
			const metadata = isRecord(detail.metadata) ? detail.metadata : {};
			details.helpUrl ??= stringField(metadata, 'activationUrl');
		} else if (type.endsWith('google.rpc.QuotaFailure')) {
			for (const violation of arrayField(detail, 'violations')) {
				if (!isRecord(violation)) continue;
				details.quotaViolations.push({
					quotaId: stringField(violation, 'quotaId'),
					description: stringField(violation, 'description'),
				});
			}
		} else if (type.endsWith('google.rpc.Help')) {
			const link = arrayField(detail, 'links').find(isRecord);
			if (link) details.helpUrl ??= stringField(link, 'url');
		}
	}
	return details;
}

/**
 * Reads Google's error body. Anything else (a proxy's HTML page, an empty body) still yields an
 * error carrying the HTTP status, so callers always have something to explain.
 */
export function parseGoogleError(statusCode: number, body: unknown): GoogleApiError {
	const json = bodyAsJson(body);
	const error = isRecord(json) && isRecord(json.error) ? json.error : undefined;
	if (!error) {
		const text = typeof json === 'string' ? json.trim().slice(0, 300) : '';
		return {
			code: statusCode,
			message: text || `HTTP ${statusCode}`,
			details: { quotaViolations: [] },
		};
	}
	return {
		code: numberField(error, 'code') ?? statusCode,
		message: stringField(error, 'message') ?? `HTTP ${statusCode}`,
		status: stringField(error, 'status'),
		details: parseErrorDetails(arrayField(error, 'details')),
	};
}

export function parseModelList(body: unknown): { models: Model[]; nextPageToken?: string } {
	const json = bodyAsJson(body);
	if (!isRecord(json)) return { models: [] };
	// The Gemini API answers `models`, Vertex's Model Garden `publisherModels`.
	const rawModels = [...arrayField(json, 'models'), ...arrayField(json, 'publisherModels')];
	const models: Model[] = [];
	for (const raw of rawModels) {
		if (!isRecord(raw)) continue;
		const name = stringField(raw, 'name');
		if (!name) continue;
		const methods = arrayField(raw, 'supportedGenerationMethods').filter(
			(method): method is string => typeof method === 'string',
		);
		models.push({
			name,
			displayName: stringField(raw, 'displayName'),
			description: stringField(raw, 'description'),
			supportedGenerationMethods: methods.length > 0 ? methods : undefined,
		});
	}
	return { models, nextPageToken: stringField(json, 'nextPageToken') || undefined };
}

/** The `file` of a Files API upload answer; undefined unless it has a URI to refer to. */
export function parseUploadedFile(
	body: unknown,
): { uri: string; name?: string; mimeType?: string; state?: string } | undefined {
	const json = bodyAsJson(body);
	const file = isRecord(json) && isRecord(json.file) ? json.file : undefined;
	const uri = file && stringField(file, 'uri');
	if (!file || !uri) return undefined;
	return { uri, name: stringField(file, 'name'), mimeType: stringField(file, 'mimeType'), state: stringField(file, 'state') };
}

/** google.rpc.Code → the HTTP status Google's REST front end uses for it. */
const RPC_CODE_TO_HTTP: Record<number, number> = {
	1: 499, 2: 500, 3: 400, 4: 504, 5: 404, 6: 409, 7: 403, 8: 429, 9: 400, 10: 409, 11: 400, 12: 501,
	13: 500, 14: 503, 15: 500, 16: 401,
};

/** A `google.rpc.Status` inside a batch answer (its `code` is an RPC code, not HTTP). */
export function parseRpcStatus(raw: unknown): GoogleApiError | undefined {
	if (!isRecord(raw)) return undefined;
	const rpcCode = numberField(raw, 'code') ?? 2;
	const httpCode = RPC_CODE_TO_HTTP[rpcCode] ?? (rpcCode >= 100 ? rpcCode : 500);
	return {
		...parseGoogleError(httpCode, { error: { ...raw, code: httpCode } }),
		code: httpCode,
	};
}

/** One result of a batch: an inlined response (`metadata.key`) or a JSONL line (`key`). */
export function parseBatchItemResult(raw: unknown): BatchItemResult | undefined {
	const json = bodyAsJson(raw);
	if (!isRecord(json)) return undefined;
	const metadata = isRecord(json.metadata) ? json.metadata : {};
	const key = stringField(json, 'key') ?? stringField(metadata, 'key');
	if (key === undefined) return undefined;
	const error = parseRpcStatus(json.error);
	if (error) return { key, error };
	const response = parseGenerateContentResponse(json.response);
	return response ? { key, response } : { key };
}

function countField(record: JsonRecord, key: string): number | undefined {
	const value = record[key];
	const count = typeof value === 'string' ? Number(value) : value;
	return typeof count === 'number' && Number.isFinite(count) ? count : undefined;
}

/** A batch operation `{name, metadata:{state, displayName, batchStats, output}, error?}`; undefined if it is none. */
export function parseBatchJob(body: unknown): BatchJob | undefined {
	const json = bodyAsJson(body);
	if (!isRecord(json)) return undefined;
	const name = stringField(json, 'name');
	const metadata = isRecord(json.metadata) ? json.metadata : undefined;
	if (!name || !metadata) return undefined;
	const stats = isRecord(metadata.batchStats) ? metadata.batchStats : {};
	const output = isRecord(metadata.output) ? metadata.output : isRecord(json.response) ? json.response : {};
	const inlined = isRecord(output.inlinedResponses) ? arrayField(output.inlinedResponses, 'inlinedResponses') : undefined;
	return {
		name,
		displayName: stringField(metadata, 'displayName'),
		model: stringField(metadata, 'model'),
		state: stringField(metadata, 'state') ?? 'BATCH_STATE_UNSPECIFIED',
		stats: {
			requestCount: countField(stats, 'requestCount'),
			successfulRequestCount: countField(stats, 'successfulRequestCount'),
			failedRequestCount: countField(stats, 'failedRequestCount'),
			pendingRequestCount: countField(stats, 'pendingRequestCount'),
		},
		inlinedResponses: inlined
			?.map(parseBatchItemResult)
			.filter((result): result is BatchItemResult => result !== undefined),
		responsesFile: stringField(output, 'responsesFile'),
		error: parseRpcStatus(json.error),
	};
}

/** `GET /v1beta/batches` → `{operations, nextPageToken}`. */
export function parseBatchList(body: unknown): { jobs: BatchJob[]; nextPageToken?: string } | undefined {
	const json = bodyAsJson(body);
	if (!isRecord(json)) return undefined;
	const jobs = arrayField(json, 'operations')
		.map(parseBatchJob)
		.filter((job): job is BatchJob => job !== undefined);
	return { jobs, nextPageToken: stringField(json, 'nextPageToken') || undefined };
}
