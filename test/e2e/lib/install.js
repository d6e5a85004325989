// @ts-check
'use strict';
/**
 * Ensures a cached n8n + Node 24 runtime exists (installs it on first use, reuses it after).
 *
 * Layout of the cache dir `${XDG_CACHE_HOME:-~/.cache}/n8n-nodes-gemini-nano-banana/n8n-<version>`:
 *   package.json        {"name":"n8n-runtime","private":true}
 *   install.log         npm output, last line `done <exit code>` once npm has finished
 *   node_modules/       n8n, node (+ node/node_modules/node-<platform>-<arch>: the Node 24 binary)
 *   .install.lock       pid of the process of ours that is installing (stale ones are taken over)
 *   .ready.json         completion marker: everything below succeeded and was verified
 *
 * Steps: 1. `npm install --ignore-scripts node@<v> n8n@<v>` (scripts off: a Kafka module's
 * download fails here; the `node` package's own preinstall is what would fetch the binary),
 * 2. the platform package `node-<platform>-<arch>@<v>` (what that preinstall would do),
 * 3. `npm rebuild sqlite3 --build-from-source --ignore-scripts=false` with Node 24 first on PATH
 * and `--nodedir=<platform package>` (its include/node holds the Node 24 headers, so node-gyp needs
 * no download; npm here is configured with nodedir=/usr, the Node 20 headers), then a check that
 * sqlite3 opens a database under Node 24.
 * Every npm here runs in childEnv() (proc.js): none of the settings of an npm that started us.
 */
const fs = require('node:fs');
const path = require('node:path');
const { run, sleep, childEnv, withProgress } = require('./proc');
const config = require('./config');

const READY_MARKER = '.ready.json';
const LOCK_FILE = '.install.lock';
const LOG_FILE = 'install.log';

/**
 * @typedef {object} N8nInstall
 * @property {string} dir       cache dir holding node_modules/n8n
 * @property {string} nodeBin   Node 24 executable
 * @property {string} n8nBin    n8n's bin script (run it with nodeBin)
 * @property {string} n8nVersion
 * @property {string} nodeVersion
 */

/**
 * @param {{ dir?: string, n8nVersion?: string, nodeVersion?: string, log?: (msg: string) => void }} [options]
 * @returns {Promise<N8nInstall>}
 */
async function ensureN8n(options = {}) {
	const dir = options.dir ?? config.N8N_INSTALL_DIR;
	const n8nVersion = options.n8nVersion ?? config.N8N_VERSION;
	const nodeVersion = options.nodeVersion ?? config.NODE_VERSION;
	const log = options.log ?? (() => {});
	const result = () => describe(dir, n8nVersion, nodeVersion);

	if (isReady(dir, n8nVersion, nodeVersion)) return result();

	fs.mkdirSync(dir, { recursive: true });
	const release = await acquireLock(dir, log);
	try {
		// Someone else may have finished while we waited for the lock.
		if (isReady(dir, n8nVersion, nodeVersion)) return result();
		const started = Date.now();
		await ensureNpmInstall(dir, n8nVersion, nodeVersion, log);
		const nodeBin = await ensureNodeBinary(dir, nodeVersion, log);
		await ensureSqliteForNode24(dir, nodeBin, log);
		fs.writeFileSync(
			path.join(dir, READY_MARKER),
			JSON.stringify({ n8nVersion, nodeVersion, nodeBin, readyAt: new Date().toISOString() }, null, 2),
		);
		log(`n8n ${n8nVersion} ready in ${dir} (${Math.round((Date.now() - started) / 1000)} s)`);
		return result();
	} finally {
		release();
	}
}

/**
 * @param {string} dir
 * @param {string} n8nVersion
 * @param {string} nodeVersion
 */
function isReady(dir, n8nVersion, nodeVersion) {
	try {
		const marker = JSON.parse(fs.readFileSync(path.join(dir, READY_MARKER), 'utf8'));
		if (marker.n8nVersion !== n8nVersion || marker.nodeVersion !== nodeVersion) return false;
		const d = describe(dir, n8nVersion, nodeVersion);
		return fs.existsSync(d.nodeBin) && fs.existsSync(d.n8nBin);
	} catch {
		return false;
	}
}

