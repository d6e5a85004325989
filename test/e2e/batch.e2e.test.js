// @ts-check
'use strict';
/**
 * Batch Mode in a real n8n (`n8n execute`) against the emulator's batch endpoints:
 *   - 6 edits with one IMAGE_SAFETY → 5 images and 1 error item, in order, from one batch job;
 *   - an `n8n execute` killed while its job runs, then started again → no second job, every image;
 *   - a batch over 20 MB (noise PNGs read from disk) → a JSONL file upload and a results download;
 *   - Vertex AI → refused before any request;
 *   - issue 20: a create answer lost after the job was made → exactly one job; a results file
 *     slower than the Timeout → read whole, once; a rerun after a failed batch → the finished job is
 *     collected without a second one.
 */
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');

const n8n = require('./lib/n8n');
const wf = require('./lib/workflows');
const { createPng } = require('./lib/png');
const { prepare } = require('./lib/fixture');
const { startEmulator, controlEmulator: control } = require('./lib/emulator');
const { itemsWithImagesNodes, promptExpression, sha256 } = require('./lib/items');
const { killGroup, waitUntil } = require('./lib/proc');
const { readPngInfo } = require('../emulator/server');
const { noisePng } = require('../bench/lib/images');

const NODE = 'Nano Banana';
const log = (/** @type {string} */ msg) => process.stderr.write(`[batch] ${msg}\n`);


/** @param {number} i */
const inputImage = (i) => createPng(24 + i, 16, (x, y) => [(x * 10 + i * 40) % 256, (y * 15) % 256, 120]);

