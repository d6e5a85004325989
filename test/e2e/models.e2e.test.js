// @ts-check
'use strict';
/**
 * Issue 18 in a real n8n against the emulator acting as a Google project created after September
 * 2026 (gemini-2.5-flash-image closed, preview and Imagen ids shut down): node version 2's
 * default model, version 1's kept default, Nano Banana 2.1's sizes and ratios, thinking and
 * thought summaries, thought-only answers, and the successor named for a shut-down id.
 */
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const n8n = require('./lib/n8n');
const wf = require('./lib/workflows');
const { samplePng } = require('./lib/png');
const { freshHome } = require('./lib/fixture');
const { startEmulator, controlEmulator } = require('./lib/emulator');
const { readPngInfo } = require('../emulator/server');

describe('models: Nano Banana 2.1, node version 2, thinking, shut-down ids', () => {
	/** @type {import('./lib/home').N8nHome} */
	let home;
	/** @type {() => void} */
	let dispose = () => {};
	/** @type {import('./lib/emulator').RunningEmulator | undefined} */
	let emulator;
	const credential = { id: 'modelsAiStudio01', name: 'Models AI Studio (emulator)' };
	const input = samplePng();

	before(async () => {
		emulator = await startEmulator({ args: ['--closed-models', 'gemini-2.5-flash-image'] });
		({ home, dispose } = await freshHome());
		await n8n.importCredentials(home, [wf.aiStudioCredential({ ...credential, apiKey: emulator.apiKey, baseUrl: emulator.url })]);
	});

	after(async () => {
		await emulator?.stop();
		dispose();
	});

	/**
	 * Imports and runs an edit workflow; returns the run and the generateContent calls the emulator saw.
	 * @param {string} id
	 * @param {Partial<Parameters<typeof wf.nanoBananaNode>[0]>} node
	 */
	async function run(id, node) {
		const url = /** @type {string} */ (emulator?.url);
		await controlEmulator(url, 'reset', {});
		const workflow = wf.linearWorkflow({
			id,
			name: `Models: ${id}`,
			nodes: [wf.manualTrigger(), ...wf.inlineImageNodes(input), wf.nanoBananaNode({ credential, prompt: 'Paint the sky purple', ...node })],
		});
		await n8n.importWorkflows(home, [workflow]);
		const result = await n8n.executeWorkflow(home, workflow.id);
		const state = await controlEmulator(url, 'state');
		/** @type {Array<{ path: string, model?: string, status: number, thinkingConfig?: object }>} */
		const calls = state.log.filter((/** @type {{ path: string }} */ entry) => entry.path.endsWith(':generateContent'));
		return { result, calls };
	}

	/** @param {{ result: any }} ran */
	function onlyItem({ result }) {
		assert.equal(result.success, true, `execution failed: ${JSON.stringify(result.error)}`);
		const items = n8n.nodeOutput(result.run, 'Nano Banana');
		assert.equal(items.length, 1);
		return items[0];
	}

	/** @param {any} item */
	function pngOf(item) {
		return readPngInfo(n8n.readBinary(home, item.binary.data));
	}

	it('version 2 with no model saved edits with gemini-nano-banana-2.1 while 2.5 Flash Image answers 404', async () => {
		const ran = await run('modelsV2Default01', { typeVersion: 2, model: null });
		const item = onlyItem(ran);
		assert.equal(item.json.nanoBanana.model, 'gemini-nano-banana-2.1');
		assert.deepEqual(ran.calls.map((call) => call.model), ['gemini-nano-banana-2.1']);
		assert.equal(pngOf(item).meta.model, 'gemini-nano-banana-2.1');
	});

	it('version 1 with no model saved still sends gemini-2.5-flash-image; the 404 says why and names 2.1', async () => {
		const ran = await run('modelsV1Default01', { typeVersion: 1, model: null });
		assert.deepEqual(ran.calls.map((call) => [call.model, call.status]), [['gemini-2.5-flash-image', 404]]);
		assert.equal(ran.result.success, false);
		const message = JSON.stringify(ran.result.error);
		assert.match(message, /The model \\"gemini-2\.5-flash-image\\" is not available to this Google project: use gemini-nano-banana-2\.1/);
		assert.match(message, /new Google projects cannot use it/);
	});

	it('2.1 at 8:1 and 4K works', async () => {
		const ran = await run('models21Banner01', { typeVersion: 2, model: null, options: { aspectRatio: '8:1', imageSize: '4K' } });
		const png = pngOf(onlyItem(ran));
		assert.equal(png.width, 4096);
		assert.equal(Math.round(png.width / png.height), 8);
	});

	it('512 on 2.1 is refused before any call, naming the size', async () => {
		const ran = await run('models21Size512', { typeVersion: 2, model: null, options: { imageSize: '512' } });
		assert.equal(ran.result.success, false);
		assert.match(JSON.stringify(ran.result.error), /Nano Banana 2\.1 \(gemini-nano-banana-2\.1\) does not accept the image size 512/);
		assert.equal(ran.calls.length, 0);
	});

	it('thinking level high and thought summaries reach the server and the output', async () => {
		const ran = await run('modelsThinking01', { typeVersion: 2, model: null, options: { thinkingLevel: 'high', includeThoughts: true } });
		const item = onlyItem(ran);
		assert.deepEqual(ran.calls[0].thinkingConfig, { thinkingLevel: 'HIGH', includeThoughts: true });
		assert.match(item.json.nanoBanana.thoughts, /Thought summary[\s\S]*Thinking level high/);
		assert.doesNotMatch(item.json.nanoBanana.text ?? '', /Thought summary/);
		assert.equal(pngOf(item).meta.thinkingLevel, 'high');
	});

	it('a thinking level on 2.5 Flash Image is refused before any call', async () => {
		const ran = await run('modelsThinking25', { typeVersion: 2, model: 'gemini-2.5-flash-image', options: { thinkingLevel: 'high' } });
		assert.equal(ran.result.success, false);
		assert.match(JSON.stringify(ran.result.error), /Nano Banana \(gemini-2\.5-flash-image\) does not accept the thinking level high/);
		assert.equal(ran.calls.length, 0);
	});

	it('a thought-only answer gives its last thought image', async () => {
		const ran = await run('modelsThoughtOnly', { typeVersion: 2, model: null, prompt: 'Paint the sky purple [[emulate:thought-only:3]]' });
		const item = onlyItem(ran);
		assert.equal(item.json.nanoBanana.resultFromThoughtImage, true);
		const meta = pngOf(item).meta;
		assert.equal(meta.thought, true);
		assert.equal(meta.n, 2);
	});

	it("a shut-down preview id's error names its successor", async () => {
		const ran = await run('modelsPreviewGone', { typeVersion: 2, model: 'gemini-3-pro-image-preview' });
		assert.equal(ran.result.success, false);
		const message = JSON.stringify(ran.result.error);
		assert.match(message, /The model \\"gemini-3-pro-image-preview\\" is no longer available: use gemini-3-pro-image/);
		assert.match(message, /set \\"Model\\" to gemini-3-pro-image/);
	});
});
