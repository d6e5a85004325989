/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-imports -- test code, run by Node, not n8n (README: Lint) */
/**
 * Vertex AI without a key file (issue 10): the runtime's identity from the metadata server and
 * Vertex API keys, through n8n's real engine against the emulator. Also issue 9 defect 6: a bad
 * location never reaches the network.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'http';
import type { AddressInfo } from 'net';

import type { Emulator } from '../emulator/server';
import { credentialsHelper, runWorkflow } from './harness';
import { editParameters, metadataServerCredential, outputPng, photoItem, useEmulator, vertexApiKeyCredential, vertexCredential } from './fixtures';

let emulator: Emulator;
useEmulator((started) => (emulator = started));

const vertexEdit = (options = {}) => editParameters({ authentication: 'vertexAi', options });
const fiveItems = () => [0, 1, 2, 3, 4].map((n) => photoItem({ prompt: `runtime item ${n}`, n }));

describe('the runtime identity (metadata server)', () => {
	test('5 items: one token fetch, the project from the metadata server, bearer on every request', async () => {
		emulator.configure({ latencyMs: 40 });
		const credential = metadataServerCredential(emulator);
		const result = await runWorkflow({ items: fiveItems(), parameters: vertexEdit({ maxConcurrency: 3 }), credential });

		expect(result.status).toBe('success');
		expect(result.outputs[0].map((item) => item.json.n)).toEqual([0, 1, 2, 3, 4]);
		expect(emulator.counters.metadataTokenRequests).toBe(1);
		expect(emulator.counters.metadataRefused).toBe(0);
		expect(emulator.counters.tokenExchanges).toBe(0);
		expect(emulator.counters.bearerRequests).toBe(5);
		expect(emulator.counters.byBackend).toEqual({ vertex: 5 });
		const paths = emulator.counters.log.filter((entry) => entry.backend === 'vertex').map((entry) => entry.path);
		expect(paths.every((path) => path.startsWith('/v1/projects/emulator-project/locations/global/'))).toBe(true);
		expect((await outputPng(result, result.outputs[0][4])).meta).toMatchObject({ backend: 'vertex', prompt: 'runtime item 4' });

		// Token and project are stored on the credential: the next execution asks the metadata server nothing.
		const stored = credentialsHelper.stored(credential.id, credential.type);
		expect(stored).toMatchObject({ accessToken: expect.stringMatching(/^ya29\./), metadataProjectId: 'emulator-project' });
		emulator.reset();
		const again = await runWorkflow({ items: [photoItem({ prompt: 'next execution' })], parameters: vertexEdit(), credential });
		expect(again.status).toBe('success');
		expect(emulator.counters.metadataTokenRequests).toBe(0);
		expect(emulator.counters.metadataProjectRequests).toBe(0);
	});

	test('an expired token is fetched again once, after the 401', async () => {
		const credential = metadataServerCredential(emulator, { projectId: 'emulator-project' });
		expect((await runWorkflow({ items: [photoItem({ prompt: 'warm up' })], parameters: vertexEdit(), credential })).status).toBe('success');
		emulator.expireTokens();
		emulator.reset();
		const result = await runWorkflow({ items: fiveItems(), parameters: vertexEdit(), credential });
		expect(result.status).toBe('success');
		expect(emulator.counters.byStatus['401']).toBe(1);
		expect(emulator.counters.metadataTokenRequests).toBe(1);
		// With the Project ID filled in, the metadata server is never asked for one.
		expect(emulator.counters.metadataProjectRequests).toBe(0);
	});

	test('no metadata server: a plain error that names the way out, and nothing sent to Vertex', async () => {
		const credential = metadataServerCredential(emulator, { metadataServerUrl: 'http://127.0.0.1:9', projectId: 'emulator-project' });
		const result = await runWorkflow({ items: [photoItem({ prompt: 'x' })], parameters: vertexEdit(), credential });
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/metadata server at http:\/\/127\.0\.0\.1:9/);
		expect(JSON.stringify(result.task?.error, Object.getOwnPropertyNames(result.task?.error ?? {}))).toMatch(/N8N_SSRF_ALLOWED_HOSTNAMES/);
		expect(emulator.counters.generateContent).toBe(0);
	});
});

describe('Vertex API keys', () => {
	test('no project: express mode, the key in x-goog-api-key and never in a URL, no token at all', async () => {
		const credential = vertexApiKeyCredential(emulator);
		const result = await runWorkflow({ items: fiveItems(), parameters: vertexEdit({ maxConcurrency: 5 }), credential });

		expect(result.status).toBe('success');
		expect(result.outputs[0]).toHaveLength(5);
		const calls = emulator.counters.log.filter((entry) => entry.backend === 'vertex');
		expect(calls).toHaveLength(5);
		expect(calls.every((entry) => entry.expressMode === true && entry.path.startsWith('/v1/publishers/google/models/gemini-2.5-flash-image:generateContent'))).toBe(true);
		expect(emulator.counters.vertexKeyInHeader).toBe(5);
		expect(emulator.counters.vertexKeyInQuery).toBe(0);
		expect(emulator.counters.log.some((entry) => entry.path.includes('key='))).toBe(false);
		expect(emulator.counters.bearerRequests + emulator.counters.tokenExchanges + emulator.counters.metadataTokenRequests).toBe(0);
	});

	test('with a project: the project\'s endpoint', async () => {
		const credential = vertexApiKeyCredential(emulator, { projectId: 'emulator-project' });
		const result = await runWorkflow({ items: [photoItem({ prompt: 'bound key' })], parameters: vertexEdit(), credential });
		expect(result.status).toBe('success');
		expect(emulator.counters.log.find((entry) => entry.backend === 'vertex')?.path).toMatch(/^\/v1\/projects\/emulator-project\/locations\/global\/publishers\/google\/models\//);
		expect(emulator.counters.vertexKeyInHeader).toBe(1);
	});

	test('a wrong key: Vertex refuses it and the key is not in the error', async () => {
		const credential = vertexApiKeyCredential(emulator, { apiKey: 'AQ.not-the-right-vertex-key-123' });
		const result = await runWorkflow({ items: [photoItem({ prompt: 'x' })], parameters: vertexEdit(), credential, continueOnFail: true });
		const error = result.outputs[0][0].json.error;
		expect(error).toMatchObject({ httpCode: '401', message: 'Google did not accept the Vertex AI API key' });
		expect(JSON.stringify(result.outputs)).not.toContain('not-the-right-vertex-key');
	});
});

describe('a credential that would send its secret elsewhere (issue 9 defect 6)', () => {
	test.each([
		['location', { location: 'evil.example/x#' }, /location "evil\.example\/x#" .* is not a Google Cloud location/],
		['project id', { projectId: '..' }, /project id "\.\." .* is not a Google Cloud project id/],
	])('a bad %s fails before any request: no token exchange, no call', async (_name, fields, message) => {
		const base = vertexCredential(emulator);
		const stored = credentialsHelper.stored(base.id, base.type) ?? {};
		credentialsHelper.set(base.id, base.type, { ...stored, ...fields });
		const result = await runWorkflow({ items: [photoItem({ prompt: 'x' })], parameters: vertexEdit(), credential: base });
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(message);
		expect(emulator.counters.requests).toBe(0);
	});
});

describe('redirects are not followed (issue 9 defect 6)', () => {
	/** Starts a server that answers every request with `answer`; returns its URL and what it saw. */
	async function server(answer: (url: string) => { status: number; headers?: Record<string, string> }) {
		const seen: IncomingHttpHeaders[] = [];
		const http: Server = createServer((req, res) => {
			seen.push(req.headers);
			const { status, headers } = answer(req.url ?? '/');
			res.writeHead(status, { 'content-type': 'application/json', ...headers });
			res.end('{}');
		});
		await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
		const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
		return { url, seen, close: async () => await new Promise((resolve) => http.close(resolve)) };
	}

	test('a Base URL that redirects elsewhere never gets the API key sent on', async () => {
		const elsewhere = await server(() => ({ status: 200 }));
		const redirecting = await server((url) => ({ status: 307, headers: { location: `${elsewhere.url}${url}` } }));
		try {
			const credential = vertexApiKeyCredential(emulator, { baseUrl: redirecting.url, apiKey: 'AQ.redirect-test-key-1234567890' });
			const result = await runWorkflow({ items: [photoItem({ prompt: 'x' })], parameters: vertexEdit({ maxRetries: 0 }), credential, continueOnFail: true });
			expect(redirecting.seen).toHaveLength(1);
			expect(redirecting.seen[0]['x-goog-api-key']).toBe('AQ.redirect-test-key-1234567890');
			expect(elsewhere.seen).toHaveLength(0);
			expect(result.outputs[0][0].json.error).toMatchObject({ httpCode: '307' });
		} finally {
			await redirecting.close();
			await elsewhere.close();
		}
	});
});
