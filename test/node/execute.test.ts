/**
 * The node's happy paths through n8n's real engine (WorkflowExecute, ExecuteContext, binary data
 * service, httpRequestWithAuthentication) against the Gemini/Vertex emulator over real HTTP.
 */
import type { Emulator } from '../emulator/server';
import { credentialsHelper, runWorkflow } from './harness';
import {
	LOGO,
	PHOTO,
	aiStudioCredential,
	editParameters,
	generateParameters,
	jpeg,
	model,
	outputPng,
	photoItem,
	png,
	sha256,
	vertexCredential,
	useEmulator,
} from './fixtures';

let emulator: Emulator;
// One emulator for the file; every default (faults, limits, latency) restored before each test.
useEmulator((started) => {
	emulator = started;
});

describe('edit with an AI Studio key', () => {
	test('one photo: the emulator PNG becomes binary "data", upstream json is kept, the key goes in a header', async () => {
		const result = await runWorkflow({
			items: [photoItem({ prompt: 'Put the mug on a sunny beach', sku: 'MUG-1', price: 12.5 })],
			parameters: editParameters(),
			credential: aiStudioCredential(emulator),
		});

		expect(result.status).toBe('success');
		expect(result.outputs).toHaveLength(1);
		const [item] = result.outputs[0];
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json).toMatchObject({ prompt: 'Put the mug on a sunny beach', sku: 'MUG-1', price: 12.5 });
		expect(item.json.nanoBanana).toMatchObject({
			model: 'gemini-2.5-flash-image',
			finishReason: 'STOP',
			attempts: 1,
			imageCount: 1,
			responseId: expect.stringMatching(/.{8,}/),
			usage: {
				promptTokenCount: expect.any(Number),
				candidatesTokenCount: expect.any(Number),
				totalTokenCount: expect.any(Number),
			},
		});

		const binary = item.binary?.data;
		expect(binary).toMatchObject({ fileName: 'photo-edited.png', mimeType: 'image/png', fileExtension: 'png' });
		// n8n 2.x filesystem mode: the item only holds a reference, the bytes are on disk.
		expect(binary?.id).toMatch(/^filesystem-v2:/);
		// Beside the result: the conversation's images for a later Refine (issue 25), the input by reference.
		expect(Object.keys(item.binary ?? {})).toEqual(['data', 'nanoBananaTurn1Input1', 'nanoBananaTurn1Result1']);
		expect(item.binary?.nanoBananaTurn1Result1?.id).toBe(binary?.id);

		const image = await outputPng(result, item);
		expect(image.meta).toMatchObject({
			prompt: 'Put the mug on a sunny beach',
			inputs: [sha256(PHOTO)],
			model: 'gemini-2.5-flash-image',
			backend: 'gemini',
		});

		expect(emulator.counters.generateContent).toBe(1);
		expect(emulator.counters.keyInHeader).toBe(1);
		expect(emulator.counters.keyInQuery).toBe(0);
		expect(emulator.counters.log.every((entry) => !entry.path.includes('key='))).toBe(true);
	});

	test('a stored photo without a recorded size is read from n8n\'s storage and edited', async () => {
		const result = await runWorkflow({
			items: [{ json: { prompt: 'Put the mug on a sunny beach' }, binary: { data: { bytes: PHOTO, fileName: 'photo.jpg', mimeType: 'image/jpeg', recordedSize: false } } }],
			parameters: editParameters(),
			credential: aiStudioCredential(emulator),
		});

		expect(result.status).toBe('success');
		const image = await outputPng(result, result.outputs[0][0]);
		expect(image.meta).toMatchObject({ inputs: [sha256(PHOTO)] });
		expect(emulator.counters.generateContent).toBe(1);
	});

	test('the prompt is an expression evaluated per item by n8n', async () => {
		const result = await runWorkflow({
			items: [photoItem({ sku: 'A-1' }), photoItem({ sku: 'B-2' })],
			parameters: editParameters({ prompt: '={{ "Studio shot of " + $json.sku + " on white" }}' }),
			credential: aiStudioCredential(emulator),
		});

		expect(result.status).toBe('success');
		const prompts = await Promise.all(result.outputs[0].map(async (item) => (await outputPng(result, item)).meta?.prompt));
		expect(prompts).toEqual(['Studio shot of A-1 on white', 'Studio shot of B-2 on white']);
	});

	test('composition: "data, logo" sends both images in one request, in the order listed', async () => {
		const result = await runWorkflow({
			items: [
				{
					json: { prompt: 'Put the logo on the mug' },
					binary: {
						data: { bytes: PHOTO, fileName: 'mug.jpg', mimeType: 'image/jpeg' },
						logo: { bytes: LOGO, fileName: 'logo.png', mimeType: 'image/png' },
					},
				},
			],
			parameters: editParameters({ inputBinaryFields: 'data, logo' }),
			credential: aiStudioCredential(emulator),
		});

		expect(result.status).toBe('success');
		const [item] = result.outputs[0];
		const image = await outputPng(result, item);
		expect(image.meta?.inputs).toEqual([sha256(PHOTO), sha256(LOGO)]);
		expect(image.meta?.prompt).toBe('Put the logo on the mug');
		expect(item.binary?.data?.fileName).toBe('mug-edited.png');
		expect(emulator.counters.generateContent).toBe(1);
	});

	test('the output goes to the configured binary field; "Keep Input Binaries" passes the inputs on', async () => {
		const result = await runWorkflow({
			items: [photoItem({ prompt: 'Brighter' })],
			parameters: editParameters({ outputBinaryField: 'edited', options: { keepInputBinaries: true } }),
			credential: aiStudioCredential(emulator),
		});

		expect(result.status).toBe('success');
		const [item] = result.outputs[0];
		expect(Object.keys(item.binary ?? {}).sort()).toEqual(['data', 'edited', 'nanoBananaTurn1Input1', 'nanoBananaTurn1Result1']);
		expect(await result.bytes(item, 'data')).toEqual(PHOTO);
		expect((await outputPng(result, item, 'edited')).meta?.inputs).toEqual([sha256(PHOTO)]);
	});

	test('an answer with three images: data, data_1, data_2 named photo-edited, -2, -3', async () => {
		const result = await runWorkflow({
			items: [photoItem({ prompt: 'Three takes [[emulate:multi:3]]' })],
			parameters: editParameters(),
			credential: aiStudioCredential(emulator),
		});

		expect(result.status).toBe('success');
		const [item] = result.outputs[0];
		expect(Object.keys(item.binary ?? {})).toEqual([
			'data',
			'data_1',
			'data_2',
			'nanoBananaTurn1Input1',
			'nanoBananaTurn1Result1',
			'nanoBananaTurn1Result2',
			'nanoBananaTurn1Result3',
		]);
		expect(['data', 'data_1', 'data_2'].map((field) => item.binary?.[field]?.fileName)).toEqual([
			'photo-edited.png',
			'photo-edited-2.png',
			'photo-edited-3.png',
		]);
		const metas = await Promise.all(['data', 'data_1', 'data_2'].map(async (field) => (await outputPng(result, item, field)).meta));
		expect(metas.map((meta) => meta?.n)).toEqual([0, 1, 2]);
		expect(item.json.nanoBanana).toMatchObject({ imageCount: 3 });
		expect(emulator.counters.generateContent).toBe(1);
	});

	test('identical items in one execution share one request', async () => {
		const result = await runWorkflow({
			items: [0, 1, 2].map((n) => photoItem({ prompt: 'Same edit for all', n })),
			parameters: editParameters(),
			credential: aiStudioCredential(emulator),
		});

		expect(result.status).toBe('success');
		expect(emulator.counters.generateContent).toBe(1);
		const outputs = result.outputs[0];
		expect(outputs.map((item) => item.json.n)).toEqual([0, 1, 2]);
		expect(outputs.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(outputs.filter((item) => (item.json.nanoBanana as { sharedAnswer?: boolean }).sharedAnswer === true)).toHaveLength(2);
		const bytes = await Promise.all(outputs.map(async (item) => sha256(await result.bytes(item))));
		expect(new Set(bytes).size).toBe(1);
	});
});

