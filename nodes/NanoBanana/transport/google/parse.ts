import { arrayField, bodyAsJson, isRecord, numberField, stringField, type JsonRecord } from '../../shared/json';
import type {
	Candidate,
	Content,
	ErrorDetails,
	GenerateContentResponse,
	GoogleApiError,
	GroundingMetadata,
	GroundingSource,
	Model,
	Part,
	ModalityTokenCount,
	UsageMetadata,
} from './types';

/**
 * Parsing at the transport edge: answers from Google (or a proxy in front of it) arrive as
 * `unknown` and leave as typed values. Unknown fields are dropped; wrong types become absent,
 * so the rest of the node never meets a surprise shape. Batch answers: `parseBatch.ts`.
 */


function parsePart(raw: unknown): Part | undefined {
	if (!isRecord(raw)) return undefined;
	const part: Part = {};
	const text = stringField(raw, 'text');
	if (text !== undefined) part.text = text;
	if (raw.thought === true) part.thought = true;
	const signature = stringField(raw, 'thoughtSignature') ?? stringField(raw, 'thought_signature');
	if (signature !== undefined) part.thoughtSignature = signature;
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
	const sources = arrayField(raw, 'groundingChunks').flatMap((chunk): GroundingSource[] => {
		if (!isRecord(chunk)) return [];
		if (isRecord(chunk.web)) {
			const entry = { uri: stringField(chunk.web, 'uri'), title: stringField(chunk.web, 'title') };
			return entry.uri || entry.title ? [entry] : [];
		}
		if (!isRecord(chunk.image)) return [];
		// GroundingChunkImage: the page (sourceUri) and the image itself (imageUri).
		const image = chunk.image;
		const entry: GroundingSource = {
			uri: stringField(image, 'sourceUri') ?? stringField(image, 'uri'),
			title: stringField(image, 'title'),
			imageUri: stringField(image, 'imageUri'),
			domain: stringField(image, 'domain'),
		};
		for (const key of Object.keys(entry) as Array<keyof GroundingSource>) if (entry[key] === undefined) delete entry[key];
		return Object.keys(entry).length > 0 ? [entry] : [];
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

/** Per-modality counts; entries without a modality name or a count are left out. */
function parseModalityCounts(raw: JsonRecord, key: string): ModalityTokenCount[] | undefined {
	if (!Array.isArray(raw[key])) return undefined;
	return arrayField(raw, key).flatMap((entry) => {
		if (!isRecord(entry)) return [];
		const modality = stringField(entry, 'modality');
		// Google leaves out a zero count.
		const tokenCount = numberField(entry, 'tokenCount') ?? 0;
		return modality ? [{ modality, tokenCount }] : [];
	});
}

function parseUsage(raw: unknown): UsageMetadata | undefined {
	if (!isRecord(raw)) return undefined;
	return {
		promptTokenCount: numberField(raw, 'promptTokenCount'),
		candidatesTokenCount: numberField(raw, 'candidatesTokenCount'),
		thoughtsTokenCount: numberField(raw, 'thoughtsTokenCount'),
		totalTokenCount: numberField(raw, 'totalTokenCount'),
		promptTokensDetails: parseModalityCounts(raw, 'promptTokensDetails'),
		candidatesTokensDetails: parseModalityCounts(raw, 'candidatesTokensDetails'),
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
