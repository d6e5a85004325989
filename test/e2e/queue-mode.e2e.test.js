// @ts-check
'use strict';
/**
 * The package in n8n's queue mode: Redis (Debian's redis-server, no persistence), PostgreSQL
 * (Debian's server in a temp dir; SQLite with NANO_BANANA_QUEUE_DB=sqlite or when PostgreSQL is
 * missing: n8n 2.41 only warns about it), one main and two `n8n worker` processes on one user
 * folder, database and encryption key, binary data in "database" mode.
 *
 * A published Webhook workflow (Webhook → Split Out → Convert to File → Nano Banana with the
 * Vertex AI service-account credential → Extract From File) is called several times in parallel,
 * each call with its own images and prompts. Checked: every item's result image was made from
 * that item's prompt and image (the emulator writes both into the PNG), in order; the executions
 * ran on both workers; binaries were stored in the database; and the service account's token was
 * exchanged once for everything (n8n's credential store shares it), not once per worker or item.
 */
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const n8n = require('./lib/n8n');
const wf = require('./lib/workflows');
const { createPng, isPng } = require('./lib/png');
const { freshHome } = require('./lib/fixture');
const { startEmulator } = require('./lib/emulator');
const { startRedis } = require('./lib/redis');
const { startPostgres, postgresAvailable } = require('./lib/postgres');
const { queueEnv, startQueueCluster, executionsInWorkerLog } = require('./lib/queue');
const { waitUntil } = require('./lib/proc');
const { readPngInfo } = require('../emulator/server');

const WEBHOOK_PATH = 'nano-banana-queue';
const WORKFLOW_ID = 'queueModeVertex01';
const CALLS = 8;
const ITEMS_PER_CALL = 3;
const EMULATOR_LATENCY_MS = 400;

const sha256 = (/** @type {Buffer} */ b) => crypto.createHash('sha256').update(b).digest('hex');
const log = (/** @type {string} */ msg) => process.stderr.write(`[queue-mode] ${msg}\n`);

/** A small PNG of its own colour per (call, item), so each input image has its own hash. */
function inputImage(/** @type {number} */ call, /** @type {number} */ item) {
	return createPng(48, 32, (x, y) => [(call * 29 + x) % 256, (item * 83 + y) % 256, (call * 7 + item * 13) % 256]);
}

