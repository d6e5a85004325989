/**
 * Issue 10's image options through n8n's real engine against the emulator: Google Search
 * grounding (sources in json.nanoBanana), Vertex's output format (a real JPEG, named .jpg) and
 * people setting, and per-model checks that refuse before any request.
 */
import { readJpegInfo } from '../emulator/server';
import type { Emulator } from '../emulator/server';
import { runWorkflow } from './harness';
import { aiStudioCredential, editParameters, generateParameters, model, outputPng, photoItem, useEmulator, vertexCredential } from './fixtures';

let emulator: Emulator;
useEmulator((started) => (emulator = started));

describe('Ground in Google Search', () => {
	test.each([
		['AI Studio', 'aiStudio', 'gemini-3-pro-image'],
		['Vertex AI', 'vertexAi', 'gemini-3.1-flash-image'],
	] as const)('%s: the searches, sources and search entry point reach json.nanoBanana.grounding', async (_label, authentication, modelId) => {
		const result = await runWorkflow({
			items: [{ json: { prompt: 'Poster of today\'s weather in Paris' } }],
			parameters: generateParameters({ authentication, model: model(modelId), options: { googleSearch: true } }),
			credential: authentication === 'aiStudio' ? aiStudioCredential(emulator) : vertexCredential(emulator),
		});
		expect(result.status).toBe('success');
		const [item] = result.outputs[0];
		expect(item.json.nanoBanana).toMatchObject({
			model: modelId,
			grounding: {
				webSearchQueries: ['Poster of today\'s weather in Paris'],
				sources: [{ uri: expect.stringMatching(/^https:\/\//), title: 'example.com' }],
				searchEntryPoint: expect.stringContaining('<div'),
			},
		});
		expect((await outputPng(result, item)).meta).toMatchObject({ googleSearch: true });
	});

	test('a model without grounding is refused before any request', async () => {
		const result = await runWorkflow({
			items: [photoItem({ prompt: 'x' })],
			parameters: editParameters({ options: { googleSearch: true } }),
			credential: aiStudioCredential(emulator),
		});
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('Nano Banana (gemini-2.5-flash-image) does not accept Google Search grounding');
		expect(emulator.counters.requests).toBe(0);
	});
});

describe('Vertex output format and people', () => {
	test('JPEG: a real JPEG comes back as image/jpeg with a .jpg name; quality and people reach Google', async () => {
		const result = await runWorkflow({
			items: [photoItem({ prompt: 'Studio shot, white background' })],
			parameters: editParameters({
				authentication: 'vertexAi',
				options: { outputFormat: 'image/jpeg', compressionQuality: 60, personGeneration: 'ALLOW_NONE' },
			}),
			credential: vertexCredential(emulator),
		});
		expect(result.status).toBe('success');
		const [item] = result.outputs[0];
		expect(item.binary?.data).toMatchObject({ mimeType: 'image/jpeg', fileName: 'photo-edited.jpg', fileExtension: 'jpg' });
		const bytes = await result.bytes(item);
		expect([...bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
		expect(readJpegInfo(bytes).meta).toMatchObject({
			outputMimeType: 'image/jpeg',
			compressionQuality: 60,
			personGeneration: 'ALLOW_NONE',
			backend: 'vertex',
		});
	});

	test('with an AI Studio key the Vertex-only options are not sent (Google would refuse them)', async () => {
		const result = await runWorkflow({
			items: [photoItem({ prompt: 'left over from a Vertex setup' })],
			parameters: editParameters({ options: { outputFormat: 'image/jpeg', personGeneration: 'ALLOW_NONE' } }),
			credential: aiStudioCredential(emulator),
		});
		expect(result.status).toBe('success');
		const [item] = result.outputs[0];
		expect(item.binary?.data).toMatchObject({ mimeType: 'image/png', fileName: 'photo-edited.png' });
		const meta = (await outputPng(result, item)).meta as unknown as Record<string, unknown>;
		expect(meta.outputMimeType).toBeUndefined();
		expect(meta.personGeneration).toBeUndefined();
	});
});

describe('per-model checks', () => {
	test.each([
		[{ aspectRatio: '1:8' }, 'gemini-2.5-flash-image', 'Nano Banana (gemini-2.5-flash-image) does not accept the aspect ratio 1:8'],
		[{ imageSize: '512' }, 'gemini-3-pro-image', 'Nano Banana Pro (gemini-3-pro-image) does not accept the image size 512'],
	])('%j on %s fails before any request, each item with its own error', async (options, modelId, message) => {
		const result = await runWorkflow({
			items: [photoItem({ prompt: 'a' }), photoItem({ prompt: 'b' })],
			parameters: editParameters({ model: model(modelId), options }),
			credential: aiStudioCredential(emulator),
			continueOnFail: true,
		});
		expect(result.outputs[0].map((item) => (item.json.error as { message?: string } | undefined)?.message)).toEqual([message, message]);
		expect(emulator.counters.requests).toBe(0);
	});
});
