import type { Backend } from '../auth/backends';
import { parseGenerateContentResponse, parseModelList } from '../google/parse';
import type { GenerateContentResponse, Model } from '../google/types';
import { withRetries, type AuthenticatedRequest, type CallOptions } from '../http/client';
import type { LogFields } from '../http/log';

/** The models surface of Google's API: generateContent and the model list. */

/** What the log keeps of an answer: ids and token counts, never its content. */
function answerFields(response: GenerateContentResponse): LogFields {
	const usage = response.usageMetadata;
	return {
		responseId: response.responseId,
		modelVersion: response.modelVersion,
		finishReason: response.candidates[0]?.finishReason,
		promptTokens: usage?.promptTokenCount,
		outputTokens: usage?.candidatesTokenCount,
		thoughtsTokens: usage?.thoughtsTokenCount,
		totalTokens: usage?.totalTokenCount,
	};
}

/** Sends an encoded generateContent body (see `encode.ts`) to `modelId`. */
export async function generateContent(
	request: AuthenticatedRequest,
	backend: Backend,
	modelId: string,
	body: Buffer,
	options: CallOptions,
): Promise<{ response: GenerateContentResponse; attempts: number }> {
	const url = backend.generateContentUrl(modelId);
	const { value, attempts } = await withRetries(
		request,
		backend,
		{
			name: 'generateContent',
			options: () => ({ method: 'POST', url, body, headers: { 'Content-Type': 'application/json' } }),
			read: (response) => parseGenerateContentResponse(response.body),
			describe: answerFields,
		},
		options,
	);
	return { response: value, attempts };
}

/** All models the backend lists, following page tokens (bounded, in case a proxy loops). */
export async function listModels(
	request: AuthenticatedRequest,
	backend: Backend,
	options: CallOptions,
): Promise<Model[]> {
	const models: Model[] = [];
	let pageToken: string | undefined;
	for (let page = 0; page < 20; page++) {
		const qs = { pageSize: 1000, ...(pageToken ? { pageToken } : {}) };
		const { value } = await withRetries(
			request,
			backend,
			{
				name: 'listModels',
				options: () => ({ method: 'GET', url: backend.listModelsUrl, qs }),
				read: (response) => parseModelList(response.body),
			},
			options,
		);
		models.push(...value.models);
		pageToken = value.nextPageToken;
		if (!pageToken) break;
	}
	return models;
}
