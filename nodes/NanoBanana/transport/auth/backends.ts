import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { normalizeModelId } from '../../shared/models';
import { AI_STUDIO_HELP, vertexHelp, type CredentialHelp } from './credentialHelp';
import { Problem } from '../../shared/problem';
import { vertexAuthMethod, type PlainRequest } from './vertexAuth';
import { checkedServiceUrl, readVertexSettings } from './vertexSettings';

/**
 * The only place that knows Google's URLs. A backend turns a model id into endpoint URLs and
 * states, as data, everything that differs between the Gemini API and Vertex AI: limits, the
 * image options each takes, Batch Mode, token handling, how its credential problems are named.
 * Code above transport/auth/ asks for a capability, never for a backend's name.
 */

/** The node's "Authentication" values: one per backend (see registry.ts). */
export type BackendName = 'aiStudio' | 'vertexAi';

export const AI_STUDIO_CREDENTIAL = 'nanoBananaAiStudioApi';
export const VERTEX_AI_CREDENTIAL = 'nanoBananaVertexAiApi';
/** The credential types the node uses, one per backend. */
export type CredentialType = typeof AI_STUDIO_CREDENTIAL | typeof VERTEX_AI_CREDENTIAL;

/** Image options Google takes on one backend only; the other gets them left out, with a note. */
export interface ImageOptionSupport {
	/** `imageConfig.imageOutputOptions` ("Output Format", "JPEG Quality"). */
	outputFormat: boolean;
	/** `imageConfig.personGeneration` ("People in Images"). */
	personGeneration: boolean;
}

export const AI_STUDIO_IMAGE_OPTIONS: ImageOptionSupport = { outputFormat: false, personGeneration: false };
export const VERTEX_IMAGE_OPTIONS: ImageOptionSupport = { outputFormat: true, personGeneration: true };
export const AI_STUDIO_DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';

const MB = 1024 * 1024;

export interface Backend {
	name: BackendName;
	/** Name users see in messages. */
	label: string;
	credentialType: CredentialType;
	/** Which image options Google takes here. */
	imageOptions: ImageOptionSupport;
	/**
	 * The first request fetches an access token: until it has, parallel requests would each fetch
	 * one, so the pool sends one item first.
	 */
	firstRequestFetchesToken: boolean;
	/** A 401 comes after n8n refreshed the token, so it speaks for the credential, not the item. */
	refusalMeansCredential: boolean;
	/**
	 * Whether the model picker shows a failed model list as an error (true) or falls back to the
	 * known models (Vertex's Model Garden list needs more than the Vertex AI User role).
	 */
	modelListErrorsShown: boolean;
	/** How its credential problems are put to the user. */
	help: CredentialHelp;
	/** Largest image Google accepts inline in one request, in bytes. */
	maxInlineImageBytes: number;
	/**
	 * Largest whole request with inline data, in bytes (base64 and JSON included), where Google
	 * states one: the Gemini API's (100 MB since January 2026). Several images that each fit
	 * inline may not fit together.
	 */
	maxInlineRequestBytes?: number;
	generateContentUrl(modelId: string): string;
	/** countTokens costs nothing: the credential test calls it. */
	countTokensUrl(modelId: string): string;
	listModelsUrl: string;
	/** The Files API's upload endpoint, where the backend has one (the Gemini API does, Vertex not). */
	fileUploadUrl?: string;
	/** Largest file the Files API takes. */
	maxUploadBytes?: number;
	/** The only origin the credential's secret may be sent to. */
	origin: string;
	/** Batch Mode endpoints, where the backend has them (the Gemini API does; Vertex's need Cloud Storage). */
	batches?: BatchEndpoints;
}

/**
 * Where batch jobs live. Job and file names come from Google's answers, so they are checked
 * against Google's name shapes before they become part of a URL: an answer never picks a path.
 */
export interface BatchEndpoints {
	/** Largest create request that carries its requests inline; bigger batches go as a JSONL file. */
	maxInlineBytes: number;
	createUrl(modelId: string): string;
	listUrl: string;
	jobUrl(jobName: string): string;
	cancelUrl(jobName: string): string;
	downloadUrl(fileName: string): string;
}

const JOB_NAME = /^batches\/[A-Za-z0-9_-]{1,128}$/;
const FILE_NAME = /^files\/[A-Za-z0-9_-]{1,128}$/;

/** Throws unless `name` has the shape Google gives batch jobs (`batches/…`) or files (`files/…`). */
export function checkResourceName(name: string, kind: 'job' | 'file'): string {
	if (!(kind === 'job' ? JOB_NAME : FILE_NAME).test(name)) {
		throw new Error(`Google answered with an unexpected ${kind === 'job' ? 'batch job' : 'file'} name "${name.slice(0, 80)}"`);
	}
	return name;
}

function trimSlashes(url: string): string {
	return url.trim().replace(/\/+$/, '');
}


/** The last base URL checked and its origin: the credential's `authenticate` asks on every request. */
let lastOrigin: { raw: string; origin: string } | undefined;

