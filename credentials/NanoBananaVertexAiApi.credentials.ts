import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import {
	authenticateVertex,
	preAuthenticateVertex,
	VERTEX_CREDENTIAL_TEST_RULES,
	VERTEX_CREDENTIAL_TEST_URL,
} from '../nodes/NanoBanana/transport/auth/vertexCredential';
import { DEFAULT_METADATA_SERVER_URL } from '../nodes/NanoBanana/transport/auth/vertexSettings';

export class NanoBananaVertexAiApi implements ICredentialType {
	name = 'nanoBananaVertexAiApi';

	// n8n titles a new credential "<displayName> account"; its lint wants the name to end in "API".
	displayName = 'Google Vertex AI API';

	icon: Icon = { light: 'file:nanoBananaVertexAi.svg', dark: 'file:nanoBananaVertexAi.dark.svg' };

	documentationUrl =
		'https://github.com/nano-banana-n8n/n8n-nodes-gemini-nano-banana/blob/main/docs/credentials-vertex-ai.md';

	properties: INodeProperties[] = [
		{
			displayName: 'Authentication Method',
			name: 'authMethod',
			type: 'options',
			options: [
				{
					name: 'Service Account Key',
					value: 'serviceAccountKey',
					description: 'A JSON key file of a service account',
				},
				{
					name: 'Google Cloud Runtime Identity',
					value: 'metadataServer',
					description:
						'The identity of the Google Cloud runtime n8n runs on (Compute Engine, GKE, Cloud Run), from its metadata server: no key file',
				},
				{
					name: 'Vertex AI API Key',
					value: 'apiKey',
					description: 'An API key for Vertex AI (express mode, or a key bound to a service account)',
				},
			],
			// Credentials saved before this selector existed hold a key file: they keep working.
			default: 'serviceAccountKey',
		},
		// The rule guesses secrecy from the field name and misses this one: the key file holds a
		// private key, so it stays masked. The name is part of the saved credentials.
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- holds a private key
		{
			displayName: 'Service Account Key (JSON)',
			name: 'serviceAccountJson',
			type: 'string',
			typeOptions: { password: true, rows: 6 },
			default: '',
			required: true,
			displayOptions: { show: { authMethod: ['serviceAccountKey'] } },
			placeholder: '{ "type": "service_account", "project_id": "…", "private_key": "…", … }',
			description:
				'The whole JSON key file of a service account with the "Vertex AI User" role (Google Cloud Console → IAM & Admin → Service Accounts → Keys → Add key → JSON)',
		},
		{
			displayName: 'Metadata Server URL',
			name: 'metadataServerUrl',
			type: 'string',
			default: DEFAULT_METADATA_SERVER_URL,
			displayOptions: { show: { authMethod: ['metadataServer'] } },
			description:
				'Where the runtime\'s metadata server answers. Keep the default on Compute Engine, GKE and Cloud Run. With N8N_SSRF_PROTECTION_ENABLED on, its host must be in N8N_SSRF_ALLOWED_HOSTNAMES.',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { authMethod: ['apiKey'] } },
			description:
				'A Vertex AI API key (Google Cloud Console → Vertex AI → API keys). Sent in the x-goog-api-key header, never in the URL.',
		},
		{
			displayName: 'Location',
			name: 'location',
			type: 'string',
			default: 'global',
			required: true,
			placeholder: 'e.g. global, us-central1, europe-west4, us, eu',
			description:
				'Where requests are served. "global" has every image model; a region (e.g. europe-west4) or multi-region (us, eu) keeps data there but some models exist only in "global".',
		},
		{
			displayName: 'Project ID',
			name: 'projectId',
			type: 'string',
			default: '',
			placeholder: 'e.g. my-project-123',
			description:
				'The Google Cloud project to bill. Empty: the project_id in the key file, the project of the runtime (metadata server), or Vertex AI express mode (API key).',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'Derived from the location when empty',
			description:
				'Change only for Private Service Connect or a gateway. Empty: https://aiplatform.googleapis.com for "global", https://{location}-aiplatform.googleapis.com for a region. The credential sends its secret to this address only.',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
		{
			// Filled in by the metadata server method when Project ID is empty.
			displayName: 'Project of the Runtime',
			name: 'metadataProjectId',
			type: 'hidden',
			default: '',
		},
	];

	/**
	 * n8n calls this when the token is empty, after a 401 and in credential tests, then stores the
	 * result: one token serves every item, execution and queue-mode worker until Google stops
	 * accepting it. Every field is checked here first, before any request.
	 */
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return await preAuthenticateVertex(async (options) => await this.helpers.httpRequest(options), credentials);
	}

	// A function rather than n8n's expression template: the header depends on the method, the
	// request's origin is checked, redirects are refused, and no expression runs per request.
	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => authenticateVertex(credentials, requestOptions);

	// The URL is a marker that `authenticate` turns into a free countTokens call (see vertexCredential.ts).
	test: ICredentialTestRequest = {
		request: { method: 'POST', url: VERTEX_CREDENTIAL_TEST_URL },
		rules: VERTEX_CREDENTIAL_TEST_RULES,
	};
}
