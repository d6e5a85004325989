/* eslint-disable @n8n/community-nodes/no-dangerous-functions -- test code, run by Node, not n8n (README: Lint) */
import { NanoBananaAiStudioApi } from '../../../credentials/NanoBananaAiStudioApi.credentials';
import { NanoBananaVertexAiApi } from '../../../credentials/NanoBananaVertexAiApi.credentials';
import { aiStudioBackend, vertexBackend } from '../../../nodes/NanoBanana/transport/auth/backends';
import type { IHttpRequestOptions } from 'n8n-workflow';
import { RECOMMENDED_IMAGE_MODEL } from '../../../nodes/NanoBanana/shared/models';
import { startEmulator } from '../../emulator/server';

/**
 * The AI Studio credential test runs as an n8n expression; these tests evaluate it (as plain
 * JavaScript, which n8n expressions are) and hold it to the code's rules. The Vertex test URL is
 * built by the node's own endpoint code.
 */
function evaluate(expression: unknown, credentials: Record<string, unknown>): string {
	const source = String(expression).replace(/^=\{\{/, '').replace(/\}\}$/, '');
	return String(new Function('$credentials', `return (${source});`)(credentials));
}

const key = JSON.stringify({ client_email: 'a@b', private_key: 'k', project_id: 'key-project' });

describe('Vertex credential test request', () => {
	const credential = new NanoBananaVertexAiApi();
	const authenticate = credential.authenticate as (
		credentials: Record<string, unknown>,
		options: IHttpRequestOptions,
	) => Promise<IHttpRequestOptions>;

	it.each([
		[{ location: 'global', accessToken: 't' }],
		[{ location: 'us-central1', accessToken: 't' }],
		[{ location: 'europe-west4', projectId: 'explicit-project', accessToken: 't' }],
		[{ location: 'us', accessToken: 't' }],
		[{ location: 'eu', baseUrl: 'http://127.0.0.1:8080/', accessToken: 't' }],
		[{ authMethod: 'metadataServer', location: 'global', metadataProjectId: 'runtime-project', accessToken: 't' }],
		[{ authMethod: 'apiKey', location: 'global', apiKey: 'k' }],
		[{ authMethod: 'apiKey', location: 'us-central1', projectId: 'bound-project', apiKey: 'k' }],
	])('calls a free countTokens on the endpoint the node uses for %j', async (fields: Record<string, string>) => {
		const credentials = { serviceAccountJson: key, ...fields };
		const request = await authenticate(credentials, { url: String(credential.test.request.url), method: 'POST' });
		expect(request.method).toBe('POST');
		expect(request.url).toBe(vertexBackend(credentials).countTokensUrl(RECOMMENDED_IMAGE_MODEL));
		expect(request.url).toBe(vertexBackend(credentials).generateContentUrl(RECOMMENDED_IMAGE_MODEL).replace(/:generateContent$/, ':countTokens'));
		expect(request.body).toEqual({ contents: [{ role: 'user', parts: [{ text: 'Credential test' }] }] });
		expect(request.headers).toEqual(fields.authMethod === 'apiKey' ? { 'x-goog-api-key': 'k' } : { Authorization: 'Bearer t' });
	});

	it.each(['serviceAccountKey', 'apiKey'])(
		'passes for a new project, which Google no longer lets use gemini-2.5-flash-image (%s)',
		async (authMethod) => {
			const emulator = await startEmulator({ closedModels: ['gemini-2.5-flash-image'] });
			try {
				const token = (await (await fetch(`${emulator.url}/__emulator/access-token`, { method: 'POST' })).json()) as { access_token: string };
				const credentials =
					authMethod === 'apiKey'
						? { authMethod, apiKey: emulator.options.vertexApiKey, location: 'global', baseUrl: emulator.url }
						: { serviceAccountJson: JSON.stringify(emulator.serviceAccountKey), accessToken: token.access_token, location: 'global', baseUrl: emulator.url };
				const request = await authenticate(credentials, { url: String(credential.test.request.url), method: 'POST' });
				const answer = await fetch(request.url, {
					method: 'POST',
					headers: { 'content-type': 'application/json', ...(request.headers as Record<string, string>) },
					body: JSON.stringify(request.body),
				});
				expect({ status: answer.status, body: await answer.text() }).toMatchObject({ status: 200 });
				expect(emulator.counters.countTokens).toBe(1);
			} finally {
				await emulator.close();
			}
		},
	);

	it('says a 404 is the test model missing at the location, not a bad credential', () => {
		expect(credential.test.rules).toEqual([
			{ type: 'responseCode', properties: { value: 404, message: expect.stringMatching(new RegExp(`${RECOMMENDED_IMAGE_MODEL}.*Set Location to global`)) } },
		]);
	});

	it('uses the express-mode endpoint for an API key without a project', () => {
		expect(vertexBackend({ authMethod: 'apiKey', apiKey: 'k', location: 'global' }).generateContentUrl('m')).toBe(
			'https://aiplatform.googleapis.com/v1/publishers/google/models/m:generateContent',
		);
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

	it('sends the key in the x-goog-api-key header, not the URL', async () => {
		const authenticate = credential.authenticate as (c: Record<string, unknown>, o: IHttpRequestOptions) => Promise<IHttpRequestOptions>;
		const request = await authenticate({ apiKey: 'k' }, { url: 'https://generativelanguage.googleapis.com/v1beta/models' });
		expect(request.headers).toEqual({ 'x-goog-api-key': 'k' });
		expect(request.url).toBe('https://generativelanguage.googleapis.com/v1beta/models');
		expect(request.qs).toBeUndefined();
		expect(JSON.stringify(credential.test)).not.toContain('key=');
	});
});
