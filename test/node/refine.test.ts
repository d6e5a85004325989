/**
 * Refine Image (issue 25) inside n8n's engine against the emulator that checks thought signatures
 * as the Gemini API does: Edit → Refine → Refine carries the conversation from item to item (json
 * and binaries only), the third request sends both earlier results with their signatures, and bad
 * input fails before any request.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { Emulator } from '../emulator/server';
import type { FixtureItem, RunOptions, RunResult } from './harness';
import { runWorkflow } from './harness';
import { aiStudioCredential, editParameters, generateParameters, model, outputPng, photoItem, png, sha256, useEmulator, vertexCredential } from './fixtures';

let emulator: Emulator;
useEmulator((started) => {
	emulator = started;
});

const MODEL = 'gemini-nano-banana-2.1';
const PHOTO = png(64, 48, [10, 120, 200]);

function refineParameters(overrides: INodeParameters = {}): INodeParameters {
	return editParameters({ operation: 'refine', model: model(MODEL), prompt: '={{ $json.next }}', ...overrides });
}

/** An output item as the next node receives it: its json and every binary field's bytes. */
async function carried(result: RunResult, item: INodeExecutionData, json: IDataObject = {}): Promise<FixtureItem> {
	const binary: NonNullable<FixtureItem['binary']> = {};
	for (const [field, data] of Object.entries(item.binary ?? {})) {
		binary[field] = { bytes: await result.bytes(item, field), fileName: data.fileName, mimeType: data.mimeType };
	}
	return { json: { ...item.json, ...json }, binary };
}

const generateCalls = () => emulator.counters.log.filter((entry) => entry.path.includes(':generateContent'));

async function chain(credential: RunOptions['credential'], authentication: string): Promise<{ items: INodeExecutionData[]; results: RunResult[] }> {
	const edit = await runWorkflow({
		items: [photoItem({ prompt: 'Make the car red', sku: 'CAR-1', next: 'Now make it night' }, PHOTO, 'car.png', 'image/png')],
		parameters: editParameters({ authentication, model: model(MODEL) }),
		credential,
		typeVersion: 2,
	});
	expect(edit.status).toBe('success');
	const first = edit.outputs[0][0];
	const second = await runWorkflow({ items: [await carried(edit, first)], parameters: refineParameters({ authentication }), credential, typeVersion: 2 });
	expect(second.status).toBe('success');
	const third = await runWorkflow({
		items: [await carried(second, second.outputs[0][0], { next: 'Remove the sign' })],
		parameters: refineParameters({ authentication }),
		credential,
		typeVersion: 2,
	});
	expect(third.status).toBe('success');
	return { items: [first, second.outputs[0][0], third.outputs[0][0]], results: [edit, second, third] };
}

describe.each([
	['AI Studio', 'aiStudio', (e: Emulator) => aiStudioCredential(e)],
	['Vertex AI', 'vertexAi', (e: Emulator) => vertexCredential(e)],
] as const)('Edit → Refine → Refine with %s', (_label, authentication, credentialFor) => {
	test('each result carries the conversation; the third request sends both earlier results with their signatures', async () => {
		const { items, results } = await chain(credentialFor(emulator), authentication);
		const [first, second, third] = items;
		const resultBytes = await Promise.all([results[0].bytes(first, 'data'), results[1].bytes(second, 'data')]);

		const calls = generateCalls();
		expect(calls).toHaveLength(3);
		expect(calls.every((call) => call.status === 200)).toBe(true);
		expect(calls[0].conversation).toBeUndefined();
		expect(calls[1].conversation).toEqual({ modelTurns: 1, modelImages: [sha256(resultBytes[0])] });
		expect(calls[2].conversation).toEqual({ modelTurns: 2, modelImages: resultBytes.map(sha256) });

		// The final item keeps upstream json and pairedItem; the conversation is json, the images binaries.
		expect(third.pairedItem).toEqual({ item: 0 });
		expect(third.json).toMatchObject({ prompt: 'Make the car red', sku: 'CAR-1', next: 'Remove the sign' });
		const conversation = (third.json.nanoBanana as IDataObject).conversation as IDataObject;
		expect(conversation).toMatchObject({ version: 1, model: MODEL, droppedTurns: 0 });
		expect((conversation.turns as IDataObject[]).map((turn) => turn.role)).toEqual(['user', 'model', 'user', 'model', 'user', 'model']);
		expect(JSON.stringify(third.json)).not.toContain(PHOTO.toString('base64').slice(0, 40));
		expect(Object.keys(third.binary ?? {}).sort()).toEqual(
			['data', 'nanoBananaTurn1Input1', 'nanoBananaTurn1Result1', 'nanoBananaTurn2Result1', 'nanoBananaTurn3Result1'].sort(),
		);
		expect(sha256(await results[2].bytes(third, 'nanoBananaTurn1Input1'))).toBe(sha256(PHOTO));
		expect(sha256(await results[2].bytes(third, 'nanoBananaTurn2Result1'))).toBe(sha256(resultBytes[1]));
		expect(sha256(await results[2].bytes(third, 'nanoBananaTurn3Result1'))).toBe(sha256(await results[2].bytes(third, 'data')));
		expect((await outputPng(results[2], third)).meta).toMatchObject({ prompt: 'Remove the sign', model: MODEL });
	});
});

