// @ts-check
'use strict';
/**
 * The package on n8n's last 1.x line (1.123.x, on this machine's Node 20) as on 2.x (2.41.1, Node
 * 24): the same core workflows, the same checks, run on both lines, then the two outputs compared.
 *
 * Core workflows (one `n8n execute` of a workflow with five branches, plus one more run):
 *   - edit an image with an AI Studio key;
 *   - edit three images with a Vertex AI service account (one token exchange for the three);
 *   - generate an image (aspect ratio 16:9);
 *   - failures with "Continue" (regular output): blocked, a 503 retried, a text-only refusal;
 *   - the same with "Continue (using error output)";
 *   - Vertex again after the emulator expired every token: the 401 makes n8n fetch a new token
 *     through the credential's preAuthentication (on 1.x the node repeats the request to get there).
 *
 * n8n 1.x is installed by lib/install-n8n1.js into the same cache as 2.x (first run: ~10 min) and
 * runs with N8N_EXPRESSION_ENGINE=legacy on Node < 22 (its default "vm" engine needs isolated-vm 6,
 * i.e. Node >= 22; see n8n1Env).
 * When that install cannot be done for a reason outside this package (registry, network,
 * toolchain), the 1.x tests are skipped with the reason; the 2.x reference still runs.
 */
const { describe, it, before, after } = require('node:test');

const itOrSkip = it;
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');

const n8n = require('./lib/n8n');
const wf = require('./lib/workflows');
const { createPng, samplePng, isPng } = require('./lib/png');
const { prepare } = require('./lib/fixture');
const { startEmulator } = require('./lib/emulator');
const { ensureN8n1, n8n1Env, InstallUnavailableError } = require('./lib/install-n8n1');
const { itemsWithImagesNodes, promptExpression, fanOutWorkflow, sha256 } = require('./lib/items');
const { readPngInfo } = require('../emulator/server');

const log = (/** @type {string} */ msg) => process.stderr.write(`[compat] ${msg}\n`);
const MODEL = 'gemini-2.5-flash-image';

const BRANCH = {
	aiStudioEdit: 'Edit (AI Studio)',
	vertexEdit: 'Edit (Vertex AI)',
	generate: 'Generate',
	failRegular: 'Failures, regular output',
	failErrorOutput: 'Failures, error output',
	vertexAgain: 'Vertex AI after token expiry',
};

const SAMPLE = samplePng(64, 48);
const VERTEX_IMAGES = [0, 1, 2].map((i) => createPng(40, 30, (x, y) => [(x * 5 + i * 70) % 256, (y * 7) % 256, 30 + i * 60]));

/**
 * Cases of the failure branches: what the item's prompt asks of the emulator and how it must end.
 * @type {Array<{ directive: string | null, attempts?: number, reason?: string, message?: RegExp }>}
 */
const FAILURE_CASES = [
	{ directive: null, attempts: 1 },
	{ directive: 'blocked', reason: 'SAFETY', message: /^Google blocked the prompt \(SAFETY\)$/ },
	{ directive: '503x1', attempts: 2 },
	{ directive: 'refusal', reason: 'TEXT_ONLY', message: /^No image: the model answered with text only/ },
];

/**
 * Everything one n8n line runs, with prompts unique to that line.
 * @param {string} line e.g. "2.41.1"
 */
function planFor(line) {
	const tag = `${line} ${crypto.randomUUID().slice(0, 8)}`;
	const failures = (/** @type {string} */ which) =>
		FAILURE_CASES.map((c, i) => {
			const base = `compat ${tag} ${which} #${i}: add a rainbow`;
			return { ...c, index: i, expectedPrompt: base, prompt: c.directive ? `${base} [[emulate:${c.directive}]]` : base };
		});
	return {
		aiStudioPrompt: `compat ${tag}: put a red balloon in the sky`,
		vertexPrompts: VERTEX_IMAGES.map((_, i) => `compat ${tag} vertex #${i}: make it ${['snowy', 'rainy', 'sunny'][i]}`),
		vertexAgainPrompt: `compat ${tag} vertex again: add a moon`,
		generatePrompt: `compat ${tag}: a yellow banana on a blue table`,
		failRegular: failures('regular'),
		failErrorOutput: failures('error-output'),
	};
}

