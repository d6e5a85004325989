// @ts-check
'use strict';
/**
 * Helpers for driving n8n's editor (2.x) with playwright-core: sign-in, pop-up dismissal, SPA
 * navigation, reading a node's parameters, screenshots. Selectors are n8n's own data-test-id
 * attributes (found by dumping the DOM of n8n 2.41.1).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { RUN_DIR: SCREENSHOT_DIR } = require('./screenshots');

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('playwright-core').Locator} Locator */

const FAILURE_DIR = path.join(os.tmpdir(), 'nano-banana-browser-failures');

/** Modals that may pop up on their own (surveys, onboarding, "what's new"): never the ones a test opens. */
const EXPECTED_MODALS = new Set(['editCredential-modal']);

/**
 * Signs in on /signin and waits until the editor has left the sign-in page.
 * @param {Page} page
 * @param {string} url
 * @param {{ email: string, password: string }} owner
 */
async function signIn(page, url, owner) {
	await page.goto(`${url}/signin`, { waitUntil: 'domcontentloaded' });
	await page.locator('[data-test-id="emailOrLdapLoginId"] input, input[name="emailOrLdapLoginId"]').first().fill(owner.email);
	await page.locator('[data-test-id="password"] input, input[name="password"]').first().fill(owner.password);
	await page.locator('[data-test-id="form-submit-button"]').click();
	await page.waitForURL((u) => !u.pathname.startsWith('/signin'), { timeout: 120_000 });
	// Signed in once the main menu is there (the app redirects to its home page first).
	await page.locator('[data-test-id="project-home-menu-item"], [data-test-id="main-sidebar-settings"]').first().waitFor({ state: 'visible', timeout: 120_000 });
	await dismissPopups(page);
}

/**
 * Closes surveys, onboarding and other modals n8n opens by itself. Returns what it closed.
 * @param {Page} page
 * @returns {Promise<string[]>}
 */
async function dismissPopups(page) {
	/** @type {string[]} */
	const closed = [];
	for (let round = 0; round < 4; round++) {
		const dialogs = page.locator('.el-dialog:visible, [role="dialog"]:visible');
		const count = await dialogs.count();
		let closedOne = false;
		for (let i = 0; i < count; i++) {
			const dialog = dialogs.nth(i);
			const id = (await dialog.getAttribute('data-test-id').catch(() => null)) ?? '';
			if (EXPECTED_MODALS.has(id)) continue;
			const close = dialog
				.locator('.el-dialog__headerbtn, [data-test-id$="close-button"], [aria-label="Close"], button:has-text("Skip"), button:has-text("Dismiss")')
				.first();
			if (await close.isVisible().catch(() => false)) {
				const title = (await dialog.innerText().catch(() => '')).replace(/\s+/g, ' ').slice(0, 60);
				await close.click().catch(() => {});
				closed.push(id || title);
				closedOne = true;
				break;
			}
		}
		if (!closedOne) break;
		await page.waitForTimeout(300);
	}
	return closed;
}

/**
 * Client-side navigation through n8n's Vue router (no full page load, which takes many seconds
 * on a busy machine); falls back to page.goto when the route did not take.
 * @param {Page} page
 * @param {string} url    n8n base URL
 * @param {string} route  e.g. /workflow/new
 * @param {RegExp} [landed] the pathname once there (default: starts with the route; /workflow/new
 *                        becomes /workflow/<new id>)
 * @returns {Promise<'router' | 'reload'>} how it got there
 */
