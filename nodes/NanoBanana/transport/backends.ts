import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { parseServiceAccountKey } from './serviceAccount';

/**
 * The only place that knows Google's URLs. A backend turns a model id into endpoint URLs and
 * states the limits that differ between the Gemini API and Vertex AI.
 */

export type BackendName = 'aiStudio' | 'vertexAi';

export const AI_STUDIO_CREDENTIAL = 'nanoBananaAiStudioApi';
export const VERTEX_AI_CREDENTIAL = 'nanoBananaVertexAiApi';
export const AI_STUDIO_DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';

const MB = 1024 * 1024;

export interface Backend {
	name: BackendName;
	/** Name users see in messages. */
	label: string;
	credentialType: string;
	/** Largest image Google accepts inline in one request, in bytes. */
	maxInlineImageBytes: number;
	generateContentUrl(modelId: string): string;
	listModelsUrl: string;
	/** The Files API's upload endpoint, where the backend has one (the Gemini API does, Vertex not). */
	fileUploadUrl?: string;
	/** Largest file the Files API takes. */
	maxUploadBytes?: number;
}

function trimSlashes(url: string): string {
	return url.trim().replace(/\/+$/, '');
}

/** `models/gemini-x`, `publishers/google/models/gemini-x` and `gemini-x` all name `gemini-x`. */
export function normalizeModelId(model: string): string {
	const trimmed = model.trim();
	const slash = trimmed.lastIndexOf('/');
	return slash >= 0 ? trimmed.slice(slash + 1) : trimmed;
}

export function aiStudioBackend(credentials: ICredentialDataDecryptedObject): Backend {
	const base = trimSlashes(String(credentials.baseUrl || AI_STUDIO_DEFAULT_BASE_URL));
	return {
		name: 'aiStudio',
		label: 'Google AI Studio (Gemini API)',
		credentialType: AI_STUDIO_CREDENTIAL,
		// Bigger images go through the Files API: requests stay small enough for any proxy.
		maxInlineImageBytes: 20 * MB,
		generateContentUrl: (modelId) =>
			`${base}/v1beta/models/${encodeURIComponent(normalizeModelId(modelId))}:generateContent`,
		listModelsUrl: `${base}/v1beta/models`,
		fileUploadUrl: `${base}/upload/v1beta/files`,
		maxUploadBytes: 2048 * MB,
	};
}

/** Vertex's host for a location: `global`, a multi-region (`us`, `eu`) or a region. */
export function vertexHost(location: string): string {
	if (location === 'global') return 'https://aiplatform.googleapis.com';
	if (location === 'us' || location === 'eu') return `https://aiplatform.${location}.rep.googleapis.com`;
	return `https://${location}-aiplatform.googleapis.com`;
}

export function vertexBackend(credentials: ICredentialDataDecryptedObject): Backend {
	const location = String(credentials.location || 'global').trim();
	const project =
		String(credentials.projectId || '').trim() ||
		parseServiceAccountKey(credentials.serviceAccountJson).projectId ||
		'';
	const base = trimSlashes(String(credentials.baseUrl || '') || vertexHost(location));
	const modelsPath = `${base}/v1/projects/${encodeURIComponent(project)}/locations/${encodeURIComponent(location)}/publishers/google/models`;
	return {
		name: 'vertexAi',
		label: 'Vertex AI',
		credentialType: VERTEX_AI_CREDENTIAL,
		maxInlineImageBytes: 7 * MB,
		generateContentUrl: (modelId) =>
			`${modelsPath}/${encodeURIComponent(normalizeModelId(modelId))}:generateContent`,
		// Model Garden lists Google's publisher models; it is served on the v1beta1 surface.
		listModelsUrl: `${base}/v1beta1/publishers/google/models`,
	};
}
