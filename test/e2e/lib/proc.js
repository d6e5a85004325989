// @ts-check
'use strict';
/** Child-process helpers: run a command to completion, with output capture and a timeout. */
const { spawn } = require('node:child_process');

/**
 * @typedef {object} RunOptions
 * @property {string} [cwd]
 * @property {NodeJS.ProcessEnv} [env] full environment (default: childEnv(), this process's without npm's settings)
 * @property {number} [timeout] ms; the process group is killed when it elapses
 * @property {boolean} [check] reject on a non-zero exit (default true)
 * @property {string} [input] written to stdin
 * @property {(chunk: string) => void} [onOutput] receives stdout and stderr as they arrive
 * @property {boolean} [inherit] pass stdout/stderr straight through to this process
 */

/**
 * @typedef {object} RunResult
 * @property {number | null} code
 * @property {NodeJS.Signals | null} signal
 * @property {string} stdout
 * @property {string} stderr
 */

/**
 * Runs a command and resolves when it exits.
 * @param {string} command
 * @param {string[]} args
 * @param {RunOptions} [options]
 * @returns {Promise<RunResult>}
 */
function run(command, args, options = {}) {
	const { cwd, env = childEnv(), timeout, check = true, input, onOutput, inherit } = options;
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, {
			cwd,
			env,
			detached: true, // own process group, so a timeout kills grandchildren too
			stdio: [input === undefined ? 'ignore' : 'pipe', inherit ? 'inherit' : 'pipe', inherit ? 'inherit' : 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		child.stdout?.setEncoding('utf8').on('data', (d) => {
			stdout += d;
			onOutput?.(d);
		});
		child.stderr?.setEncoding('utf8').on('data', (d) => {
			stderr += d;
			onOutput?.(d);
		});
		if (input !== undefined) child.stdin?.end(input);
		let timedOut = false;
		const timer = timeout
			? setTimeout(() => {
					timedOut = true;
					killGroup(child.pid, 'SIGKILL');
				}, timeout)
			: undefined;
		const onParentExit = () => killGroup(child.pid, 'SIGKILL');
		process.once('exit', onParentExit);
		child.on('error', (err) => {
			clearTimeout(timer);
			process.removeListener('exit', onParentExit);
			reject(err);
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			process.removeListener('exit', onParentExit);
			const result = { code, signal, stdout, stderr };
			const label = `${command} ${args.join(' ')}`;
			if (timedOut) {
				reject(Object.assign(new Error(`Timed out after ${timeout} ms: ${label}\n${tail(stdout + stderr)}`), result));
			} else if (check && code !== 0) {
				reject(
					Object.assign(
						new Error(`Exit ${code ?? signal}: ${label}${inherit ? '' : `\n${tail(stdout + stderr)}`}`),
						result,
					),
				);
			} else {
				resolve(result);
			}
		});
	});
}

/**
 * Sends a signal to a whole process group (started with detached: true), ignoring "no such process".
 * @param {number | undefined} pid
 * @param {NodeJS.Signals} signal
 */
function killGroup(pid, signal) {
	if (!pid) return;
	try {
		process.kill(-pid, signal);
	} catch {
		try {
			process.kill(pid, signal);
		} catch {
			/* already gone */
		}
	}
}

/**
 * Last lines of a text, for error messages.
 * @param {string} text
 * @param {number} [lines]
 */
function tail(text, lines = 40) {
	return text.split('\n').slice(-lines).join('\n');
}

/**
 * npm settings a child keeps: how to reach the registry (registry, scoped registries, proxies,
 * certificates, cache, which .npmrc files to read, auth). Everything else npm exported is dropped.
 */
const KEPT_NPM_SETTING =
	/^npm_config_(registry|@[^:]+:registry|proxy|https?_proxy|noproxy|cafile|ca|cert|key|strict_ssl|cache|userconfig|globalconfig|fetch_[a-z_]+|maxsockets|offline|prefer_offline|prefer_online|_auth[a-z_]*|\/\/.+)$/i;

