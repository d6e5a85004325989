// @ts-check
'use strict';
/**
 * Runs the Google API emulator (test/emulator/cli.js) as a child process. Contract: it prints one
 * JSON line `{"url","apiKey","serviceAccountFile"}` on stdout once listening and stops on SIGTERM.
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { killGroup, sleep } = require('./proc');
const config = require('./config');

const CLI = path.join(config.REPO_ROOT, 'test', 'emulator', 'cli.js');

/**
 * @typedef {object} RunningEmulator
 * @property {string} url
 * @property {string} apiKey
 * @property {string} serviceAccountFile
 * @property {number | undefined} pid
 * @property {() => string} output   what it wrote on stderr so far (with --verbose: one line per request)
 * @property {() => Promise<void>} stop
 */

function emulatorAvailable() {
	return fs.existsSync(CLI);
}

/**
 * @param {{ args?: string[], log?: (msg: string) => void }} [options]  args: extra cli.js flags, e.g. ['--latency-ms', '200']
 * @returns {Promise<RunningEmulator>}
 */
async function startEmulator(options = {}) {
	if (!emulatorAvailable()) throw new Error(`The emulator is not there yet: ${CLI} is missing`);
	const child = spawn(process.execPath, [CLI, '--port', '0', ...(options.args ?? [])], {
		cwd: config.REPO_ROOT,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const onParentExit = () => killGroup(child.pid, 'SIGKILL');
	process.once('exit', onParentExit);
	let stderr = '';
	child.stderr.setEncoding('utf8').on('data', (d) => {
		stderr += d;
		if (stderr.length > 1_000_000) stderr = stderr.slice(-500_000);
	});
	/** @type {Promise<number | null>} */
	const exited = new Promise((resolve) =>
		child.on('exit', (code) => {
			process.removeListener('exit', onParentExit);
			resolve(code);
		}),
	);
	const info = await new Promise((resolve, reject) => {
		let stdout = '';
		const timer = setTimeout(() => {
			killGroup(child.pid, 'SIGKILL');
			reject(new Error(`Emulator printed no JSON line within ${config.TIMEOUTS.emulatorStartup} ms:\n${stdout}${stderr}`));
		}, config.TIMEOUTS.emulatorStartup);
		child.stdout.setEncoding('utf8').on('data', (d) => {
			stdout += d;
			const nl = stdout.indexOf('\n');
			if (nl < 0) return;
			clearTimeout(timer);
			try {
				resolve(JSON.parse(stdout.slice(0, nl)));
			} catch {
				killGroup(child.pid, 'SIGKILL');
				reject(new Error(`Emulator's first line is not JSON: ${stdout.slice(0, nl)}`));
			}
		});
		exited.then((code) => {
			clearTimeout(timer);
			reject(new Error(`Emulator exited (code ${code}) before it was ready:\n${stdout}${stderr}`));
		});
	});
	for (const key of ['url', 'apiKey', 'serviceAccountFile']) {
		if (typeof info[key] !== 'string') throw new Error(`Emulator JSON line lacks "${key}": ${JSON.stringify(info)}`);
	}
	options.log?.(`Emulator listening on ${info.url}`);
	let stopped = false;
	return {
		url: info.url,
		apiKey: info.apiKey,
		serviceAccountFile: info.serviceAccountFile,
		pid: child.pid,
		output: () => stderr,
		stop: async () => {
			if (stopped) return;
			stopped = true;
			killGroup(child.pid, 'SIGTERM');
			const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
			if (!done) killGroup(child.pid, 'SIGKILL');
		},
	};
}

/**
 * The emulator's control endpoints (`/__emulator/state`, `configure`, `reset`, …): GET without a
 * body, POST with one.
 * @param {string} url the emulator's base URL
 * @param {string} route e.g. 'state', 'configure'
 * @param {unknown} [body]
 */
async function controlEmulator(url, route, body) {
	const res = await fetch(`${url}/__emulator/${route}`, {
		method: body === undefined ? 'GET' : 'POST',
		headers: { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	if (!res.ok) throw new Error(`emulator ${route}: ${res.status} ${await res.text()}`);
	return await res.json();
}

module.exports = { startEmulator, emulatorAvailable, controlEmulator, EMULATOR_CLI: CLI };
