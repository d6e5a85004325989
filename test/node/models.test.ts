/* eslint-disable @typescript-eslint/no-unused-vars -- test code, run by Node, not n8n (README: Lint) */
/**
 * Issue 18 through n8n's real engine against the emulator: node version 2's default model
 * (gemini-nano-banana-2.1) while Google closes 2.5 Flash Image to new projects, version 1's kept
 * default, Nano Banana 2.1's limits, thinking and thought summaries, thought-only answers, image
 * search grounding, and the successor named for a shut-down id.
 */
import type { INodeParameters } from 'n8n-workflow';

import type { Emulator } from '../emulator/server';
import { runWorkflow } from './harness';
import { aiStudioCredential, editParameters, generateParameters, model, outputPng, photoItem, useEmulator } from './fixtures';

let emulator: Emulator;
useEmulator((started) => (emulator = started));
afterEach(() => emulator.configure({ closedModels: [] }));

/** Parameters as n8n saves a node whose model was left at its default: no `model` at all. */
function withoutModel(parameters: INodeParameters): INodeParameters {
	const { model: _omitted, ...rest } = parameters;
	return rest;
}

const generated = (entry: { path: string }) => /:generateContent$/.test(entry.path);

describe('node version 2: a default new projects can use', () => {
	test('version 2 with no model saved edits with gemini-nano-banana-2.1 while 2.5 Flash Image is closed (404)', async () => {
		emulator.configure({ closedModels: ['gemini-2.5-flash-image'] });
		const result = await runWorkflow({
			typeVersion: 2,
			items: [photoItem({ prompt: 'Sunset sky' })],
			parameters: withoutModel(editParameters()),
			credential: aiStudioCredential(emulator),
		});
		expect(result.error?.message).toBeUndefined();
		expect(result.status).toBe('success');
		const [item] = result.outputs[0];
		expect(item.json.nanoBanana).toMatchObject({ model: 'gemini-nano-banana-2.1', imageCount: 1 });
		expect((await outputPng(result, item)).meta).toMatchObject({ model: 'gemini-nano-banana-2.1' });
		expect(emulator.counters.log.filter(generated).map((entry) => entry.model)).toEqual(['gemini-nano-banana-2.1']);
	});

	test('version 1 with no model saved still sends gemini-2.5-flash-image (no silent change of model or price)', async () => {
		const result = await runWorkflow({
			typeVersion: 1,
			items: [photoItem({ prompt: 'Sunset sky' })],
			parameters: withoutModel(editParameters()),
			credential: aiStudioCredential(emulator),
		});
		expect(result.status).toBe('success');
		expect(result.outputs[0][0].json.nanoBanana).toMatchObject({ model: 'gemini-2.5-flash-image' });
		expect(emulator.counters.log.filter(generated).map((entry) => entry.model)).toEqual(['gemini-2.5-flash-image']);
	});

	test("version 1 on a new project: the 404 says new projects cannot use 2.5 and names gemini-nano-banana-2.1", async () => {
		emulator.configure({ closedModels: ['gemini-2.5-flash-image'] });
		const result = await runWorkflow({
			items: [photoItem({ prompt: 'Sunset sky' })],
			parameters: withoutModel(editParameters()),
			credential: aiStudioCredential(emulator),
		});
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('The model "gemini-2.5-flash-image" is not available to this Google project: use gemini-nano-banana-2.1');
		expect((result.error as { description?: string }).description).toMatch(/new Google projects cannot use it/);
	});
});

describe('Nano Banana 2.1 limits', () => {
	test('8:1 at 4K works', async () => {
		const result = await runWorkflow({
			typeVersion: 2,
			items: [{ json: { prompt: 'A wide banner of bananas' } }],
			parameters: generateParameters({ model: model('gemini-nano-banana-2.1'), options: { aspectRatio: '8:1', imageSize: '4K' } }),
			credential: aiStudioCredential(emulator),
		});
		expect(result.status).toBe('success');
		const png = await outputPng(result, result.outputs[0][0]);
		expect(png.width / png.height).toBeCloseTo(8, 0);
		expect(png.width).toBe(4096);
	});

	test('512 is refused before any request, naming the size', async () => {
		const result = await runWorkflow({
			typeVersion: 2,
			items: [{ json: { prompt: 'x' } }],
			parameters: withoutModel(generateParameters({ options: { imageSize: '512' } })),
			credential: aiStudioCredential(emulator),
		});
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('Nano Banana 2.1 (gemini-nano-banana-2.1) does not accept the image size 512');
		expect(emulator.counters.requests).toBe(0);
	});
});

