// @ts-check
'use strict';
/**
 * What it costs, in a real n8n (`n8n execute`, mode "cli": n8n saves the workflow's static data
 * after each run, as for a trigger or schedule) against the emulator:
 *   - items carry `json.nanoBanana.cost.usd` = the formula on the emulator's usageMetadata for 2.1
 *     at 1K and 2K, 2.5 Flash Image and 3 Pro Image, and half of it in Batch Mode; the node's run
 *     data carries n8n's token usage (`metadata.tokenUsage`, n8n 2.41's accumulateTokenUsage);
 *   - 20 items on 2.1 at 1K, Max Cost per Execution $0.20, Max Concurrency 4: no more requests than
 *     fit, the answered items keep their images, the rest fail with the cap's message;
 *   - a workflow run again and again stops paying once Max Cost per Day is reached, and pays again
 *     once the stored day is yesterday's.
 */
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const n8n = require('./lib/n8n');
const wf = require('./lib/workflows');
const { prepare } = require('./lib/fixture');
const { startEmulator, controlEmulator: control } = require('./lib/emulator');
const { fanOutWorkflow } = require('./lib/items');

const log = (/** @type {string} */ msg) => process.stderr.write(`[cost] ${msg}\n`);
const NB21 = 'gemini-nano-banana-2.1';

/** Rates per million tokens [input, text + thinking, image] (price table of 2026-12-07). */
const RATES = /** @type {Record<string, number[]>} */ ({
	[NB21]: [1.5, 7.5, 30],
	'gemini-2.5-flash-image': [0.3, 2.5, 30],
	'gemini-3-pro-image': [2, 12, 120],
});

/** promptTokenCount × input + IMAGE × image + (candidates − IMAGE + thoughts) × text, per million. */
function formula(/** @type {string} */ model, /** @type {any} */ usage) {
	const [input, text, image] = RATES[model];
	const imageTokens = usage.candidatesTokensDetails.filter((/** @type {any} */ d) => d.modality === 'IMAGE').reduce((/** @type {number} */ n, /** @type {any} */ d) => n + d.tokenCount, 0);
	return (usage.promptTokenCount * input + imageTokens * image + (usage.candidatesTokenCount - imageTokens + (usage.thoughtsTokenCount ?? 0)) * text) / 1e6;
}

const close = (/** @type {number} */ a, /** @type {number} */ b) => Math.abs(a - b) < 1e-9;

