import { arrayField, bodyAsJson, isRecord, numberField, stringField, type JsonRecord } from '../../shared/json';
import { parseGenerateContentResponse, parseGoogleError } from './parse';
import type { BatchItemResult, BatchJob, GoogleApiError } from './types';

/** Batch Mode's answers (jobs, job lists, per-request results), parsed like every other answer. */

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
		endTime: stringField(metadata, 'endTime') ?? stringField(metadata, 'updateTime'),
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