describe('generate', () => {
	test('no input image: a generated-… PNG made from the prompt alone', async () => {
		const result = await runWorkflow({
			items: [{ json: { prompt: 'A yellow ceramic mug on a white table' } }],
			parameters: generateParameters(),
			credential: aiStudioCredential(emulator),
		});

		expect(result.status).toBe('success');
		const [item] = result.outputs[0];
		expect(item.binary?.data?.fileName).toMatch(/^generated-[^/]+\.png$/);
		expect(item.binary?.data?.mimeType).toBe('image/png');
		expect(item.pairedItem).toEqual({ item: 0 });
		const image = await outputPng(result, item);
		expect(image.meta).toMatchObject({ prompt: 'A yellow ceramic mug on a white table', inputs: [] });
		expect([image.width, image.height]).toEqual([1024, 1024]);
	});
});

describe('image options on the wire', () => {
	test('aspect ratio and size reach Google (2048×1152 for 16:9 at 2K); the thought image is not the output', async () => {
		const result = await runWorkflow({
			items: [photoItem({ prompt: 'Widescreen banner' })],
			parameters: editParameters({
				model: model('gemini-3-pro-image'),
				options: { aspectRatio: '16:9', imageSize: '2K' },
			}),
			credential: aiStudioCredential(emulator),
		});

		expect(result.status).toBe('success');
		const [item] = result.outputs[0];
		const image = await outputPng(result, item);
		expect(image.meta).toMatchObject({ aspectRatio: '16:9', imageSize: '2K', model: 'gemini-3-pro-image' });
		expect(image.meta?.thought).toBeUndefined();
		expect([image.width, image.height]).toEqual([2048, 1152]);
		expect(item.json.nanoBanana).toMatchObject({ imageCount: 1 });
	});

	test('options left out are not sent: the result keeps the input shape (640×480 → 1024×768)', async () => {
		const result = await runWorkflow({
			items: [photoItem({ prompt: 'Same framing please' }, jpeg(640, 480, 7))],
			parameters: editParameters({ model: model('gemini-3-pro-image') }),
			credential: aiStudioCredential(emulator),
		});

		expect(result.status).toBe('success');
		const image = await outputPng(result, result.outputs[0][0]);
		expect(image.meta).toMatchObject({ aspectRatio: null, imageSize: null });
		for (const key of ['temperature', 'seed', 'systemInstruction']) expect(image.meta).not.toHaveProperty(key);
		expect([image.width, image.height]).toEqual([1024, 768]);
	});

	test('temperature, seed and system instruction are sent when set', async () => {
		const result = await runWorkflow({
			items: [{ json: { prompt: 'A lemon' } }],
			parameters: generateParameters({
				options: { temperature: 0.4, seed: 42, systemInstruction: 'You shoot product photos.' },
			}),
			credential: aiStudioCredential(emulator),
		});

		expect(result.status).toBe('success');
		const image = await outputPng(result, result.outputs[0][0]);
		expect(image.meta).toMatchObject({ temperature: 0.4, seed: 42, systemInstruction: 'You shoot product photos.' });
	});
});

