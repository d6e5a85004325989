// @ts-check
'use strict';
/**
 * The example workflows in `examples/`, in the real n8n, on both lines (2.41.1 on Node 24 and the
 * last 1.x, 1.123.81 on this machine's Node 20):
 *
 *   1. every file is imported as it is, one at a time (`n8n import:workflow --input=examples/<file>`,
 *      which needs the file's own stable `id`), into a fresh home with the packed package and the demo credential ids (`nanoBananaAiStudioDemo`,
 *      `nanoBananaVertexAiDemo`) pointed at the emulator; each is stored with its Nano Banana node,
 *      its credential id and its connections, the REST API lists it, n8n knows every node type
 *      and version it uses, and n8n keeps every parameter it sets (none unknown to the node's
 *      version or hidden by its other values: n8n-workflow's own getNodeParameters);
 *   2. the runnable ones run:
 *      - generate-from-prompt and sum-run-cost as they are (`n8n execute`);
 *      - webhook-upload-respond-image as it is, published in a started n8n and called over HTTP
 *        (multipart upload with a prompt, raw image body, a non-image → the 422 error reply);
 *      - compose-two-images, drive-to-slack-background-swap and schedule-url-list-to-drive as
 *        in-memory copies (new id and name) with only what needs a third-party account or the
 *        internet swapped for local stand-ins (lib/examples.js): triggers → Manual Trigger,
 *        downloads → HTTP Request to a local image server, Slack / Drive upload → No Operation.
 *        Every Nano Banana node and every connection stays as in the file.
 *
 * Expected values (prompts, models, input images, file names) are read from the example files, so
 * a check fails when an example is broken (wrong node type, credential id, connection, field).
 * The files are never written. `NANO_BANANA_EXAMPLES_DIR=<dir>` runs the same checks on other files
 * (e.g. a deliberately broken copy, to see which checks catch what).
 *
 * One run (cached installs): about 90 s on 2.x and 60 s on 1.x.
 */
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const n8n = require('./lib/n8n');
const wf = require('./lib/workflows');
const ex = require('./lib/examples');
const { samplePng, isPng } = require('./lib/png');
const { prepare } = require('./lib/fixture');
const { startEmulator } = require('./lib/emulator');
const { startImageServer } = require('./lib/image-server');
const { ensureN8n1, n8n1Env, InstallUnavailableError } = require('./lib/install-n8n1');
const { readPngInfo } = require('../emulator/server');

const log = (/** @type {string} */ msg) => process.stderr.write(`[examples] ${msg}\n`);

/** A cold cache installs n8n 1.x first (about 12 minutes here): more than run-e2e's 10-minute default. */
const SETUP_TIMEOUT_MS = 45 * 60_000;

/** The examples, parsed once; the tests compare n8n's results with these. */
const EXAMPLES = Object.fromEntries(Object.entries(ex.EXAMPLE_FILES).map(([key, file]) => [key, ex.loadExample(file)]));

/** Sample uploads for the webhook example. */
const UPLOAD_MULTIPART = samplePng(64, 48);
const UPLOAD_RAW = samplePng(56, 42);
const WEBHOOK_PROMPTS = {
	form: 'Make it a watercolor painting',
	query: 'Turn the sky pink',
};

/**
 * One result per named step of a line's run; a failed step keeps its error, and every step that
 * needs it fails with a pointer to it, so each test reports its own cause.
 */
class Steps {
	/** @param {string} label */
	constructor(label) {
		this.label = label;
		/** @type {Map<string, { ok: true, value: any, ms: number } | { ok: false, error: unknown, ms: number }>} */
		this.results = new Map();
	}

