/* eslint-disable @typescript-eslint/no-explicit-any -- test code reads the emulator's JSON loosely (README: Lint) */
/**
 * Issue 25: the conversation module against the emulator that checks thought signatures as the
 * Gemini API does. Edit → Refine → Refine built only from what an item would carry (the json
 * through JSON text, the binaries by field) succeeds on both backends, and the third request sends
 * exactly the two earlier results; the same chain with a signature dropped from the saved json is
 * refused by the emulator (so the signatures this module keeps are what makes it work).
 */
import { startEmulator, readPngInfo } from '../../emulator/server';
import type { Emulator } from '../../emulator/server';
import { appendTurn, buildContents, latestResults, parseConversation, trimConversation } from '../../../nodes/NanoBanana/conversation';
import type { RequestContent, TurnImage } from '../../../nodes/NanoBanana/conversation';
import type { Part } from '../../../nodes/NanoBanana/transport/google/types';
import { sha } from './fixtures';
import { solidPng } from '../../emulator/test-helpers';

let emu: Emulator;
beforeAll(async () => {
	emu = await startEmulator();
});
afterAll(async () => {
	await emu.close();
});

const MODEL = 'gemini-nano-banana-2.1';
const PHOTO = solidPng(64, 48, [10, 120, 200]);

/** The request body as the node's encoder would write it: bytes → base64. */
function body(contents: RequestContent[]): string {
	const wire = contents.map((content) => ({
		role: content.role,
		parts: content.parts.map((part) => (part.inlineData ? { ...part, inlineData: { mimeType: part.inlineData.mimeType, data: part.inlineData.data.toString('base64') } } : part)),
	}));
	return JSON.stringify({ contents: wire, generationConfig: { responseModalities: ['TEXT', 'IMAGE'] } });
}

async function call(backend: 'gemini' | 'vertex', contents: RequestContent[]): Promise<{ status: number; json: any }> {
	const url =
		backend === 'gemini'
			? `${emu.url}/v1beta/models/${MODEL}:generateContent`
			: `${emu.url}/v1/projects/${emu.serviceAccountKey.project_id}/locations/global/publishers/google/models/${MODEL}:generateContent`;
	const auth: Record<string, string> = backend === 'gemini' ? { 'x-goog-api-key': emu.apiKey } : { authorization: `Bearer ${emu.issueAccessToken().access_token}` };
	const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: body(contents) });
	return { status: res.status, json: await res.json() };
}

/** An item as it travels between nodes: json (as text, as n8n stores it) and binaries by field. */
interface Item {
	json: string;
	binary: Map<string, TurnImage>;
}

function carry(previous: Item | undefined, next: ReturnType<typeof appendTurn>): Item {
	if (!next.ok) throw new Error(next.problem.description);
	const binary = new Map(previous?.binary);
	for (const image of next.value.images) if (image.data) binary.set(image.field, { mimeType: image.mimeType, data: image.data });
	return { json: JSON.stringify({ nanoBanana: { conversation: next.value.conversation } }), binary };
}

const finalImage = (json: any): Buffer =>
	Buffer.from(json.candidates[0].content.parts.find((p: Part) => p.inlineData && !p.thought).inlineData.data, 'base64');

async function refine(backend: 'gemini' | 'vertex', item: Item, prompt: string, turnsToKeep = 5): Promise<{ item: Item; status: number; json: any }> {
	const parsed = parseConversation(JSON.parse(item.json).nanoBanana.conversation);
	if (!parsed.ok) throw new Error(parsed.problem.description);
	const trimmed = trimConversation(parsed.value, { turnsToKeep, maxInputImages: 14 });
	if (!trimmed.ok) throw new Error(trimmed.problem.description);
	const contents = buildContents(trimmed.value.conversation, item.binary, prompt);
	if (!contents.ok) throw new Error(contents.problem.description);
	const res = await call(backend, contents.value.contents);
	if (res.status !== 200) return { item, ...res };
	return { item: carry(item, appendTurn(contents.value.conversation, MODEL, { prompt, images: [] }, res.json.candidates[0].content.parts)), ...res };
}