describe('thinking', () => {
	test('Thinking Level high and thought summaries reach Google and the output JSON, not the image or its name', async () => {
		const result = await runWorkflow({
			typeVersion: 2,
			items: [photoItem({ prompt: 'Put a hat on the cat' })],
			parameters: withoutModel(editParameters({ options: { thinkingLevel: 'high', includeThoughts: true } })),
			credential: aiStudioCredential(emulator),
		});
		expect(result.status).toBe('success');
		const [entry] = emulator.counters.log.filter(generated);
		expect(entry.thinkingConfig).toEqual({ thinkingLevel: 'HIGH', includeThoughts: true });
		const [item] = result.outputs[0];
		const summary = item.json.nanoBanana as { thoughts?: string; text?: string };
		expect(summary.thoughts).toMatch(/Thought summary: reading the request[\s\S]*Thinking level high/);
		expect(summary.text ?? '').not.toMatch(/Thought summary/);
		expect(item.binary?.data.fileName).toBe('photo-edited.png');
		expect((await outputPng(result, item)).meta).toMatchObject({ thinkingLevel: 'high' });
	});

	test('without Include Thought Summaries no thoughts reach the output', async () => {
		const result = await runWorkflow({
			typeVersion: 2,
			items: [photoItem({ prompt: 'Put a hat on the cat' })],
			parameters: withoutModel(editParameters()),
			credential: aiStudioCredential(emulator),
		});
		expect(result.outputs[0][0].json.nanoBanana).not.toHaveProperty('thoughts');
		expect(emulator.counters.log.filter(generated)[0].thinkingConfig).toBeUndefined();
	});

	test('a thinking level on 2.5 Flash Image is refused before any call, naming the models that take it', async () => {
		const result = await runWorkflow({
			typeVersion: 2,
			items: [photoItem({ prompt: 'x' })],
			parameters: editParameters({ model: model('gemini-2.5-flash-image'), options: { thinkingLevel: 'high' } }),
			credential: aiStudioCredential(emulator),
		});
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('Nano Banana (gemini-2.5-flash-image) does not accept the thinking level high');
		expect((result.error as { description?: string }).description).toMatch(/Nano Banana 2\.1 \(gemini-nano-banana-2\.1\)/);
		expect(emulator.counters.requests).toBe(0);
	});

	test('an answer of thought images only gives its last thought image, and says so', async () => {
		const result = await runWorkflow({
			typeVersion: 2,
			items: [photoItem({ prompt: 'Redraw it [[emulate:thought-only:3]]' })],
			parameters: withoutModel(editParameters()),
			credential: aiStudioCredential(emulator),
		});
		expect(result.error?.message).toBeUndefined();
		const [item] = result.outputs[0];
		expect(item.json.nanoBanana).toMatchObject({ imageCount: 1, resultFromThoughtImage: true });
		expect((await outputPng(result, item)).meta).toMatchObject({ thought: true, n: 2 });
	});
});

describe('image search grounding', () => {
	test('Search Images Too on 2.1: image queries and image sources reach json.nanoBanana.grounding', async () => {
		const result = await runWorkflow({
			typeVersion: 2,
			items: [{ json: { prompt: 'A poster of the Eiffel Tower tonight' } }],
			parameters: withoutModel(generateParameters({ options: { googleSearch: true, googleImageSearch: true } })),
			credential: aiStudioCredential(emulator),
		});
		expect(result.status).toBe('success');
		expect(emulator.counters.log.filter(generated)[0].googleSearch).toEqual({ webSearch: true, imageSearch: true });
		const grounding = result.outputs[0][0].json.nanoBanana as { grounding: { imageSearchQueries?: string[]; sources: Array<Record<string, string>> } };
		expect(grounding.grounding.imageSearchQueries?.length).toBeGreaterThan(0);
		expect(grounding.grounding.sources).toEqual(
			expect.arrayContaining([expect.objectContaining({ imageUri: expect.stringMatching(/^https:\/\//), uri: expect.stringMatching(/^https:\/\//) })]),
		);
	});
});

describe('shut-down ids', () => {
	test("a shut-down preview id's error names its successor and how to switch", async () => {
		const result = await runWorkflow({
			typeVersion: 2,
			items: [photoItem({ prompt: 'x' })],
			parameters: editParameters({ model: model('gemini-3-pro-image-preview') }),
			credential: aiStudioCredential(emulator),
		});
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('The model "gemini-3-pro-image-preview" is no longer available: use gemini-3-pro-image');
		expect((result.error as { description?: string }).description).toMatch(/set "Model" to gemini-3-pro-image/);
	});

	test('a shut-down fallback model names its successor too', async () => {
		emulator.configure({ closedModels: ['gemini-2.5-flash-image'] });
		const result = await runWorkflow({
			items: [photoItem({ prompt: 'x' })],
			parameters: editParameters({ options: { fallbackModels: 'imagen-4.0-generate-001' } }),
			credential: aiStudioCredential(emulator),
		});
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('The model "imagen-4.0-generate-001" is no longer available: use gemini-nano-banana-2.1');
	});
});