describe('what a result carries', () => {
	test('Generate begins a conversation with its prompt and result; Keep Input Binaries off still carries it', async () => {
		const result = await runWorkflow({
			items: [{ json: { prompt: 'A red car at noon' } }],
			parameters: generateParameters({ model: model(MODEL) }),
			credential: aiStudioCredential(emulator),
			typeVersion: 2,
		});
		const [item] = result.outputs[0];
		const conversation = (item.json.nanoBanana as IDataObject).conversation as { turns: Array<{ role: string; text?: string; images?: unknown[] }> };
		expect(conversation.turns[0]).toEqual({ role: 'user', text: 'A red car at noon', images: [] });
		expect(Object.keys(item.binary ?? {}).sort()).toEqual(['data', 'nanoBananaTurn1Result1']);
		// The result is stored once: both fields point at the same stored file.
		expect(item.binary?.nanoBananaTurn1Result1?.id).toBe(item.binary?.data?.id);
	});
});

describe('a Refine that cannot continue fails before any request', () => {
	async function editResult(): Promise<FixtureItem> {
		const edit = await runWorkflow({
			items: [photoItem({ prompt: 'Make the car red', next: 'Now make it night' }, PHOTO, 'car.png', 'image/png')],
			parameters: editParameters({ model: model(MODEL) }),
			credential: aiStudioCredential(emulator),
			typeVersion: 2,
		});
		const item = await carried(edit, edit.outputs[0][0]);
		emulator.reset();
		return item;
	}

	test('an item that never went through Nano Banana: says what to connect, no call', async () => {
		const result = await runWorkflow({
			items: [photoItem({ next: 'Now make it night' }, PHOTO, 'car.png', 'image/png')],
			parameters: refineParameters(),
			credential: aiStudioCredential(emulator),
			typeVersion: 2,
		});
		expect(result.status).toBe('error');
		expect(result.error?.message).toContain('The item has no conversation to continue');
		expect(result.error?.description).toContain('Connect it to such a node');
		expect(emulator.counters.generateContent).toBe(0);
	});

	test('a changed result image is refused (sha256), no call', async () => {
		const item = await editResult();
		item.binary!.nanoBananaTurn1Result1 = { ...item.binary!.nanoBananaTurn1Result1, bytes: png(64, 48, [1, 2, 3]) };
		const result = await runWorkflow({ items: [item], parameters: refineParameters(), credential: aiStudioCredential(emulator), typeVersion: 2 });
		expect(result.error?.message).toContain('is not the one the conversation recorded');
		expect(emulator.counters.generateContent).toBe(0);
	});

	test('Input Binary Fields not holding the latest result is refused, no call', async () => {
		const item = await editResult();
		item.binary!.data = { bytes: PHOTO, fileName: 'car.png', mimeType: 'image/png' };
		const result = await runWorkflow({ items: [item], parameters: refineParameters(), credential: aiStudioCredential(emulator), typeVersion: 2 });
		expect(result.error?.message).toBe('The image in binary field "data" is not the latest result of this item\'s conversation');
		expect(emulator.counters.generateContent).toBe(0);
	});

	test('a missing model image is refused, no call', async () => {
		const item = await editResult();
		delete item.binary!.nanoBananaTurn1Result1;
		const result = await runWorkflow({ items: [item], parameters: refineParameters(), credential: aiStudioCredential(emulator), typeVersion: 2 });
		expect(result.error?.message).toContain('has no binary field "nanoBananaTurn1Result1"');
		expect(emulator.counters.generateContent).toBe(0);
	});

	test('another model is refused: signatures belong to a model', async () => {
		const item = await editResult();
		const result = await runWorkflow({
			items: [item],
			parameters: refineParameters({ model: model('gemini-3-pro-image-preview') }),
			credential: aiStudioCredential(emulator),
			typeVersion: 2,
		});
		expect(result.error?.message).toBe(`This conversation was made with ${MODEL}, not gemini-3-pro-image-preview`);
		expect(result.error?.description).toContain('thought signatures');
		expect(emulator.counters.generateContent).toBe(0);
	});

	test('a hand-edited conversation is refused; a field name in json never picks a binary', async () => {
		const item = await editResult();
		const conversation = (item.json!.nanoBanana as IDataObject).conversation as { turns: Array<{ parts?: Array<{ image?: { field: string } }> }> };
		conversation.turns[1].parts!.find((part) => part.image)!.image!.field = 'data';
		const result = await runWorkflow({ items: [item], parameters: refineParameters(), credential: aiStudioCredential(emulator), typeVersion: 2 });
		expect(result.error?.message).toBe('The conversation saved with this item cannot be continued: it was changed or is damaged');
		expect(emulator.counters.generateContent).toBe(0);
	});

	test('Continue On Fail: error items in order with pairedItem, the good item refined', async () => {
		const good = await editResult();
		const plain = photoItem({ next: 'Now make it night' }, PHOTO, 'car.png', 'image/png');
		const result = await runWorkflow({
			items: [plain, good, plain],
			parameters: refineParameters(),
			credential: aiStudioCredential(emulator),
			typeVersion: 2,
			onError: 'continueRegularOutput',
		});
		const output = result.outputs[0];
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output.map((item) => (item.json.error ? 'error' : 'image'))).toEqual(['error', 'image', 'error']);
		expect((output[0].json.error as IDataObject).reason).toBe('INVALID_INPUT');
		expect(emulator.counters.generateContent).toBe(1);
	});

	test('an Output Binary Field named like a conversation image is refused before any request (it would hold an earlier image)', async () => {
		// nanoBananaTurn1Result1 is the earlier result the conversation passes on: writing the new
		// image there would be overwritten by the old one (or the other way round), silently.
		const item = await editResult();
		const result = await runWorkflow({
			items: [item],
			parameters: refineParameters({ outputBinaryField: 'nanoBananaTurn1Result1' }),
			credential: aiStudioCredential(emulator),
			typeVersion: 2,
		});
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('"Output Binary Field" cannot be named "nanoBananaTurn1Result1"');
		expect(emulator.counters.generateContent).toBe(0);
	});

	test('Batch Mode is refused clearly for Refine, before any request', async () => {
		const item = await editResult();
		const result = await runWorkflow({
			items: [item],
			parameters: refineParameters({ options: { batchMode: true } }),
			credential: aiStudioCredential(emulator),
			typeVersion: 2,
		});
		expect(result.error?.message).toBe('Refine Image cannot run in Batch Mode');
		expect(emulator.counters.log).toHaveLength(0);
	});
});

