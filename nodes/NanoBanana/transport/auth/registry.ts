import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import {
	AI_STUDIO_CREDENTIAL,
	aiStudioBackend,
	resolveVertexBackend,
	VERTEX_AI_CREDENTIAL,
	type Backend,
	type BackendName,
	type CredentialType,
} from './backends';
import { vertexAuthMethod, type PlainRequest } from './vertexAuth';
import { vertexAuthMethodName } from './vertexSettings';

/**
 * The backends by the node's "Authentication" value. Adding a backend that speaks Gemini's wire
 * behind another auth header is one entry here (its `Backend` in backends.ts), its credential
 * class and its identity fields in credentialIdentity.ts; the compiler asks for each.
 */

export interface BackendModule {
	credentialType: CredentialType;
	/** Checks the credential and builds the backend, before any request to Google. */
	resolve(credentials: ICredentialDataDecryptedObject, request: PlainRequest): Promise<Backend>;
	/** Secret values the credential holds, to scrub from anything shown to the user. */
	secrets(credentials: ICredentialDataDecryptedObject): string[];
}

const BACKENDS = {
	aiStudio: {
		credentialType: AI_STUDIO_CREDENTIAL,
		resolve: async (credentials) => aiStudioBackend(credentials),
		secrets: (credentials) => [String(credentials.apiKey ?? '')],
	},
	vertexAi: {
		credentialType: VERTEX_AI_CREDENTIAL,
		resolve: async (credentials, request) => await resolveVertexBackend(credentials, request),
		secrets: (credentials) => {
			try {
				return vertexAuthMethod(vertexAuthMethodName(credentials)).secrets(credentials);
			} catch {
				// An unknown method is reported by the backend; scrub what any method may hold.
				return [String(credentials.accessToken ?? ''), String(credentials.apiKey ?? '')];
			}
		},
	},
} satisfies Record<BackendName, BackendModule>;

/** The "Authentication" parameter's default. */
export const DEFAULT_BACKEND: BackendName = 'aiStudio';

/** The backend for an "Authentication" value; a value the node does not know means its default. */
export function backendModule(authentication: unknown): BackendModule {
	const name = Object.keys(BACKENDS).find((key) => key === authentication) as BackendName | undefined;
	return BACKENDS[name ?? DEFAULT_BACKEND];
}