describe('several items', () => {
	test('at most maxConcurrency requests in flight, output in input order although the first item is slowest', async () => {
		emulator.configure({ latencyMs: 80 });
		const prompts = ['first', 'second', 'third', 'fourth', 'fifth'];
		const items = prompts.map((prompt, index) =>
			photoItem({ prompt: index === 0 ? `${prompt} [[emulate:slow:400]]` : prompt, n: index }, png(32, 32, [index * 40, 10, 10])),
		);

		const result = await runWorkflow({
			items,
			parameters: editParameters({ options: { maxConcurrency: 2 } }),
			credential: aiStudioCredential(emulator),
		});

		expect(result.status).toBe('success');
		expect(emulator.counters.maxInFlight).toBe(2);
		expect(emulator.counters.generateContent).toBe(5);
		// The emulator logs a request when its answer is complete: item 0 was not first.
		const completed = emulator.counters.log.map((entry) => entry.prompt);
		expect(completed[0]).not.toBe('first');
		expect(completed).toContain('first');

		const outputs = result.outputs[0];
		expect(outputs.map((item) => item.json.n)).toEqual([0, 1, 2, 3, 4]);
		expect(outputs.map((item) => item.pairedItem)).toEqual(prompts.map((_, item) => ({ item })));
		const metas = await Promise.all(outputs.map(async (item) => (await outputPng(result, item)).meta));
		expect(metas.map((meta) => meta?.prompt)).toEqual(prompts);
		expect(metas.map((meta) => meta?.inputs[0])).toEqual(items.map((item) => sha256(item.binary!.data.bytes)));
	});

	test('"Max Requests per Minute" spaces request starts (600/min → 100 ms apart)', async () => {
		const result = await runWorkflow({
			items: [0, 1, 2, 3].map((n) => photoItem({ prompt: `paced ${n}` })),
			parameters: editParameters({ options: { maxConcurrency: 4, requestsPerMinute: 600 } }),
			credential: aiStudioCredential(emulator),
		});

		expect(result.status).toBe('success');
		const starts = emulator.counters.log.map((entry) => entry.t).sort((a, b) => a - b);
		expect(starts).toHaveLength(4);
		// The node starts them 0, 100, 200, 300 ms in; arrival adds a little transit jitter per request.
		// Unpaced, all four would arrive within a few milliseconds.
		expect(starts[3] - starts[0]).toBeGreaterThanOrEqual(200);
	});

	test('the credential is read and decrypted once per execution, not once per request', async () => {
		// n8n's per-request credential lookup (database read, decryption) was about a millisecond
		// of its one thread per item: the node hands n8n the credential it decrypted at the start.
		const before = credentialsHelper.decryptions.length;
		const result = await runWorkflow({
			items: [0, 1, 2, 3, 4, 5].map((n) => photoItem({ prompt: `one read ${n}`, n })),
			parameters: editParameters({ options: { maxConcurrency: 3 } }),
			credential: aiStudioCredential(emulator),
		});

		expect(result.status).toBe('success');
		expect(emulator.counters.generateContent).toBe(6);
		expect(emulator.counters.keyInHeader).toBe(6);
		expect(credentialsHelper.decryptions.slice(before)).toEqual(['nanoBananaAiStudioApi']);
	});

	test('maxConcurrency 1 sends one request at a time', async () => {
		emulator.configure({ latencyMs: 40 });
		const result = await runWorkflow({
			items: [1, 2, 3].map((n) => photoItem({ prompt: `item ${n}` })),
			parameters: editParameters({ options: { maxConcurrency: 1 } }),
			credential: aiStudioCredential(emulator),
		});

		expect(result.status).toBe('success');
		expect(emulator.counters.maxInFlight).toBe(1);
		expect(emulator.counters.generateContent).toBe(3);
	});
});