describe.each(['gemini', 'vertex'] as const)('Edit → Refine → Refine on %s', (backend) => {
	it('succeeds; the third request carries both earlier results exactly', async () => {
		const edit = await call(backend, [{ role: 'user', parts: [{ inlineData: { mimeType: 'image/png', data: PHOTO } }, { text: 'Make the car red' }] }]);
		expect(edit.status).toBe(200);
		const first = carry(undefined, appendTurn(undefined, MODEL, { prompt: 'Make the car red', images: [{ mimeType: 'image/png', data: PHOTO }] }, edit.json.candidates[0].content.parts));
		const second = await refine(backend, first, 'Now make it night');
		expect(second.status).toBe(200);
		const third = await refine(backend, second.item, 'Remove the sign');
		expect(third.status).toBe(200);
		const meta = readPngInfo(finalImage(third.json)).meta;
		expect(meta).toMatchObject({ prompt: 'Remove the sign', modelTurns: 2, modelImages: [sha(finalImage(edit.json)), sha(finalImage(second.json))] });
		expect(meta?.inputs).toContain(sha(PHOTO));
		expect(third.item.binary.get('nanoBananaTurn3Result1')?.data).toEqual(finalImage(third.json));
	});
});

it('a signature removed from the saved json makes the Gemini API refuse the refine', async () => {
	const edit = await call('gemini', [{ role: 'user', parts: [{ inlineData: { mimeType: 'image/png', data: PHOTO } }, { text: 'Make the car red' }] }]);
	const item = carry(undefined, appendTurn(undefined, MODEL, { prompt: 'Make the car red', images: [{ mimeType: 'image/png', data: PHOTO }] }, edit.json.candidates[0].content.parts));
	const json = JSON.parse(item.json);
	for (const part of json.nanoBanana.conversation.turns[1].parts) delete part.thoughtSignature;
	const refused = await refine('gemini', { ...item, json: JSON.stringify(json) }, 'Now make it night');
	expect(refused.status).toBe(400);
	expect(refused.json.error.message).toBe('Image part is missing a thought_signature in content position 2, part position 1.');
});

it('a chat restored across executions from the conversation text and its latest result only continues (Turns to Keep 1)', async () => {
	const edit = await call('gemini', [{ role: 'user', parts: [{ inlineData: { mimeType: 'image/png', data: PHOTO } }, { text: 'Make the car red' }] }]);
	let item = carry(undefined, appendTurn(undefined, MODEL, { prompt: 'Make the car red', images: [{ mimeType: 'image/png', data: PHOTO }] }, edit.json.candidates[0].content.parts));
	for (const prompt of ['Now make it night', 'Add rain']) {
		// What a Data Table row keeps: the conversation as text, the latest result as base64 under its field name.
		const conversation = JSON.parse(item.json).nanoBanana.conversation;
		const [latest] = latestResults(conversation);
		const row = { conversation: JSON.stringify(conversation), field: latest.field, base64: item.binary.get(latest.field)?.data.toString('base64') ?? '', mimeType: latest.mimeType };
		// The next execution rebuilds an item from the row alone.
		const restored: Item = {
			json: JSON.stringify({ nanoBanana: { conversation: JSON.parse(row.conversation) } }),
			binary: new Map([[row.field, { mimeType: row.mimeType, data: Buffer.from(row.base64, 'base64') }]]),
		};
		const next = await refine('gemini', restored, prompt, 1);
		expect(next.status).toBe(200);
		item = next.item;
	}
	expect(JSON.parse(item.json).nanoBanana.conversation).toMatchObject({ droppedTurns: 1, turns: [{ text: 'Now make it night' }, { role: 'model' }, { text: 'Add rain' }, { role: 'model' }] });
});