describe('Refine and the spending cap', () => {
	test('the earlier turns\' text is counted in the estimate: a Refine whose bill would pass the cap is not sent', async () => {
		// A long first prompt (a brief pasted in, a conversation restored from a table) goes back
		// to Google on every Refine and is billed as input each time.
		const generate = await runWorkflow({
			items: [{ json: { prompt: `A red car at noon. ${'Keep every detail of the brief. '.repeat(2000)}`, next: 'Now make it night' } }],
			parameters: generateParameters({ model: model(MODEL), options: { imageSize: '1K' } }),
			credential: aiStudioCredential(emulator),
			typeVersion: 2,
		});
		expect(generate.status).toBe('success');
		const item = await carried(generate, generate.outputs[0][0]);
		emulator.reset();
		const cap = 0.05;
		const result = await runWorkflow({
			items: [item],
			parameters: refineParameters({ options: { imageSize: '1K', maxCostPerExecution: cap } }),
			credential: aiStudioCredential(emulator),
			typeVersion: 2,
			onError: 'continueRegularOutput',
		});
		const [output] = result.outputs[0];
		// Google bills every turn sent as input: about 16,000 tokens of earlier prompt here, $0.024
		// beyond the $0.041 the new turn alone is estimated at (the emulator's usage counts the last
		// turn's text only, so the bill is not checked against the cap here).
		expect((output.json.error as IDataObject | undefined)?.message).toBe('Max Cost per Execution ($0.0500) reached');
		expect(emulator.counters.generateContent).toBe(0);
	});
});