/**
 * @param {string} dir
 * @param {string} n8nVersion
 * @param {string} nodeVersion
 * @returns {N8nInstall}
 */
function describe(dir, n8nVersion, nodeVersion) {
	return {
		dir,
		nodeBin: findNodeBinary(dir) ?? path.join(platformPackageDir(dir), 'bin', 'node'),
		n8nBin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
		n8nVersion,
		nodeVersion,
	};
}

function platformPackageName() {
	const platform = process.platform === 'win32' ? 'win' : process.platform;
	const prefix = process.platform === 'darwin' && process.arch === 'arm64' ? 'node-bin' : 'node';
	return `${prefix}-${platform}-${process.arch}`;
}

/**
 * Where we install the platform package: where the `node` package's preinstall would put it.
 * @param {string} dir
 */
function platformPackageDir(dir) {
	return path.join(dir, 'node_modules', 'node', 'node_modules', platformPackageName());
}

/**
 * The platform package (holding bin/node and include/node) if present, in either place npm may
 * have put it.
 * @param {string} dir
 */
function findPlatformPackage(dir) {
	const candidates = [platformPackageDir(dir), path.join(dir, 'node_modules', platformPackageName())];
	return candidates.find((c) => fs.existsSync(path.join(c, 'bin', 'node')));
}

/** @param {string} dir */
function findNodeBinary(dir) {
	const pkg = findPlatformPackage(dir);
	return pkg ? path.join(pkg, 'bin', 'node') : undefined;
}

// ---------------------------------------------------------------- locking / waiting

/**
 * @typedef {object} LockOptions
 * @property {(dir: string) => string | undefined} [foreign]  describes an install we did not
 *   start that is still running in the dir (default: `foreignInstaller`; `() => undefined` to wait
 *   on the lock file only)
 * @property {(holder: string, secs: number) => string} [waitMessage]  the note logged every 30 s
 * @property {(holder: string) => string} [giveUpMessage]  the error once TIMEOUTS.install elapsed
 */

/**
 * Takes `<dir>/.install.lock`. While another live process holds it, or while an npm started by
 * someone else is still writing into the dir (install.log without its `done` line and a process
 * working in the dir), waits. A lock whose process is gone is taken over.
 * @param {string} dir
 * @param {(msg: string) => void} log
 * @param {LockOptions} [options]
 * @returns {Promise<() => void>} release
 */
async function acquireLock(dir, log, options = {}) {
	const {
		foreign: findForeign = foreignInstaller,
		waitMessage = (holder, secs) =>
			`Waiting for the n8n install already running in ${dir} (${holder}; ${secs} s so far; ${progressNote(dir)})`,
		giveUpMessage = (holder) => `Gave up waiting for the n8n install in ${dir} (${holder})`,
	} = options;
	const lockPath = path.join(dir, LOCK_FILE);
	const waitStart = Date.now();
	let lastNote = 0;
	for (;;) {
		const foreign = findForeign(dir);
		if (!foreign) {
			try {
				fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
				return () => {
					try {
						if (fs.readFileSync(lockPath, 'utf8') === String(process.pid)) fs.unlinkSync(lockPath);
					} catch {
						/* gone */
					}
				};
			} catch (err) {
				if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'EEXIST') throw err;
			}
		}
		const holder = foreign ?? `pid ${readPid(lockPath)}`;
		if (!foreign && !isAlive(readPid(lockPath))) {
			fs.rmSync(lockPath, { force: true }); // stale lock of a killed run
			continue;
		}
		if (Date.now() - lastNote > 30_000) {
			log(waitMessage(holder, Math.round((Date.now() - waitStart) / 1000)));
			lastNote = Date.now();
		}
		if (Date.now() - waitStart > config.TIMEOUTS.install) throw new Error(giveUpMessage(holder));
		await sleep(2000);
	}
}

/** @param {string} lockPath */
function readPid(lockPath) {
	try {
		return Number(fs.readFileSync(lockPath, 'utf8').trim()) || 0;
	} catch {
		return 0;
	}
}