/**
 * @param {ReturnType<typeof planFor>} plan
 * @param {{ aiStudio: { id: string, name: string }, vertex: { id: string, name: string } }} creds
 */
function coreWorkflows(plan, creds) {
	const failureBranch = (/** @type {string} */ name, /** @type {typeof plan.failRegular} */ items, /** @type {string} */ onError) => {
		const prefix = `${name}: `;
		const node = wf.nanoBananaNode({
			name,
			credential: creds.aiStudio,
			prompt: promptExpression(prefix),
			options: { maxRetries: 2 },
		});
		return [...itemsWithImagesNodes(items.map(({ prompt }) => ({ prompt, image: SAMPLE })), { prefix }), { ...node, onError }];
	};
	const vertexBranch = (/** @type {string} */ name, /** @type {string[]} */ prompts) => {
		const prefix = `${name}: `;
		return [
			...itemsWithImagesNodes(prompts.map((prompt, i) => ({ prompt, image: VERTEX_IMAGES[i] })), { prefix }),
			wf.nanoBananaNode({ name, authentication: 'vertexAi', credential: creds.vertex, prompt: promptExpression(prefix) }),
		];
	};
	const trigger = wf.manualTrigger();
	const aiStudioEdit = wf.inlineImageNodes(SAMPLE, { fileName: 'photo.png' }).map((node) => ({ ...node, name: `${BRANCH.aiStudioEdit}: ${node.name}` }));
	return {
		core: fanOutWorkflow({
			id: 'compatCore000001',
			name: 'Compat: core workflows',
			trigger,
			branches: [
				[...aiStudioEdit, wf.nanoBananaNode({ name: BRANCH.aiStudioEdit, credential: creds.aiStudio, prompt: plan.aiStudioPrompt })],
				vertexBranch(BRANCH.vertexEdit, plan.vertexPrompts),
				[
					wf.nanoBananaNode({
						name: BRANCH.generate,
						credential: creds.aiStudio,
						operation: 'generate',
						prompt: plan.generatePrompt,
						options: { aspectRatio: '16:9' },
					}),
				],
				failureBranch(BRANCH.failRegular, plan.failRegular, 'continueRegularOutput'),
				failureBranch(BRANCH.failErrorOutput, plan.failErrorOutput, 'continueErrorOutput'),
			],
		}),
		vertexAgain: fanOutWorkflow({
			id: 'compatVertexAgain1',
			name: 'Compat: Vertex AI after token expiry',
			trigger,
			branches: [vertexBranch(BRANCH.vertexAgain, [plan.vertexAgainPrompt])],
		}),
	};
}

/**
 * Sets up a home on one n8n line, runs the core workflows and the token-expiry run, and returns
 * what the checks need.
 * @param {import('./lib/install').N8nInstall} install
 * @param {string} tarball
 * @param {import('./lib/emulator').RunningEmulator} emulator
 */
async function runLine(install, tarball, emulator) {
	const started = Date.now();
	const env = install.n8nVersion.startsWith('1.') ? n8n1Env(install) : {};
	const home = await n8n.createN8nHome({ install, tarball, env });
	try {
		return await runInHome(home, install, emulator, started);
	} catch (error) {
		if (process.env.NANO_BANANA_E2E_KEEP !== '1') fs.rmSync(home.dir, { recursive: true, force: true });
		throw error;
	}
}

/**
 * @param {import('./lib/home').N8nHome} home
 * @param {import('./lib/install').N8nInstall} install
 * @param {import('./lib/emulator').RunningEmulator} emulator
 * @param {number} started
 */
