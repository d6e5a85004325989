// @ts-check
'use strict';
/**
 * Every failure the emulator can produce, in the real n8n (`n8n execute`): each kind alone on its
 * own item, then 100 items where a third fail transiently (some twice, some in two different ways)
 * and a few fail for good, once with "Continue" (regular output) and once with "Continue (using
 * error output)"; a hung connection with a short Timeout; and, without any Continue setting, a
 * failure stopping the run with the first failing item's error.
 *
 * A spent daily quota has a branch of its own: it ends the branch's other requests.
 *
 * To stay within a few minutes (each `n8n execute` starts a whole n8n), the first five are five
 * branches of one workflow, run by one `n8n execute` (n8n runs the branches one after another);
 * the stop-the-run case is a second workflow.
 *
 * Each item carries its own prompt with an `[[emulate:…]]` directive (the emulator counts `xN`
 * attempts per distinct request, so every item fails on its own schedule). Checked per item: it
 * ends as an edited image whose PNG says it was made from that item's prompt, or as an error item
 * whose json names the reason; its place in the output and its pairedItem are its input's; and
 * the emulator saw exactly the attempts the retry policy should make: nothing lost, nothing
 * sent twice.
 */
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');

const n8n = require('./lib/n8n');
const wf = require('./lib/workflows');
const { createPng, isPng } = require('./lib/png');
const { freshHome } = require('./lib/fixture');
const { startEmulator } = require('./lib/emulator');
const { itemsWithImagesNodes, promptExpression, fanOutWorkflow, sha256 } = require('./lib/items');
const { readPngInfo } = require('../emulator/server');

const NODE = 'Nano Banana';
const MAX_RETRIES = 3;
const log = (/** @type {string} */ msg) => process.stderr.write(`[faults] ${msg}\n`);

/**
 * @typedef {object} Case
 * @property {string | null} directive   what goes into `[[emulate:…]]` (null: none)
 * @property {number} attempts           requests the node must send for the item
 * @property {number} [requests]         requests the emulator sees, when n8n adds its own (default attempts)
 * @property {number} [images]           result images when it succeeds (default 1)
 * @property {string} [reason]           json.error.reason when it must fail
 * @property {RegExp} [message]          json.error.message when it must fail
 */

/** Fail, then succeed on a retry. @type {Case[]} */
const TRANSIENT = [
	{ directive: '503x1', attempts: 2 },
	{ directive: '429:0.2sx1', attempts: 2 },
	{ directive: 'dropx1', attempts: 2 },
	{ directive: '500x2', attempts: 3 },
	{ directive: 'malformedx1', attempts: 2 },
	{ directive: '502-htmlx1', attempts: 2 },
	{ directive: '502x1', attempts: 2 },
	{ directive: '504x1', attempts: 2 },
	{ directive: '408x1', attempts: 2 },
	{ directive: '499x1', attempts: 2 },
	{ directive: 'retry-after:0.2x1', attempts: 2 },
	// Two different failures in a row on one item: 503 first, then a dropped connection.
	{ directive: '503x1,dropx2', attempts: 3 },
];

/** Answers that are images, shaped differently. @type {Case[]} */
const SHAPES = [
	{ directive: null, attempts: 1 },
	{ directive: 'multi:3', attempts: 1, images: 3 },
	{ directive: 'slow:150ms', attempts: 1 },
];

