import { Problem } from '../../../shared/problem';
import { stringField, type VertexAuthMethod } from './method';

/**
 * A Vertex AI API key (express mode, or a key bound to a service account), sent in the
 * `x-goog-api-key` header, never in the URL. Nothing to fetch beforehand.
 */
export const apiKeyAuth: VertexAuthMethod = {
	name: 'apiKey',
	async preAuthenticate() {
		// No token: n8n stores nothing and asks again before the next request, which costs nothing.
		return {};
	},
	headers(credentials) {
		const apiKey = stringField(credentials, 'apiKey');
		if (!apiKey) {
			throw new Problem(
				'INVALID_CREDENTIAL',
				'The "Google Vertex AI API" credential has no API key',
				'Paste a Vertex AI API key (Google Cloud console → Vertex AI → API keys, or an express-mode key) into the credential\'s API Key.',
			);
		}
		return { 'x-goog-api-key': apiKey };
	},
	implicitProject: () => undefined,
	// Without a project, requests go to Vertex AI's express-mode endpoint.
	projectOptional: true,
	missingProject: '',
	secrets: (credentials) => [stringField(credentials, 'apiKey')],
};
