// @ts-check
'use strict';
/**
 * A second cached n8n: the last 1.x line (1.123.x), run with this machine's own Node (20.19+),
 * for the compatibility e2e test. Same cache root as the 2.x install (`install.js`) unless
 * NANO_BANANA_N8N1_CACHE_HOME names another, its own dir:
 * `${NANO_BANANA_N8N1_CACHE_HOME:-${XDG_CACHE_HOME:-~/.cache}}/n8n-nodes-gemini-nano-banana/n8n-<version>-node<major>`.
 *
 * Steps (each skipped when already done; `.ready.json` marks the whole install as done):
 *   1. `npm install --ignore-scripts n8n@<version>` (scripts off, as for 2.x: native downloads fail
 *      here), log in `install.log`, last line `done <exit code>`;
 *   2. `npm rebuild sqlite3 --build-from-source --ignore-scripts=false` for this Node (install.js's
 *      ensureSqlite; headers from `--nodedir`: the running Node's own prefix when it ships
 *      include/node, else npm's configured nodedir), then a check that sqlite3 opens a database.
 *
 * A failure that is not ours to fix (the registry lacks a version n8n pins, no network, no
 * compiler) is thrown as an `InstallUnavailableError` so the test can skip with the reason.
 */
const fs = require('node:fs');
const path = require('node:path');
const { run, withProgress } = require('./proc');
const config = require('./config');
const { acquireLock, ensureSqlite, npmExitCode, readJson, READY_MARKER, LOG_FILE } = require('./install');

/** Last patch of n8n's 1.x line that installs from the registry (checked with `npm view n8n@1.123 version`). */
const N8N1_VERSION = process.env.NANO_BANANA_N8N1_VERSION || '1.123.81';
/** What n8n 1.123 declares in `engines.node`. */
const NODE_RANGE = { min: [20, 19, 0], maxMajor: 24 };

/** Dependencies of n8n 1.x replaced in the runtime dir (never in this package): see npmInstall. */
const RUNTIME_OVERRIDES = { xlsx: '0.18.5' };

/** The install cannot be done on this machine for a reason outside the package (skip, don't fail). */
class InstallUnavailableError extends Error {}

/**
 * @param {{ n8nVersion?: string, dir?: string, log?: (msg: string) => void }} [options]
 * @returns {Promise<import('./install').N8nInstall>}
 */
async function ensureN8n1(options = {}) {
	const n8nVersion = options.n8nVersion ?? N8N1_VERSION;
	const nodeVersion = process.versions.node;
	const log = options.log ?? (() => {});
	checkNodeVersion(nodeVersion, n8nVersion);
	const dir = options.dir ?? path.join(config.N8N1_CACHE_ROOT, `n8n-${n8nVersion}-node${nodeVersion.split('.')[0]}`);
	const result = () => describe(dir, n8nVersion, nodeVersion);
	if (isReady(dir, n8nVersion, nodeVersion)) return result();

	fs.mkdirSync(dir, { recursive: true });
	const release = await acquireLock(dir, log, {
		foreign: () => undefined, // this install waits on the lock file only
		waitMessage: (holder, secs) => `Waiting for the n8n install already running in ${dir} (${holder}, ${secs} s)`,
		giveUpMessage: (holder) => `Gave up waiting for the install in ${dir} (${holder})`,
	});
	try {
		if (isReady(dir, n8nVersion, nodeVersion)) return result();
		const started = Date.now();
		await npmInstall(dir, n8nVersion, log);
		await ensureSqliteForThisNode(dir, log);
		fs.writeFileSync(
			path.join(dir, READY_MARKER),
			JSON.stringify({ n8nVersion, nodeVersion, nodeBin: process.execPath, readyAt: new Date().toISOString() }, null, 2),
		);
		log(`n8n ${n8nVersion} ready in ${dir} on Node ${nodeVersion} (${Math.round((Date.now() - started) / 1000)} s)`);
		return result();
	} finally {
		release();
	}
}

/**
 * @param {string} nodeVersion
 * @param {string} n8nVersion
 */
function checkNodeVersion(nodeVersion, n8nVersion) {
	const [major, minor, patch] = nodeVersion.split('.').map(Number);
	const [minMajor, minMinor, minPatch] = NODE_RANGE.min;
	const tooOld =
		major < minMajor || (major === minMajor && (minor < minMinor || (minor === minMinor && patch < minPatch)));
	if (tooOld || major > NODE_RANGE.maxMajor) {
		throw new InstallUnavailableError(
			`n8n ${n8nVersion} needs Node >=${NODE_RANGE.min.join('.')} <=${NODE_RANGE.maxMajor}.x; this machine runs ${nodeVersion}`,
		);
	}
}

/**
 * @param {string} dir
 * @param {string} n8nVersion
 * @param {string} nodeVersion
 * @returns {import('./install').N8nInstall}
 */
function describe(dir, n8nVersion, nodeVersion) {
	return {
		dir,
		nodeBin: process.execPath,
		n8nBin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
		n8nVersion,
		nodeVersion,
	};
}