/** Fail for good (not retried, or retried until the retries run out). @type {Case[]} */
const PERMANENT = [
	{ directive: 'blocked', attempts: 1, reason: 'SAFETY', message: /^Google blocked the prompt \(SAFETY\)$/ },
	{ directive: 'blocked:PROHIBITED_CONTENT', attempts: 1, reason: 'PROHIBITED_CONTENT', message: /blocked the prompt \(PROHIBITED_CONTENT\)/ },
	{ directive: 'finish:IMAGE_SAFETY', attempts: 1, reason: 'IMAGE_SAFETY', message: /^No image: Google's safety filter stopped it \(IMAGE_SAFETY\)$/ },
	{ directive: 'finish:IMAGE_RECITATION', attempts: 1, reason: 'IMAGE_RECITATION', message: /resembled protected content/ },
	{ directive: 'finish:NO_IMAGE', attempts: 1, reason: 'NO_IMAGE', message: /decided not to produce one \(NO_IMAGE\)/ },
	{ directive: 'finish:IMAGE_OTHER', attempts: 1, reason: 'IMAGE_OTHER', message: /stopped without one \(IMAGE_OTHER\)/ },
	{ directive: 'refusal', attempts: 1, reason: 'TEXT_ONLY', message: /^No image: the model answered with text only: "I can't help/ },
	{ directive: 'no-image', attempts: 1, reason: 'EMPTY_RESPONSE', message: /^No image: Google returned an empty answer$/ },
	{ directive: '400', attempts: 1, reason: 'INVALID_ARGUMENT', message: /^Google rejected the request \(400 INVALID_ARGUMENT\)$/ },
	// n8n itself sends a request again once after a 401 (for any credential: it may refresh a token).
	{ directive: '401', attempts: 1, requests: 2, reason: 'UNAUTHENTICATED', message: /^Google did not accept the credentials$/ },
	{ directive: '403', attempts: 1, reason: 'PERMISSION_DENIED', message: /^This API key is not allowed to use the Gemini API$/ },
	// A 404 for Nano Banana (2.5), which Google closed to new projects, names what to use instead.
	{ directive: '404', attempts: 1, reason: 'NOT_FOUND', message: /^The model "gemini-2\.5-flash-image" is not available to this Google project: use gemini-nano-banana-2\.1$/ },
	{
		directive: '500',
		attempts: MAX_RETRIES + 1,
		reason: 'INTERNAL',
		message: new RegExp(`^Google's servers could not complete the request \\(500 INTERNAL\\) \\(tried ${MAX_RETRIES + 1} times\\)$`),
	},
	{
		directive: '503',
		attempts: MAX_RETRIES + 1,
		reason: 'UNAVAILABLE',
		message: new RegExp(`\\(503 UNAVAILABLE\\) \\(tried ${MAX_RETRIES + 1} times\\)$`),
	},
];

/**
 * A spent per-day quota: the item that meets it fails, and the execution sends no other request on
 * that credential and model; its other items fail at once with the same message.
 */
const DAILY_MESSAGE = /^The daily quota for "gemini-2\.5-flash-image" is used up$/;
/** @type {Case[]} */
const DAILY_QUOTA = [
	{ directive: '429-daily', attempts: 1, reason: 'RESOURCE_EXHAUSTED', message: DAILY_MESSAGE },
	{ directive: null, attempts: 0, reason: 'RESOURCE_EXHAUSTED', message: DAILY_MESSAGE },
	{ directive: null, attempts: 0, reason: 'RESOURCE_EXHAUSTED', message: DAILY_MESSAGE },
];

const INPUT = createPng(24, 16, (x, y) => [(x * 10) % 256, (y * 15) % 256, 120]);
const INPUT_HASH = sha256(INPUT);

/**
 * Items for a run: `cases[i]` becomes item i, its prompt unique to this run, branch and item.
 * @param {string} tag
 * @param {Case[]} cases
 */
function planItems(tag, cases) {
	return cases.map((c, i) => {
		const base = `faults ${tag} #${i}: make the sky ${['orange', 'teal', 'violet'][i % 3]}`;
		return {
			...c,
			index: i,
			expectedPrompt: base,
			prompt: c.directive ? `${base} [[emulate:${c.directive}]]` : base,
		};
	});
}

/** @typedef {ReturnType<typeof planItems>} Plan */

/**
 * 100 items: every third one fails transiently (cycling through TRANSIENT), five fail for good
 * (blocked, IMAGE_SAFETY, refusal), the rest succeed at once.
 * @param {string} tag
 */
function mixedPlan(tag) {
	const permanentAt = new Map([
		[7, PERMANENT[0]],
		[20, PERMANENT[2]],
		[44, PERMANENT[6]],
		[68, PERMANENT[0]],
		[95, PERMANENT[2]],
	]);
	/** @type {Case[]} */
	const cases = Array.from({ length: 100 }, (_, i) => {
		if (i % 3 === 0) return TRANSIENT[(i / 3) % TRANSIENT.length];
		return permanentAt.get(i) ?? SHAPES[0];
	});
	return planItems(tag, cases);
}

/**
 * The chain of one branch: its items → the Nano Banana node named `name`.
 * @param {string} name
 * @param {{ id: string, name: string }} credential
 * @param {Plan} items
 * @param {{ onError?: string, options?: Record<string, unknown> }} settings
 */
function faultBranch(name, credential, items, settings) {
	const prefix = `${name}: `;
	const node = wf.nanoBananaNode({
		name,
		credential,
		operation: 'edit',
		prompt: promptExpression(prefix),
		options: { maxRetries: MAX_RETRIES, maxConcurrency: 8, ...settings.options },
	});
	if (settings.onError) Object.assign(node, { onError: settings.onError });
	return [...itemsWithImagesNodes(items.map(({ prompt }) => ({ prompt, image: INPUT })), { prefix }), node];
}

const BRANCH = {
	eachKind: 'Each kind alone',
	mixedRegular: 'Mixed, regular output',
	mixedErrorOutput: 'Mixed, error output',
	hang: 'Hang',
	dailyQuota: 'Daily quota',
	stop: 'Stops the run',
};

describe('faults: every emulator failure in the real n8n', () => {
	/** @type {import('./lib/home').N8nHome} */
	let home;
	let dispose = () => {};
	/** @type {import('./lib/emulator').RunningEmulator | undefined} */
	let emulator;
	const credential = { id: 'faultsAiStudio01', name: 'Faults AI Studio (emulator)' };
	const tag = crypto.randomUUID().slice(0, 8);
	const plans = {
		eachKind: planItems(`${tag}-each`, [...SHAPES, ...TRANSIENT, ...PERMANENT]),
		mixedRegular: mixedPlan(`${tag}-mixreg`),
		mixedErrorOutput: mixedPlan(`${tag}-mixerr`),
		dailyQuota: planItems(`${tag}-daily`, DAILY_QUOTA),
		hang: planItems(`${tag}-hang`, [
			{ directive: 'hangx1', attempts: 2 },
			{ directive: 'hang', attempts: 2, reason: 'TIMEOUT', message: /^No answer from Google within 2 s \(tried 2 times\)$/ },
			{ directive: null, attempts: 1 },
		]),
		stop: planItems(`${tag}-stop`, [
			SHAPES[0],
			TRANSIENT[0],
			PERMANENT[0], // blocked: the first failure in input order
			SHAPES[0],
			/** @type {Case} */ (PERMANENT.find((c) => c.directive === '403')),
			SHAPES[0],
		]),
	};
	/** @type {{ result: import('./lib/cli').ExecutionResult, state: any, seconds: number }} */
	let main;
	/** @type {{ result: import('./lib/cli').ExecutionResult, state: any, seconds: number }} */
	let stopRun;

	const emulatorCall = async (/** @type {string} */ route, method = 'GET') => {
		const res = await fetch(`${emulator?.url}/__emulator/${route}`, { method });
		return /** @type {any} */ (await res.json());
	};

	/** @param {string} id */
	const execute = async (id) => {
		await emulatorCall('reset', 'POST');
		const started = Date.now();
		const result = await n8n.executeWorkflow(home, id);
		const seconds = (Date.now() - started) / 1000;
		const state = await emulatorCall('state');
		log(`${id}: ${state.generateContent} requests, n8n execute ${seconds.toFixed(1)} s`);
		return { result, state, seconds };
	};

	/**
	 * Requests the emulator received per item (by the prompt it logged, directives stripped).
	 * @param {any} state
	 */
	const requestsByPrompt = (state) => {
		/** @type {Map<string, number>} */
		const counts = new Map();
		for (const entry of state.log) {
			if (!/:generateContent$/.test(entry.path)) continue;
			counts.set(entry.prompt, (counts.get(entry.prompt) ?? 0) + 1);
		}
		return counts;
	};

	/**
	 * One item's outcome: an image made from its prompt, or the error its case names.
	 * @param {any} item
	 * @param {Plan[number]} plan
	 */
	const checkItem = (item, plan) => {
		const label = `item ${plan.index} (${plan.directive ?? 'no directive'})`;
		assert.ok(item, `${label}: missing from the output`);
		assert.deepEqual(item.pairedItem, { item: plan.index }, `${label}: pairedItem`);
		if (plan.reason) {
			// The node's error item: json.error = { message, reason, description, httpCode?, itemIndex }.
			const error = item.json.error;
			assert.equal(typeof error?.message, 'string', `${label} must fail, got ${JSON.stringify(item.json).slice(0, 300)}`);
			assert.match(error.message, /** @type {RegExp} */ (plan.message), `${label}: error message`);
			assert.equal(error.reason, plan.reason, `${label}: error reason`);
			assert.equal(error.itemIndex, plan.index, `${label}: error names its item`);
			assert.ok(String(error.description ?? '').length > 10, `${label}: a description says what to do`);
			assert.equal(item.json.nanoBanana, undefined, `${label}: no result summary on an error item`);
			assert.deepEqual(Object.keys(item.binary ?? {}), ['data'], `${label}: the input image travels on`);
			return;
		}
		assert.equal(item.json.error, undefined, `${label} must succeed, failed with: ${JSON.stringify(item.json.error)}`);
		assert.equal(item.json.nanoBanana?.attempts, plan.attempts, `${label}: attempts`);
		const images = plan.images ?? 1;
		assert.equal(item.json.nanoBanana?.imageCount, images, `${label}: images`);
		const fields = ['data', ...Array.from({ length: images - 1 }, (_, n) => `data_${n + 1}`)];
		// Besides the results, an item carries the images its conversation names (for a later Refine).
		const conversationFields = Object.keys(item.binary ?? {}).filter((field) => /^nanoBananaTurn\d+(Input|Result|Thought)\d+$/.test(field));
		const named = (item.json.nanoBanana?.conversation?.turns ?? []).flatMap((/** @type {any} */ turn) =>
			turn.role === 'user' ? turn.images.map((/** @type {any} */ image) => image.field) : turn.parts.filter((/** @type {any} */ part) => part.image).map((/** @type {any} */ part) => part.image.field),
		);
		assert.deepEqual(conversationFields.sort(), named.sort(), `${label}: the conversation's images travel with it`);
		assert.deepEqual(Object.keys(item.binary ?? {}).filter((field) => !conversationFields.includes(field)).sort(), fields.sort(), `${label}: binary fields`);
		for (const [n, field] of fields.entries()) {
			const png = n8n.readBinary(home, item.binary[field]);
			assert.ok(isPng(png), `${label}: ${field} is a PNG`);
			const { meta } = readPngInfo(png);
			assert.equal(meta?.prompt, plan.expectedPrompt, `${label}: ${field} was made from the item's own prompt`);
			assert.deepEqual(meta?.inputs, [INPUT_HASH], `${label}: ...and from its image`);
			assert.equal(meta?.n, n, `${label}: ${field} is image ${n} of the answer`);
		}
	};

	/**
	 * The emulator saw exactly the requests each item's case calls for: none lost, none repeated.
	 * @param {any} state
	 * @param {Plan} items
	 */
	const checkRequests = (state, items) => {
		const counts = requestsByPrompt(state);
		for (const plan of items) {
			assert.equal(
				counts.get(plan.expectedPrompt) ?? 0,
				plan.requests ?? plan.attempts,
				`item ${plan.index} (${plan.directive ?? 'no directive'}): requests sent`,
			);
		}
	};

	before(async () => {
		emulator = await startEmulator({ log });
		({ home, dispose } = await freshHome());
		await n8n.importCredentials(home, [wf.aiStudioCredential({ ...credential, apiKey: emulator.apiKey, baseUrl: emulator.url })]);
		const trigger = wf.manualTrigger();
		await n8n.importWorkflows(home, [
			fanOutWorkflow({
				id: 'faultsAllKinds01',
				name: 'Faults: each kind, mixed (both outputs), hang',
				trigger,
				branches: [
					faultBranch(BRANCH.eachKind, credential, plans.eachKind, { onError: 'continueRegularOutput' }),
					faultBranch(BRANCH.mixedRegular, credential, plans.mixedRegular, { onError: 'continueRegularOutput' }),
					faultBranch(BRANCH.mixedErrorOutput, credential, plans.mixedErrorOutput, { onError: 'continueErrorOutput' }),
					faultBranch(BRANCH.hang, credential, plans.hang, {
						onError: 'continueRegularOutput',
						options: { timeout: 2, maxRetries: 1 },
					}),
					faultBranch(BRANCH.dailyQuota, credential, plans.dailyQuota, {
						onError: 'continueRegularOutput',
						options: { maxConcurrency: 1 },
					}),
				],
			}),
			fanOutWorkflow({
				id: 'faultsStopRun01',
				name: 'Faults: a failure without Continue stops the run',
				trigger,
				branches: [faultBranch(BRANCH.stop, credential, plans.stop, {})],
			}),
		]);
		main = await execute('faultsAllKinds01');
		stopRun = await execute('faultsStopRun01');
	});

	after(async () => {
		await emulator?.stop();
		dispose();
	});

	it('runs the five branches to the end with no request beyond the planned attempts', () => {
		assert.equal(main.result.success, true, `execution failed: ${JSON.stringify(main.result.error)?.slice(0, 500)}`);
		const all = [...plans.eachKind, ...plans.mixedRegular, ...plans.mixedErrorOutput, ...plans.hang, ...plans.dailyQuota];
		const planned = all.reduce((sum, p) => sum + (p.requests ?? p.attempts), 0);
		assert.equal(main.state.generateContent, planned, 'requests the emulator received');
	});

	it('each kind alone on its own item (Continue, regular output)', () => {
		const output = n8n.nodeOutput(main.result.run, BRANCH.eachKind);
		assert.equal(output.length, plans.eachKind.length, 'one output item per input item');
		plans.eachKind.forEach((plan, i) => checkItem(output[i], plan));
		checkRequests(main.state, plans.eachKind);
	});

	it('100 items, a third failing transiently and five for good (Continue, regular output): none lost, none duplicated, order kept', () => {
		const output = n8n.nodeOutput(main.result.run, BRANCH.mixedRegular);
		assert.equal(output.length, 100);
		plans.mixedRegular.forEach((plan, i) => checkItem(output[i], plan));
		assert.equal(output.filter((item) => item.json.error).length, 5, 'exactly the five permanent failures are errors');
		checkRequests(main.state, plans.mixedRegular);
	});

	it('the same with "Continue (using error output)": successes on output 0, failures on output 1, both in input order', () => {
		const successes = n8n.nodeOutput(main.result.run, BRANCH.mixedErrorOutput, 0);
		const failures = n8n.nodeOutput(main.result.run, BRANCH.mixedErrorOutput, 1);
		const expectedFailures = plans.mixedErrorOutput.filter((p) => p.reason);
		const expectedSuccesses = plans.mixedErrorOutput.filter((p) => !p.reason);
		assert.equal(failures.length, expectedFailures.length, 'every failed item is on the error output');
		assert.equal(successes.length, expectedSuccesses.length, 'every other item is on the success output');
		expectedSuccesses.forEach((plan, i) => checkItem(successes[i], plan));
		expectedFailures.forEach((plan, i) => checkItem(failures[i], plan));
		checkRequests(main.state, plans.mixedErrorOutput);
	});

	it('a hung connection with a short Timeout: retried, then an image (hang once) or a timeout error (hangs every time)', () => {
		const output = n8n.nodeOutput(main.result.run, BRANCH.hang);
		assert.equal(output.length, plans.hang.length);
		plans.hang.forEach((plan, i) => checkItem(output[i], plan));
		checkRequests(main.state, plans.hang);
		const runs = main.result.run.data.resultData.runData[BRANCH.hang];
		assert.ok(runs[0].executionTime < 30_000, `the 2 s timeout, not the default 300 s, bounded the hung requests (${runs[0].executionTime} ms)`);
	});

	it('a spent daily quota: that item fails, the others fail at once with the same message and are never sent', () => {
		const output = n8n.nodeOutput(main.result.run, BRANCH.dailyQuota);
		assert.equal(output.length, plans.dailyQuota.length);
		plans.dailyQuota.forEach((plan, i) => checkItem(output[i], plan));
		checkRequests(main.state, plans.dailyQuota);
	});

	it('without Continue: the first failing item (by input order) stops the run with its error', () => {
		const { result } = stopRun;
		assert.equal(result.success, false, 'the execution fails');
		const message = String(result.error?.message ?? '');
		assert.match(message, /Google blocked the prompt \(SAFETY\)/, `the run's error is item 2's: ${message}`);
		const runs = result.run.data.resultData.runData[BRANCH.stop];
		assert.ok(runs?.[0]?.error, 'the node run carries the error');
		assert.equal(runs[0].error.context?.itemIndex, 2, 'the error names item 2');
	});
});