/** @param {number} pid */
function isAlive(pid) {
	if (!pid) return false;
	try {
		process.kill(pid, 0);
		return true;
	} catch (err) {
		return /** @type {NodeJS.ErrnoException} */ (err).code === 'EPERM';
	}
}

/**
 * An install we did not start (no lock file of ours) that is still running: install.log has no
 * `done` line yet and some process has its working directory inside the cache dir.
 * @param {string} dir
 * @returns {string | undefined} a description of it
 */
function foreignInstaller(dir) {
	const logPath = path.join(dir, LOG_FILE);
	if (!fs.existsSync(logPath) || npmExitCode(dir) !== undefined) return undefined;
	if (fs.existsSync(path.join(dir, LOCK_FILE))) return undefined; // one of ours: handled by the lock
	const pids = processesWorkingIn(dir);
	return pids.length ? `npm started elsewhere, pid ${pids.join(',')}` : undefined;
}

/**
 * Linux only (/proc); elsewhere reports none.
 * @param {string} dir
 * @returns {number[]}
 */
function processesWorkingIn(dir) {
	/** @type {number[]} */
	const found = [];
	let entries;
	try {
		entries = fs.readdirSync('/proc');
	} catch {
		return found;
	}
	const real = fs.realpathSync(dir);
	for (const entry of entries) {
		if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
		try {
			const cwd = fs.readlinkSync(`/proc/${entry}/cwd`);
			if (cwd !== real && !cwd.startsWith(real + path.sep)) continue;
			const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
			if (/npm|node/.test(cmdline)) found.push(Number(entry));
		} catch {
			/* gone or not ours to read */
		}
	}
	return found;
}

/**
 * Exit code from install.log's final `done <code>` line; undefined while npm runs (or never ran).
 * @param {string} dir
 */
function npmExitCode(dir) {
	const m = /(?:^|\n)done (-?\d+)\s*$/.exec(readTail(path.join(dir, LOG_FILE)));
	return m ? Number(m[1]) : undefined;
}

/**
 * A short progress note: how many packages npm has unpacked so far, else its last log line.
 * @param {string} dir
 */
function progressNote(dir) {
	try {
		const count = fs.readdirSync(path.join(dir, 'node_modules')).filter((n) => !n.startsWith('.')).length;
		if (count > 0) return `${count} packages unpacked so far`;
	} catch {
		/* none yet */
	}
	const lines = readTail(path.join(dir, LOG_FILE)).trim().split('\n');
	const last = (lines[lines.length - 1] ?? '').trim().slice(0, 100);
	return last ? `npm: ${last}` : 'resolving dependencies';
}

/** @param {string} file */
function readTail(file, bytes = 4096) {
	try {
		const fd = fs.openSync(file, 'r');
		try {
			const size = fs.fstatSync(fd).size;
			const buf = Buffer.alloc(Math.min(bytes, size));
			fs.readSync(fd, buf, 0, buf.length, size - buf.length);
			return buf.toString('utf8');
		} finally {
			fs.closeSync(fd);
		}
	} catch {
		return '';
	}
}

// ---------------------------------------------------------------- the steps

/**
 * @param {string} dir
 * @param {string} n8nVersion
 * @param {string} nodeVersion
 * @param {(msg: string) => void} log
 */
async function ensureNpmInstall(dir, n8nVersion, nodeVersion, log) {
	const installed = readJson(path.join(dir, 'node_modules', 'n8n', 'package.json'))?.version;
	if (npmExitCode(dir) === 0 && installed === n8nVersion) return;
	log(
		`Installing n8n ${n8nVersion} and Node ${nodeVersion} into ${dir}\n` +
			'  (first run downloads n8n, about 3 GB: takes a few minutes; later runs reuse it)',
	);
	const pkgJson = path.join(dir, 'package.json');
	if (!fs.existsSync(pkgJson)) {
		fs.writeFileSync(pkgJson, JSON.stringify({ name: 'n8n-runtime', private: true }));
	}
	const logPath = path.join(dir, LOG_FILE);
	const out = fs.openSync(logPath, 'w');
	const started = Date.now();
	let code;
	try {
		const res = await withProgress(
			log,
			(secs) => `  ...still installing (${secs} s; ${progressNote(dir)})`,
			() =>
				run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', `node@${nodeVersion}`, `n8n@${n8nVersion}`], {
					cwd: dir,
					check: false,
					timeout: config.TIMEOUTS.install,
					onOutput: (chunk) => fs.writeSync(out, chunk),
				}),
		);
		code = res.code ?? 1;
	} finally {
		fs.writeSync(out, `\ndone ${code ?? 1}\n`);
		fs.closeSync(out);
	}
	if (code !== 0) throw new Error(`npm install of n8n failed (exit ${code}); see ${logPath}`);
	log(`  npm install finished in ${Math.round((Date.now() - started) / 1000)} s`);
}

