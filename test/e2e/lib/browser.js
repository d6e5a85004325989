// @ts-check
'use strict';
/**
 * Debian's Chromium driven by playwright-core (devDependency), for the browser test.
 *
 *   ensureChromium({log})  installs the `chromium` Debian package when /usr/bin/chromium is missing
 *                          (`apt-get update && apt-get install -y chromium`, as root or through
 *                          `sudo -n`); `npx playwright install` cannot download browsers here.
 *   launchBrowser({log})   headless Chromium with a fresh --user-data-dir (removed by close()) and
 *                          the flags that keep it off the network: this machine has no internet and
 *                          without them Chromium floods refused connections (sync, updates, QUIC...).
 *
 * NANO_BANANA_CHROMIUM overrides the executable (default /usr/bin/chromium).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { run, childEnv } = require('./proc');

const CHROMIUM_PATH = process.env.NANO_BANANA_CHROMIUM || '/usr/bin/chromium';

const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

const APT_TIMEOUT_MS = 15 * 60_000;

/** @type {Promise<string> | undefined} */
let installing;

/**
 * Makes sure Chromium is installed; returns its path.
 * @param {{ log?: (msg: string) => void }} [options]
 * @returns {Promise<string>}
 */
function ensureChromium(options = {}) {
	if (fs.existsSync(CHROMIUM_PATH)) return Promise.resolve(CHROMIUM_PATH);
	installing ??= installChromium(options.log ?? (() => {})).finally(() => {
		installing = undefined;
	});
	return installing;
}

/** @param {(msg: string) => void} log */
async function installChromium(log) {
	if (process.env.NANO_BANANA_CHROMIUM) {
		throw new Error(`NANO_BANANA_CHROMIUM=${CHROMIUM_PATH} does not exist`);
	}
	const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
	/** @type {string[]} */
	const prefix = isRoot ? [] : ['sudo', '-n'];
	if (!isRoot && !(await commandWorks('sudo', ['-n', 'true']))) {
		throw new Error(
			`${CHROMIUM_PATH} is missing and this user can neither run apt-get nor sudo without a password: ` +
				'install it once with `sudo apt-get install -y chromium`',
		);
	}
	const env = childEnv({ DEBIAN_FRONTEND: 'noninteractive' });
	// Another apt-get (a second test process, an unattended upgrade) may hold the lock for a while.
	const lockWait = ['-o', 'DPkg::Lock::Timeout=600'];
	const apt = async (/** @type {string[]} */ args) => {
		const [command, ...rest] = [...prefix, 'apt-get', ...lockWait, ...args];
		for (let attempt = 1; ; attempt++) {
			try {
				return await run(command, rest, { env, timeout: APT_TIMEOUT_MS });
			} catch (err) {
				const text = String(/** @type {Error} */ (err).message);
				if (attempt >= 20 || !/Could not get lock|Unable to lock|is held by process/i.test(text)) throw err;
				log(`apt-get is busy (another install running), retrying in 15 s`);
				await new Promise((r) => setTimeout(r, 15_000));
			}
		}
	};
	log(`Chromium is missing: apt-get update && apt-get install -y chromium`);
	const started = Date.now();
	await apt(['update']);
	await apt(['install', '-y', 'chromium']);
	if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`apt-get installed chromium but ${CHROMIUM_PATH} is still missing`);
	log(`Chromium installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
	return CHROMIUM_PATH;
}

/**
 * @param {string} command
 * @param {string[]} args
 */
async function commandWorks(command, args) {
	try {
		await run(command, args, { timeout: 10_000 });
		return true;
	} catch {
		return false;
	}
}

/**
 * @typedef {object} Browser
 * @property {import('playwright-core').BrowserContext} context
 * @property {import('playwright-core').Page} page
 * @property {string} userDataDir
 * @property {() => Promise<void>} close  closes Chromium and removes its profile
 */

/**
 * Launches headless Chromium with a fresh profile.
 * @param {{ log?: (msg: string) => void, viewport?: { width: number, height: number } }} [options]
 * @returns {Promise<Browser>}
 */
async function launchBrowser(options = {}) {
	const executablePath = await ensureChromium(options);
	const { chromium } = require('playwright-core');
	const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nano-banana-chromium-'));
	/** @type {import('playwright-core').BrowserContext} */
	let context;
	try {
		// A persistent context is how playwright takes a --user-data-dir of our choosing.
		context = await chromium.launchPersistentContext(userDataDir, {
			executablePath,
			headless: true,
			args: CHROMIUM_ARGS,
			viewport: options.viewport ?? { width: 1440, height: 900 },
			deviceScaleFactor: 1,
			locale: 'en-US',
			timezoneId: 'UTC',
			acceptDownloads: false,
		});
	} catch (err) {
		fs.rmSync(userDataDir, { recursive: true, force: true });
		throw err;
	}
	const page = context.pages()[0] ?? (await context.newPage());
	let closed = false;
	return {
		context,
		page,
		userDataDir,
		close: async () => {
			if (closed) return;
			closed = true;
			await context.close().catch(() => {});
			fs.rmSync(userDataDir, { recursive: true, force: true });
		},
	};
}

module.exports = { ensureChromium, launchBrowser, CHROMIUM_PATH, CHROMIUM_ARGS };
