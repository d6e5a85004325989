/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code, run by Node, not n8n (README: Lint) */
/**
 * Sharing answers between identical requests, within one execution and (opted in) across
 * executions: only image answers are kept, only for the same credential identity, and every
 * execution keeps its own Stop.
 */
import { generateKeyPairSync } from 'crypto';
import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';

import type { Emulator } from '../emulator/server';
import { credentialsHelper, runWorkflow } from './harness';
import type { RunResult } from './harness';
import { aiStudioCredential, editParameters, photoItem, useEmulator, vertexCredential, waitFor } from './fixtures';

let emulator: Emulator;
useEmulator((started) => (emulator = started));

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

describe('only answers with images are kept', () => {
	const reuse = editParameters({ options: { reuseAnswersAcrossExecutions: true } });

	test('an IMAGE_OTHER answer is not replayed to a later identical request: each asks Google', async () => {
		const items = [photoItem({ prompt: 'Unlucky draw [[emulate:finish:IMAGE_OTHER]]' })];
		const credential = aiStudioCredential(emulator);
		const first = await runWorkflow({ items, parameters: reuse, credential });
		const second = await runWorkflow({ items, parameters: reuse, credential });
		expect(first.error?.message).toBe('No image: the model stopped without one (IMAGE_OTHER)');
		expect(second.error?.message).toBe('No image: the model stopped without one (IMAGE_OTHER)');
		expect(emulator.counters.generateContent).toBe(2);
	});

	test('after a no-image answer the next identical request gets its own image, not a replay', async () => {
		const items = [photoItem({ prompt: 'Second time lucky [[emulate:finish:IMAGE_OTHERx1]]' })];
		const credential = aiStudioCredential(emulator);
		const first = await runWorkflow({ items, parameters: reuse, credential });
		const second = await runWorkflow({ items, parameters: reuse, credential });
		expect(first.status).toBe('error');
		expect(second.status).toBe('success');
		expect(shared(second)).toEqual([false]);
		const third = await runWorkflow({ items, parameters: reuse, credential });
		expect(shared(third)).toEqual([true]);
		expect(emulator.counters.generateContent).toBe(2);
	});

	test.each([
		['TEXT_ONLY refusal', '[[emulate:refusal]]'],
		['NO_IMAGE', '[[emulate:no-image]]'],
		['SAFETY', '[[emulate:finish:IMAGE_SAFETY]]'],
		['an SVG answer', '[[emulate:mime:image/svg+xml]]'],
	])('within one execution, identical items one after another each ask again after %s', async (_name, directive) => {
		const result = await runWorkflow({
			items: [photoItem({ prompt: `Twice ${directive}` }), photoItem({ prompt: `Twice ${directive}` })],
			parameters: editParameters({ options: { maxConcurrency: 1 } }),
			credential: aiStudioCredential(emulator),
			onError: 'continueRegularOutput',
		});
		expect(result.outputs[0].map((item) => item.json.error !== undefined)).toEqual([true, true]);
		expect(emulator.counters.generateContent).toBe(2);
	});

	test('identical items in flight together: a no-image answer sends the waiting item to ask on its own', async () => {
		const result = await runWorkflow({
			items: [photoItem({ prompt: 'Together [[emulate:finish:IMAGE_OTHERx1]]' }), photoItem({ prompt: 'Together [[emulate:finish:IMAGE_OTHERx1]]' })],
			parameters: editParameters({ options: { maxConcurrency: 2 } }),
			credential: aiStudioCredential(emulator),
			onError: 'continueRegularOutput',
		});
		// Whichever item's request went out first got IMAGE_OTHER; the other asked again for its image.
		const outcomes = result.outputs[0].map((item) =>
			item.json.error ? (item.json.error as { reason?: string }).reason : `images: ${(item.json.nanoBanana as { imageCount?: number }).imageCount}`,
		);
		expect(outcomes.sort()).toEqual(['IMAGE_OTHER', 'images: 1']);
		expect(emulator.counters.generateContent).toBe(2);
	});

	test('an answer whose image is not what it says is a clear error and is not kept', async () => {
		const items = [photoItem({ prompt: 'Mislabelled [[emulate:mime:image/jpeg]]' })];
		const credential = aiStudioCredential(emulator);
		const first = await runWorkflow({ items, parameters: reuse, credential });
		expect(first.error?.message).toBe(
			"No image: Google's answer held an image declared image/jpeg whose bytes are a PNG instead of a PNG, JPEG or WebP image",
		);
		const second = await runWorkflow({ items, parameters: reuse, credential });
		expect(second.status).toBe('error');
		expect(emulator.counters.generateContent).toBe(2);
	});
});