describe('Vertex AI with a service-account key', () => {
	test('6 items, maxConcurrency 3: one token exchange, all requests carry the bearer token', async () => {
		emulator.configure({ latencyMs: 60 });
		const credential = vertexCredential(emulator);
		const result = await runWorkflow({
			items: [0, 1, 2, 3, 4, 5].map((n) => photoItem({ prompt: `vertex item ${n}`, n })),
			parameters: editParameters({ authentication: 'vertexAi', options: { maxConcurrency: 3 } }),
			credential,
		});

		expect(result.status).toBe('success');
		expect(emulator.counters.tokenExchanges).toBe(1);
		expect(emulator.counters.bearerRequests).toBe(6);
		expect(emulator.counters.byBackend).toEqual({ vertex: 6 });
		expect(emulator.counters.maxInFlight).toBe(3);
		expect(result.outputs[0].map((item) => item.json.n)).toEqual([0, 1, 2, 3, 4, 5]);
		const image = await outputPng(result, result.outputs[0][5]);
		expect(image.meta).toMatchObject({ backend: 'vertex', prompt: 'vertex item 5', inputs: [sha256(PHOTO)] });

		// n8n stored the token on the credential: the next execution exchanges nothing.
		const stored = credentialsHelper.stored(credential.id, credential.type);
		expect(stored?.accessToken).toMatch(/^ya29\./);
		emulator.reset();
		const again = await runWorkflow({
			items: [photoItem({ prompt: 'next execution' })],
			parameters: editParameters({ authentication: 'vertexAi' }),
			credential,
		});
		expect(again.status).toBe('success');
		expect(emulator.counters.tokenExchanges).toBe(0);
		expect(emulator.counters.generateContent).toBe(1);
	});

	test('Continue On Fail and a bad item 0 (no image): still one token exchange for the other items', async () => {
		emulator.configure({ latencyMs: 60 });
		const result = await runWorkflow({
			items: [{ json: { n: 0 } }, ...[1, 2, 3, 4, 5].map((n) => photoItem({ prompt: `after a bad first ${n}`, n }))],
			parameters: editParameters({ authentication: 'vertexAi', options: { maxConcurrency: 3 } }),
			credential: vertexCredential(emulator),
			onError: 'continueRegularOutput',
		});

		expect(result.status).toBe('success');
		expect(result.outputs[0][0].json.error).toBeDefined();
		expect(result.outputs[0].slice(1).map((item) => item.json.n)).toEqual([1, 2, 3, 4, 5]);
		expect(emulator.counters.tokenExchanges).toBe(1);
		expect(emulator.counters.generateContent).toBe(5);
		expect(emulator.counters.maxInFlight).toBe(3);
	});

	test('an expired token: Google answers 401, n8n refreshes it once and the request succeeds', async () => {
		const credential = vertexCredential(emulator);
		const first = await runWorkflow({
			items: [photoItem({ prompt: 'warm up' })],
			parameters: editParameters({ authentication: 'vertexAi' }),
			credential,
		});
		expect(first.status).toBe('success');
		const oldToken = credentialsHelper.stored(credential.id, credential.type)?.accessToken;

		emulator.expireTokens();
		emulator.reset();
		const callsBefore = credentialsHelper.preAuthenticationCalls.length;
		const result = await runWorkflow({
			items: [photoItem({ prompt: 'after expiry 1', n: 0 }), photoItem({ prompt: 'after expiry 2', n: 1 })],
			parameters: editParameters({ authentication: 'vertexAi' }),
			credential,
		});

		expect(result.status).toBe('success');
		expect(result.outputs[0].map((item) => item.json.n)).toEqual([0, 1]);
		expect(emulator.counters.byStatus['401']).toBe(1);
		expect(emulator.counters.tokenExchanges).toBe(1);
		// The refused request never reached the model: two answered requests for two items.
		expect(emulator.counters.generateContent).toBe(2);
		expect(result.outputs[0][0].json.nanoBanana).toMatchObject({ attempts: 1 });
		const refreshes = credentialsHelper.preAuthenticationCalls.slice(callsBefore).filter((call) => call.ran);
		expect(refreshes).toEqual([{ type: 'nanoBananaVertexAiApi', expired: true, ran: true }]);
		const newToken = credentialsHelper.stored(credential.id, credential.type)?.accessToken;
		expect(newToken).toMatch(/^ya29\./);
		expect(newToken).not.toBe(oldToken);
	});
});
