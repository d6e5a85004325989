import { NanoBananaAiStudioApi } from '../../credentials/NanoBananaAiStudioApi.credentials';
import { NanoBananaVertexAiApi } from '../../credentials/NanoBananaVertexAiApi.credentials';
import { aiStudioBackend, vertexBackend } from '../../nodes/NanoBanana/transport/backends';

/**
 * Credential tests run as n8n expressions, so the endpoint rules in `backends.ts` are written a
 * second time there. These tests evaluate the expressions (as plain JavaScript, which n8n
 * expressions are) and hold them to the code's rules.
 */
function evaluate(expression: unknown, credentials: Record<string, unknown>): string {
	const source = String(expression).replace(/^=\{\{/, '').replace(/\}\}$/, '');
	// eslint-disable-next-line @typescript-eslint/no-implied-eval
	return String(new Function('$credentials', `return (${source});`)(credentials));
}

const key = JSON.stringify({ client_email: 'a@b', private_key: 'k', project_id: 'key-project' });

describe('Vertex credential test request', () => {
	const { request } = new NanoBananaVertexAiApi().test;

	it.each([
		[{ location: 'global' }],
		[{ location: 'us-central1' }],
		[{ location: 'europe-west4', projectId: 'explicit' }],
		[{ location: 'us' }],
		[{ location: 'eu', baseUrl: 'http://127.0.0.1:8080/' }],
	])('calls the same endpoint the node uses for %j', (fields) => {
		const credentials = { serviceAccountJson: key, ...fields };
		const url = evaluate(request.baseURL, credentials) + evaluate(request.url, credentials);
		const expected = vertexBackend(credentials).generateContentUrl('gemini-2.5-flash-image').replace(/:generateContent$/, '');
		expect(url).toBe(expected);
	});
});

describe('AI Studio credential', () => {
	const credential = new NanoBananaAiStudioApi();

	it('lists models at the base URL the node uses', () => {
		for (const baseUrl of ['https://generativelanguage.googleapis.com', 'http://127.0.0.1:9/', '']) {
			const credentials = { apiKey: 'k', baseUrl };
			expect(evaluate(credential.test.request.baseURL, credentials) + credential.test.request.url).toBe(
				aiStudioBackend(credentials).listModelsUrl,
			);
		}
	});

	it('sends the key in the x-goog-api-key header, not the URL', () => {
		expect(credential.authenticate).toEqual({
			type: 'generic',
			properties: { headers: { 'x-goog-api-key': '={{$credentials.apiKey}}' } },
		});
		expect(JSON.stringify(credential.test)).not.toContain('key=');
	});
});
