// @ts-check
'use strict';
/**
 * Browser test: Debian's Chromium, driven by playwright-core, clicks through the real n8n editor
 * with the packed package installed (startDevStack: n8n 2.41.1, the Google API emulator, the
 * demo credentials and workflows, an owner login).
 *
 *   1. node panel: after a Manual Trigger, searching "Nano Banana" finds the node; adding it asks
 *      for an action (Edit / Generate / Refine an image)            → .e2e/screenshots/node-panel.png
 *   2. parameters: Edit shows Operation, Model, Prompt, Input Binary Fields, Output Binary Field,
 *      Options; Generate drops Input Binary Fields; the Operation list holds Refine Image, which
 *      shows Input Binary Fields again (→ node-operations.png, node-refine.png); the credential (= authentication) switches
 *      between the AI Studio and the Vertex AI type; the Model list ("From list") is loaded from
 *      the emulator                                                  → .e2e/screenshots/node-parameters.png
 *   3. credential forms: a new Vertex AI credential shows Authentication Method, Service Account
 *      Key (JSON), Location, Project ID, Base URL; the runtime identity only a Metadata Server URL;
 *      the API key method a masked API Key; a new AI Studio one shows API Key, Base URL
 *                                    → .e2e/screenshots/credential-vertex.png, credential-vertex-metadata.png,
 *                                      credential-vertex-api-key.png, credential-ai-studio.png
 *   4. the demo workflow "Demo: edit an image with Nano Banana (AI Studio)" runs from the editor
 *      and its output panel shows the edited image (*-edited.png)    → .e2e/screenshots/edit-output.png
 *   5. every examples/*.json imports through the editor's "Import from File" (with its workflow id)
 *
 * Screenshots go to .e2e/screenshots/ (git-ignored). `npm run screenshots` runs this test and copies
 * the shots that changed visibly into docs/screenshots/ (lib/screenshots.js): a new
 * `ui.saveScreenshot(page, '<name>.png')` here is all a new documentation shot needs.
 *
 * Run alone: npm run test:e2e -- --skip-build test/e2e/browser.e2e.test.js
 */
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const config = require('./lib/config');
const { prepare } = require('./lib/fixture');
const { launchBrowser } = require('./lib/browser');
const ui = require('./lib/browser-n8n');
const shots = require('./lib/screenshots');
const examples = require('./lib/examples');
const { startDevStack, demoWorkflows, DEMO_IDS, CREDENTIAL_IDS } = require('./start');
const { readPngInfo } = require('../emulator/server');

const NODE_DISPLAY_NAME = 'Nano Banana';
const NODE_NAME = 'Nano Banana';
const NODE_SELECTOR = `[data-test-id="canvas-node"][data-node-type="${config.NODE_TYPE}"]`;
const ITEM_NAME = '[data-test-id="node-creator-item-name"]';

/** What the node's "authentication" options are called, and which credential type each needs. */
const AUTH = /** @type {const} */ ({
	aiStudio: {
		label: 'Google AI Studio API Key',
		credentialType: config.CREDENTIAL_TYPES.aiStudio,
		typeName: 'Google AI Studio API',
		credentialId: CREDENTIAL_IDS.aiStudio,
	},
	vertexAi: {
		label: 'Vertex AI',
		credentialType: config.CREDENTIAL_TYPES.vertexAi,
		typeName: 'Google Vertex AI API',
		credentialId: CREDENTIAL_IDS.vertexAi,
	},
});

const started = Date.now();
/** @param {string} msg */
const log = (msg) => process.stderr.write(`[browser ${((Date.now() - started) / 1000).toFixed(0)}s] ${msg}\n`);