async function runInHome(home, install, emulator, started) {
	const creds = {
		aiStudio: { id: 'compatAiStudio01', name: 'Compat AI Studio (emulator)' },
		vertex: { id: 'compatVertexAi01', name: 'Compat Vertex AI (emulator)' },
	};
	await n8n.importCredentials(home, [
		wf.aiStudioCredential({ ...creds.aiStudio, apiKey: emulator.apiKey, baseUrl: emulator.url }),
		wf.vertexCredential({ ...creds.vertex, serviceAccountJson: fs.readFileSync(emulator.serviceAccountFile, 'utf8'), baseUrl: emulator.url }),
	]);
	const plan = planFor(install.n8nVersion);
	const workflows = coreWorkflows(plan, creds);
	await n8n.importWorkflows(home, [workflows.core, workflows.vertexAgain]);
	const control = async (/** @type {string} */ route, method = 'POST') =>
		/** @type {any} */ (await (await fetch(`${emulator.url}/__emulator/${route}`, { method })).json());

	await control('reset');
	const core = await n8n.executeWorkflow(home, workflows.core.id);
	const coreState = await control('state', 'GET');

	await control('reset');
	await control('expire-tokens');
	const again = await n8n.executeWorkflow(home, workflows.vertexAgain.id);
	const againState = await control('state', 'GET');
	log(`n8n ${install.n8nVersion} on Node ${install.nodeVersion}: done in ${Math.round((Date.now() - started) / 1000)} s (home ${home.dir})`);
	return { home, plan, core, coreState, again, againState };
}

/**
 * The checks, the same for every line; skipped with the reason when `skipReason()` gives one.
 * @param {() => Awaited<ReturnType<typeof runLine>> | undefined} get
 * @param {() => string | undefined} [skipReason]
 */