describe('the signatures are what makes it work (the emulator refuses as the Gemini API does)', () => {
	type Saved = { turns: Array<{ parts?: Array<{ image?: unknown; thoughtSignature?: string }> }> };
	const imageParts = (item: FixtureItem) =>
		(((item.json!.nanoBanana as IDataObject).conversation as Saved).turns.flatMap((turn) => turn.parts ?? [])).filter((part) => part.image);

	async function twoTurns(): Promise<FixtureItem> {
		const { items, results } = await chain(aiStudioCredential(emulator), 'aiStudio');
		const item = await carried(results[1], items[1], { next: 'Remove the sign' });
		emulator.reset();
		return item;
	}

	test('unchanged, the saved conversation is accepted', async () => {
		const result = await runWorkflow({ items: [await twoTurns()], parameters: refineParameters(), credential: aiStudioCredential(emulator), typeVersion: 2 });
		expect(result.status).toBe('success');
	});

	test('a dropped signature: Google\'s 400 "missing a thought_signature"', async () => {
		const item = await twoTurns();
		delete imageParts(item)[1].thoughtSignature;
		const result = await runWorkflow({ items: [item], parameters: refineParameters(), credential: aiStudioCredential(emulator), typeVersion: 2 });
		expect(result.status).toBe('error');
		expect(generateCalls().map((call) => call.status)).toEqual([400]);
		expect(`${result.error?.message} ${result.error?.description}`).toContain('thought_signature');
	});

	test('swapped signatures (each one for the other image): refused as corrupted', async () => {
		const item = await twoTurns();
		const [first, second] = imageParts(item);
		[first.thoughtSignature, second.thoughtSignature] = [second.thoughtSignature, first.thoughtSignature];
		const result = await runWorkflow({ items: [item], parameters: refineParameters(), credential: aiStudioCredential(emulator), typeVersion: 2 });
		expect(result.status).toBe('error');
		expect(generateCalls().map((call) => call.status)).toEqual([400]);
		expect(`${result.error?.message} ${result.error?.description}`).toContain('Corrupted thought signature');
	});
});

describe('Turns to Keep', () => {
	test('1 sends only the latest pair; the output drops the older fields', async () => {
		const { items, results } = await chain(aiStudioCredential(emulator), 'aiStudio');
		emulator.reset();
		const result = await runWorkflow({
			items: [await carried(results[2], items[2], { next: 'Add snow' })],
			parameters: refineParameters({ options: { turnsToKeep: 1 } }),
			credential: aiStudioCredential(emulator),
			typeVersion: 2,
		});
		expect(result.status).toBe('success');
		const third = await results[2].bytes(items[2], 'data');
		expect(generateCalls()[0].conversation).toEqual({ modelTurns: 1, modelImages: [sha256(third)] });
		const [item] = result.outputs[0];
		expect((item.json.nanoBanana as IDataObject).conversation).toMatchObject({ droppedTurns: 2 });
		expect(Object.keys(item.binary ?? {}).sort()).toEqual(['data', 'nanoBananaTurn3Result1', 'nanoBananaTurn4Result1']);
	});
});
