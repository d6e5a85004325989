import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	IHttpRequestOptions,
	ICredentialType,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { aiStudioOrigin } from '../nodes/NanoBanana/transport/auth/backends';
import { withCredentialHeaders } from '../nodes/NanoBanana/transport/auth/sameOrigin';

export class NanoBananaAiStudioApi implements ICredentialType {
	name = 'nanoBananaAiStudioApi';

	displayName = 'Google AI Studio API';

	icon: Icon = { light: 'file:nanoBananaAiStudio.svg', dark: 'file:nanoBananaAiStudio.dark.svg' };

	documentationUrl =
		'https://github.com/nano-banana-n8n/n8n-nodes-gemini-nano-banana/blob/main/docs/credentials-ai-studio.md';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Create one at https://aistudio.google.com/apikey',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://generativelanguage.googleapis.com',
			description: 'Change only to go through a gateway or proxy that speaks the Gemini API',
		},
	];

	// The key travels in a header, never in the URL, so it stays out of proxy and server logs; and
	// only to the base URL's origin (upload session URLs come from answers), without redirects.
	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> =>
		withCredentialHeaders(
			requestOptions,
			aiStudioOrigin(credentials),
			{ 'x-goog-api-key': typeof credentials.apiKey === 'string' ? credentials.apiKey.trim() : '' },
			'Google AI Studio API',
		);

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ String($credentials.baseUrl || "https://generativelanguage.googleapis.com").replace(/\\/+$/, "") }}',
			url: '/v1beta/models',
			qs: { pageSize: 1 },
		},
	};
}