function lineTests(get, skipReason = () => undefined) {
	const it = (/** @type {string} */ name, /** @type {() => void} */ fn) =>
		itOrSkip(name, (/** @type {any} */ t) => {
			const reason = skipReason();
			if (reason) return t.skip(reason);
			return fn();
		});
	const line = () => {
		const value = get();
		assert.ok(value, 'the line ran');
		return value;
	};
	/** @param {any} item */
	const pngOf = (item, field = 'data') => {
		const { home } = line();
		const bytes = n8n.readBinary(home, item.binary[field]);
		assert.ok(isPng(bytes), 'result is a PNG');
		const info = readPngInfo(bytes);
		assert.ok(info.meta, 'the PNG carries the emulator metadata');
		return { ...info, meta: /** @type {any} */ (info.meta) };
	};

	it('runs the core workflow without a workflow error', () => {
		const { core } = line();
		assert.equal(core.success, true, `execution failed: ${JSON.stringify(core.error)?.slice(0, 800)}`);
	});

	it('edits an image with an AI Studio key', () => {
		const { core, plan } = line();
		const [item, ...rest] = n8n.nodeOutput(core.run, BRANCH.aiStudioEdit);
		assert.equal(rest.length, 0);
		assert.deepEqual(item.pairedItem, { item: 0 });
		assert.equal(item.json.nanoBanana.model, MODEL);
		assert.equal(item.json.nanoBanana.attempts, 1);
		assert.equal(item.binary.data.mimeType, 'image/png');
		assert.equal(item.binary.data.fileName, 'photo-edited.png');
		const { meta } = pngOf(item);
		assert.equal(meta.prompt, plan.aiStudioPrompt);
		assert.equal(meta.backend, 'gemini');
		assert.deepEqual(meta.inputs, [sha256(SAMPLE)]);
	});

	it('edits three images with a Vertex AI service account, one token exchange for all', () => {
		const { core, coreState, plan } = line();
		const items = n8n.nodeOutput(core.run, BRANCH.vertexEdit);
		assert.equal(items.length, 3);
		items.forEach((item, i) => {
			assert.deepEqual(item.pairedItem, { item: i });
			const { meta } = pngOf(item);
			assert.equal(meta.prompt, plan.vertexPrompts[i], `item ${i}: its own prompt`);
			assert.deepEqual(meta.inputs, [sha256(VERTEX_IMAGES[i])], `item ${i}: its own image`);
			assert.equal(meta.backend, 'vertex');
		});
		assert.equal(coreState.tokenExchanges, 1, 'the service-account token was exchanged once');
		assert.equal(coreState.byBackend.vertex, 3, 'one Vertex request per item');
	});

	it('generates an image from the prompt alone, in the asked aspect ratio', () => {
		const { core, plan } = line();
		const [item] = n8n.nodeOutput(core.run, BRANCH.generate);
		const { meta, width, height } = pngOf(item);
		assert.equal(meta.prompt, plan.generatePrompt);
		assert.deepEqual(meta.inputs, []);
		assert.equal(meta.aspectRatio, '16:9');
		assert.deepEqual([width, height], [1024, 576]);
		assert.match(item.binary.data.fileName, /^generated-.*\.png$/);
	});

	/**
	 * @param {any} item
	 * @param {ReturnType<typeof planFor>['failRegular'][number]} c
	 */
	const checkFailureCase = (item, c) => {
		const label = `item ${c.index} (${c.directive ?? 'no directive'})`;
		assert.deepEqual(item.pairedItem, { item: c.index }, `${label}: pairedItem`);
		if (c.reason) {
			assert.match(String(item.json.error?.message), /** @type {RegExp} */ (c.message), `${label}: ${JSON.stringify(item.json).slice(0, 300)}`);
			assert.equal(item.json.error.reason, c.reason, label);
			assert.equal(item.json.nanoBanana, undefined, label);
		} else {
			assert.equal(item.json.error, undefined, `${label}: ${JSON.stringify(item.json.error)}`);
			assert.equal(item.json.nanoBanana.attempts, c.attempts, `${label}: attempts`);
			assert.equal(pngOf(item).meta.prompt, c.expectedPrompt, `${label}: its own prompt`);
		}
	};

	it('with Continue (regular output): images and error items, in input order', () => {
		const { core, plan } = line();
		const items = n8n.nodeOutput(core.run, BRANCH.failRegular);
		assert.equal(items.length, plan.failRegular.length);
		plan.failRegular.forEach((c, i) => checkFailureCase(items[i], c));
	});

	it('with Continue (using error output): failures on output 1, the rest on output 0', () => {
		const { core, plan } = line();
		const ok = n8n.nodeOutput(core.run, BRANCH.failErrorOutput, 0);
		const failed = n8n.nodeOutput(core.run, BRANCH.failErrorOutput, 1);
		const expectOk = plan.failErrorOutput.filter((c) => !c.reason);
		const expectFailed = plan.failErrorOutput.filter((c) => c.reason);
		assert.equal(ok.length, expectOk.length, 'successes on output 0');
		assert.equal(failed.length, expectFailed.length, 'failures on output 1');
		expectOk.forEach((c, i) => checkFailureCase(ok[i], c));
		expectFailed.forEach((c, i) => checkFailureCase(failed[i], c));
	});

	it('after every token expired, the 401 brings a fresh token and the item succeeds', () => {
		const { again, againState, plan } = line();
		assert.equal(again.success, true, `execution failed: ${JSON.stringify(again.error)?.slice(0, 800)}`);
		const [item] = n8n.nodeOutput(again.run, BRANCH.vertexAgain);
		assert.equal(item.json.error, undefined, JSON.stringify(item.json.error));
		assert.equal(pngOf(item).meta.prompt, plan.vertexAgainPrompt);
		assert.ok((againState.byStatus['401'] ?? 0) >= 1, 'the stored token was refused first');
		assert.equal(againState.tokenExchanges, 1, 'exactly one new token');
	});
}

/**
 * The outputs' shape with run-specific values (ids, prompts, times) blanked, for comparing lines.
 * @param {any} run
 */