/**
 * The environment for a child process: this process's, without what npm exported into it.
 *
 * `npm start` / `npm run test:e2e` run us as an npm script, and npm puts its whole configuration
 * into a script's environment (`npm_config_*`: this project's `.npmrc` gives
 * `npm_config_ignore_scripts=true`, the user's gives `npm_config_nodedir`...) next to lifecycle
 * variables (`npm_lifecycle_*`, `npm_package_*`, `npm_execpath`...). A child npm reads
 * `npm_config_*` as its own settings, so an `npm rebuild` would silently skip the build it exists
 * for. Children therefore start as if typed in a shell: a child npm reads its settings from the
 * .npmrc files it finds itself, and says explicitly what it needs on its command line.
 * @param {Record<string, string | undefined>} [extra]  set (or, with undefined, removed) on top
 * @param {NodeJS.ProcessEnv} [base]  default process.env
 * @returns {NodeJS.ProcessEnv}
 */
function childEnv(extra = {}, base = process.env) {
	/** @type {NodeJS.ProcessEnv} */
	const env = {};
	for (const [k, v] of Object.entries(base)) {
		if (!/^npm_/i.test(k) || KEPT_NPM_SETTING.test(k)) env[k] = v;
	}
	for (const [k, v] of Object.entries(extra)) {
		if (v === undefined) delete env[k];
		else env[k] = v;
	}
	return env;
}

/**
 * Runs `fn`; while it runs, logs `note(seconds so far)` every `everyMs` (30 s): a long step of a
 * cold install keeps saying it is alive.
 * @template T
 * @param {(msg: string) => void} log
 * @param {(secs: number) => string} note
 * @param {() => Promise<T>} fn
 * @param {number} [everyMs]
 * @returns {Promise<T>}
 */
async function withProgress(log, note, fn, everyMs = 30_000) {
	const started = Date.now();
	const ticker = setInterval(() => log(note(Math.round((Date.now() - started) / 1000))), everyMs);
	try {
		return await fn();
	} finally {
		clearInterval(ticker);
	}
}

/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Watches a long-running child spawned with detached: true: kills its process group if this
 * process exits first, and reports its exit (code, or 128 when killed by a signal).
 * @param {import('node:child_process').ChildProcess} child
 * @returns {{ exited: Promise<number | null>, exitCode: () => number | null | undefined }}
 *   exitCode() is undefined while the child runs
 */
function watchChild(child) {
	const onParentExit = () => killGroup(child.pid, 'SIGKILL');
	process.once('exit', onParentExit);
	/** @type {number | null | undefined} */
	let exitCode;
	/** @type {Promise<number | null>} */
	const exited = new Promise((resolve) =>
		child.on('exit', (code, signal) => {
			exitCode = code ?? (signal ? 128 : null);
			process.removeListener('exit', onParentExit);
			resolve(exitCode);
		}),
	);
	return { exited, exitCode: () => exitCode };
}

/**
 * Sends `signal` to a process group, waits up to `graceMs` for it to exit, then SIGKILLs it and
 * waits for the exit.
 * @param {number | undefined} pid
 * @param {Promise<unknown>} exited  resolves when the process has exited
 * @param {NodeJS.Signals} signal
 * @param {number} graceMs
 */
async function stopGroup(pid, exited, signal, graceMs) {
	killGroup(pid, signal);
	const done = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
	if (!done) {
		killGroup(pid, 'SIGKILL');
		await exited;
	}
}

/**
 * Polls until `ready()` returns (or resolves to) true; a throw counts as "not yet". After each
 * failed try: if `gone()` is true (the process died), throws `onGone()`; past `timeoutMs`, throws
 * `onTimeout()`; else sleeps `intervalMs`.
 * @param {() => boolean | Promise<boolean>} ready
 * @param {{ timeoutMs: number, intervalMs?: number, gone?: () => boolean,
 *   onGone?: () => Error | Promise<Error>, onTimeout: () => Error | Promise<Error> }} options
 */
async function waitUntil(ready, { timeoutMs, intervalMs = 250, gone = () => false, onGone, onTimeout }) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		try {
			if (await ready()) return;
		} catch {
			/* not yet */
		}
		if (gone()) throw onGone ? await onGone() : new Error('process exited before it was ready');
		if (Date.now() > deadline) throw await onTimeout();
		await sleep(intervalMs);
	}
}

module.exports = { run, childEnv, withProgress, killGroup, tail, sleep, watchChild, stopGroup, waitUntil };