/** @param {{ id: string, name: string }} credential */
function webhookWorkflow(credential) {
	const nodes = [
		{
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			webhookId: crypto.randomUUID(),
			parameters: { httpMethod: 'POST', path: WEBHOOK_PATH, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
		},
		{
			name: 'Split Out',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			parameters: { fieldToSplitOut: 'body.items', include: 'noOtherFields', options: {} },
		},
		{
			name: 'To image file',
			type: 'n8n-nodes-base.convertToFile',
			typeVersion: 1.1,
			parameters: {
				operation: 'toBinary',
				sourceProperty: 'imageBase64',
				binaryPropertyName: 'data',
				options: { fileName: 'input.png', mimeType: 'image/png' },
			},
		},
		wf.nanoBananaNode({
			authentication: 'vertexAi',
			credential,
			operation: 'edit',
			// Each item its own prompt, read back through the paired-item chain.
			prompt: "={{ $('Split Out').item.json.prompt }}",
			options: { maxConcurrency: 4 },
		}),
		{
			name: 'Result as base64',
			type: 'n8n-nodes-base.extractFromFile',
			typeVersion: 1,
			parameters: {
				operation: 'binaryToPropery',
				binaryPropertyName: 'data',
				destinationKey: 'resultBase64',
				options: { keepSource: 'json' },
			},
		},
	];
	return wf.linearWorkflow({ id: WORKFLOW_ID, name: 'Queue mode: edit with Vertex AI', nodes });
}

/**
 * Decodes n8n's stored execution data (`flatted` format) with n8n's own copy of flatted.
 * @param {import('./lib/home').N8nHome} home
 * @param {string} text
 */
function parseFlatted(home, text) {
	const flatted = require(path.join(home.install.dir, 'node_modules', 'flatted'));
	return flatted.parse(text);
}

describe('queue mode: main + 2 workers, Redis, binary data in the database, Vertex AI', () => {
	/** @type {import('./lib/home').N8nHome} */
	let home;
	let dispose = () => {};
	/** @type {import('./lib/emulator').RunningEmulator | undefined} */
	let emulator;
	/** @type {import('./lib/redis').RunningRedis | undefined} */
	let redis;
	/** @type {import('./lib/postgres').RunningPostgres | undefined} */
	let postgres;
	/** @type {import('./lib/queue').QueueCluster | undefined} */
	let cluster;
	/** @type {string} */
	let webhookUrl;
	const credential = { id: 'queueVertexCred01', name: 'Queue Vertex AI (emulator)' };
	const dbChoice = process.env.NANO_BANANA_QUEUE_DB ?? (postgresAvailable() ? 'postgres' : 'sqlite');
	/** @type {Array<{ call: number, items: Array<{ prompt: string, image: Buffer }>, status?: number, body?: any, ms?: number }>} */
	const calls = [];

	const emulatorState = async () => {
		const res = await fetch(`${emulator?.url}/__emulator/state`);
		return /** @type {any} */ (await res.json());
	};

	/** @param {Array<{ prompt: string, image: Buffer }>} items */
	const callWebhook = async (items) => {
		const started = Date.now();
		const res = await fetch(webhookUrl, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ items: items.map((i) => ({ prompt: i.prompt, imageBase64: i.image.toString('base64') })) }),
			signal: AbortSignal.timeout(120_000),
		});
		const text = await res.text();
		let body;
		try {
			body = JSON.parse(text);
		} catch {
			body = text;
		}
		return { status: res.status, body, ms: Date.now() - started };
	};

	/**
	 * The answer to one call: one entry per item, in order, each the result of that item's prompt
	 * and image on Vertex AI.
	 * @param {{ items: Array<{ prompt: string, image: Buffer }>, status?: number, body?: any }} call
	 */
	const checkAnswer = (call) => {
		assert.equal(call.status, 200, `webhook answered ${call.status}: ${JSON.stringify(call.body).slice(0, 500)}`);
		assert.ok(Array.isArray(call.body), `answer is the list of items: ${JSON.stringify(call.body).slice(0, 300)}`);
		assert.equal(call.body.length, call.items.length, 'one result per item sent');
		call.body.forEach((/** @type {any} */ entry, /** @type {number} */ i) => {
			assert.equal(entry.error, undefined, `item ${i} failed: ${entry.error}`);
			assert.equal(entry.nanoBanana?.model, 'gemini-2.5-flash-image');
			const png = Buffer.from(String(entry.resultBase64), 'base64');
			assert.ok(isPng(png), `item ${i}: result is a PNG`);
			const { meta } = readPngInfo(png);
			assert.equal(meta?.prompt, call.items[i].prompt, `item ${i}: the result was made from its own prompt`);
			assert.deepEqual(meta?.inputs, [sha256(call.items[i].image)], `item ${i}: ...and from its own image`);
			assert.equal(meta?.backend, 'vertex', `item ${i}: through Vertex AI`);
		});
	};

	before(async () => {
		emulator = await startEmulator({ args: ['--latency-ms', String(EMULATOR_LATENCY_MS)], log });
		redis = await startRedis({ log });
		if (dbChoice === 'postgres') postgres = await startPostgres({ log });
		({ home, dispose } = await freshHome());
		Object.assign(home.env, queueEnv(redis, postgres?.n8nEnv));
		log(`database: ${dbChoice}; home ${home.dir}`);

		const t0 = Date.now();
		await n8n.importCredentials(home, [
			wf.vertexCredential({
				...credential,
				serviceAccountJson: fs.readFileSync(emulator.serviceAccountFile, 'utf8'),
				baseUrl: emulator.url,
			}),
		]);
		await n8n.importWorkflows(home, [webhookWorkflow(credential)]);
		await n8n.runN8n(home, ['publish:workflow', `--id=${WORKFLOW_ID}`]);
		log(`database migrated, credential and workflow imported and published in ${Math.round((Date.now() - t0) / 1000)} s`);

		// Concurrency 5 (n8n warns below that): 8 calls at once cannot all fit on one worker.
		cluster = await startQueueCluster(home, { workers: 2, concurrency: 5, log });
		webhookUrl = `${cluster.main.url}/webhook/${WEBHOOK_PATH}`;
		// n8n serves HTTP before it has activated the published workflows; until then the webhook
		// answers 404 "not registered". A GET (this webhook takes POST) tells registration apart
		// without starting an execution: n8n then says "Did you mean to make a POST request?".
		const registeredAt = Date.now();
		await waitUntil(
			async () => (await (await fetch(webhookUrl, { signal: AbortSignal.timeout(10_000) })).text()).includes('Did you mean to make a POST request'),
			{ timeoutMs: 120_000, intervalMs: 500, onTimeout: async () => new Error(`the webhook ${WEBHOOK_PATH} was not registered within 120 s`) },
		);
		log(`webhook registered ${Math.round((Date.now() - registeredAt) / 1000)} s after the main was up`);
	});

	after(async () => {
		await cluster?.stop();
		await emulator?.stop();
		await redis?.stop();
		await postgres?.stop();
		dispose();
	});

	it('runs in queue mode on the shared database with binary data in the database', async () => {
		const mainLog = fs.readFileSync(/** @type {any} */ (cluster).main.logFile, 'utf8');
		if (dbChoice === 'sqlite') assert.match(mainLog, /Scaling mode is not officially supported with sqlite/);
		for (const worker of /** @type {any} */ (cluster).workers) {
			assert.match(worker.log(), /n8n worker is now ready/);
		}
		const state = await emulatorState();
		assert.equal(state.tokenExchanges, 0, 'no token yet');
	});

	it(`first call, ${ITEMS_PER_CALL} items: all come back edited; one token exchange for them`, async () => {
		const items = Array.from({ length: ITEMS_PER_CALL }, (_, i) => ({
			prompt: `queue first call item ${i} ${crypto.randomUUID()}: add a red hat`,
			image: inputImage(0, i),
		}));
		const call = { call: 0, items, ...(await callWebhook(items)) };
		calls.push(call);
		checkAnswer(call);
		const state = await emulatorState();
		assert.equal(state.tokenExchanges, 1, `the service-account token was exchanged once for ${ITEMS_PER_CALL} items sent in parallel`);
	});

	it(`${CALLS} parallel calls × ${ITEMS_PER_CALL} items: every item right, on both workers, still one token exchange`, async () => {
		const batch = Array.from({ length: CALLS }, (_, c) => ({
			call: c + 1,
			items: Array.from({ length: ITEMS_PER_CALL }, (_, i) => ({
				prompt: `queue call ${c + 1} item ${i} ${crypto.randomUUID()}: turn the background ${['blue', 'green', 'gold'][i % 3]}`,
				image: inputImage(c + 1, i),
			})),
		}));
		const started = Date.now();
		const answers = await Promise.all(batch.map((b) => callWebhook(b.items)));
		log(`${CALLS} calls answered in ${Date.now() - started} ms (each ${answers.map((a) => a.ms).join(', ')} ms)`);
		batch.forEach((b, i) => calls.push({ ...b, ...answers[i] }));
		for (const call of calls.slice(1)) checkAnswer(call);

		const state = await emulatorState();
		const items = (1 + CALLS) * ITEMS_PER_CALL;
		assert.equal(state.byBackend.vertex, items, 'one Vertex request per item, no more, no fewer');
		assert.equal(state.generateContent, items);
		assert.equal(state.tokenErrors, 0);
		assert.equal(
			state.tokenExchanges,
			1,
			`the token is shared through n8n's credential store: exchanged ${state.tokenExchanges} times for ${items} items on 2 workers`,
		);
		assert.ok(state.bearerRequests >= items, 'every Vertex request carried the bearer token');

		const perWorker = /** @type {any} */ (cluster).workers.map((/** @type {any} */ w) => executionsInWorkerLog(w.log()));
		log(`executions per worker: ${perWorker.map((/** @type {string[]} */ ids) => `[${ids.join(',')}]`).join(' ')}`);
		for (const [i, ids] of perWorker.entries()) assert.ok(ids.length > 0, `worker-${i + 1} ran some of the executions`);
		const all = perWorker.flat();
		assert.equal(all.length, 1 + CALLS, 'every execution ran on a worker, once');
		assert.equal(new Set(all).size, all.length, 'no execution ran twice');
		const mainLog = fs.readFileSync(/** @type {any} */ (cluster).main.logFile, 'utf8');
		assert.doesNotMatch(mainLog, /Worker started execution/, 'the main only enqueues');
	});

	it('stores binaries in the database and the stored result is the image returned', async () => {
		const server = /** @type {any} */ (cluster).main;
		const session = await n8n.login(server.url, server.owner);
		const list = await n8n.restJson(server.url, 'GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: WORKFLOW_ID }))}&limit=50`, { session });
		const results = list?.data?.results ?? list?.data ?? [];
		assert.equal(results.length, 1 + CALLS, `${1 + CALLS} executions recorded`);
		for (const summary of results) assert.equal(summary.status, 'success', `execution ${summary.id} ${summary.status}`);

		const detail = await n8n.restJson(server.url, 'GET', `/rest/executions/${results[0].id}`, { session });
		const run = parseFlatted(home, detail.data.data);
		const sent = run.resultData.runData.Webhook[0].data.main[0][0].json.body.items;
		const output = run.resultData.runData['Nano Banana'][0].data.main[0];
		const answers = run.resultData.runData['Result as base64'][0].data.main[0];
		assert.equal(output.length, sent.length);
		for (const [i, item] of output.entries()) {
			assert.deepEqual(item.pairedItem, { item: i });
			const binary = item.binary?.data;
			assert.match(String(binary?.id), /^database:/, `binary stored in the database, not "${binary?.id}"`);
			const res = await fetch(`${server.url}/rest/binary-data?id=${encodeURIComponent(binary.id)}&action=download`, {
				headers: { cookie: session.cookie, 'browser-id': session.browserId },
			});
			assert.equal(res.status, 200, `download of ${binary.id}`);
			const bytes = Buffer.from(await res.arrayBuffer());
			assert.equal(readPngInfo(bytes).meta?.prompt, sent[i].prompt);
			assert.ok(bytes.equals(Buffer.from(answers[i].json.resultBase64, 'base64')), 'the stored binary is what the workflow returned');
		}
	});
});