describe('Batch Mode in a real n8n', () => {
	/** @type {import('./lib/home').N8nHome} */
	let home;
	/** @type {import('./lib/emulator').RunningEmulator | undefined} */
	let emulator;
	const imagesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nano-banana-batch-images-'));
	const credential = { id: 'batchAiStudio0001', name: 'Batch AI Studio (emulator)' };
	const vertex = { id: 'batchVertex000001', name: 'Batch Vertex (emulator)' };

	before(async () => {
		emulator = await startEmulator();
		const { install, tarball } = await prepare();
		home = await n8n.createN8nHome({ install, tarball, env: { N8N_RESTRICT_FILE_ACCESS_TO: imagesDir } });
		await n8n.importCredentials(home, [
			wf.aiStudioCredential({ ...credential, apiKey: emulator.apiKey, baseUrl: emulator.url }),
			wf.vertexCredential({ ...vertex, serviceAccountJson: fs.readFileSync(emulator.serviceAccountFile, 'utf8'), baseUrl: emulator.url }),
		]);
	});

	after(async () => {
		await emulator?.stop();
		if (process.env.NANO_BANANA_E2E_KEEP !== '1') {
			fs.rmSync(home.dir, { recursive: true, force: true });
			fs.rmSync(imagesDir, { recursive: true, force: true });
		}
	});

	/**
	 * A workflow: Manual Trigger → items (own prompt and image each) → Nano Banana (Batch Mode).
	 * @param {string} id @param {string[]} prompts @param {Record<string, unknown>} [options]
	 */
	function itemsWorkflow(id, prompts, options = {}, onError = 'continueRegularOutput') {
		return wf.linearWorkflow({
			id,
			name: `Batch: ${id}`,
			nodes: [
				wf.manualTrigger(),
				...itemsWithImagesNodes(prompts.map((prompt, i) => ({ prompt, image: inputImage(i) }))),
				{
					...wf.nanoBananaNode({ credential, prompt: promptExpression(), options: { batchMode: true, ...options } }),
					...(onError ? { onError } : {}),
				},
			],
		});
	}

	it('6 edits with one IMAGE_SAFETY: 5 images and 1 error item, in order, from one job', async () => {
		assert.ok(emulator);
		await control(emulator.url, 'configure', { batchPendingMs: 500, batchRunMs: 2000 });
		await control(emulator.url, 'reset', {});
		const tag = crypto.randomUUID().slice(0, 8);
		const prompts = Array.from({ length: 6 }, (_, i) => `batch ${tag} #${i}: paint the sky green${i === 3 ? ' [[emulate:finish:IMAGE_SAFETY]]' : ''}`);
		const workflow = itemsWorkflow('batchSixEdits0001', prompts);
		await n8n.importWorkflows(home, [workflow]);

		const result = await n8n.executeWorkflow(home, workflow.id);
		assert.equal(result.success, true, `execution failed: ${JSON.stringify(result.error)}`);
		const items = n8n.nodeOutput(result.run, NODE);
		assert.equal(items.length, 6);
		const jobs = new Set();
		for (const [i, item] of items.entries()) {
			assert.deepEqual(item.pairedItem, { item: i });
			if (i === 3) {
				// As without batch mode: the failed item keeps its input image, for review.
				assert.equal(item.binary?.data?.fileName, 'input.png');
				assert.equal(item.json.error.reason, 'IMAGE_SAFETY');
				assert.match(item.json.error.message, /^No image: Google's safety filter stopped it \(IMAGE_SAFETY\)$/);
				continue;
			}
			assert.equal(item.json.error, undefined, `item ${i}: ${JSON.stringify(item.json.error)}`);
			jobs.add(item.json.nanoBanana.batchJob);
			const meta = readPngInfo(n8n.readBinary(home, item.binary.data)).meta;
			assert.equal(meta?.prompt, prompts[i]);
			assert.deepEqual(meta?.inputs, [sha256(inputImage(i))]);
		}
		assert.equal(jobs.size, 1);
		const state = await control(emulator.url, 'state');
		assert.equal(state.batchCreates, 1);
		assert.equal(state.batchRequests, 6);
		assert.equal(state.generateContent, 0);
	});

	it('an n8n killed while its job runs, started again, creates no second job and outputs every image', async () => {
		assert.ok(emulator);
		await control(emulator.url, 'configure', { batchPendingMs: 0, batchRunMs: 25_000 });
		await control(emulator.url, 'reset', {});
		const tag = crypto.randomUUID().slice(0, 8);
		const prompts = Array.from({ length: 3 }, (_, i) => `restart ${tag} #${i}: add snow`);
		const workflow = itemsWorkflow('batchRestart00001', prompts);
		await n8n.importWorkflows(home, [workflow]);

		// First run: killed (SIGKILL, no chance to clean up) once its job exists at "Google".
		const env = n8n.n8nEnv(home, { N8N_RUNNERS_BROKER_PORT: String(await n8n.freePort()) });
		const child = spawn(home.install.nodeBin, [home.install.n8nBin, 'execute', `--id=${workflow.id}`, '--rawOutput'], {
			cwd: home.dir,
			env,
			detached: true,
			stdio: 'ignore',
		});
		const exited = new Promise((resolve) => child.on('exit', resolve));
		await waitUntil(async () => (await control(emulator.url, 'state')).batchCreates === 1, {
			timeoutMs: 120_000,
			intervalMs: 200,
			gone: () => child.exitCode !== null,
			onTimeout: () => {
				killGroup(child.pid, 'SIGKILL');
				return new Error('no batch job was created within 2 minutes');
			},
		});
		killGroup(child.pid, 'SIGKILL');
		await exited;
		log('first n8n killed while its job was running');
		const before = await control(emulator.url, 'state');
		assert.equal(before.batchCreates, 1);
		assert.equal(before.batchCancels, 0);

		const result = await n8n.executeWorkflow(home, workflow.id);
		assert.equal(result.success, true, `execution failed: ${JSON.stringify(result.error)}`);
		const items = n8n.nodeOutput(result.run, NODE);
		assert.equal(items.length, 3);
		for (const [i, item] of items.entries()) {
			assert.deepEqual(item.pairedItem, { item: i });
			assert.equal(readPngInfo(n8n.readBinary(home, item.binary.data)).meta?.prompt, prompts[i]);
		}
		const after = await control(emulator.url, 'state');
		assert.equal(after.batchCreates, 1, 'the rerun attached to the job instead of creating a second one');
		assert.equal(after.batchLists >= 2, true);
	});

	it('a batch over 20 MB goes through a JSONL file upload and a results download', async () => {
		assert.ok(emulator);
		await control(emulator.url, 'configure', { batchPendingMs: 0, batchRunMs: 1000 });
		await control(emulator.url, 'reset', {});
		const side = Math.round(Math.sqrt((4 * 1024 * 1024) / 3));
		/** @type {Map<string, string>} */
		const shaByName = new Map();
		for (let i = 0; i < 6; i++) {
			const name = `big-${i}.png`;
			const bytes = noisePng(`batch-e2e-${i}`, side, side);
			fs.writeFileSync(path.join(imagesDir, name), bytes);
			shaByName.set(`big-${i}-edited.png`, sha256(bytes));
		}
		const workflow = wf.linearWorkflow({
			id: 'batchBigJsonl0001',
			name: 'Batch: over 20 MB',
			nodes: [
				wf.manualTrigger(),
				{ name: 'Read images', type: 'n8n-nodes-base.readWriteFile', typeVersion: 1.1, parameters: { operation: 'read', fileSelector: path.join(imagesDir, 'big-*.png'), options: {} } },
				wf.nanoBananaNode({ credential, prompt: 'Make it brighter', options: { batchMode: true } }),
			],
		});
		await n8n.importWorkflows(home, [workflow]);

		const result = await n8n.executeWorkflow(home, workflow.id);
		assert.equal(result.success, true, `execution failed: ${JSON.stringify(result.error)}`);
		const items = n8n.nodeOutput(result.run, NODE);
		assert.equal(items.length, 6);
		for (const item of items) {
			const expected = shaByName.get(item.binary.data.fileName);
			assert.ok(expected, `unexpected file name ${item.binary.data.fileName}`);
			assert.deepEqual(readPngInfo(n8n.readBinary(home, item.binary.data)).meta?.inputs, [expected]);
		}
		const state = await control(emulator.url, 'state');
		assert.equal(state.batchCreates, 1);
		assert.equal(state.uploads, 1, 'one JSONL file');
		assert.equal(state.downloads, 1, 'one results file');
		const chunks = state.log.filter((/** @type {{path: string}} */ e) => e.path.startsWith('/upload/')).length;
		assert.ok(chunks >= 4, `the upload went in chunks (${chunks} upload requests for > 24 MB in 8 MB chunks)`);
	});

	it('Vertex AI is refused before any request', async () => {
		assert.ok(emulator);
		await control(emulator.url, 'reset', {});
		const workflow = wf.linearWorkflow({
			id: 'batchVertexRefuse',
			name: 'Batch: Vertex refused',
			nodes: [
				wf.manualTrigger(),
				...wf.inlineImageNodes(inputImage(0)),
				wf.nanoBananaNode({ credential: vertex, authentication: 'vertexAi', prompt: 'Refused', options: { batchMode: true } }),
			],
		});
		await n8n.importWorkflows(home, [workflow]);

		const result = await n8n.executeWorkflow(home, workflow.id);
		assert.equal(result.success, false);
		assert.equal(result.error?.message, 'Batch Mode is not available with Vertex AI');
		assert.match(String(result.error?.description), /Google AI Studio API Key/);
		const state = await control(emulator.url, 'state');
		assert.equal(state.requests, 0, 'nothing reached Google');
	});
	it('a create answer lost after the job was made leaves exactly one job (issue 20)', async () => {
		assert.ok(emulator);
		await control(emulator.url, 'configure', { batchPendingMs: 0, batchRunMs: 1000, dropBatchCreateAnswers: 1 });
		await control(emulator.url, 'reset', {});
		const tag = crypto.randomUUID().slice(0, 8);
		const prompts = Array.from({ length: 3 }, (_, i) => `lost answer ${tag} #${i}: add a hat`);
		const workflow = itemsWorkflow('batchLostCreate01', prompts);
		await n8n.importWorkflows(home, [workflow]);

		const result = await n8n.executeWorkflow(home, workflow.id);
		assert.equal(result.success, true, `execution failed: ${JSON.stringify(result.error)}`);
		const items = n8n.nodeOutput(result.run, NODE);
		assert.equal(items.length, 3);
		for (const [i, item] of items.entries()) {
			assert.equal(item.json.error, undefined, `item ${i}: ${JSON.stringify(item.json.error)}`);
			assert.equal(readPngInfo(n8n.readBinary(home, item.binary.data)).meta?.prompt, prompts[i]);
		}
		const state = await control(emulator.url, 'state');
		const creates = state.log.filter((/** @type {{path: string}} */ e) => e.path.endsWith(':batchGenerateContent')).length;
		assert.equal(creates, 1, 'the create was not sent again');
		assert.equal(state.batchCreates, 1, 'exactly one job at Google');
	});

	it('a results file slower than the Timeout is read whole, once (issue 20)', async () => {
		assert.ok(emulator);
		await control(emulator.url, 'configure', { batchPendingMs: 0, batchRunMs: 1000, dropBatchCreateAnswers: 0, downloadDurationMs: 8000 });
		await control(emulator.url, 'reset', {});
		const side = Math.round(Math.sqrt((4 * 1024 * 1024) / 3));
		for (let i = 0; i < 6; i++) {
			const name = `slow-${i}.png`;
			if (!fs.existsSync(path.join(imagesDir, name))) fs.writeFileSync(path.join(imagesDir, name), noisePng(`batch-slow-${i}`, side, side));
		}
		const workflow = wf.linearWorkflow({
			id: 'batchSlowResult01',
			name: 'Batch: results slower than Timeout',
			nodes: [
				wf.manualTrigger(),
				{ name: 'Read images', type: 'n8n-nodes-base.readWriteFile', typeVersion: 1.1, parameters: { operation: 'read', fileSelector: path.join(imagesDir, 'slow-*.png'), options: {} } },
				wf.nanoBananaNode({ credential, prompt: `Make it darker ${crypto.randomUUID().slice(0, 8)}`, options: { batchMode: true, timeout: 3 } }),
			],
		});
		await n8n.importWorkflows(home, [workflow]);

		const started = Date.now();
		const result = await n8n.executeWorkflow(home, workflow.id);
		await control(emulator.url, 'configure', { downloadDurationMs: 0 });
		assert.equal(result.success, true, `execution failed: ${JSON.stringify(result.error)}`);
		assert.equal(n8n.nodeOutput(result.run, NODE).length, 6);
		const state = await control(emulator.url, 'state');
		assert.equal(state.batchCreates, 1);
		assert.equal(state.downloads, 1, 'one download, not cut by the 3 s Timeout');
		log(`results file over 8 s with a 3 s Timeout: execution took ${Date.now() - started} ms`);
	});

	it('a rerun after a failed batch collects the finished job without a second one (issue 20)', async () => {
		assert.ok(emulator);
		await control(emulator.url, 'configure', { batchPendingMs: 0, batchRunMs: 1000, downloadDurationMs: 0 });
		await control(emulator.url, 'reset', {});
		const tag = crypto.randomUUID().slice(0, 8);
		const prompts = Array.from({ length: 4 }, (_, i) => `rerun ${tag} #${i}: paint it blue${i === 2 ? ' [[emulate:finish:IMAGE_SAFETY]]' : ''}`);
		const failing = itemsWorkflow('batchRerunFail001', prompts, {}, '');
		const tolerant = itemsWorkflow('batchRerunOk00001', prompts);
		await n8n.importWorkflows(home, [failing, tolerant]);

		const first = await n8n.executeWorkflow(home, failing.id);
		assert.equal(first.success, false);
		assert.match(String(first.error?.message), /IMAGE_SAFETY/);
		const job = /batches\/[a-z0-9]+/.exec(String(first.error?.description))?.[0];
		assert.ok(job, `the error names the job: ${JSON.stringify(first.error)}`);
		assert.match(String(first.error?.description), /3 images from batch job batches\/[a-z0-9]+ are kept at Google for 48 hours: run the workflow again with the same items/);

		const second = await n8n.executeWorkflow(home, tolerant.id);
		assert.equal(second.success, true, `execution failed: ${JSON.stringify(second.error)}`);
		const items = n8n.nodeOutput(second.run, NODE);
		assert.equal(items.length, 4);
		for (const [i, item] of items.entries()) {
			if (i === 2) {
				assert.equal(item.json.error.reason, 'IMAGE_SAFETY');
				continue;
			}
			assert.equal(item.json.nanoBanana.batchJob, job);
			assert.equal(readPngInfo(n8n.readBinary(home, item.binary.data)).meta?.prompt, prompts[i]);
		}
		const state = await control(emulator.url, 'state');
		assert.equal(state.batchCreates, 1, 'the rerun paid for nothing');
	});
});
