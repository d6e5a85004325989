/**
 * Sharing answers between identical requests, within one execution and (opted in) across
 * executions: only image answers are kept, only for the same credential identity, and every
 * execution keeps its own Stop.
 */
import { generateKeyPairSync } from 'crypto';

import { startEmulator } from '../emulator/server';
import type { Emulator } from '../emulator/server';
import { credentialsHelper, runWorkflow, tearDownN8nServices } from './harness';
import type { RunResult } from './harness';
import { aiStudioCredential, editParameters, photoItem, vertexCredential, waitFor } from './fixtures';

let emulator: Emulator;

beforeAll(async () => {
	emulator = await startEmulator();
});

beforeEach(() => {
	emulator.configure({ latencyMs: 0 });
	emulator.reset();
});

afterAll(async () => {
	await emulator.close();
	await tearDownN8nServices();
});

const shared = (result: RunResult) =>
	result.outputs[0]?.map((item) => (item.json.nanoBanana as { sharedAnswer?: boolean } | undefined)?.sharedAnswer === true);

describe('the answer cache is keyed on the credential identity', () => {
	test('a Vertex credential with a broken private key never receives another credential\'s cached image', async () => {
		const parameters = editParameters({ authentication: 'vertexAi', options: { reuseAnswersAcrossExecutions: true } });
		const items = [photoItem({ prompt: 'Identity check: same prompt, same photo' })];

		const good = await runWorkflow({ items, parameters, credential: vertexCredential(emulator) });
		expect(good.status).toBe('success');
		expect(emulator.counters.generateContent).toBe(1);

		// Same email and key id, but a key Google does not know: a new credential, no token yet.
		const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
		const pem = String(privateKey.export({ type: 'pkcs8', format: 'pem' }));
		credentialsHelper.set('broken-key', 'nanoBananaVertexAiApi', {
			serviceAccountJson: JSON.stringify({ ...emulator.serviceAccountKey, private_key: pem }),
			location: 'global',
			projectId: '',
			baseUrl: emulator.url,
		});
		const broken = await runWorkflow({ items, parameters, credential: { type: 'nanoBananaVertexAiApi', id: 'broken-key' } });

		expect(broken.status).toBe('error');
		expect(broken.error?.message).toMatch(/^Google did not issue an access token/);
		expect(emulator.counters.generateContent).toBe(1);

		// The same good account under another credential entry shares, as it should.
		const again = await runWorkflow({ items, parameters, credential: vertexCredential(emulator) });
		expect(again.status).toBe('success');
		expect(shared(again)).toEqual([true]);
		expect(emulator.counters.generateContent).toBe(1);
	});

	test('two AI Studio keys never share answers', async () => {
		const parameters = editParameters({ options: { reuseAnswersAcrossExecutions: true } });
		const items = [photoItem({ prompt: 'Identity check for keys' })];
		const first = await runWorkflow({ items, parameters, credential: aiStudioCredential(emulator) });
		expect(first.status).toBe('success');
		const wrongKey = await runWorkflow({ items, parameters, credential: aiStudioCredential(emulator, 'another-key-7c1e') });
		expect(wrongKey.status).toBe('error');
		expect(wrongKey.error?.message).toBe('Google rejected the API key');
		// The second key reached Google (and was refused) instead of receiving the first key's image.
		expect(emulator.counters.byStatus).toEqual({ 200: 1, 400: 1 });
	});
});

void waitFor;
