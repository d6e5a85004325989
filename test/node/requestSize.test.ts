/**
 * The Gemini API takes at most 100 MB per request (base64 included), however many images each fit
 * on their own. Edit sends the images that do not fit beside the others through the Files API; a
 * Refine, which sends every earlier image back inline, drops its oldest turns until they fit, and
 * refuses before any call when even the latest result does not. The limit is the backend's
 * (`maxInlineRequestBytes`); here it is shrunk to the test's small images.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { Emulator } from '../emulator/server';
import type { FixtureItem, RunResult } from './harness';
import { runWorkflow } from './harness';
import { aiStudioCredential, editParameters, model, photoItem, png, sha256, useEmulator } from './fixtures';

let mockRequestBytes: number | undefined;
jest.mock('../../nodes/NanoBanana/transport/auth/backends', () => {
	const actual = jest.requireActual<typeof import('../../nodes/NanoBanana/transport/auth/backends')>('../../nodes/NanoBanana/transport/auth/backends');
	return {
		...actual,
		aiStudioBackend: (...args: Parameters<typeof actual.aiStudioBackend>) => {
			const backend = actual.aiStudioBackend(...args);
			return mockRequestBytes === undefined ? backend : { ...backend, maxInlineRequestBytes: mockRequestBytes };
		},
	};
});

let emulator: Emulator;
useEmulator((started) => {
	emulator = started;
});

const MODEL = 'gemini-nano-banana-2.1';
const PHOTO = png(64, 48, [10, 120, 200]);
const MB = 1024 * 1024;

async function carried(result: RunResult, item: INodeExecutionData, json: IDataObject = {}): Promise<FixtureItem> {
	const binary: NonNullable<FixtureItem['binary']> = {};
	for (const [field, data] of Object.entries(item.binary ?? {})) {
		binary[field] = { bytes: await result.bytes(item, field), fileName: data.fileName, mimeType: data.mimeType };
	}
	return { json: { ...item.json, ...json }, binary };
}

const refine = (item: FixtureItem) =>
	runWorkflow({
		items: [item],
		parameters: editParameters({ operation: 'refine', model: model(MODEL), prompt: '={{ $json.next }}' }),
		credential: aiStudioCredential(emulator),
		typeVersion: 2,
	});

/** The first turn of a conversation: Edit on the photo, with the limit as Google's. */
const editPhoto = () =>
	runWorkflow({
		items: [photoItem({ prompt: 'Make the car red', next: 'Now make it night' }, PHOTO, 'car.png', 'image/png')],
		parameters: editParameters({ model: model(MODEL) }),
		credential: aiStudioCredential(emulator),
		typeVersion: 2,
	});

/** Edit with `images` as the item's binary fields, in that order. */
const editImages = (images: Record<string, Buffer>) =>
	runWorkflow({
		items: [
			{
				json: { prompt: 'Put the logo on the mug' },
				binary: Object.fromEntries(Object.entries(images).map(([field, bytes]) => [field, { bytes, fileName: `${field}.png`, mimeType: 'image/png' }])),
			},
		],
		parameters: editParameters({ model: model(MODEL), inputBinaryFields: Object.keys(images).join(', ') }),
		credential: aiStudioCredential(emulator),
		typeVersion: 2,
	});

/** The request limit that leaves exactly `imageBytes` for images (the inverse of inlineImageBudget). */
const requestFor = (imageBytes: number) => Math.ceil((imageBytes * 4) / 3) + MB;

afterEach(() => {
	mockRequestBytes = undefined;
});

test('Edit: an image that does not fit beside the others goes through the Files API', async () => {
	const second = png(80, 60, [200, 40, 40]);
	mockRequestBytes = requestFor(PHOTO.length + second.length - 1);
	const edit = await editImages({ mug: PHOTO, logo: second });

	expect(edit.status).toBe('success');
	expect(emulator.counters.uploads).toBe(1);
});

test('Edit: only the images sent inline count: a small one after an uploaded one still goes inline', async () => {
	const big = png(160, 120, [20, 200, 40]);
	const small = png(16, 12, [200, 200, 40]);
	// Room for the photo and the small image, not for the big one beside the photo.
	mockRequestBytes = requestFor(PHOTO.length + small.length);
	expect(PHOTO.length + big.length).toBeGreaterThan(PHOTO.length + small.length);
	const edit = await editImages({ mug: PHOTO, poster: big, logo: small });

	expect(edit.status).toBe('success');
	expect(emulator.counters.uploads).toBe(1);
});

test('Refine: images that do not fit in one request together: the oldest pair is dropped before sending', async () => {
	const edit = await editPhoto();
	const second = await refine(await carried(edit, edit.outputs[0][0]));
	expect(second.status).toBe('success');
	const results = [await edit.bytes(edit.outputs[0][0], 'data'), await second.bytes(second.outputs[0][0], 'data')];

	// Room for the photo and both results but one byte: the third request cannot carry them all.
	const images = PHOTO.length + results[0].length + results[1].length;
	mockRequestBytes = requestFor(images - 1);
	emulator.reset();
	const third = await refine(await carried(second, second.outputs[0][0], { next: 'Remove the sign' }));

	expect(third.status).toBe('success');
	const calls = emulator.counters.log.filter((entry) => entry.path.includes(':generateContent'));
	expect(calls).toHaveLength(1);
	expect(calls[0].conversation).toEqual({ modelTurns: 1, modelImages: [sha256(results[1])] });
	expect((third.outputs[0][0].json.nanoBanana as IDataObject).conversation).toMatchObject({ droppedTurns: 1 });
});

test('Refine: a latest result too large for one request is refused before any call', async () => {
	const edit = await editPhoto();
	const result = await edit.bytes(edit.outputs[0][0], 'data');
	mockRequestBytes = requestFor(result.length - 1);
	emulator.reset();
	const refused = await refine(await carried(edit, edit.outputs[0][0]));

	expect(refused.status).toBe('error');
	expect(refused.task?.error?.message).toBe('The result to refine is too large for one more request');
	expect(emulator.counters.log.filter((entry) => entry.path.includes(':generateContent'))).toHaveLength(0);
});