/**
 * @param {string} dir
 * @param {string} n8nVersion
 * @param {string} nodeVersion
 */
function isReady(dir, n8nVersion, nodeVersion) {
	const marker = readJson(path.join(dir, READY_MARKER));
	return (
		marker?.n8nVersion === n8nVersion &&
		marker?.nodeVersion === nodeVersion &&
		fs.existsSync(describe(dir, n8nVersion, nodeVersion).n8nBin)
	);
}

/**
 * @param {string} dir
 * @param {string} n8nVersion
 * @param {(msg: string) => void} log
 */
async function npmInstall(dir, n8nVersion, log) {
	const logPath = path.join(dir, LOG_FILE);
	const installed = readJson(path.join(dir, 'node_modules', 'n8n', 'package.json'))?.version;
	if (installed === n8nVersion && npmExitCode(dir) === 0) return;
	// n8n-nodes-base 1.x depends on xlsx as a tarball URL on cdn.sheetjs.com, which is not the npm
	// registry and not reachable from every machine; the registry's last xlsx (0.18.5, used only by
	// the spreadsheet nodes, none of which this package's tests run) stands in for it.
	fs.writeFileSync(
		path.join(dir, 'package.json'),
		JSON.stringify({ name: 'n8n1-runtime', private: true, overrides: RUNTIME_OVERRIDES }, null, 2),
	);
	log(`Installing n8n ${n8nVersion} into ${dir} (first run: a few minutes, about 2 GB; later runs reuse it)`);
	const out = fs.openSync(logPath, 'w');
	const started = Date.now();
	let code = 1;
	let output = '';
	try {
		const res = await withProgress(
			log,
			(secs) => `  ...still installing n8n ${n8nVersion} (${secs} s)`,
			() =>
				run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', `n8n@${n8nVersion}`], {
					cwd: dir,
					check: false,
					timeout: config.TIMEOUTS.install,
					onOutput: (chunk) => {
						fs.writeSync(out, chunk);
						output = (output + chunk).slice(-20_000);
					},
				}),
		);
		code = res.code ?? 1;
	} finally {
		fs.writeSync(out, `\ndone ${code}\n`);
		fs.closeSync(out);
	}
	if (code === 0) {
		log(`  npm install finished in ${Math.round((Date.now() - started) / 1000)} s`);
		return;
	}
	const registryProblem = /\b(ETARGET|E404|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET)\b/.exec(output);
	const detail = /npm error (?:network request to \S+ failed[^\n]*|notarget[^\n]*|404[^\n]*)/.exec(output)?.[0];
	const message =
		`npm install n8n@${n8nVersion} failed (exit ${code}${registryProblem ? `, ${registryProblem[1]}` : ''})` +
		`${detail ? `: ${detail.replace(/^npm error /, '')}` : ''}; see ${logPath}`;
	throw registryProblem ? new InstallUnavailableError(message) : new Error(message);
}

/** Headers for node-gyp: the running Node's prefix if it has them, else npm's configured nodedir. */
function nodeHeadersDir() {
	const prefix = path.resolve(path.dirname(process.execPath), '..');
	if (fs.existsSync(path.join(prefix, 'include', 'node', 'node.h'))) return prefix;
	return undefined;
}

/**
 * sqlite3 for this Node (install.js's ensureSqlite); a build that fails for want of a compiler is
 * not ours to fix: InstallUnavailableError.
 * @param {string} dir
 * @param {(msg: string) => void} log
 */
async function ensureSqliteForThisNode(dir, log) {
	try {
		await ensureSqlite({ dir, nodeBin: process.execPath, nodedir: nodeHeadersDir, log });
	} catch (error) {
		const output = /** @type {{ output?: string }} */ (error).output ?? '';
		const noToolchain = /(not found: make|gyp ERR! stack Error: not found|g\+\+: not found|No Xcode|python.*not found)/i.test(output);
		if (noToolchain && error instanceof Error) throw new InstallUnavailableError(`${error.message} (no C/C++ build tools)`);
		throw error;
	}
}

/**
 * Environment every n8n 1.x process needs on this Node. Since about 1.123.70 n8n 1.x evaluates
 * expressions with its "vm" engine by default, built on isolated-vm 6, which needs Node >= 22 (and a
 * native build, skipped by --ignore-scripts): on Node 20 the commands that evaluate expressions
 * (import:workflow, execute, start, worker) exit with "Could not initialize the vm expression
 * engine". The "legacy" engine, 1.x's default until then, is what such an install must run with.
 * @param {import('./install').N8nInstall} install
 * @returns {Record<string, string>}
 */
function n8n1Env(install) {
	return Number(install.nodeVersion.split('.')[0]) < 22 ? { N8N_EXPRESSION_ENGINE: 'legacy' } : {};
}

module.exports = { ensureN8n1, n8n1Env, InstallUnavailableError, N8N1_VERSION };