describe('browser: the node in the n8n editor', { timeout: 15 * 60_000 }, () => {
	/** @type {import('./start').DevStack} */
	let stack;
	/** @type {import('./lib/browser').Browser} */
	let browser;
	/** @type {import('playwright-core').Page} */
	let page;
	/** @type {Record<string, string>} */
	const timings = {};
	/** Set once the first test has put a Nano Banana node on the canvas; the next two need it. */
	let nodeAdded = false;

	/**
	 * @template T
	 * @param {string} name
	 * @param {() => Promise<T>} fn
	 */
	const timed = async (name, fn) => {
		const t = Date.now();
		try {
			return await ui.withFailureScreenshot(page, name, fn);
		} finally {
			timings[name] = `${((Date.now() - t) / 1000).toFixed(1)} s`;
			log(`${name}: ${timings[name]}`);
		}
	};

	before(async () => {
		const t = Date.now();
		shots.clearRunShots();
		const { tarball } = await prepare(log);
		const [stackResult, browserResult] = await Promise.allSettled([
			// Always the emulator, even with GEMINI_API_KEY set: the checks below read its counters.
			startDevStack({ port: 0, tarball, useGoogle: false, log }),
			launchBrowser({ log }),
		]);
		if (stackResult.status === 'fulfilled') stack = stackResult.value;
		if (browserResult.status === 'fulfilled') browser = browserResult.value;
		if (stackResult.status === 'rejected') throw stackResult.reason;
		if (browserResult.status === 'rejected') throw browserResult.reason;
		page = browser.page;
		// Generous: on a loaded CI machine the editor's ~450 files can take half a minute to load.
		page.setDefaultTimeout(45_000);
		page.setDefaultNavigationTimeout(150_000);
		timings.setup = `${((Date.now() - t) / 1000).toFixed(1)} s`;
		log(`n8n ${stack.url} and Chromium ready (${timings.setup})`);
	});

	after(async () => {
		await browser?.close();
		await stack?.stop();
		if (stack?.home.dir) {
			if (process.env.NANO_BANANA_E2E_KEEP === '1') log(`Kept n8n home ${stack.home.dir}`);
			else fs.rmSync(stack.home.dir, { recursive: true, force: true });
		}
		log(`timings: ${JSON.stringify(timings)}; total ${((Date.now() - started) / 1000).toFixed(0)} s`);
		if (shots.updateRequested()) shots.publishShots({ log });
		else log(`screenshots in ${shots.RUN_DIR} (npm run screenshots copies changed ones into docs/screenshots/)`);
	});

	/** Emulator requests so far (method, path, prompt, ...). */
	const emulatorLog = async () => {
		assert.ok(stack.emulator, 'the dev stack runs the emulator');
		const res = await fetch(`${stack.emulator.url}/__emulator/state`);
		return /** @type {{ method: string, path: string, status: number, prompt?: string }[]} */ ((await res.json()).log);
	};

	/** Opens the Nano Banana node's panel (NDV) unless it is open. */
	const openNode = async () => {
		if (await page.locator('[data-test-id="ndv"]:visible').count()) return;
		await page.locator(NODE_SELECTOR).dblclick();
		await page.locator('[data-test-id="ndv"]').waitFor({ state: 'visible' });
	};

	/** Picks an option of the open node's "options" parameter by its label. */
	const chooseOption = async (/** @type {string} */ parameter, /** @type {string} */ label) => {
		await page.locator(`[data-test-id="parameter-input-${parameter}"]`).click();
		const options = page.locator('.el-select-dropdown__item:visible');
		await options.first().waitFor();
		const texts = await ui.visibleTexts(options);
		await options.filter({ hasText: label }).first().click();
		await page.locator('.el-select-dropdown__item:visible').first().waitFor({ state: 'hidden' }).catch(() => {});
		return texts;
	};

	/**
	 * Switches the node's authentication. n8n 2.x hides the "authentication" parameter behind the
	 * credential selector, which lists the credentials of both types; picking one sets the parameter.
	 * @param {'aiStudio' | 'vertexAi'} kind
	 */
	const chooseAuthentication = async (kind) => {
		const auth = AUTH[kind];
		const authParameter = page.locator('[data-test-id="parameter-input-authentication"]');
		if (await authParameter.isVisible()) await chooseOption('authentication', auth.label);
		await page.locator('[data-test-id="node-credentials-select"]').click();
		const item = page.locator(`[data-test-id="node-credentials-select-item-${auth.credentialId}"]`);
		await item.waitFor({ state: 'visible' });
		const listed = await ui.visibleTexts(page.locator('[data-test-id^="node-credentials-select-item-"]'));
		await item.click();
		await page.waitForTimeout(300);
		const node = await ui.nodeInEditor(page, NODE_NAME);
		assert.ok(node, 'the node is in the editor');
		assert.equal(node.parameters.authentication, kind, `authentication after choosing the ${auth.typeName} credential`);
		assert.deepEqual(Object.keys(node.credentials ?? {}), [auth.credentialType], 'the node holds exactly the chosen credential type');
		assert.equal(node.credentials?.[auth.credentialType]?.id, auth.credentialId);
		return listed;
	};

	it('finds "Nano Banana" in the node panel and adds it with an action', { timeout: 5 * 60_000 }, async () => {
		await timed('sign-in', async () => {
			await ui.signIn(page, stack.url, stack.owner);
		});
		await timed('node-panel', async () => {
			const t0 = Date.now();
			const how = await ui.navigate(page, stack.url, '/workflow/new');
			const addFirstStep = page.locator('[data-test-id="canvas-plus-button"]');
			await addFirstStep.waitFor({ state: 'visible', timeout: 150_000 });
			log(`new workflow open (${how}) after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
			await ui.dismissPopups(page);

			// A new workflow's node panel lists triggers only: start with a Manual Trigger.
			await addFirstStep.click();
			const search = page.locator('[data-test-id="node-creator-search-bar"]');
			await search.fill('Manual Trigger');
			await page.locator(ITEM_NAME).filter({ hasText: /^Manual Trigger$/ }).first().click();
			await page.locator('[data-test-id="canvas-node"][data-node-type="n8n-nodes-base.manualTrigger"]').waitFor();
			if (await page.locator('[data-test-id="ndv"]:visible').count()) await page.locator('[data-test-id="ndv-close-button"]').click();

			// The node panel ("+"), searched the way a user would.
			await page.locator('[data-test-id="node-creator-plus-button"]').click();
			await search.waitFor({ state: 'visible' });
			await search.fill('Nano Banana');
			const result = page.locator(ITEM_NAME).filter({ hasText: new RegExp(`^${NODE_DISPLAY_NAME}$`) });
			try {
				await result.first().waitFor({ state: 'visible', timeout: 15_000 });
			} catch {
				const shown = await ui.visibleTexts(
					page.locator(`${ITEM_NAME}, [data-test-id="node-creator-no-results"]`),
				);
				assert.fail(
					`The node panel's search for "Nano Banana" does not list the node. It shows: ${JSON.stringify(shown)}. ` +
						'(n8n drops nodes whose codex has category "AI" from regular searches unless subcategories.AI includes "Root Nodes".)',
				);
			}
			const description = await page
				.locator('[data-test-id="node-creator-node-item"], [data-test-id="node-creator-action-item"], [data-test-id="item-iterator-item"]')
				.filter({ has: result })
				.first()
				.innerText();
			assert.match(description, /Edit and generate images/, 'the search result shows the node description');
			await ui.saveScreenshot(page, 'node-panel.png');

			// Adding it asks for the action.
			await result.first().click();
			const edit = page.locator(ITEM_NAME).filter({ hasText: /^Edit an image$/ });
			await edit.waitFor({ state: 'visible' });
			assert.equal(await page.locator(ITEM_NAME).filter({ hasText: /^Generate an image$/ }).count(), 1, 'action "Generate an image"');
			assert.equal(await page.locator(ITEM_NAME).filter({ hasText: /^Refine an image$/ }).count(), 1, 'action "Refine an image"');
			await edit.click();
			await page.locator('[data-test-id="ndv"]').waitFor({ state: 'visible' });
			assert.match(await page.locator('[data-test-id="node-title-container"]').innerText(), /Nano Banana/);
			assert.equal(await page.locator(NODE_SELECTOR).count(), 1, `one ${config.NODE_TYPE} node on the canvas`);
			const node = await ui.nodeInEditor(page, NODE_NAME);
			assert.equal(node?.parameters.operation, 'edit', 'the "Edit an image" action sets operation=edit');
			nodeAdded = true;
		});
	});

	it('shows the right parameters per operation and authentication, and loads the model list', { timeout: 3 * 60_000 }, async (t) => {
		if (!nodeAdded) return t.skip('no Nano Banana node on the canvas: the node panel test failed');
		await timed('node-parameters', async () => {
			await openNode();
			const expectedEdit = ['Operation', 'Model', 'Prompt', 'Input Binary Fields', 'Output Binary Field', 'Options'];
			const editLabels = await ui.parameterLabels(page);
			assert.deepEqual(
				editLabels.filter((l) => expectedEdit.includes(l)),
				expectedEdit,
				`Edit shows these parameters in this order (shown: ${JSON.stringify(editLabels)})`,
			);
			assert.equal(await page.locator('[data-test-id="parameter-input-operation"] input').inputValue(), 'Edit Image');
			assert.equal(await page.locator('[data-test-id="parameter-input-inputBinaryFields"] input').inputValue(), 'data');

			// Authentication = AI Studio: the selector offers the credentials of both types.
			const requestsBefore = (await emulatorLog()).length;
			const listed = await chooseAuthentication('aiStudio');
			assert.ok(listed.some((t) => t.includes(AUTH.aiStudio.typeName)), `AI Studio credential listed: ${JSON.stringify(listed)}`);
			assert.ok(listed.some((t) => t.includes(AUTH.vertexAi.typeName)), `Vertex AI credential listed: ${JSON.stringify(listed)}`);
			const aiStudioName = stack.credentials.find((c) => c.id === CREDENTIAL_IDS.aiStudio)?.name ?? '';
			assert.equal(await page.locator('[data-test-id="node-credentials-select"] input').inputValue(), aiStudioName);

			// Model → From list: loaded from the emulator's GET /v1beta/models (n8n may fetch it as
			// soon as the credential changes).
			await page.locator('[data-test-id="rlc-input"]').click();
			const items = page.locator('[data-test-id="rlc-item"]');
			await items.filter({ hasText: 'gemini-nano-banana-2.1' }).first().waitFor({ state: 'visible', timeout: 30_000 });
			const models = await ui.visibleTexts(items);
			log(`model list: ${JSON.stringify(models)}`);
			// Issue 18: Google's recommended model first, with the name users know, although its id has
			// no "image"; the emulator's shut-down preview ids and its text models are left out.
			assert.match(models[0] ?? '', /Nano Banana 2\.1 \(gemini-nano-banana-2\.1\)/, `recommended model first: ${JSON.stringify(models)}`);
			assert.ok(models.some((m) => m.includes('Nano Banana Pro (gemini-3-pro-image)')), `models from the API: ${JSON.stringify(models)}`);
			assert.ok(!models.some((m) => /preview/.test(m)), `no preview or shut-down ids: ${JSON.stringify(models)}`);
			assert.ok(!models.some((m) => /\(gemini-2\.5-(flash|pro)\)/.test(m)), `only image models: ${JSON.stringify(models)}`);
			const listCalls = (await emulatorLog()).slice(requestsBefore).filter((r) => r.method === 'GET' && r.path.startsWith('/v1beta/models'));
			assert.ok(listCalls.length >= 1, 'the list came from GET /v1beta/models');
			// A node added now is version 2.
			assert.equal((await ui.nodeInEditor(page, NODE_NAME))?.typeVersion, 2);
			await items.filter({ hasText: '(gemini-nano-banana-2.1)' }).first().click();
			assert.match(await page.locator('[data-test-id="rlc-input"] input, input[data-test-id="rlc-input"]').first().inputValue(), /gemini-nano-banana-2\.1|Nano Banana 2\.1/);

			await page
				.locator('[data-test-id="parameter-input-prompt"] textarea, [data-test-id="parameter-input-prompt"] input')
				.first()
				.fill('Put the product on a sunny beach. Keep the product exactly as it is.');
			await page.locator('[data-test-id="node-parameters"]').click({ position: { x: 5, y: 5 } });
			await ui.saveScreenshot(page, 'node-parameters.png');

			// Operation = Generate: no input images.
			const operations = await chooseOption('operation', 'Generate Image');
			assert.ok(operations.some((o) => o.startsWith('Edit Image')) && operations.some((o) => o.startsWith('Generate Image')), JSON.stringify(operations));
			await page.locator('[data-test-id="parameter-input-inputBinaryFields"]').waitFor({ state: 'detached' });
			const generateLabels = await ui.parameterLabels(page);
			assert.ok(!generateLabels.includes('Input Binary Fields'), `Generate hides Input Binary Fields: ${JSON.stringify(generateLabels)}`);
			for (const label of ['Operation', 'Model', 'Prompt', 'Output Binary Field', 'Options']) {
				assert.ok(generateLabels.includes(label), `Generate shows ${label}: ${JSON.stringify(generateLabels)}`);
			}
			assert.equal((await ui.nodeInEditor(page, NODE_NAME))?.parameters.operation, 'generate');

			// Operation list (issue 25): Edit, Generate and Refine, shot with the list open.
			await page.locator('[data-test-id="parameter-input-operation"]').click();
			const operationItems = page.locator('.el-select-dropdown__item:visible');
			await operationItems.filter({ hasText: 'Refine Image' }).first().waitFor({ state: 'visible' });
			const listedOperations = await ui.visibleTexts(operationItems);
			assert.deepEqual(
				['Edit Image', 'Generate Image', 'Refine Image'].map((name) => listedOperations.some((o) => o.startsWith(name))),
				[true, true, true],
				JSON.stringify(listedOperations),
			);
			await ui.saveScreenshot(page, 'node-operations.png');
			await operationItems.filter({ hasText: 'Refine Image' }).first().click();
			await page.locator('[data-test-id="parameter-input-inputBinaryFields"]').waitFor({ state: 'visible' });
			const expectedRefine = ['Operation', 'Model', 'Prompt', 'Input Binary Fields', 'Output Binary Field', 'Options'];
			const refineLabels = await ui.parameterLabels(page);
			assert.deepEqual(refineLabels.filter((l) => expectedRefine.includes(l)), expectedRefine, `Refine shows: ${JSON.stringify(refineLabels)}`);
			assert.equal((await ui.nodeInEditor(page, NODE_NAME))?.parameters.operation, 'refine');
			await page
				.locator('[data-test-id="parameter-input-prompt"] textarea, [data-test-id="parameter-input-prompt"] input')
				.first()
				.fill('Now make it night, with the street lights on');
			await page.locator('[data-test-id="node-parameters"]').click({ position: { x: 5, y: 5 } });
			await ui.saveScreenshot(page, 'node-refine.png');
			await chooseOption('operation', 'Generate Image');
			assert.equal((await ui.nodeInEditor(page, NODE_NAME))?.parameters.operation, 'generate');

			// Authentication = Vertex AI: the credential becomes a Vertex one.
			await chooseAuthentication('vertexAi');
			const vertexName = stack.credentials.find((c) => c.id === CREDENTIAL_IDS.vertexAi)?.name ?? '';
			assert.equal(await page.locator('[data-test-id="node-credentials-select"] input').inputValue(), vertexName);
		});
	});

	it('renders the Vertex AI and the AI Studio credential forms', { timeout: 3 * 60_000 }, async (t) => {
		if (!nodeAdded) return t.skip('no Nano Banana node on the canvas: the node panel test failed');
		await timed('credential-forms', async () => {
			await openNode();
			if ((await ui.nodeInEditor(page, NODE_NAME))?.parameters.authentication !== 'vertexAi') await chooseAuthentication('vertexAi');

			// "Create new credential" in the selector opens the form of the current authentication's type.
			await page.locator('[data-test-id="node-credentials-select"]').click();
			await page.locator('[data-test-id="node-credentials-select-item-new"]').click();
			const modal = page.locator('[data-test-id="editCredential-modal"]');
			await modal.waitFor({ state: 'visible' });
			const fields = modal.locator('[data-test-id="credential-connection-parameter"]');
			const fieldLabels = async () =>
				(await ui.visibleTexts(fields)).map((t) => t.replace(/\s*\*?\s*Fixed Expression$/, '').replace(/\s*\*$/, '').trim());

			await modal.locator('[data-test-id="parameter-input-serviceAccountJson"]').waitFor({ state: 'visible' });
			assert.match(await modal.innerText(), /Google Vertex AI API/, 'the form is for the Vertex AI credential type');
			assert.doesNotMatch(await modal.innerText(), /Service Account API/, 'the title no longer promises a key file');
			const vertexFields = await fieldLabels();
			const expectedVertex = ['Authentication Method', 'Service Account Key (JSON)', 'Location', 'Project ID', 'Base URL'];
			assert.deepEqual(vertexFields.filter((f) => expectedVertex.includes(f)), expectedVertex, `Vertex AI fields: ${JSON.stringify(vertexFields)}`);
			assert.equal(await modal.locator('[data-test-id="parameter-input-location"] input').inputValue(), 'global', 'Location defaults to global');
			for (const hidden of ['accessToken', 'metadataProjectId', 'metadataServerUrl', 'apiKey']) {
				assert.equal(await modal.locator(`[data-test-id="parameter-input-${hidden}"]`).count(), 0, `${hidden} is not shown for a key file`);
			}
			// An empty form: no secret ends up in the screenshot.
			await ui.saveScreenshot(page, 'credential-vertex.png');

			// The runtime's identity: only the metadata server's address, no key.
			const methods = await chooseOption('authMethod', 'Google Cloud Runtime Identity');
			assert.deepEqual(
				['Service Account Key', 'Google Cloud Runtime Identity', 'Vertex AI API Key'].filter((m) => methods.some((t) => t.includes(m))).length,
				3,
				`three authentication methods: ${JSON.stringify(methods)}`,
			);
			await modal.locator('[data-test-id="parameter-input-metadataServerUrl"]').waitFor({ state: 'visible' });
			assert.equal(await modal.locator('[data-test-id="parameter-input-metadataServerUrl"] input').inputValue(), 'http://metadata.google.internal');
			assert.equal(await modal.locator('[data-test-id="parameter-input-serviceAccountJson"]').count(), 0, 'no key file field');
			await ui.saveScreenshot(page, 'credential-vertex-metadata.png');

			// A Vertex API key: a masked key field.
			await chooseOption('authMethod', 'Vertex AI API Key');
			await modal.locator('[data-test-id="parameter-input-apiKey"]').waitFor({ state: 'visible' });
			assert.equal(await modal.locator('[data-test-id="parameter-input-apiKey"] input').getAttribute('type'), 'password', 'the Vertex API key is masked');
			assert.equal(await modal.locator('[data-test-id="parameter-input-metadataServerUrl"]').count(), 0);
			await ui.saveScreenshot(page, 'credential-vertex-api-key.png');

			// The form's mode selector is the node's authentication: switch it to AI Studio.
			const modeTrigger = modal.locator('[data-test-id="credential-mode-dropdown-trigger"]');
			if (await modeTrigger.isVisible()) {
				assert.match(await modeTrigger.innerText(), new RegExp(AUTH.vertexAi.label));
				await modeTrigger.click();
				await page.getByRole('menuitem', { name: AUTH.aiStudio.label }).click();
			} else {
				await closeCredentialModal();
				await chooseAuthentication('aiStudio');
				await page.locator('[data-test-id="node-credentials-select"]').click();
				await page.locator('[data-test-id="node-credentials-select-item-new"]').click();
				await modal.waitFor({ state: 'visible' });
			}
			await modal.locator('[data-test-id="parameter-input-apiKey"]').waitFor({ state: 'visible' });
			assert.match(await modal.innerText(), /Google AI Studio API/, 'the form is for the AI Studio credential type');
			const aiStudioFields = await fieldLabels();
			assert.deepEqual(aiStudioFields.filter((f) => ['API Key', 'Base URL'].includes(f)), ['API Key', 'Base URL'], `AI Studio fields: ${JSON.stringify(aiStudioFields)}`);
			assert.equal(await modal.locator('[data-test-id="parameter-input-baseUrl"] input').inputValue(), 'https://generativelanguage.googleapis.com');
			assert.equal(await modal.locator('[data-test-id="parameter-input-apiKey"] input').getAttribute('type'), 'password', 'the API key is masked');
			await ui.saveScreenshot(page, 'credential-ai-studio.png');
			await closeCredentialModal();
		});
	});

	/** Closes the credential form without saving. */
	async function closeCredentialModal() {
		const modal = page.locator('[data-test-id="editCredential-modal"]');
		await modal.locator('.el-dialog__headerbtn').click();
		// A form with changes asks before closing.
		const confirm = page.locator('.el-message-box:visible button').filter({ hasText: /close|discard|leave|yes/i });
		await confirm.first().click({ timeout: 2_000 }).catch(() => {});
		await modal.waitFor({ state: 'hidden' });
	}

	it('runs the demo edit workflow from the editor and shows the edited image', { timeout: 4 * 60_000 }, async () => {
		await timed('edit-output', async () => {
			const demo = demoWorkflows('http://unused')[0];
			assert.equal(demo.id, DEMO_IDS.edit);
			const prompt = demo.nodes.find((/** @type {any} */ n) => n.type === config.NODE_TYPE)?.parameters.prompt;
			assert.ok(stack.workflows.some((w) => w.id === DEMO_IDS.edit), 'startDevStack imported the demo workflow');

			if (await page.locator('[data-test-id="ndv"]:visible').count()) await page.locator('[data-test-id="ndv-close-button"]').click();
			await ui.navigate(page, stack.url, `/workflow/${DEMO_IDS.edit}`);
			await page.locator(NODE_SELECTOR).waitFor({ state: 'visible', timeout: 150_000 });
			await ui.dismissPopups(page);
			assert.match(await page.locator('[data-test-id="canvas-breadcrumbs"], [data-test-id="workflow-name-input"]').first().innerText(), /Demo: edit an image/);

			const before = (await emulatorLog()).length;
			await page.locator('[data-test-id="execute-workflow-button"]').click();
			const node = page.locator(NODE_SELECTOR);
			const deadline = Date.now() + 120_000;
			for (;;) {
				if (await node.locator('[data-test-id="canvas-node-status-success"]').count()) break;
				if (await page.locator('[data-test-id="canvas-node-status-error"], [data-test-id="canvas-node-status-issues"]').count()) {
					const toast = await ui.visibleTexts(page.locator('.el-notification'));
					assert.fail(`the demo workflow failed: ${JSON.stringify(toast)}`);
				}
				assert.ok(Date.now() < deadline, 'the demo workflow finished within 2 minutes');
				await page.waitForTimeout(500);
			}
			const calls = (await emulatorLog()).slice(before).filter((r) => r.path.includes(':generateContent'));
			assert.equal(calls.length, 1, 'one generateContent request reached the emulator');
			assert.equal(calls[0].prompt, prompt);

			await node.dblclick();
			const output = page.locator('[data-test-id="output-panel"]');
			await output.waitFor({ state: 'visible' });
			await output.locator('[data-test-id="node-run-status-success"], [data-test-id="ndv-items-count"]').first().waitFor();
			const binaryTab = output.locator('[data-test-id="radio-button-binary"]');
			// One card per binary field: `data` first, then the conversation's nanoBananaTurn… fields (issue 25).
			const cards = output.locator('[data-test-id="ndv-binary-data_0"]');
			if (!(await cards.first().isVisible())) await binaryTab.click();
			const card = cards.first();
			await card.waitFor({ state: 'visible' });
			const cardText = (await card.innerText()).replace(/\s+/g, ' ');
			assert.match(cardText, /File Name: \S+-edited\.png/, `binary card: ${cardText}`);
			assert.match(cardText, /Mime Type: image\/png/, `binary card: ${cardText}`);
			const fields = (await cards.allInnerTexts()).map((text) => text.trim().split(/\s/)[0]);
			assert.deepEqual(fields, ['data', 'nanoBananaTurn1Input1', 'nanoBananaTurn1Result1'], 'the result, then the conversation\'s images');

			// View → the image itself.
			await card.locator('[data-test-id="ndv-view-binary-data"]').click();
			const img = output.locator('img[src*="binary-data"]');
			await img.waitFor({ state: 'visible' });
			await page.waitForFunction((el) => el instanceof HTMLImageElement && el.complete && el.naturalWidth > 0, await img.elementHandle());
			const shown = await img.evaluate((el) => ({ width: /** @type {HTMLImageElement} */ (el).naturalWidth, height: /** @type {HTMLImageElement} */ (el).naturalHeight }));
			const base64 = await img.evaluate(async (el) => {
				const res = await fetch(/** @type {HTMLImageElement} */ (el).src, { credentials: 'same-origin' });
				const bytes = new Uint8Array(await res.arrayBuffer());
				let s = '';
				for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
				return btoa(s);
			});
			const info = readPngInfo(Buffer.from(base64, 'base64'));
			assert.deepEqual({ width: info.width, height: info.height }, shown, 'the <img> shows the output PNG');
			assert.ok(Math.abs(info.width / info.height - 16 / 9) < 0.02, `16:9 as the demo asks (${info.width}x${info.height})`);
			assert.equal(info.meta?.prompt, prompt, 'the image the emulator made for the demo prompt');

			// Before/after: the downloaded input image on the left.
			const inputView = page.locator('[data-test-id="ndv-input-panel"] [data-test-id="ndv-view-binary-data"]');
			if (await inputView.isVisible()) {
				await inputView.click();
				await page.locator('[data-test-id="ndv-input-panel"] img[src*="binary-data"]').waitFor({ state: 'visible' }).catch(() => {});
			}
			await ui.saveScreenshot(page, 'edit-output.png');
		});
	});

	it('imports every example file through the editor (Import from File), ids and all', { timeout: 6 * 60_000 }, async () => {
		await timed('import-examples', async () => {
			for (const file of examples.exampleFileNames()) {
				const example = examples.loadExample(file);
				const nano = examples.nanoBananaNodes(example);
				assert.ok(example.id && nano.length, `${file}: has an id and a Nano Banana node`);
				// A tab of its own per file (same login): nothing an earlier test left open gets in
				// the way, and closing it needs no "leave without saving?".
				const tab = await page.context().newPage();
				try {
					await ui.withFailureScreenshot(tab, `import-${file}`, async () => {
						tab.setDefaultTimeout(45_000);
						await tab.goto(`${stack.url}/workflow/new`, { waitUntil: 'domcontentloaded', timeout: 150_000 });
						await tab.locator('[data-test-id="canvas-plus-button"]').waitFor({ state: 'visible', timeout: 150_000 });
						await ui.dismissPopups(tab);
						// What "⋯ → Import from File" clicks: the editor's hidden file input.
						await tab.locator('[data-test-id="workflow-import-input"]').setInputFiles(path.join(examples.EXAMPLES_DIR, file));
						const deadline = Date.now() + 30_000;
						let imported = await ui.nodeInEditor(tab, nano[0].name);
						while (!imported && Date.now() < deadline) {
							await tab.waitForTimeout(250);
							imported = await ui.nodeInEditor(tab, nano[0].name);
						}
						assert.ok(imported, `${file}: the editor shows "${nano[0].name}" after the import`);
						assert.equal(imported.type, config.NODE_TYPE, `${file}: node type`);
						assert.equal(imported.parameters.prompt, nano[0].parameters.prompt, `${file}: prompt kept`);
						const flow = examples.flowNodes(example).length;
						const onCanvas = await tab.locator('[data-test-id="canvas-node"]').count();
						assert.ok(onCanvas >= flow, `${file}: ${flow} nodes on the canvas (shown: ${onCanvas})`);
					});
				} finally {
					await tab.close();
				}
				log(`${file}: imported in the editor`);
			}
		});
	});
});