describe('What it costs, in a real n8n', () => {
	/** @type {import('./lib/home').N8nHome} */
	let home;
	/** @type {import('./lib/emulator').RunningEmulator | undefined} */
	let emulator;
	const credential = { id: 'costAiStudio00001', name: 'Cost AI Studio (emulator)' };

	before(async () => {
		emulator = await startEmulator();
		const { install, tarball } = await prepare();
		home = await n8n.createN8nHome({ install, tarball });
		await n8n.importCredentials(home, [wf.aiStudioCredential({ ...credential, apiKey: emulator.apiKey, baseUrl: emulator.url })]);
	});

	after(async () => {
		await emulator?.stop();
		if (process.env.NANO_BANANA_E2E_KEEP !== '1') fs.rmSync(home.dir, { recursive: true, force: true });
	});

	/** Set (a list of prompts) → Split Out: one item per prompt. */
	function promptNodes(/** @type {string} */ name, /** @type {string[]} */ prompts) {
		return [
			{ name: `${name} prompts`, type: 'n8n-nodes-base.set', typeVersion: 3.4, parameters: { mode: 'raw', jsonOutput: JSON.stringify({ items: prompts.map((prompt) => ({ prompt })) }), options: {} } },
			{ name: `${name} items`, type: 'n8n-nodes-base.splitOut', typeVersion: 1, parameters: { fieldToSplitOut: 'items', include: 'noOtherFields', options: {} } },
		];
	}

	/** A Nano Banana node (Generate, version 2) with its own name, model and options. */
	function generateNode(/** @type {string} */ name, /** @type {string} */ model, /** @type {Record<string, unknown>} */ options) {
		return {
			...wf.nanoBananaNode({ name, credential, operation: 'generate', model, prompt: '={{ $json.prompt }}', options, typeVersion: 2 }),
			onError: 'continueRegularOutput',
		};
	}

	it('cost.usd is the formula on usageMetadata per model and size, half in Batch Mode; run data has n8n\'s token usage', async () => {
		assert.ok(emulator);
		await control(emulator.url, 'configure', { batchPendingMs: 0, batchRunMs: 1000 });
		const tag = crypto.randomUUID().slice(0, 8);
		const cases = [
			{ name: '2.1 at 1K', model: NB21, options: { imageSize: '1K' }, batch: false },
			{ name: '2.1 at 2K', model: NB21, options: { imageSize: '2K' }, batch: false },
			{ name: '2.5 Flash Image', model: 'gemini-2.5-flash-image', options: {}, batch: false },
			{ name: '3 Pro Image', model: 'gemini-3-pro-image', options: { imageSize: '1K' }, batch: false },
			{ name: '2.1 at 1K batch', model: NB21, options: { imageSize: '1K', batchMode: true }, batch: true },
		];
		const workflow = fanOutWorkflow({
			id: 'costPerItem000001',
			name: 'Cost per item',
			trigger: wf.manualTrigger(),
			branches: cases.map((c) => [...promptNodes(c.name, [`${tag} ${c.name}: a lighthouse`, `${tag} ${c.name}: a harbour at night`]), generateNode(c.name, c.model, c.options)]),
		});
		await n8n.importWorkflows(home, [workflow]);
		const result = await n8n.executeWorkflow(home, workflow.id);
		assert.equal(result.success, true, `execution failed: ${JSON.stringify(result.error)}`);

		for (const c of cases) {
			const items = n8n.nodeOutput(result.run, c.name);
			assert.equal(items.length, 2, c.name);
			let input = 0;
			let output = 0;
			for (const item of items) {
				assert.equal(item.json.error, undefined, `${c.name}: ${JSON.stringify(item.json.error)}`);
				const { usage, cost } = item.json.nanoBanana;
				const expected = formula(c.model, usage) * (c.batch ? 0.5 : 1);
				assert.ok(close(cost.usd, expected), `${c.name}: cost.usd ${cost.usd} ≠ formula ${expected}`);
				assert.equal(cost.batch, c.batch);
				assert.equal(cost.priceTableDate, '2026-12-07');
				log(`${c.name}: ${usage.promptTokenCount} in, ${usage.candidatesTokenCount} out, ${usage.thoughtsTokenCount ?? 0} thinking → $${cost.usd}`);
				input += usage.promptTokenCount;
				output += usage.candidatesTokenCount + (usage.thoughtsTokenCount ?? 0);
			}
			const task = result.run.data.resultData.runData[c.name][0];
			assert.deepEqual(task.metadata?.tokenUsage, { inputTokens: input, outputTokens: output }, `${c.name}: run data token usage`);
		}
	});

	it('20 items on 2.1 at 1K, Max Cost per Execution $0.20, Max Concurrency 4: no more requests than fit', async () => {
		assert.ok(emulator);
		await control(emulator.url, 'configure', { latencyMs: 400 });
		await control(emulator.url, 'reset', {});
		const tag = crypto.randomUUID().slice(0, 8);
		const prompts = Array.from({ length: 20 }, (_, i) => `${tag} capped #${i}: a lighthouse`);
		const workflow = wf.linearWorkflow({
			id: 'costCapExecution1',
			name: 'Cost cap per execution',
			nodes: [wf.manualTrigger(), ...promptNodes('Capped', prompts), generateNode('Nano Banana', NB21, { imageSize: '1K', maxConcurrency: 4, maxCostPerExecution: 0.2 })],
		});
		await n8n.importWorkflows(home, [workflow]);
		const result = await n8n.executeWorkflow(home, workflow.id);
		await control(emulator.url, 'configure', { latencyMs: 0 });
		assert.equal(result.success, true, `execution failed: ${JSON.stringify(result.error)}`);
		const items = n8n.nodeOutput(result.run, 'Nano Banana');
		assert.equal(items.length, 20);
		const answered = items.filter((/** @type {any} */ item) => item.binary?.data && !item.json.error);
		const refused = items.filter((/** @type {any} */ item) => item.json.error);
		assert.equal(answered.length + refused.length, 20);
		const state = await control(emulator.url, 'state');
		assert.equal(state.generateContent, answered.length, 'every request sent was answered and kept; none for a refused item');
		const billed = answered.reduce((/** @type {number} */ sum, /** @type {any} */ item) => sum + item.json.nanoBanana.cost.usd, 0);
		log(`${answered.length} answered for $${billed.toFixed(6)}, ${refused.length} refused, ${state.generateContent} requests, peak ${state.maxInFlight} in flight`);
		assert.ok(billed <= 0.2, `billed ${billed} > cap`);
		assert.ok(answered.length >= 4, 'what fits under the cap is sent');
		for (const [i, item] of items.entries()) assert.equal(Boolean(item.binary?.data && !item.json.error), i < answered.length, `item ${i} in order`);
		for (const item of refused) {
			assert.equal(item.json.error.message, 'Max Cost per Execution ($0.2000) reached');
			assert.match(item.json.error.description, /^This execution has spent \$0\.\d{4}; the next request would pass the cap\./);
		}
	});

	it('a workflow run again and again stops paying at Max Cost per Day, and pays again on the next UTC day', async () => {
		assert.ok(emulator);
		await control(emulator.url, 'reset', {});
		const workflow = wf.linearWorkflow({
			id: 'costCapPerDay0001',
			name: 'Cost cap per day',
			nodes: [wf.manualTrigger(), ...promptNodes('Daily', ['a lighthouse, daily']), generateNode('Nano Banana', NB21, { imageSize: '1K', maxCostPerDay: 0.1 })],
		});
		await n8n.importWorkflows(home, [workflow]);
		/** @type {boolean[]} */
		const paid = [];
		for (let run = 0; run < 4; run++) {
			const result = await n8n.executeWorkflow(home, workflow.id);
			const [item] = n8n.nodeOutput(result.run, 'Nano Banana');
			paid.push(Boolean(item.binary?.data && !item.json.error));
			if (item.json.error) assert.equal(item.json.error.message, 'Max Cost per Day ($0.1000) reached');
			log(`run ${run + 1}: ${paid[run] ? `paid $${item.json.nanoBanana.cost.usd}` : 'refused'}`);
		}
		assert.deepEqual(paid, [true, true, false, false]);
		assert.equal((await control(emulator.url, 'state')).generateContent, 2);

		// The stored day becomes yesterday's, as after midnight UTC.
		const exported = path.join(home.dir, 'daily-export.json');
		await n8n.runN8n(home, ['export:workflow', `--id=${workflow.id}`, `--output=${exported}`]);
		const [saved] = JSON.parse(fs.readFileSync(exported, 'utf8'));
		const spend = saved.staticData?.['node:Nano Banana']?.nanoBananaSpend;
		assert.equal(spend?.day, new Date().toISOString().slice(0, 10), `stored: ${JSON.stringify(saved.staticData)}`);
		assert.ok(spend.usd > 0.06 && spend.usd <= 0.1, `stored usd ${spend.usd}`);
		spend.day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
		await n8n.importWorkflows(home, [saved]);
		const nextDay = await n8n.executeWorkflow(home, workflow.id);
		const [item] = n8n.nodeOutput(nextDay.run, 'Nano Banana');
		assert.equal(item.json.error, undefined, JSON.stringify(item.json.error));
		assert.ok(item.binary?.data);
	});
});
