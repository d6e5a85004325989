import type { ICredentialDataDecryptedObject, IExecuteFunctions } from 'n8n-workflow';

import {
	DEFAULT_MAX_CONCURRENCY,
	DEFAULT_MAX_RETRIES,
	DEFAULT_TIMEOUT_SECONDS,
	type NanoBananaOptions,
} from '../description/options';
import {
	AI_STUDIO_CREDENTIAL,
	aiStudioBackend,
	VERTEX_AI_CREDENTIAL,
	vertexBackend,
	type Backend,
} from '../transport/backends';
import { generateContent, type AuthenticatedRequest, type CallOptions } from '../transport/client';
import { RequestGate } from '../transport/gate';
import { DEFAULT_RETRY_POLICY } from '../transport/retry';
import { parseServiceAccountKey } from '../transport/serviceAccount';
import type { GenerateContentRequest, GenerateContentResponse } from '../transport/types';

/**
 * What every item of one execution shares: the backend, one request gate (so the whole pool
 * honours a quota together), retry settings and the secrets to keep out of messages.
 */
export interface RunContext {
	backend: Backend;
	maxConcurrency: number;
	timeoutMs: number;
	secrets: string[];
	signal?: AbortSignal;
	generate(modelId: string, body: GenerateContentRequest): Promise<{ response: GenerateContentResponse; attempts: number }>;
}

export type Authentication = 'aiStudio' | 'vertexAi';

export function credentialTypeFor(authentication: Authentication): string {
	return authentication === 'vertexAi' ? VERTEX_AI_CREDENTIAL : AI_STUDIO_CREDENTIAL;
}

export function backendFor(authentication: Authentication, credentials: ICredentialDataDecryptedObject): Backend {
	return authentication === 'vertexAi' ? vertexBackend(credentials) : aiStudioBackend(credentials);
}

/** Secret values of a credential, so they can be scrubbed from anything shown to the user. */
export function secretsOf(authentication: Authentication, credentials: ICredentialDataDecryptedObject): string[] {
	if (authentication === 'aiStudio') return [String(credentials.apiKey ?? '')];
	const secrets = [String(credentials.accessToken ?? '')];
	try {
		secrets.push(parseServiceAccountKey(credentials.serviceAccountJson).privateKey);
	} catch {
		// An unreadable key is reported by the backend; there is nothing to scrub.
	}
	return secrets;
}

export function authenticatedRequest(context: IExecuteFunctions): AuthenticatedRequest {
	return async (credentialType, options) =>
		await context.helpers.httpRequestWithAuthentication.call(context, credentialType, options);
}

export function cancelSignalOf(context: IExecuteFunctions): AbortSignal | undefined {
	return typeof context.getExecutionCancelSignal === 'function' ? context.getExecutionCancelSignal() : undefined;
}

/** Settings that hold for the whole execution are read from the first item. */
export async function createRunContext(context: IExecuteFunctions): Promise<RunContext> {
	const authentication = context.getNodeParameter('authentication', 0) as Authentication;
	const options = context.getNodeParameter('options', 0, {}) as NanoBananaOptions;
	const credentials = await context.getCredentials(credentialTypeFor(authentication));
	const secrets = secretsOf(authentication, credentials);
	const backend = backendFor(authentication, credentials);
	const timeoutMs = (options.timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
	const signal = cancelSignalOf(context);
	const callOptions: CallOptions = {
		policy: { ...DEFAULT_RETRY_POLICY, maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES },
		timeoutMs,
		gate: new RequestGate(options.requestsPerMinute ?? 0),
		signal,
	};
	const request = authenticatedRequest(context);
	return {
		backend,
		maxConcurrency: options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
		timeoutMs,
		secrets,
		signal,
		generate: async (modelId, body) => await generateContent(request, backend, modelId, body, callOptions),
	};
}