describe('executions share finished answers only; each keeps its own Stop', () => {
	const reuse = editParameters({ options: { reuseAnswersAcrossExecutions: true } });

	test('stopping execution A does not fail execution B running the identical request', async () => {
		const credential = aiStudioCredential(emulator);
		const items = [photoItem({ prompt: 'Shared slow request [[emulate:slow:1500]]' })];
		const stopA = new AbortController();
		const a = runWorkflow({ items, parameters: reuse, credential, signal: stopA.signal });
		await waitFor(() => emulator.counters.inFlight === 1);
		const b = runWorkflow({ items, parameters: reuse, credential });
		// B sends its own request instead of waiting on A's.
		await waitFor(() => emulator.counters.inFlight === 2);
		stopA.abort();

		const [resultA, resultB] = await Promise.all([a, b]);
		expect(resultA.savedStatus).toBe('canceled');
		expect(resultB.status).toBe('success');
		expect(shared(resultB)).toEqual([false]);
		expect(resultB.outputs[0][0].binary?.data).toBeDefined();

		// B's finished answer is now kept for later executions.
		const c = await runWorkflow({ items, parameters: reuse, credential });
		expect(shared(c)).toEqual([true]);
		expect(emulator.counters.generateContent).toBe(2);
	});

	test("B's Stop ends B's wait while A's identical request is still running", async () => {
		const credential = aiStudioCredential(emulator);
		const items = [photoItem({ prompt: 'Never answered [[emulate:hang]]' })];
		const stopA = new AbortController();
		const stopB = new AbortController();
		const a = runWorkflow({ items, parameters: reuse, credential, signal: stopA.signal });
		await waitFor(() => emulator.counters.inFlight === 1);
		const b = runWorkflow({ items, parameters: reuse, credential, signal: stopB.signal });
		await new Promise((resolve) => setTimeout(resolve, 200));

		const stoppedAt = Date.now();
		stopB.abort();
		const timeout = new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), 3000));
		const resultB = await Promise.race([b, timeout]);
		const stopMs = Date.now() - stoppedAt;
		stopA.abort();
		await a;
		if (resultB === 'still waiting') await b;

		expect(resultB).not.toBe('still waiting');
		expect(stopMs).toBeLessThan(2000);
		if (resultB !== 'still waiting') expect(resultB.savedStatus).toBe('canceled');
	});
});

describe('an execution keeps no image bytes for answers its outputs already hold (issue 24, point 10)', () => {
	test('a later identical item gets the image read back from the earlier item\'s output', async () => {
		const items = ['Kept A', 'Kept B', 'Kept A'].map((prompt, n) => photoItem({ prompt, n }));
		// A thinking model: its answers carry thought signatures.
		const model = { __rl: true, mode: 'id', value: 'gemini-nano-banana-2.1' };
		const result = await runWorkflow({ items, parameters: editParameters({ model, options: { maxConcurrency: 1 } }), credential: aiStudioCredential(emulator) });
		expect(result.status).toBe('success');
		expect(emulator.counters.generateContent).toBe(2);
		expect(shared(result)).toEqual([false, false, true]);
		const [first, , third] = await Promise.all(result.outputs[0].map(async (item) => await result.bytes(item)));
		expect(third.length).toBeGreaterThan(0);
		expect(third.equals(first)).toBe(true);
		// The read-back answer still continues a conversation: the model's turn, signatures and
		// image reference as the first item got them (a later Refine sends them back).
		const conversation = (index: number) => (result.outputs[0][index].json.nanoBanana as { conversation?: { turns: unknown[] } }).conversation;
		expect(conversation(2)?.turns[1]).toEqual(conversation(0)?.turns[1]);
		expect(JSON.stringify(conversation(2)?.turns[1])).toMatch(/thoughtSignature/);
	});

	// A heap measure in a process that also runs the emulator: a sample can catch garbage in flight
	// (one run in five under a loaded CI measured 11.8 MB). Kept answers grow it 15 MB every time, so
	// a retry cannot hide them; the limit stays.
	jest.retryTimes(2, { logErrorsBeforeRetry: true });
	test('400 different items: what stays reachable while the last is asked for does not grow with the answers', async () => {
		setFlagsFromString('--expose_gc');
		const gc = runInNewContext('gc') as () => void;
		const items = Array.from({ length: 400 }, (_, n) => photoItem({ prompt: `Variant ${n}` }));
		const reachable = () => {
			gc();
			const usage = process.memoryUsage();
			return usage.heapUsed + usage.arrayBuffers;
		};
		const samples: Record<number, number> = {};
		// Measured as the 50th and the 400th request reach the emulator (it runs in this process).
		const watch = setInterval(() => {
			const calls = emulator.counters.generateContent;
			for (const at of [50, 400]) if (calls >= at && samples[at] === undefined) samples[at] = reachable();
		}, 2);
		const result = await runWorkflow({ items, parameters: editParameters({ options: { maxConcurrency: 1 } }), credential: aiStudioCredential(emulator) });
		clearInterval(watch);
		expect(result.status).toBe('success');
		expect(emulator.counters.generateContent).toBe(400);
		// Each answer holds about 30 KB (the image and Google's base64 of it): with 350 answers kept
		// this grew 15 MB; without, 3–5 MB (the run's items and n8n's own records of them).
		expect(samples[400] - samples[50]).toBeLessThan(8 * 1024 * 1024);
	});
});