function outputShape(run) {
	/** @type {Record<string, any>} */
	const shape = {};
	for (const name of Object.values(BRANCH)) {
		const runs = run?.data?.resultData?.runData?.[name];
		if (!runs) continue;
		shape[name] = (runs[0].data?.main ?? []).map((/** @type {any[]} */ items) =>
			(items ?? []).map((item) => ({
				json: blank(item.json),
				binary: Object.fromEntries(
					Object.entries(item.binary ?? {}).map(([key, b]) => [key, { mimeType: b.mimeType, fileExtension: b.fileExtension }]),
				),
				pairedItem: item.pairedItem,
			})),
		);
	}
	return shape;
}

/**
 * Ids, texts, usage (and the cost computed from it: prompts differ in length between the lines) and what depends on the image bytes (a conversation's sha256, sizes and signatures: the emulator draws prompts and times into its images) are compared by type only.
 * @param {any} value
 * @returns {any}
 */
function blank(value) {
	if (Array.isArray(value)) return value.map(blank);
	if (value && typeof value === 'object') {
		return Object.fromEntries(
			Object.entries(value).map(([k, v]) => [k, ['responseId', 'text', 'usage', 'tokens', 'usd', 'sha256', 'bytes', 'thoughtSignature'].includes(k) ? typeof v : blank(v)]),
		);
	}
	return value;
}

/** A cold cache installs n8n 1.x first (about 12 minutes here): more than run-e2e's 10-minute default. */
const SETUP_TIMEOUT_MS = 45 * 60_000;

describe('compat: the same core workflows on n8n 2.x and 1.x', { timeout: SETUP_TIMEOUT_MS }, () => {
	/** @type {import('./lib/emulator').RunningEmulator | undefined} */
	let emulator;
	/** @type {Awaited<ReturnType<typeof runLine>> | undefined} */
	let v2;
	/** @type {Awaited<ReturnType<typeof runLine>> | undefined} */
	let v1;
	/** @type {string | undefined} */
	let v1Unavailable;
	/** @type {Promise<import('./lib/install').N8nInstall>} */
	let v1Install;

	before(async () => {
		// Start the 1.x install (first run: minutes) while the 2.x reference runs.
		v1Install = ensureN8n1({ log });
		v1Install.catch(() => {});
		emulator = await startEmulator({ log });
		const { install, tarball } = await prepare();
		v2 = await runLine(install, tarball, emulator);
		try {
			v1 = await runLine(await v1Install, tarball, emulator);
		} catch (error) {
			if (!(error instanceof InstallUnavailableError)) throw error;
			v1Unavailable = error.message;
			log(`SKIPPING n8n 1.x: ${v1Unavailable}`);
		}
	}, { timeout: SETUP_TIMEOUT_MS });

	after(async () => {
		await emulator?.stop();
		if (process.env.NANO_BANANA_E2E_KEEP !== '1') {
			for (const line of [v2, v1]) if (line) fs.rmSync(line.home.dir, { recursive: true, force: true });
		}
	});

	describe('n8n 2.x (reference)', () => lineTests(() => v2));

	describe('n8n 1.x (last 1.x line, Node 20)', () => {
		it('is installed and runs on the machine\'s Node', (t) => {
			if (v1Unavailable) return t.skip(`n8n 1.x could not be installed here: ${v1Unavailable}`);
			assert.ok(v1);
			assert.match(v1.home.install.n8nVersion, /^1\.123\.\d+$/);
			assert.equal(v1.home.install.nodeBin, process.execPath);
		});
		lineTests(
			() => v1,
			() => (v1Unavailable ? `n8n 1.x could not be installed here: ${v1Unavailable}` : undefined),
		);
	});

	it('gives the same outputs on both lines (ids, prompts and times aside)', (t) => {
		if (v1Unavailable) return t.skip(`n8n 1.x could not be installed here: ${v1Unavailable}`);
		assert.deepEqual(outputShape(v1?.core.run), outputShape(v2?.core.run));
		assert.deepEqual(outputShape(v1?.again.run), outputShape(v2?.again.run));
	});
});
