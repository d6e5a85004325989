import {
	NodeApiError,
	type ILoadOptionsFunctions,
	type INodeListSearchItems,
	type INodeListSearchResult,
	type JsonObject,
} from 'n8n-workflow';

import { backendFor, credentialTypeFor, plainRequest, secretsOf, type Authentication } from '../actions/runContext';
import { normalizeModelId } from '../transport/auth/backends';
import { listModels } from '../transport/api/models';
import { TransportError } from '../transport/http/client';
import { explainFailure } from '../transport/failures/explain';
import { redactSecrets } from '../transport/http/redact';
import { SharedRequestGate, SYSTEM_CLOCK } from '../transport/pacing/gate';
import { loggerOf, nodeLog } from '../transport/http/log';
import { DEFAULT_RETRY_POLICY } from '../transport/failures/retry';
import type { Model } from '../transport/google/types';

/**
 * Google's image models as of this release, shown when Vertex's Model Garden list is not
 * available to the service account. The list loaded from the API always wins.
 */
const KNOWN_IMAGE_MODELS: Model[] = [
	{ name: 'gemini-2.5-flash-image', displayName: 'Nano Banana' },
	{ name: 'gemini-3-pro-image', displayName: 'Nano Banana Pro' },
	{ name: 'gemini-3.1-flash-image', displayName: 'Nano Banana 2' },
	{ name: 'gemini-3.1-flash-lite-image', displayName: 'Nano Banana 2 Lite' },
];

/** The list has no "outputs images" flag, so image models are told apart by name. */
export function isImageModel(model: Model): boolean {
	const id = normalizeModelId(model.name);
	const generates = model.supportedGenerationMethods?.includes('generateContent') ?? true;
	return generates && id.startsWith('gemini') && id.includes('image');
}

const KNOWN_NAMES = new Map(KNOWN_IMAGE_MODELS.map((model) => [model.name, model.displayName]));

/** Stable releases before previews and experiments, so the first entry of a family is the safe pick. */
function stability(id: string): number {
	return /preview|exp/.test(id) ? 1 : 0;
}

function generation(id: string): number {
	return Number(/gemini-(\d+(?:\.\d+)?)/.exec(id)?.[1] ?? 0);
}

export function toSearchItems(models: Model[], filter?: string): INodeListSearchItems[] {
	const needle = filter?.trim().toLowerCase();
	const seen = new Set<string>();
	const items: Array<INodeListSearchItems & { value: string }> = [];
	for (const model of models.filter(isImageModel)) {
		const id = normalizeModelId(model.name);
		if (seen.has(id)) continue;
		seen.add(id);
		// Vertex's Model Garden lists ids only; known ids get the names users know.
		const displayName = model.displayName ?? KNOWN_NAMES.get(id);
		const name = displayName && displayName !== id ? `${displayName} (${id})` : id;
		if (needle && !name.toLowerCase().includes(needle)) continue;
		items.push({ name, value: id });
	}
	// Stable before previews, newest generation first, the plain model before its variants (Lite, Pro).
	return items.sort(
		(a, b) =>
			stability(a.value) - stability(b.value) ||
			generation(b.value) - generation(a.value) ||
			a.value.length - b.value.length ||
			a.value.localeCompare(b.value),
	);
}

export async function searchModels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const authentication = this.getNodeParameter('authentication', 'aiStudio') as Authentication;
	const credentialType = credentialTypeFor(authentication);
	const credentials = await this.getCredentials(credentialType);
	const backend = await backendFor(authentication, credentials, plainRequest(this));
	const timeoutMs = 30_000;
	const secrets = secretsOf(authentication, credentials);
	try {
		const models = await listModels(
			async (type, options) => await this.helpers.httpRequestWithAuthentication.call(this, type, options),
			backend,
			{
				policy: { ...DEFAULT_RETRY_POLICY, maxRetries: 1 },
				timeoutMs,
				gate: new SharedRequestGate(SYSTEM_CLOCK, 1).join(),
				secrets,
				log: nodeLog(loggerOf(this), secrets, { node: this.getNode().name }),
			},
		);
		const results = toSearchItems(models, filter);
		if (results.length > 0 || filter) return { results };
	} catch (error) {
		if (backend.name === 'aiStudio' && error instanceof TransportError) {
			const explained = explainFailure(error.failure, { backend, modelId: 'models', attempts: error.attempts, timeoutMs });
			throw new NodeApiError(this.getNode(), { message: explained.reason } as JsonObject, {
				message: redactSecrets(explained.message, secrets),
				description: redactSecrets(explained.description, secrets),
				httpCode: explained.httpCode,
			});
		}
		// Listing Vertex's Model Garden needs more than the Vertex AI User role; fall through.
	}
	return { results: toSearchItems(KNOWN_IMAGE_MODELS, filter) };
}
