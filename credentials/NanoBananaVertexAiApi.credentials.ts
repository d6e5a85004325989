import type {
	IAuthenticateGeneric,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { exchangeServiceAccountToken } from '../nodes/NanoBanana/transport/serviceAccountToken';

export class NanoBananaVertexAiApi implements ICredentialType {
	name = 'nanoBananaVertexAiApi';

	displayName = 'Google Vertex AI Service Account API';

	icon: Icon = { light: 'file:nanoBananaVertexAi.svg', dark: 'file:nanoBananaVertexAi.dark.svg' };

	documentationUrl =
		'https://github.com/nano-banana-n8n/n8n-nodes-gemini-nano-banana/blob/main/docs/credentials-vertex-ai.md';

	properties: INodeProperties[] = [
		{
			displayName: 'Service Account Key (JSON)',
			name: 'serviceAccountJson',
			type: 'string',
			typeOptions: { password: true, rows: 6 },
			default: '',
			required: true,
			placeholder: '{ "type": "service_account", "project_id": "…", "private_key": "…", … }',
			description:
				'The whole JSON key file of a service account with the "Vertex AI User" role (Google Cloud Console → IAM & Admin → Service Accounts → Keys → Add key → JSON)',
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
			placeholder: 'Taken from the key file when empty',
			description: 'The Google Cloud project to bill. Empty: the project_id in the key file.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'Derived from the location when empty',
			description:
				'Change only for Private Service Connect or a gateway. Empty: https://aiplatform.googleapis.com for "global", https://{location}-aiplatform.googleapis.com for a region.',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
	];

	/**
	 * n8n calls this when the token is empty and after a 401, then stores the result: one token
	 * serves every item, execution and queue-mode worker until Google stops accepting it.
	 */
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return { accessToken: await exchangeServiceAccountToken(this, credentials.serviceAccountJson) };
	}

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: { Authorization: '=Bearer {{$credentials.accessToken}}' },
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{ $credentials.baseUrl ? String($credentials.baseUrl).trim().replace(/\\/+$/, "") : String($credentials.location || "global").trim() === "global" ? "https://aiplatform.googleapis.com" : ["us", "eu"].includes(String($credentials.location).trim()) ? "https://aiplatform." + String($credentials.location).trim() + ".rep.googleapis.com" : "https://" + String($credentials.location).trim() + "-aiplatform.googleapis.com" }}',
			url: '={{ "/v1/projects/" + (String($credentials.projectId || "").trim() || JSON.parse($credentials.serviceAccountJson).project_id) + "/locations/" + String($credentials.location || "global").trim() + "/publishers/google/models/gemini-2.5-flash-image" }}',
		},
	};
}