async function navigate(page, url, route, landed) {
	const target = landed ?? (route === '/workflow/new' ? /^\/workflow\/[^/]+$/ : new RegExp(`^${route.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
	const arrived = async (/** @type {number} */ timeout) =>
		page
			.waitForURL((u) => target.test(u.pathname), { timeout, waitUntil: 'commit' })
			.then(() => true)
			.catch(() => false);
	const pushed = await page
		.evaluate(async (to) => {
			const app = /** @type {any} */ (document.querySelector('#app'))?.__vue_app__;
			const router = app?.config?.globalProperties?.$router;
			if (!router) return false;
			await router.push(to);
			return true;
		}, route)
		.catch(() => false);
	// Leaving a workflow with unsaved changes asks first.
	const leave = page.getByRole('button', { name: /leave without saving/i });
	if (await leave.isVisible().catch(() => false)) await leave.click();
	if (pushed && (await arrived(15_000))) {
		// A redirect still under way (e.g. the one after sign-in) may take the app elsewhere.
		await page.waitForTimeout(500);
		if (target.test(new URL(page.url()).pathname)) return 'router';
	}
	await page.goto(`${url}${route}`, { waitUntil: 'domcontentloaded' });
	if (!(await arrived(60_000))) throw new Error(`Could not open ${route} (the editor is at ${page.url()})`);
	return 'reload';
}

/**
 * A node of the open workflow as the editor holds it (parameters after n8n applied defaults and
 * display options, credentials). Reads the Pinia store: the UI hides the "authentication"
 * parameter behind the credential selector in n8n 2.x.
 * @param {Page} page
 * @param {string} nodeName
 * @returns {Promise<{ type: string, typeVersion?: number, parameters: Record<string, any>, credentials?: Record<string, { id: string, name: string }> } | null>}
 */
async function nodeInEditor(page, nodeName) {
	return page.evaluate((name) => {
		const app = /** @type {any} */ (document.querySelector('#app'))?.__vue_app__;
		const pinia = app?.config?.globalProperties?.$pinia;
		if (!pinia) return null;
		/** @type {any[]} */
		let nodes = [];
		for (const [id, store] of pinia._s) {
			// n8n 2.x: one "workflowDocuments/<id>@<version>" store per open workflow
			if (/^workflowDocuments\/.+@/.test(id) && Array.isArray(store.allNodes) && store.allNodes.length) {
				nodes = store.allNodes;
			}
		}
		if (!nodes.length) {
			// n8n 1.x
			const workflows = pinia._s.get('workflows');
			nodes = workflows?.workflow?.nodes ?? workflows?.allNodes ?? [];
		}
		const node = nodes.find((n) => n.name === name);
		return node ? JSON.parse(JSON.stringify({ type: node.type, typeVersion: node.typeVersion, parameters: node.parameters, credentials: node.credentials })) : null;
	}, nodeName);
}

/**
 * The labels of the parameters shown in the open node's parameter panel, in order.
 * @param {Page} page
 * @returns {Promise<string[]>}
 */
async function parameterLabels(page) {
	const labels = await page
		.locator('[data-test-id="node-parameters"] [data-test-id="parameter-item"] [data-test-id="input-label"]')
		.evaluateAll((els) =>
			els.map((e) => /** @type {HTMLElement} */ (e).innerText.split('\n')[0].trim()).filter(Boolean),
		);
	return labels;
}

/**
 * Texts of the visible elements of a locator.
 * @param {Locator} locator
 * @returns {Promise<string[]>}
 */
async function visibleTexts(locator) {
	return locator.evaluateAll((els) =>
		els
			.filter((e) => /** @type {HTMLElement} */ (e).offsetParent !== null)
			.map((e) => /** @type {HTMLElement} */ (e).innerText.replace(/\s+/g, ' ').trim()),
	);
}

/**
 * Saves a PNG screenshot into .e2e/screenshots/ (git-ignored; `npm run screenshots` copies the ones
 * that changed visibly into docs/screenshots/: lib/screenshots.js).
 * @param {Page} page
 * @param {string} fileName e.g. node-panel.png
 * @returns {Promise<string>} the file written
 */
async function saveScreenshot(page, fileName) {
	fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
	const file = path.join(SCREENSHOT_DIR, fileName);
	// Park the mouse where it opens no hover toolbar or tooltip.
	await page.mouse.move((page.viewportSize()?.width ?? 1440) - 1, 1);
	await page.waitForTimeout(300);
	await page.screenshot({ path: file, type: 'png', animations: 'disabled', caret: 'hide' });
	return file;
}

/**
 * Runs a step; when it fails, saves a screenshot of the page to a temp dir and names it in the error.
 * @template T
 * @param {Page} page
 * @param {string} name
 * @param {() => Promise<T>} fn
 * @returns {Promise<T>}
 */
async function withFailureScreenshot(page, name, fn) {
	try {
		return await fn();
	} catch (err) {
		let note = '';
		try {
			fs.mkdirSync(FAILURE_DIR, { recursive: true });
			const file = path.join(FAILURE_DIR, `${name}-${Date.now()}.png`);
			await page.screenshot({ path: file, type: 'png', timeout: 15_000 });
			note = `\n(screenshot of the page at the failure: ${file})`;
		} catch {
			/* the page may be gone */
		}
		if (err instanceof Error) {
			err.message += note;
			throw err;
		}
		throw new Error(`${String(err)}${note}`);
	}
}

module.exports = {
	signIn,
	dismissPopups,
	navigate,
	nodeInEditor,
	parameterLabels,
	visibleTexts,
	saveScreenshot,
	withFailureScreenshot,
	SCREENSHOT_DIR,
};
