// @ts-check
'use strict';
/**
 * An n8n "home" (N8N_USER_FOLDER): a fresh directory with the package installed the way n8n
 * installs community packages, the environment every n8n command in it runs with, and access to
 * the binary files executions write there.
 */
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { run, childEnv } = require('./proc');
const config = require('./config');

/**
 * @typedef {import('./install').N8nInstall} N8nInstall
 * @typedef {object} N8nHome
 * @property {string} dir        N8N_USER_FOLDER
 * @property {string} dotN8n     `<dir>/.n8n` (database, config, nodes/, storage/)
 * @property {string} nodesDir   `<dir>/.n8n/nodes` (community packages)
 * @property {N8nInstall} install
 * @property {Record<string, string>} env  extra environment for every n8n process in this home
 */

/**
 * Creates a fresh home and installs the package tarball into it.
 * @param {object} options
 * @param {N8nInstall} options.install  from ensureN8n()
 * @param {string} [options.tarball]    package tarball from packPackage(); omit for core nodes only
 * @param {string} [options.dir]        default: a new dir under `<tmp>/nano-banana-e2e/`
 * @param {boolean} [options.keep]      reuse `dir` if it exists instead of wiping it
 * @param {Record<string, string>} [options.env]
 * @param {(msg: string) => void} [options.log]
 * @returns {Promise<N8nHome>}
 */
async function createN8nHome(options) {
	const log = options.log ?? (() => {});
	let dir = options.dir;
	if (!dir) {
		const root = path.join(os.tmpdir(), 'nano-banana-e2e');
		fs.mkdirSync(root, { recursive: true });
		dir = fs.mkdtempSync(path.join(root, 'home-'));
	} else if (!options.keep) {
		fs.rmSync(dir, { recursive: true, force: true });
	}
	const dotN8n = path.join(dir, '.n8n');
	const nodesDir = path.join(dotN8n, 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	const pkgJson = path.join(nodesDir, 'package.json');
	if (!fs.existsSync(pkgJson)) {
		fs.writeFileSync(pkgJson, JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2));
	}
	/** @type {N8nHome} */
	const home = { dir, dotN8n, nodesDir, install: options.install, env: { ...options.env } };
	if (options.tarball) {
		log(`Installing ${path.basename(options.tarball)} into ${nodesDir}`);
		await installTarball(home, options.tarball);
	}
	return home;
}

/**
 * `npm install --omit=dev --legacy-peer-deps <tarball>` in `<home>/.n8n/nodes`, as n8n does for
 * community packages (peer dependency n8n-workflow comes from n8n itself, so it is not installed).
 * @param {N8nHome} home
 * @param {string} tarball
 */
async function installTarball(home, tarball) {
	await run(
		'npm',
		['install', '--omit=dev', '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund', path.resolve(tarball)],
		{ cwd: home.nodesDir, timeout: config.TIMEOUTS.build },
	);
	const installed = path.join(home.nodesDir, 'node_modules', config.PACKAGE_NAME, 'package.json');
	if (!fs.existsSync(installed)) throw new Error(`npm install did not produce ${installed}`);
}

/**
 * Environment for an n8n process working in `home`.
 * @param {N8nHome} home
 * @param {Record<string, string | undefined>} [extra]
 * @returns {NodeJS.ProcessEnv}
 */
function n8nEnv(home, extra = {}) {
	// Without the settings of an npm that started us (`npm start`): n8n runs npm itself.
	const env = childEnv();
	Object.assign(env, {
		PATH: `${path.dirname(home.install.nodeBin)}${path.delimiter}${process.env.PATH ?? ''}`,
		N8N_USER_FOLDER: home.dir,
		N8N_ENCRYPTION_KEY: config.ENCRYPTION_KEY,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		// Task runners are always on in n8n 2.x ("internal" mode: a child process). Each n8n process
		// gets its own broker port (callers set it) so several can run side by side.
		N8N_RUNNERS_MODE: 'internal',
		...home.env,
		...extra,
	});
	for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
	return env;
}

/** A TCP port that was free a moment ago. */
function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const addr = srv.address();
			const port = typeof addr === 'object' && addr ? addr.port : 0;
			srv.close(() => resolve(port));
		});
	});
}

/**
 * Path of a stored binary (n8n 2.x default "filesystem" mode) from its id, e.g.
 * `filesystem-v2:workflows/<wf>/executions/<exec>/binary_data/<uuid>`.
 * @param {N8nHome} home
 * @param {string} id
 */
function binaryPath(home, id) {
	const m = /^(filesystem(?:-v2)?):(.+)$/.exec(id);
	if (!m) throw new Error(`Not a file-system binary id: ${id}`);
	const storageRoot = process.env.N8N_STORAGE_PATH ?? home.env.N8N_STORAGE_PATH ?? path.join(home.dotN8n, 'storage');
	const candidates = [path.join(storageRoot, m[2]), path.join(home.dotN8n, 'binaryData', m[2])];
	return candidates.find((c) => fs.existsSync(c)) ?? candidates[0];
}

/**
 * Bytes of an output binary: pass the binary object of an item (`item.binary.data`) or its `id`.
 * Inline (base64) binaries are decoded.
 * @param {N8nHome} home
 * @param {string | { id?: string, data?: string }} binary
 * @returns {Buffer}
 */
function readBinary(home, binary) {
	if (typeof binary === 'string') return fs.readFileSync(binaryPath(home, binary));
	if (binary.id) return fs.readFileSync(binaryPath(home, binary.id));
	if (typeof binary.data === 'string') return Buffer.from(binary.data, 'base64');
	throw new Error(`Binary has neither id nor data: ${JSON.stringify(binary).slice(0, 200)}`);
}

module.exports = { createN8nHome, installTarball, n8nEnv, freePort, binaryPath, readBinary };
