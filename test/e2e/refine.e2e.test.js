// @ts-check
'use strict';
/**
 * Refine Image (issue 25) in a real n8n against the emulator that checks thought signatures as the
 * Gemini API does: Edit → Refine → Set ("include other fields") → Refine on
 * gemini-nano-banana-2.1 with the AI Studio credential and with Vertex AI; the third request
 * carries two model turns whose images are exactly the two earlier results; the final item keeps
 * its upstream json and pairedItem. A Refine on an item that never went through Nano Banana makes
 * no request and says what to connect.
 */
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');

const n8n = require('./lib/n8n');
const wf = require('./lib/workflows');
const { samplePng } = require('./lib/png');
const { freshHome } = require('./lib/fixture');
const { startEmulator, controlEmulator: control } = require('./lib/emulator');

const MODEL = 'gemini-nano-banana-2.1';
const sha256 = (/** @type {Buffer} */ bytes) => crypto.createHash('sha256').update(bytes).digest('hex');

/** Set 3.4 with "Include Other Input Fields": adds a field, keeps the item's json and binaries. */
function keepAllSet(/** @type {string} */ name, /** @type {string} */ field, /** @type {string} */ value) {
	return {
		name,
		type: 'n8n-nodes-base.set',
		typeVersion: 3.4,
		parameters: {
			mode: 'manual',
			includeOtherFields: true,
			include: 'all',
			assignments: { assignments: [{ id: crypto.randomUUID(), name: field, value, type: 'string' }] },
			options: {},
		},
	};
}

/** The emulator's generateContent calls since its last reset. */
async function generateCalls(/** @type {string} */ url) {
	const state = await control(url, 'state');
	return /** @type {Array<{ path: string, status: number, conversation?: { modelTurns: number, modelImages: string[] } }>} */ (
		state.log.filter((/** @type {{ path: string }} */ entry) => entry.path.includes(':generateContent'))
	);
}

describe('Refine Image in a real n8n', () => {
	/** @type {import('./lib/home').N8nHome} */
	let home;
	/** @type {() => void} */
	let dispose = () => {};
	/** @type {import('./lib/emulator').RunningEmulator | undefined} */
	let emulator;
	const aiStudio = { id: 'refineAiStudio01', name: 'Refine AI Studio (emulator)' };
	const vertex = { id: 'refineVertexAi01', name: 'Refine Vertex AI (emulator)' };

	before(async () => {
		emulator = await startEmulator();
		({ home, dispose } = await freshHome());
		await n8n.importCredentials(home, [
			wf.aiStudioCredential({ ...aiStudio, apiKey: emulator.apiKey, baseUrl: emulator.url }),
			wf.vertexCredential({ ...vertex, serviceAccountJson: fs.readFileSync(emulator.serviceAccountFile, 'utf8'), baseUrl: emulator.url }),
		]);
	});

	after(async () => {
		await emulator?.stop();
		dispose();
	});

	for (const [label, authentication, credential] of /** @type {const} */ ([
		['AI Studio', 'aiStudio', aiStudio],
		['Vertex AI', 'vertexAi', vertex],
	])) {
		it(`Edit → Refine → Set → Refine with ${label}: the third request sends both earlier results`, async () => {
			assert.ok(emulator);
			await control(emulator.url, 'reset', {});
			const input = samplePng();
			const node = (/** @type {string} */ name, /** @type {'edit' | 'refine'} */ operation, /** @type {string} */ prompt) => ({
				...wf.nanoBananaNode({ authentication, credential, operation, prompt, model: MODEL, typeVersion: 2, name }),
			});
			const refineNode = (/** @type {string} */ name, /** @type {string} */ prompt) => {
				const spec = node(name, 'refine', prompt);
				spec.parameters.inputBinaryFields = 'data';
				return spec;
			};
			const workflow = wf.linearWorkflow({
				id: `refineChain${authentication === 'aiStudio' ? 'Ais' : 'Vtx'}01`,
				name: `Refine chain (${label})`,
				nodes: [
					wf.manualTrigger(),
					...wf.inlineImageNodes(input),
					keepAllSet('Upstream fields', 'sku', 'CAR-1'),
					node('Make the car red', 'edit', 'Make the car red'),
					refineNode('Now make it night', 'Now make it night'),
					keepAllSet('Note the step', 'step', 'after the first refine'),
					refineNode('Remove the sign', 'Remove the sign'),
				],
			});
			await n8n.importWorkflows(home, [workflow]);
			const result = await n8n.executeWorkflow(home, workflow.id);
			assert.equal(result.success, true, `execution failed: ${JSON.stringify(result.error)}`);

			const [edited] = n8n.nodeOutput(result.run, 'Make the car red');
			const [refined] = n8n.nodeOutput(result.run, 'Now make it night');
			const [final] = n8n.nodeOutput(result.run, 'Remove the sign');
			const results = [edited, refined].map((item) => sha256(n8n.readBinary(home, item.binary.data)));

			const calls = await generateCalls(emulator.url);
			assert.deepEqual(calls.map((call) => call.status), [200, 200, 200]);
			assert.equal(calls[0].conversation, undefined);
			assert.deepEqual(calls[1].conversation, { modelTurns: 1, modelImages: [results[0]] });
			assert.deepEqual(calls[2].conversation, { modelTurns: 2, modelImages: results }, 'two model turns, exactly the two earlier results');

			assert.deepEqual(final.pairedItem, { item: 0 });
			assert.equal(final.json.sku, 'CAR-1');
			assert.equal(final.json.step, 'after the first refine');
			const conversation = final.json.nanoBanana.conversation;
			assert.equal(conversation.model, MODEL);
			assert.equal(conversation.turns.length, 6);
			assert.ok(!JSON.stringify(final.json).includes(input.toString('base64').slice(0, 60)), 'no image bytes in json');
			assert.deepEqual(Object.keys(final.binary).sort(), [
				'data',
				'nanoBananaTurn1Input1',
				'nanoBananaTurn1Result1',
				'nanoBananaTurn2Result1',
				'nanoBananaTurn3Result1',
			]);
			assert.equal(sha256(n8n.readBinary(home, final.binary.nanoBananaTurn1Input1)), sha256(input));
			assert.equal(sha256(n8n.readBinary(home, final.binary.nanoBananaTurn2Result1)), results[1]);
		});
	}

	it('a Refine on an item that never went through Nano Banana makes no request and says what to connect', async () => {
		assert.ok(emulator);
		await control(emulator.url, 'reset', {});
		const refine = wf.nanoBananaNode({ credential: aiStudio, operation: 'refine', prompt: 'Now make it night', model: MODEL, typeVersion: 2 });
		refine.parameters.inputBinaryFields = 'data';
		const workflow = wf.linearWorkflow({
			id: 'refinePlainItem1',
			name: 'Refine a plain item',
			nodes: [wf.manualTrigger(), ...wf.inlineImageNodes(samplePng()), refine],
		});
		await n8n.importWorkflows(home, [workflow]);
		const result = await n8n.executeWorkflow(home, workflow.id);
		assert.equal(result.success, false);
		const said = JSON.stringify(result.error ?? result.stdout);
		assert.match(said, /no conversation to continue/);
		assert.match(said, /Connect it to such a node/);
		assert.equal((await generateCalls(emulator.url)).length, 0);
		const state = await control(emulator.url, 'state');
		assert.equal(state.generateContent, 0);
	});
});