/** The origin of the AI Studio credential's base URL (checked like Vertex's). */
export function aiStudioOrigin(credentials: ICredentialDataDecryptedObject): string {
	const raw = typeof credentials.baseUrl === 'string' && credentials.baseUrl.trim() ? credentials.baseUrl.trim() : AI_STUDIO_DEFAULT_BASE_URL;
	if (lastOrigin?.raw !== raw) lastOrigin = { raw, origin: checkedServiceUrl(raw, 'Base URL', 'Google AI Studio API').origin };
	return lastOrigin.origin;
}

export function aiStudioBackend(credentials: ICredentialDataDecryptedObject): Backend {
	const base = trimSlashes(String(credentials.baseUrl || AI_STUDIO_DEFAULT_BASE_URL));
	return {
		name: 'aiStudio',
		label: 'Google AI Studio (Gemini API)',
		credentialType: AI_STUDIO_CREDENTIAL,
		imageOptions: AI_STUDIO_IMAGE_OPTIONS,
		firstRequestFetchesToken: false,
		refusalMeansCredential: false,
		modelListErrorsShown: true,
		help: AI_STUDIO_HELP,
		// Bigger images go through the Files API: requests stay small enough for any proxy.
		maxInlineImageBytes: 20 * MB,
		maxInlineRequestBytes: 100 * MB,
		generateContentUrl: (modelId) =>
			`${base}/v1beta/models/${encodeURIComponent(normalizeModelId(modelId))}:generateContent`,
		countTokensUrl: (modelId) => `${base}/v1beta/models/${encodeURIComponent(normalizeModelId(modelId))}:countTokens`,
		listModelsUrl: `${base}/v1beta/models`,
		fileUploadUrl: `${base}/upload/v1beta/files`,
		maxUploadBytes: 2048 * MB,
		origin: aiStudioOrigin(credentials),
		batches: {
			maxInlineBytes: 20 * MB,
			createUrl: (modelId) =>
				`${base}/v1beta/models/${encodeURIComponent(normalizeModelId(modelId))}:batchGenerateContent`,
			listUrl: `${base}/v1beta/batches`,
			jobUrl: (jobName) => `${base}/v1beta/${checkResourceName(jobName, 'job')}`,
			cancelUrl: (jobName) => `${base}/v1beta/${checkResourceName(jobName, 'job')}:cancel`,
			downloadUrl: (fileName) => `${base}/download/v1beta/${checkResourceName(fileName, 'file')}:download`,
		},
	};
}

export { vertexHost } from './vertexSettings';
export { normalizeModelId };

/**
 * The Vertex endpoint for a credential. Every field is checked first (see `vertexSettings.ts`); the
 * project is the Project ID field, else what the auth method knows (key file, metadata server);
 * an API key without a project uses Vertex AI's express-mode endpoint.
 */
export function vertexBackend(credentials: ICredentialDataDecryptedObject): Backend {
	const settings = readVertexSettings(credentials);
	const method = vertexAuthMethod(settings.authMethod);
	const project = settings.projectId ?? method.implicitProject(credentials);
	if (!project && !method.projectOptional) {
		throw new Problem('INVALID_CREDENTIAL', 'The "Google Vertex AI API" credential names no Google Cloud project', method.missingProject);
	}
	const { baseUrl } = settings;
	const modelsPath = project
		? `${baseUrl}/v1/projects/${encodeURIComponent(project)}/locations/${encodeURIComponent(settings.location)}/publishers/google/models`
		: `${baseUrl}/v1/publishers/google/models`;
	const modelUrl = (modelId: string, method: string) =>
		`${modelsPath}/${encodeURIComponent(normalizeModelId(modelId))}:${method}`;
	return {
		name: 'vertexAi',
		label: 'Vertex AI',
		credentialType: VERTEX_AI_CREDENTIAL,
		imageOptions: VERTEX_IMAGE_OPTIONS,
		firstRequestFetchesToken: true,
		refusalMeansCredential: true,
		modelListErrorsShown: false,
		help: vertexHelp(settings.authMethod),
		maxInlineImageBytes: 7 * MB,
		generateContentUrl: (modelId) => modelUrl(modelId, 'generateContent'),
		countTokensUrl: (modelId) => modelUrl(modelId, 'countTokens'),
		// Model Garden lists Google's publisher models; it is served on the v1beta1 surface.
		listModelsUrl: `${baseUrl}/v1beta1/publishers/google/models`,
		origin: settings.origin,
	};
}

/**
 * `vertexBackend`, after asking the auth method for the project when the credential does not
 * store one yet (the metadata server's project, before n8n has run the credential's first
 * authentication step).
 */
export async function resolveVertexBackend(
	credentials: ICredentialDataDecryptedObject,
	request: PlainRequest,
): Promise<Backend> {
	const settings = readVertexSettings(credentials);
	const method = vertexAuthMethod(settings.authMethod);
	if (settings.projectId || method.implicitProject(credentials) || !method.lookUpProject) {
		return vertexBackend(credentials);
	}
	return vertexBackend({ ...credentials, metadataProjectId: await method.lookUpProject(request, credentials) });
}