/**
 * @param {string} dir
 * @param {string} nodeVersion
 * @param {(msg: string) => void} log
 * @returns {Promise<string>} path of the Node binary
 */
async function ensureNodeBinary(dir, nodeVersion, log) {
	let nodeBin = findNodeBinary(dir);
	if (!nodeBin || (await nodeVersionOf(nodeBin)) !== `v${nodeVersion}`) {
		const pkg = `${platformPackageName()}@${nodeVersion}`;
		log(`Fetching the Node ${nodeVersion} binary (${pkg})`);
		const nodePkgDir = path.join(dir, 'node_modules', 'node');
		if (!fs.existsSync(path.join(nodePkgDir, 'package.json'))) {
			throw new Error(`${nodePkgDir} is missing: the npm install of node@${nodeVersion} did not happen`);
		}
		await withProgress(
			log,
			(secs) => `  ...still fetching the Node ${nodeVersion} binary (${secs} s)`,
			() =>
				run('npm', ['install', '--no-save', '--no-package-lock', '--ignore-scripts', '--no-audit', '--no-fund', pkg], {
					cwd: nodePkgDir,
					timeout: config.TIMEOUTS.install,
				}),
		);
		nodeBin = findNodeBinary(dir);
		if (!nodeBin) throw new Error(`${pkg} installed but no bin/node found under ${dir}`);
	}
	const version = await nodeVersionOf(nodeBin);
	if (version !== `v${nodeVersion}`) throw new Error(`${nodeBin} reports ${version}, expected v${nodeVersion}`);
	return nodeBin;
}

/** @param {string} nodeBin */
async function nodeVersionOf(nodeBin) {
	try {
		return (await run(nodeBin, ['--version'], { timeout: 30_000 })).stdout.trim();
	} catch {
		return undefined;
	}
}

const SQLITE_PROBE = `
const sqlite3 = require(process.argv[1]);
const db = new sqlite3.Database(':memory:');
db.get('select sqlite_version() as v', (err, row) => {
  if (err) { console.error(err); process.exit(1); }
  console.log(JSON.stringify({ node: process.version, sqlite: row.v }));
  db.close();
});`;

/**
 * sqlite3 for n8n 2.x: built against the Node 24 headers of the platform package (npm here is
 * configured with nodedir=/usr, the Node 20 headers, so node-gyp needs them given explicitly).
 * @param {string} dir
 * @param {string} nodeBin
 * @param {(msg: string) => void} log
 */
async function ensureSqliteForNode24(dir, nodeBin, log) {
	const platformPkg = findPlatformPackage(dir);
	const headers = platformPkg && path.join(platformPkg, 'include', 'node', 'node.h');
	await ensureSqlite({
		dir,
		nodeBin,
		log,
		nodedir: () => {
			if (!platformPkg || !headers || !fs.existsSync(headers)) {
				throw new Error(`Node ${config.NODE_VERSION} headers not found (expected ${headers}); cannot build sqlite3 offline`);
			}
			return platformPkg;
		},
	});
}

/**
 * Makes sure n8n's sqlite3 opens a database under `nodeBin`; builds it from source when it does
 * not (n8n is installed with scripts off, so no prebuilt binary was fetched).
 * @param {object} o
 * @param {string} o.dir       the n8n install holding node_modules/sqlite3
 * @param {string} o.nodeBin   the Node that will run n8n
 * @param {() => string | undefined} o.nodedir  Node headers for node-gyp (asked only when a build is needed)
 * @param {(msg: string) => void} o.log
 * @throws {Error & { output?: string }} when the build fails (`output`: npm's output) or does not load
 */