	/**
	 * @template T
	 * @param {string} name
	 * @param {() => Promise<T>} fn
	 */
	async run(name, fn) {
		const started = Date.now();
		try {
			const value = await fn();
			this.results.set(name, { ok: true, value, ms: Date.now() - started });
		} catch (error) {
			this.results.set(name, { ok: false, error, ms: Date.now() - started });
			log(`${this.label}: step "${name}" FAILED: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
		}
		log(`${this.label}: ${name} ${((Date.now() - started) / 1000).toFixed(1)} s`);
	}

	/**
	 * The step's value; throws its error (or why it is missing).
	 * @param {string} name
	 * @returns {any}
	 */
	get(name) {
		const r = this.results.get(name);
		if (!r) throw new Error(`${this.label}: step "${name}" did not run`);
		if (!r.ok) {
			const err = /** @type {any} */ (r.error);
			if (err instanceof Error) throw err;
			throw new Error(String(err));
		}
		return r.value;
	}

	/**
	 * For use inside another step: the value of a step it depends on.
	 * @param {string} name
	 */
	need(name) {
		try {
			return this.get(name);
		} catch (error) {
			throw new Error(`needs step "${name}", which failed: ${error instanceof Error ? error.message : String(error)}`);
		}
	}
}

/**
 * @typedef {object} Shared
 * @property {import('./lib/emulator').RunningEmulator} emulator
 * @property {{ url: string, close: () => Promise<void> }} images
 * @property {Record<string, { body: Buffer, type: string }>} imageFiles
 */

/**
 * @param {Shared} shared
 * @param {string} route
 * @param {string} [method]
 */
async function emulatorControl(shared, route, method = 'POST') {
	const res = await fetch(`${shared.emulator.url}/__emulator/${route}`, { method });
	if (!res.ok) throw new Error(`emulator ${route}: HTTP ${res.status}`);
	return /** @type {any} */ (await res.json());
}

/**
 * `n8n execute` of a workflow, with the emulator's counters for that run alone.
 * @param {import('./lib/home').N8nHome} home
 * @param {Shared} shared
 * @param {string} id
 */
async function executeCounted(home, shared, id) {
	await emulatorControl(shared, 'reset');
	const result = await n8n.executeWorkflow(home, id);
	const state = await emulatorControl(shared, 'state', 'GET');
	return { result, state };
}

/**
 * Waits until n8n serves the production webhook (it registers it shortly after the publish call
 * returns): a GET on a POST-only path answers "not registered for GET … Did you mean … POST" then.
 * @param {string} url
 * @param {string} webhookPath
 * @param {string} method
 */
async function waitForWebhook(url, webhookPath, method) {
	const deadline = Date.now() + 30_000;
	let last = '';
	const probe = method === 'GET' ? 'POST' : 'GET';
	while (Date.now() < deadline) {
		const res = await fetch(`${url}/webhook/${webhookPath}`, { method: probe });
		last = `${res.status} ${await res.text()}`;
		if (res.status !== 404 || last.includes(`${method} request`)) return;
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error(`the webhook ${method} /webhook/${webhookPath} was not registered within 30 s (last answer: ${last.slice(0, 300)})`);
}

/**
 * @param {string} url
 * @param {RequestInit} init
 */
async function call(url, init) {
	const res = await fetch(url, init);
	return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: Buffer.from(await res.arrayBuffer()) };
}

/**
 * Everything one n8n line does with the examples; the results go to the line's tests.
 * @param {import('./lib/install').N8nInstall} install
 * @param {string} tarball
 * @param {Shared} shared
 */
async function runLine(install, tarball, shared) {
	const started = Date.now();
	const label = `n8n ${install.n8nVersion}`;
	const steps = new Steps(label);
	/** @type {import('./lib/home').N8nHome | undefined} */
	let home;
	const theHome = () => /** @type {import('./lib/home').N8nHome} */ (steps.need('setup') && home);

	await steps.run('setup', async () => {
		home = await n8n.createN8nHome({ install, tarball, env: install.n8nVersion.startsWith('1.') ? n8n1Env(install) : {} });
		// Names unlike the examples' ("Google AI Studio (demo)"): n8n's import matches a missing
		// credential id by name, which would hide a wrong id in an example.
		await n8n.importCredentials(home, [
			wf.aiStudioCredential({
				id: ex.DEMO_CREDENTIAL_IDS.nanoBananaAiStudioApi,
				name: 'Emulator AI Studio (examples e2e)',
				apiKey: shared.emulator.apiKey,
				baseUrl: shared.emulator.url,
			}),
			wf.vertexCredential({
				id: ex.DEMO_CREDENTIAL_IDS.nanoBananaVertexAiApi,
				name: 'Emulator Vertex AI (examples e2e)',
				serviceAccountJson: fs.readFileSync(shared.emulator.serviceAccountFile, 'utf8'),
				baseUrl: shared.emulator.url,
			}),
		]);
		return true;
	});

	// One file at a time, as the README tells users: `n8n import:workflow --input=examples/<file>`.
	// (`--separate` would make up an id for a file without one; a single file is stored under its own.)
	await steps.run('import', async () => {
		/** @type {Record<string, { code: number | null, output: string }>} */
		const byFile = {};
		for (const file of ex.exampleFileNames()) {
			const res = await n8n.runN8n(theHome(), ['import:workflow', `--input=${path.join(ex.EXAMPLES_DIR, file)}`], { check: false });
			byFile[file] = { code: res.code, output: `${res.stdout}\n${res.stderr}`.trim() };
		}
		return byFile;
	});

	await steps.run('export', async () => {
		steps.need('import');
		const home = theHome();
		const file = path.join(home.dir, 'exported-workflows.json');
		await n8n.runN8n(home, ['export:workflow', '--all', `--output=${file}`]);
		return /** @type {any[]} */ (JSON.parse(fs.readFileSync(file, 'utf8')));
	});
	/** @param {string} key */
	const storedId = (key) => {
		const stored = steps.need('export').filter((/** @type {any} */ w) => w.name === EXAMPLES[key].name);
		if (stored.length !== 1) throw new Error(`"${EXAMPLES[key].name}" is stored ${stored.length} times`);
		if (stored[0].id !== EXAMPLES[key].id) throw new Error(`"${EXAMPLES[key].name}" is stored as ${stored[0].id}, its file says ${EXAMPLES[key].id}`);
		return stored[0].id;
	};

	await steps.run('importStandIns', async () => {
		const copies = {
			compose: ex.composeStandIn(EXAMPLES.compose, shared.images.url),
			driveToSlack: ex.driveToSlackStandIn(EXAMPLES.driveToSlack, shared.images.url),
			scheduleToDrive: ex.scheduleToDriveStandIn(EXAMPLES.scheduleToDrive, shared.images.url),
			batchToDrive: ex.scheduleToDriveStandIn(EXAMPLES.batchToDrive, shared.images.url, ex.STAND_IN_IDS.batchToDrive),
			// edit-then-refine: like compose, its one download from the local image server.
			editThenRefine: ex.composeStandIn(EXAMPLES.editThenRefine, shared.images.url, ex.STAND_IN_IDS.editThenRefine),
		};
		await n8n.importWorkflows(theHome(), Object.values(copies));
		return copies;
	});

	await steps.run('generate', async () => executeCounted(theHome(), shared, storedId('generate')));
	await steps.run('sumCost', async () => executeCounted(theHome(), shared, storedId('sumCost')));
	for (const key of /** @type {const} */ (['compose', 'driveToSlack', 'scheduleToDrive', 'batchToDrive', 'editThenRefine'])) {
		await steps.run(key, async () => {
			steps.need('importStandIns');
			return executeCounted(theHome(), shared, ex.STAND_IN_IDS[key]);
		});
	}

	/** @type {Awaited<ReturnType<typeof n8n.startN8n>> | undefined} */
	let server;
	try {
		await steps.run('server', async () => {
			server = await n8n.startN8n(theHome(), { port: 0 });
			const session = await n8n.login(server.url, server.owner);
			return { url: server.url, session };
		});
		await steps.run('restList', async () => {
			const { url, session } = steps.need('server');
			const list = await n8n.restJson(url, 'GET', '/rest/workflows', { session });
			return /** @type {any[]} */ (list.data);
		});
		await steps.run('nodeTypes', async () => {
			const { url, session } = steps.need('server');
			const res = await fetch(`${url}/types/nodes.json`, { headers: { cookie: session.cookie, 'browser-id': session.browserId } });
			if (!res.ok) throw new Error(`GET /types/nodes.json: HTTP ${res.status}`);
			const used = new Set(ex.exampleFileNames().flatMap((f) => ex.loadExample(f).nodes.map((/** @type {any} */ n) => n.type)));
			/** @type {Map<string, Set<number>>} */
			const known = new Map();
			/** @type {Map<string, any>} descriptions of the types the examples use, by `type@version` */
			const descriptions = new Map();
			for (const t of /** @type {any[]} */ (await res.json())) {
				const versions = known.get(t.name) ?? new Set();
				for (const v of [t.version].flat()) {
					versions.add(Number(v));
					if (used.has(t.name)) descriptions.set(`${t.name}@${Number(v)}`, t);
				}
				known.set(t.name, versions);
			}
			return { known, descriptions };
		});
		const hookNode = EXAMPLES.webhook.nodes.find((/** @type {any} */ n) => n.type === ex.TYPES.webhook);
		const hookUrl = () => `${steps.need('server').url}/webhook/${hookNode.parameters.path}`;
		await steps.run('webhookPublish', async () => {
			const { url, session } = steps.need('server');
			const id = storedId('webhook');
			const stored = await n8n.restJson(url, 'GET', `/rest/workflows/${id}`, { session });
			// The editor's "Publish" (2.x) / "Active" toggle (1.x): same route on both lines.
			const published = await n8n.restJson(url, 'POST', `/rest/workflows/${id}/activate`, {
				session,
				body: { versionId: stored.data.versionId },
			});
			if (published.data.active !== true) throw new Error(`the workflow is not active after publishing: ${JSON.stringify(published.data).slice(0, 300)}`);
			await waitForWebhook(url, hookNode.parameters.path, hookNode.parameters.httpMethod ?? 'GET');
			return true;
		});
		await steps.run('webhookForm', async () => {
			steps.need('webhookPublish');
			const form = new FormData();
			form.append('data', new Blob([UPLOAD_MULTIPART], { type: 'image/png' }), 'photo.png');
			form.append('prompt', WEBHOOK_PROMPTS.form);
			return call(hookUrl(), { method: 'POST', body: form });
		});
		await steps.run('webhookRawQuery', async () => {
			steps.need('webhookPublish');
			return call(`${hookUrl()}?prompt=${encodeURIComponent(WEBHOOK_PROMPTS.query)}`, {
				method: 'POST',
				body: UPLOAD_RAW,
				headers: { 'content-type': 'image/png' },
			});
		});
		await steps.run('webhookRawDefault', async () => {
			steps.need('webhookPublish');
			return call(hookUrl(), { method: 'POST', body: UPLOAD_RAW, headers: { 'content-type': 'image/png' } });
		});
		await steps.run('webhookNotAnImage', async () => {
			steps.need('webhookPublish');
			const form = new FormData();
			form.append('data', new Blob(['these are my notes, not a photo'], { type: 'text/plain' }), 'notes.txt');
			return call(hookUrl(), { method: 'POST', body: form });
		});
	} finally {
		await server?.stop();
	}
	const seconds = Math.round((Date.now() - started) / 1000);
	log(`${label} on Node ${install.nodeVersion}: done in ${seconds} s (home ${home?.dir})`);
	return { install, home, steps, seconds };
}

/**
 * @param {Buffer} bytes
 * @param {string} what
 */
function pngMeta(bytes, what) {
	assert.ok(isPng(bytes), `${what} is a PNG`);
	const info = readPngInfo(bytes);
	assert.ok(info.meta, `${what} carries the emulator's metadata (it came from the emulator)`);
	return { ...info, meta: /** @type {any} */ (info.meta) };
}

/** @param {string} url */
const served = (url) => {
	const p = new URL(url).pathname;
	return { path: p, base: path.basename(p).replace(/\.[^.]+$/, '') };
};

/**
 * The one Nano Banana node of an example.
 * @param {any} example
 */
function theNanoBananaNode(example) {
	const nodes = ex.nanoBananaNodes(example);
	assert.equal(nodes.length, 1, `"${example.name}" has one Nano Banana node`);
	return nodes[0];
}

/**
 * The checks of one line; skipped with the reason when `skipReason()` gives one.
 * @param {() => Awaited<ReturnType<typeof runLine>> | undefined} get
 * @param {Shared | undefined} sharedRef
 * @param {() => string | undefined} [skipReason]
 */
function lineTests(get, sharedRef, skipReason = () => undefined) {
	const test = (/** @type {string} */ name, /** @type {() => void} */ fn) =>
		it(name, (/** @type {any} */ t) => {
			const reason = skipReason();
			if (reason) return t.skip(reason);
			return fn();
		});
	const step = (/** @type {string} */ name) => {
		const line = get();
		assert.ok(line, 'the line ran');
		return line.steps.get(name);
	};
	/** @param {any} item */
	const binaryPng = (item, what = 'output image') => {
		const line = get();
		assert.ok(item?.binary?.data, `${what}: the item has binary "data" (${JSON.stringify(item?.json ?? item).slice(0, 300)})`);
		assert.equal(item.binary.data.mimeType, 'image/png', `${what}: mimeType`);
		return pngMeta(n8n.readBinary(/** @type {any} */ (line?.home), item.binary.data), what);
	};
	/** @param {{ result: import('./lib/cli').ExecutionResult }} run */
	const assertSucceeded = (run) => {
		const { error, stderr } = run.result;
		const why = error ? `${error.node?.name ? `"${error.node.name}": ` : ''}${error.message}` : stderr.slice(-1500);
		assert.equal(run.result.success, true, `the execution failed: ${why}`);
	};

	test('imports every file in examples/ as it is, one by one (n8n import:workflow --input=examples/<file>)', () => {
		/** @type {Record<string, { code: number | null, output: string }>} */
		const byFile = step('import');
		const files = ex.exampleFileNames();
		const failed = files
			.filter((f) => byFile[f]?.code !== 0 || !/Successfully imported 1 workflow/.test(byFile[f].output))
			.map((f) => `${f}: exit ${byFile[f]?.code}: ${byFile[f]?.output.split('\n').slice(-3).join(' | ')}`);
		assert.deepEqual(failed, [], 'every file imports on its own');
		const stored = step('export');
		assert.deepEqual(
			stored.map((/** @type {any} */ w) => w.name).sort(),
			files.map((f) => ex.loadExample(f).name).sort(),
			'the stored workflows are the example files',
		);
	});

	for (const [key, file] of Object.entries(ex.EXAMPLE_FILES)) {
		test(`${file}: stored as in the file, with its Nano Banana node, credential id and connections`, () => {
			const example = EXAMPLES[key];
			const matches = step('export').filter((/** @type {any} */ w) => w.name === example.name);
			assert.equal(matches.length, 1, `one stored workflow named "${example.name}"`);
			const [stored] = matches;
			assert.equal(typeof example.id, 'string', `${file} has an "id" (n8n import:workflow needs one)`);
			assert.equal(stored.id, example.id, 'stored under the id the file gives');
			const shape = (/** @type {any} */ w) => w.nodes.map((/** @type {any} */ n) => [n.name, n.type, n.typeVersion]).sort();
			assert.deepEqual(shape(stored), shape(example), 'same nodes (name, type, version)');
			assert.deepEqual(stored.connections, example.connections, 'same connections');
			const nano = ex.nanoBananaNodes(stored);
			assert.ok(nano.length >= 1, `a ${ex.TYPES.nanoBanana} node is stored`);
			for (const node of ex.nanoBananaNodes(example)) {
				const kept = nano.find((/** @type {any} */ n) => n.name === node.name);
				assert.deepEqual(kept.parameters, node.parameters, `"${node.name}": parameters kept`);
				assert.equal(kept.onError, node.onError, `"${node.name}": onError kept`);
				const [type] = Object.keys(node.credentials);
				assert.deepEqual(Object.keys(kept.credentials), [type], `"${node.name}": credential type`);
				assert.equal(kept.credentials[type].id, node.credentials[type].id, `"${node.name}": credential id kept`);
			}
		});
	}

	test('the REST API lists every example', () => {
		const listed = step('restList').map((/** @type {any} */ w) => w.name);
		for (const example of Object.values(EXAMPLES)) assert.ok(listed.includes(example.name), `"${example.name}" is listed (${listed.join(' | ')})`);
	});

	test('this n8n knows every node type and version the examples use', () => {
		/** @type {{ known: Map<string, Set<number>> }} */
		const { known } = step('nodeTypes');
		const missing = [];
		for (const file of ex.exampleFileNames()) {
			for (const n of ex.loadExample(file).nodes) {
				const versions = known.get(n.type);
				if (!versions) missing.push(`${file}: "${n.name}" is ${n.type}, which this n8n does not have`);
				else if (!versions.has(Number(n.typeVersion))) {
					missing.push(`${file}: "${n.name}" is ${n.type} version ${n.typeVersion}; this n8n has ${[...versions].join(', ')}`);
				}
			}
		}
		assert.deepEqual(missing, []);
	});

	test('every parameter the examples set is one this n8n keeps (exists in the node version, not hidden)', () => {
		/** @type {{ descriptions: Map<string, any> }} */
		const { descriptions } = step('nodeTypes');
		const line = /** @type {NonNullable<ReturnType<typeof get>>} */ (get());
		const workflowLib = require.resolve('n8n-workflow', { paths: [path.join(line.install.dir, 'node_modules', 'n8n')] });
		const { NodeHelpers } = require(workflowLib);
		const dropped = [];
		for (const file of ex.exampleFileNames()) {
			for (const n of ex.loadExample(file).nodes) {
				const description = descriptions.get(`${n.type}@${Number(n.typeVersion)}`);
				if (!description) continue; // reported by the node-type test
				for (const p of ex.droppedParameters(n, description, NodeHelpers)) dropped.push(`${file}: "${n.name}" (${n.type} v${n.typeVersion}) sets "${p}", which n8n drops`);
			}
		}
		assert.deepEqual(dropped, []);
	});

	test(`${ex.EXAMPLE_FILES.generate} (as it is): one 16:9 PNG from the example's prompt`, () => {
		const run = step('generate');
		assertSucceeded(run);
		const node = theNanoBananaNode(EXAMPLES.generate);
		const items = n8n.nodeOutput(run.result.run, node.name);
		assert.equal(items.length, 1, 'one item');
		const { meta, width, height } = binaryPng(items[0]);
		assert.match(items[0].binary.data.fileName, /^generated-.*\.png$/, 'file name as the sticky note says');
		assert.equal(meta.prompt, node.parameters.prompt);
		assert.equal(meta.model, node.parameters.model.value);
		assert.deepEqual(meta.inputs, [], 'no input image');
		assert.equal(meta.aspectRatio, '16:9');
		assert.deepEqual([width, height], [1024, 576]);
		assert.equal(meta.backend, 'gemini', 'AI Studio credential');
		assert.equal(run.state.byBackend.gemini, 1, 'one request to Google');
	});

	test(`${ex.EXAMPLE_FILES.sumCost} (as it is): one image per prompt, and the sum node's usd is the items' cost`, () => {
		const run = step('sumCost');
		assertSucceeded(run);
		const node = theNanoBananaNode(EXAMPLES.sumCost);
		const items = n8n.nodeOutput(run.result.run, node.name);
		assert.ok(items.length >= 1, 'one item per prompt');
		for (const item of items) assert.equal(item.json.error, undefined, JSON.stringify(item.json.error));
		assert.equal(run.state.byBackend.gemini, items.length, 'one request per prompt');
		const costs = items.map((/** @type {any} */ item) => item.json.nanoBanana.cost.usd);
		for (const usd of costs) assert.ok(usd > 0 && usd < node.parameters.options.maxCostPerExecution, `cost.usd ${usd}`);
		const [sum] = n8n.nodeOutput(run.result.run, 'Sum the cost');
		const total = costs.reduce((/** @type {number} */ a, /** @type {number} */ b) => a + b, 0);
		assert.ok(Math.abs(sum.json.usd - total) < 1e-6, `sum ${sum.json.usd} ≠ ${total}`);
		assert.ok(sum.json.usd <= node.parameters.options.maxCostPerExecution, 'within the cap');
		assert.deepEqual([sum.json.images, sum.json.failed, sum.json.unpriced], [items.length, 0, 0]);
		assert.match(sum.json.priceTableDate, /^\d{4}-\d{2}-\d{2}$/);
	});

	test(`${ex.EXAMPLE_FILES.editThenRefine} (download from the local image server): Edit, then two Refines continuing one conversation`, () => {
		const run = step('editThenRefine');
		assertSucceeded(run);
		const [edit, ...refines] = ex.nanoBananaNodes(EXAMPLES.editThenRefine);
		assert.equal(edit.parameters.operation, 'edit');
		assert.deepEqual(refines.map((n) => n.parameters.operation), ['refine', 'refine']);
		const last = refines[1];
		const [item] = n8n.nodeOutput(run.result.run, last.name);
		assert.equal(binaryPng(item).meta.prompt, last.parameters.prompt);
		const conversation = item.json.nanoBanana?.conversation;
		assert.equal(conversation?.model, last.parameters.model.value, 'the conversation stays with its model');
		assert.deepEqual(conversation.turns.map((/** @type {any} */ t) => t.text ?? 'model'), [edit, ...refines].flatMap((n) => [n.parameters.prompt, 'model']));
	});

	test(`${ex.EXAMPLE_FILES.compose} (downloads from the local image server): one image from both inputs, in order`, () => {
		const run = step('compose');
		assertSucceeded(run);
		const node = theNanoBananaNode(EXAMPLES.compose);
		const fields = String(node.parameters.inputBinaryFields).split(',').map((f) => f.trim());
		assert.equal(fields.length, 2, 'two input binary fields');
		/** The image each field gets: the one its HTTP Request node downloads (by the node's output field). */
		const downloads = fields.map((field) => {
			const http = EXAMPLES.compose.nodes.find(
				(/** @type {any} */ n) => n.type === ex.TYPES.httpRequest && n.parameters.options?.response?.response?.outputPropertyName === field,
			);
			assert.ok(http, `an HTTP Request node downloads into binary "${field}"`);
			return served(http.parameters.url);
		});
		const files = /** @type {Shared} */ (sharedRef).imageFiles;
		const items = n8n.nodeOutput(run.result.run, node.name);
		assert.equal(items.length, 1, 'one item (both images on it)');
		const { meta } = binaryPng(items[0]);
		assert.equal(meta.prompt, node.parameters.prompt);
		assert.deepEqual(
			meta.inputs,
			downloads.map((d) => ex.sha256(files[d.path].body)),
			`inputs in the order ${fields.join(', ')}: ${downloads.map((d) => d.path).join(', ')}`,
		);
		assert.equal(items[0].binary.data.fileName, `${downloads[0].base}-edited.png`, 'named after the first image');
	});

	test(`${ex.EXAMPLE_FILES.driveToSlack} (Drive → Manual Trigger + local download, Slack → No-Op): the No-Op gets the edited PNG`, () => {
		const run = step('driveToSlack');
		assertSucceeded(run);
		const node = theNanoBananaNode(EXAMPLES.driveToSlack);
		const [slack] = ex.standInNames(EXAMPLES.driveToSlack, ex.TYPES.slack);
		const items = n8n.nodeOutput(run.result.run, slack);
		assert.equal(items.length, 1, `one item reaches "${slack}"`);
		const { meta } = binaryPng(items[0], `the image posted by "${slack}"`);
		assert.equal(meta.prompt, node.parameters.prompt);
		assert.equal(meta.backend, 'gemini', 'AI Studio credential');
		const photo = /** @type {Shared} */ (sharedRef).imageFiles[ex.DRIVE_STAND_IN_PATH].body;
		assert.deepEqual(meta.inputs, [ex.sha256(photo)], 'the downloaded photo was edited');
		assert.equal(items[0].binary.data.fileName, 'mug-edited.png', 'mug.jpg → mug-edited.png, as the sticky note says');
		assert.equal(items[0].json.nanoBanana?.model, node.parameters.model.value, 'json.nanoBanana.model, used in the Slack comment');
		assert.equal(run.state.byBackend.gemini, 1, 'one request to Google');
	});

	test(`${ex.EXAMPLE_FILES.scheduleToDrive} (Schedule → Manual Trigger, local downloads, Drive upload → No-Op): every URL edited through Vertex AI`, () => {
		const run = step('scheduleToDrive');
		assertSucceeded(run);
		const node = theNanoBananaNode(EXAMPLES.scheduleToDrive);
		const code = EXAMPLES.scheduleToDrive.nodes.find((/** @type {any} */ n) => n.type === 'n8n-nodes-base.code');
		const urls = ex.placeholderUrlsIn(code?.parameters?.jsCode ?? '');
		assert.ok(urls.length >= 1, 'the Code node lists image URLs');
		const [upload] = ex.standInNames(EXAMPLES.scheduleToDrive, ex.TYPES.googleDrive);
		const items = n8n.nodeOutput(run.result.run, upload);
		assert.equal(items.length, urls.length, `one item per URL reaches "${upload}"`);
		const files = /** @type {Shared} */ (sharedRef).imageFiles;
		items.forEach((item, i) => {
			const { meta, width, height } = binaryPng(item, `item ${i}`);
			const source = served(urls[i]);
			assert.equal(meta.prompt, node.parameters.prompt, `item ${i}: prompt`);
			assert.equal(meta.backend, 'vertex', `item ${i}: Vertex AI credential`);
			assert.deepEqual(meta.inputs, [ex.sha256(files[source.path].body)], `item ${i}: ${urls[i]}`);
			assert.equal(meta.aspectRatio, node.parameters.options.aspectRatio, `item ${i}: aspect ratio`);
			if (node.parameters.options.aspectRatio === '1:1') assert.equal(width, height, `item ${i}: square`);
			assert.equal(item.binary.data.fileName, `${source.base}-edited.png`, `item ${i}: file name, as the sticky note says`);
		});
		assert.ok(run.state.tokenExchanges >= 1, 'the emulator exchanged the service-account key for a token');
		assert.equal(run.state.byBackend.vertex, urls.length, 'one Vertex AI request per image');
	});

	test(`${ex.EXAMPLE_FILES.batchToDrive} (Schedule → Manual Trigger, local downloads, Drive upload → No-Op): every URL edited in one batch job`, () => {
		const run = step('batchToDrive');
		assertSucceeded(run);
		const node = theNanoBananaNode(EXAMPLES.batchToDrive);
		assert.equal(node.parameters.options.batchMode, true, 'the example uses Batch Mode');
		const code = EXAMPLES.batchToDrive.nodes.find((/** @type {any} */ n) => n.type === 'n8n-nodes-base.code');
		const urls = ex.placeholderUrlsIn(code?.parameters?.jsCode ?? '');
		assert.ok(urls.length >= 2, 'the Code node lists several image URLs');
		const [upload] = ex.standInNames(EXAMPLES.batchToDrive, ex.TYPES.googleDrive);
		const items = n8n.nodeOutput(run.result.run, upload);
		assert.equal(items.length, urls.length, `one item per URL reaches "${upload}"`);
		const files = /** @type {Shared} */ (sharedRef).imageFiles;
		const jobs = new Set();
		items.forEach((item, i) => {
			const { meta } = binaryPng(item, `item ${i}`);
			const source = served(urls[i]);
			assert.equal(meta.prompt, node.parameters.prompt, `item ${i}: prompt`);
			assert.equal(meta.backend, 'gemini', `item ${i}: AI Studio credential`);
			assert.deepEqual(meta.inputs, [ex.sha256(files[source.path].body)], `item ${i}: ${urls[i]}`);
			assert.equal(item.binary.data.fileName, `${source.base}-edited.png`, `item ${i}: file name, as the sticky note says`);
			jobs.add(item.json.nanoBanana?.batchJob);
		});
		assert.equal(jobs.size, 1, 'every item answered by the same batch job');
		assert.match(String([...jobs][0]), /^batches\//);
		assert.equal(run.state.batchCreates, 1, 'one batch job');
		assert.equal(run.state.generateContent, 0, 'no request one by one');
	});

	const hookExample = () => EXAMPLES.webhook;
	/** @param {{ status: number, contentType: string, body: Buffer }} res */
	const imageReply = (res) => {
		assert.equal(res.status, 200, `HTTP ${res.status}: ${res.body.toString('utf8').slice(0, 800)}`);
		assert.match(res.contentType, /^image\/png/, 'Content-Type');
		return pngMeta(res.body, 'the reply').meta;
	};

	test(`${ex.EXAMPLE_FILES.webhook} (published): a multipart upload (field "data") with a prompt gets the edited PNG back`, () => {
		const meta = imageReply(step('webhookForm'));
		assert.equal(meta.prompt, WEBHOOK_PROMPTS.form, 'the prompt form field');
		assert.deepEqual(meta.inputs, [ex.sha256(UPLOAD_MULTIPART)], 'the uploaded image');
		assert.equal(meta.model, theNanoBananaNode(hookExample()).parameters.model.value);
	});

	test(`${ex.EXAMPLE_FILES.webhook} (published): a raw image body with ?prompt= gets the edited PNG back`, () => {
		const meta = imageReply(step('webhookRawQuery'));
		assert.equal(meta.prompt, WEBHOOK_PROMPTS.query, 'the prompt query parameter');
		assert.deepEqual(meta.inputs, [ex.sha256(UPLOAD_RAW)]);
	});

	test(`${ex.EXAMPLE_FILES.webhook} (published): without a prompt the example's default prompt is used`, () => {
		const meta = imageReply(step('webhookRawDefault'));
		const expression = String(theNanoBananaNode(hookExample()).parameters.prompt);
		const fallback = /\|\|\s*'((?:[^'\\]|\\.)+)'\s*\}\}\s*$/.exec(expression)?.[1];
		assert.ok(fallback, `a default prompt at the end of the expression ${expression}`);
		assert.equal(meta.prompt, fallback);
		assert.deepEqual(meta.inputs, [ex.sha256(UPLOAD_RAW)]);
	});

	test(`${ex.EXAMPLE_FILES.webhook} (published): a non-image upload gets the 422 JSON error reply (error output)`, () => {
		const res = step('webhookNotAnImage');
		const text = res.body.toString('utf8');
		assert.equal(res.status, 422, `HTTP ${res.status}: ${text.slice(0, 800)}`);
		assert.match(res.contentType, /^application\/json/, 'Content-Type');
		const body = JSON.parse(text);
		// The reply the example builds: { error, reason, details } from the error item.
		const message = typeof body.error === 'string' ? body.error : body.error?.message;
		assert.match(String(message), /not an image/, `the node's message in "error": ${text}`);
		assert.equal(body.reason, 'INVALID_INPUT', `"reason" holds the node's reason: ${text}`);
		assert.equal(typeof body.details, 'string', `"details" holds the node's description: ${text}`);
		assert.ok(body.details.length > 0, `"details" is not empty: ${text}`);
	});
}

describe('examples: every example imports and the runnable ones run, on n8n 2.x and 1.x', { timeout: SETUP_TIMEOUT_MS }, () => {
	/** @type {Shared | undefined} */
	let shared;
	/** @type {Promise<import('./lib/install').N8nInstall> | undefined} */
	let v1Install;
	/** @type {Awaited<ReturnType<typeof runLine>> | undefined} */
	let v2;
	/** @type {Awaited<ReturnType<typeof runLine>> | undefined} */
	let v1;
	/** @type {string | undefined} */
	let v1Unavailable;
	const sharedProxy = /** @type {Shared} */ (
		new Proxy({}, { get: (_t, key) => /** @type {any} */ (shared)?.[key] })
	);

	before(async () => {
		// The 1.x install (first run: minutes) goes on while the 2.x line runs.
		v1Install = ensureN8n1({ log });
		v1Install.catch(() => {});
		const imageFiles = ex.imageServerFiles();
		const [emulator, images] = await Promise.all([startEmulator({ log }), startImageServer(imageFiles)]);
		shared = { emulator, images, imageFiles };
	}, { timeout: SETUP_TIMEOUT_MS });

	after(async () => {
		await shared?.emulator.stop();
		await shared?.images.close();
		if (process.env.NANO_BANANA_E2E_KEEP !== '1') {
			for (const line of [v2, v1]) if (line?.home) fs.rmSync(line.home.dir, { recursive: true, force: true });
		}
		const timing = [v2, v1].filter(Boolean).map((l) => `n8n ${l?.install.n8nVersion}: ${l?.seconds} s`);
		log(`timings: ${timing.join('; ') || 'no line ran'}`);
	});

	describe('the example files (no n8n)', () => {
		it('are the examples the suite runs', () => {
			assert.deepEqual(ex.exampleFileNames(), Object.values(ex.EXAMPLE_FILES).sort());
		});
		for (const [key, file] of Object.entries(ex.EXAMPLE_FILES)) {
			it(`${file}: a stable id, one trigger reaching every node, demo credential ids matching the authentication, a sticky note`, () => {
				assert.deepEqual(ex.shapeProblems(EXAMPLES[key]), []);
			});
		}
		it('each example has an id of its own (importing one never replaces another)', () => {
			const ids = Object.values(EXAMPLES).map((w) => w.id);
			assert.equal(new Set(ids).size, ids.length, JSON.stringify(ids));
		});
		it('the stand-in copies keep every Nano Banana node and connection, and leave no third-party node or placeholder download', () => {
			const url = 'http://127.0.0.1:9';
			const copies = {
				compose: ex.composeStandIn(EXAMPLES.compose, url),
				driveToSlack: ex.driveToSlackStandIn(EXAMPLES.driveToSlack, url),
				scheduleToDrive: ex.scheduleToDriveStandIn(EXAMPLES.scheduleToDrive, url),
				batchToDrive: ex.scheduleToDriveStandIn(EXAMPLES.batchToDrive, url, ex.STAND_IN_IDS.batchToDrive),
			};
			const thirdParty = [ex.TYPES.googleDrive, ex.TYPES.googleDriveTrigger, ex.TYPES.slack, ex.TYPES.scheduleTrigger];
			for (const [key, copy] of Object.entries(copies)) {
				const original = EXAMPLES[key];
				assert.deepEqual(ex.nanoBananaNodes(copy), ex.nanoBananaNodes(original), `${key}: Nano Banana nodes unchanged`);
				assert.deepEqual(copy.connections, original.connections, `${key}: connections unchanged`);
				assert.deepEqual(copy.nodes.map((/** @type {any} */ n) => n.name), original.nodes.map((/** @type {any} */ n) => n.name), `${key}: node names`);
				assert.deepEqual(copy.nodes.filter((/** @type {any} */ n) => thirdParty.includes(n.type)), [], `${key}: no third-party node left`);
				for (const n of copy.nodes.filter((/** @type {any} */ n) => n.type === ex.TYPES.httpRequest)) {
					assert.ok(!String(n.parameters.url).startsWith(ex.PLACEHOLDER_ORIGIN), `${key}: "${n.name}" no longer downloads from ${ex.PLACEHOLDER_ORIGIN}`);
				}
				assert.notEqual(copy.id, original.id);
				assert.notEqual(copy.name, original.name);
			}
			assert.equal(JSON.stringify(EXAMPLES.compose), JSON.stringify(ex.loadExample(ex.EXAMPLE_FILES.compose)), 'the parsed examples are untouched');
		});
	});

	describe('n8n 2.x', () => {
		before(async () => {
			const { install, tarball } = await prepare();
			v2 = await runLine(install, tarball, /** @type {Shared} */ (shared));
		}, { timeout: SETUP_TIMEOUT_MS });
		lineTests(() => v2, sharedProxy);
	});

	describe('n8n 1.x (last 1.x line, Node 20)', () => {
		before(async () => {
			const { tarball } = await prepare();
			try {
				v1 = await runLine(await /** @type {Promise<any>} */ (v1Install), tarball, /** @type {Shared} */ (shared));
			} catch (error) {
				if (!(error instanceof InstallUnavailableError)) throw error;
				v1Unavailable = error.message;
				log(`SKIPPING n8n 1.x: ${v1Unavailable}`);
			}
		}, { timeout: SETUP_TIMEOUT_MS });
		lineTests(
			() => v1,
			sharedProxy,
			() => (v1Unavailable ? `n8n 1.x could not be installed here: ${v1Unavailable}` : undefined),
		);
	});
});
