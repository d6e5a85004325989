/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test code, run by Node, not n8n (README: Lint) */
/**
 * Issue 9, defects 6 and 14 (project id): a credential's secret goes only to the host its base URL
 * or location names, and location and project id are checked before any request.
 */
import type { IHttpRequestOptions } from 'n8n-workflow';

import { NanoBananaAiStudioApi } from '../../../../credentials/NanoBananaAiStudioApi.credentials';
import { NanoBananaVertexAiApi } from '../../../../credentials/NanoBananaVertexAiApi.credentials';
import { vertexBackend } from '../../../../nodes/NanoBanana/transport/auth/backends';

const key = (projectId?: string) =>
	JSON.stringify({ client_email: 'a@b.iam', private_key: 'x', ...(projectId === undefined ? {} : { project_id: projectId }) });

type AuthenticateFunction = (credentials: Record<string, unknown>, options: IHttpRequestOptions) => Promise<IHttpRequestOptions>;

function authenticateOf(credential: { authenticate: unknown }): AuthenticateFunction {
	expect(typeof credential.authenticate).toBe('function');
	return credential.authenticate as AuthenticateFunction;
}

describe('Vertex location and project id (defect 6)', () => {
	it.each([
		'evil.example/x#',
		'evil.example',
		'us-central1.evil.example',
		'us-central1/../x',
		'US-CENTRAL1',
		'global?',
		'eu@evil.example',
	])('refuses location %j before any request', (location) => {
		expect(() => vertexBackend({ serviceAccountJson: key('my-project'), location })).toThrow(/location .* is not a Google Cloud location/);
	});

	it.each(['global', 'us', 'eu', 'us-central1', 'europe-west4', 'northamerica-northeast2', ' asia-southeast1 '])(
		'accepts location %j and keeps requests on Google\'s host for it',
		(location) => {
			const url = new URL(vertexBackend({ serviceAccountJson: key('my-project'), location }).generateContentUrl('gemini-2.5-flash-image'));
			expect(url.hostname).toMatch(/^([a-z0-9-]+-)?aiplatform(\.(us|eu)\.rep)?\.googleapis\.com$/);
			expect(url.pathname).toContain(`/locations/${location.trim()}/`);
		},
	);

	it.each(['..', '.', 'a/b', 'my-project/../../x', 'My-Project', 'ab', '-project', 'project-', 'p#x', 'p?x'])(
		'refuses project id %j, from the field or from the key file',
		(projectId) => {
			expect(() => vertexBackend({ serviceAccountJson: key('my-project'), location: 'global', projectId })).toThrow(/project id .* is not a Google Cloud project id/);
			expect(() => vertexBackend({ serviceAccountJson: key(projectId), location: 'global' })).toThrow(/project id .* is not a Google Cloud project id/);
		},
	);

	it('accepts project ids, domain-scoped ids and project numbers', () => {
		for (const projectId of ['my-project-123', 'example.com:my-project', '123456789012']) {
			const url = vertexBackend({ serviceAccountJson: key(), location: 'global', projectId }).generateContentUrl('m');
			expect(url).toBe(`https://aiplatform.googleapis.com/v1/projects/${encodeURIComponent(projectId)}/locations/global/publishers/google/models/m:generateContent`);
		}
	});

	it('refuses a base URL that hides another host, a query or a fragment', () => {
		for (const baseUrl of ['https://user:pw@evil.example', 'https://aiplatform.googleapis.com#@evil.example', 'https://h?x=1', 'ftp://h', 'not a url']) {
			expect(() => vertexBackend({ serviceAccountJson: key('my-project'), location: 'global', baseUrl })).toThrow(/Base URL .* is not a plain http\(s\) address/);
		}
	});
});

describe('an empty or missing project (defect 14)', () => {
	it('says the credential names no project, instead of a later "model not found"', () => {
		expect(() => vertexBackend({ serviceAccountJson: key(), location: 'global', projectId: '' })).toThrow(/names no Google Cloud project/);
		expect(() => vertexBackend({ serviceAccountJson: key(''), location: 'global', projectId: '  ' })).toThrow(/names no Google Cloud project/);
	});
});

describe('credentials are sent only to their base URL\'s origin', () => {
	const vertex = { serviceAccountJson: key('my-project'), location: 'global', accessToken: 'ya29.secret-token' };

	it('Vertex: headers for its own origin, none for another one, redirects not followed', async () => {
		const authenticate = authenticateOf(new NanoBananaVertexAiApi());
		const url = vertexBackend(vertex).generateContentUrl('gemini-2.5-flash-image');
		const signed = await authenticate(vertex, { url, method: 'POST' });
		expect(signed.headers).toEqual({ Authorization: 'Bearer ya29.secret-token' });
		expect(signed.disableFollowRedirect).toBe(true);
		for (const other of ['https://evil.example/v1/x', 'https://aiplatform.googleapis.com.evil.example/v1', 'http://aiplatform.googleapis.com/v1']) {
			await expect(authenticate(vertex, { url: other })).rejects.toThrow(/sends its secret only to https:\/\/aiplatform\.googleapis\.com/);
		}
		await expect(authenticate({ ...vertex, location: 'evil.example/x#' }, { url: 'https://evil.example/x#-aiplatform.googleapis.com/v1' })).rejects.toThrow(/not a Google Cloud location/);
	});

	it('AI Studio: the key goes to the base URL\'s origin only (also for URLs an answer named)', async () => {
		const authenticate = authenticateOf(new NanoBananaAiStudioApi());
		const credentials = { apiKey: 'AIzaSyExampleExampleExample', baseUrl: 'http://127.0.0.1:9' };
		const signed = await authenticate(credentials, { url: 'http://127.0.0.1:9/upload/v1beta/files?upload_id=1' });
		expect(signed.headers).toEqual({ 'x-goog-api-key': 'AIzaSyExampleExampleExample' });
		expect(signed.disableFollowRedirect).toBe(true);
		const viaBase = await authenticate(credentials, { baseURL: 'http://127.0.0.1:9/', url: '/v1beta/models' });
		expect(viaBase.headers).toEqual({ 'x-goog-api-key': 'AIzaSyExampleExampleExample' });
		await expect(authenticate(credentials, { url: 'http://127.0.0.1:10/upload/v1beta/files?upload_id=1' })).rejects.toThrow(/sends its secret only to http:\/\/127\.0\.0\.1:9/);
		await expect(authenticate({ apiKey: 'k' }, { url: 'https://generativelanguage.googleapis.com.evil.example/v1beta/models' })).rejects.toThrow(/only to https:\/\/generativelanguage\.googleapis\.com/);
	});
});