async function ensureSqlite({ dir, nodeBin, nodedir, log }) {
	const sqliteDir = path.join(dir, 'node_modules', 'sqlite3');
	if (!fs.existsSync(sqliteDir)) throw new Error(`${sqliteDir} is missing from the n8n install`);
	const probe = () => run(nodeBin, ['-e', SQLITE_PROBE, sqliteDir], { cwd: dir, check: false, timeout: 60_000 });
	if ((await probe()).code === 0) return;

	const rebuild = sqliteRebuildCommand({ dir, nodeBin, nodedir: nodedir() });
	const nodeVersion = (await nodeVersionOf(nodeBin)) ?? nodeBin;
	log(`Building sqlite3 for Node ${nodeVersion} (about a minute)`);
	const started = Date.now();
	const res = await withProgress(
		log,
		(secs) => `  ...still building sqlite3 (${secs} s)`,
		() => run(rebuild.command, rebuild.args, { cwd: rebuild.cwd, env: rebuild.env, check: false, timeout: config.TIMEOUTS.sqliteRebuild }),
	);
	const rebuildLog = path.join(dir, 'sqlite-rebuild.log');
	fs.writeFileSync(rebuildLog, `$ ${rebuild.command} ${rebuild.args.join(' ')}\n${res.stdout}${res.stderr}`);
	if (res.code !== 0) {
		throw Object.assign(new Error(`npm rebuild sqlite3 failed (exit ${res.code}); see ${rebuildLog}`), {
			output: res.stdout + res.stderr,
		});
	}
	const check = await probe();
	if (check.code !== 0) {
		throw new Error(`sqlite3 still does not load under Node ${nodeVersion} after the rebuild (see ${rebuildLog}):\n${check.stderr}`);
	}
	log(`  sqlite3 built in ${Math.round((Date.now() - started) / 1000)} s: ${check.stdout.trim()}`);
}

/**
 * The `npm rebuild sqlite3 --build-from-source` that compiles sqlite3's native module for
 * `nodeBin`, whatever npm configuration surrounds us:
 * - scripts forced on (`--ignore-scripts=false`): the rebuild exists to run sqlite3's install
 *   script, and neither this project's `.npmrc` (`ignore-scripts=true`) nor a user's may skip it;
 * - the environment is childEnv(): none of the `npm_config_*` an `npm start` exported to us;
 * - npm itself runs on `nodeBin` when its CLI script is found, and `nodeBin`'s directory comes
 *   first on PATH, so every `node` of the build is that one.
 * @param {{ dir: string, nodeBin: string, nodedir?: string, npmCli?: string }} o
 * @returns {{ command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv }}
 */
function sqliteRebuildCommand({ dir, nodeBin, nodedir, npmCli = findNpmCli() }) {
	const args = [
		'rebuild',
		'sqlite3',
		'--build-from-source',
		'--ignore-scripts=false',
		'--foreground-scripts',
		...(nodedir ? [`--nodedir=${nodedir}`] : []),
	];
	return {
		command: npmCli ? nodeBin : 'npm',
		args: npmCli ? [npmCli, ...args] : args,
		cwd: dir,
		env: childEnv({ PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH ?? ''}` }),
	};
}

/** npm's CLI script belonging to the Node running us (or to the npm that started us). */
function findNpmCli() {
	const candidates = [
		process.env.npm_execpath,
		path.resolve(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
	];
	return candidates.find((c) => c && /npm-cli\.js$/.test(c) && fs.existsSync(c));
}

/** @param {string} file */
function readJson(file) {
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch {
		return undefined;
	}
}

module.exports = {
	ensureN8n,
	isReady,
	describe: describe,
	sqliteRebuildCommand,
	// shared with install-n8n1.js
	acquireLock,
	ensureSqlite,
	npmExitCode,
	readJson,
	READY_MARKER,
	LOG_FILE,
};
