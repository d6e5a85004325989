import {
	NodeApiError,
	type ILoadOptionsFunctions,
	type INodeListSearchItems,
	type INodeListSearchResult,
	type JsonObject,
} from 'n8n-workflow';

import { plainRequest, secretsOf } from '../actions/runContext';
import { backendModule, DEFAULT_BACKEND } from '../transport/auth/registry';
import { normalizeModelId } from '../transport/auth/backends';
import { listModels } from '../transport/api/models';
import { TransportError } from '../transport/http/client';
import { explainFailure } from '../transport/failures/explain';
import { redactSecrets } from '../transport/http/redact';
import { SharedRequestGate, SYSTEM_CLOCK } from '../transport/pacing/gate';
import { loggerOf, nodeLog } from '../transport/http/log';
import { DEFAULT_RETRY_POLICY } from '../transport/failures/retry';
import { isShutDown, knownImageModel, PICKER_MODELS } from '../shared/models';
import type { Model } from '../transport/google/types';

/**
 * Google's image models as of this release, shown when the model list is not available (Vertex's
 * Model Garden list needs more than the Vertex AI User role). The list loaded from the API wins.
 */
const KNOWN_IMAGE_MODELS: Model[] = PICKER_MODELS.map((model) => ({ name: model.id, displayName: model.name }));

/** Models that plainly do not draw, whatever their family. */
const NOT_IMAGE_OUTPUT = /embedding|tts|audio|live|native-audio|-aqa|imagen|veo/;

/**
 * The list has no "outputs images" flag, and the newest ids need not contain "image"
 * (Nano Banana 2.1's does not): an image model is a known id, an id of the image or Nano Banana
 * families, or one Google names "Nano Banana" or "… Image". Text, embedding and audio models are
 * left out; so are previews and experiments (Google shuts them down every few months) and ids
 * Google has shut down.
 */
export function isImageModel(model: Model): boolean {
	const id = normalizeModelId(model.name);
	const generates = model.supportedGenerationMethods?.includes('generateContent') ?? true;
	if (!generates || NOT_IMAGE_OUTPUT.test(id)) return false;
	if (/preview|-exp\b|experimental/.test(id) || isShutDown(id)) return false;
	if (knownImageModel(id)) return true;
	const name = model.displayName?.toLowerCase() ?? '';
	return (
		id.startsWith('gemini') &&
		(id.includes('image') || id.includes('nano-banana') || name.includes('nano banana') || /\bimage\b/.test(name))
	);
}

/** Google's recommended model first, then the known ones in their order, then new ids, newest first. */
function rank(id: string): number {
	const known = PICKER_MODELS.findIndex((model) => model.id === id);
	return known === -1 ? PICKER_MODELS.length : known;
}

function generation(id: string): number {
	return Number(/(?:gemini|nano-banana)-(\d+(?:\.\d+)?)/.exec(id)?.[1] ?? 0);
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
		const known = knownImageModel(id);
		const displayName = known?.name ?? model.displayName;
		const name = displayName && displayName !== id ? `${displayName} (${id})` : id;
		if (needle && !name.toLowerCase().includes(needle)) continue;
		items.push({ name, value: id, ...(known?.note ? { description: known.note } : {}) });
	}
	return items.sort(
		(a, b) =>
			rank(a.value) - rank(b.value) ||
			generation(b.value) - generation(a.value) ||
			a.value.length - b.value.length ||
			a.value.localeCompare(b.value),
	);
}

export async function searchModels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const authentication = this.getNodeParameter('authentication', DEFAULT_BACKEND);
	const module = backendModule(authentication);
	const credentials = await this.getCredentials(module.credentialType);
	const backend = await module.resolve(credentials, plainRequest(this));
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
		if (backend.modelListErrorsShown && error instanceof TransportError) {
			const explained = explainFailure(error.failure, { backend, modelId: 'models', attempts: error.attempts, timeoutMs });
			throw new NodeApiError(this.getNode(), { message: explained.reason } as JsonObject, {
				message: redactSecrets(explained.message, secrets),
				description: redactSecrets(explained.description, secrets),
				httpCode: explained.httpCode,
			});
		}
		// Otherwise (Vertex's Model Garden needs more than the Vertex AI User role): the known models.
	}
	return { results: toSearchItems(KNOWN_IMAGE_MODELS, filter) };
}
