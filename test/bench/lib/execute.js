// @ts-check
'use strict';
/**
 * `n8n execute --id=<id> --rawOutput` like the e2e harness's executeWorkflow (same environment
 * from n8nEnv, same run-data extraction), but spawned here so the benchmark knows the n8n
 * process's pid and can read its peak memory: /proc/<pid>/status VmHWM, polled while it runs
 * and read once more by the process itself at exit (peak-rss-preload.js).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { n8nEnv, freePort, extractRunData } = require('../../e2e/lib/n8n');
const { killGroup } = require('../../e2e/lib/proc');

const PRELOAD = path.join(__dirname, 'peak-rss-preload.js');
const POLL_MS = 20;

/**
 * @typedef {object} MeasuredExecution
 * @property {boolean} success      exit code 0 and no resultData.error
 * @property {any} run              the printed run (IRun)
 * @property {any} error            run.data.resultData.error
 * @property {number | null} exitCode
 * @property {number} wallMs        spawn to exit (includes n8n's start-up)
 * @property {number} peakRssBytes  VmHWM of the n8n process
 * @property {'exit' | 'poll'} peakSource
 * @property {string} stderr
 */

/** @param {number} pid */
function readStatus(pid) {
	try {
		const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		const kb = (/** @type {string} */ key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
		return { vmHwmKb: kb('VmHWM'), vmRssKb: kb('VmRSS') };
	} catch {
		return undefined; // gone
	}
}

/**
 * @param {import('../../e2e/lib/home').N8nHome} home
 * @param {string} workflowId
 * @param {{ timeoutMs?: number, env?: Record<string, string> }} [options]
 * @returns {Promise<MeasuredExecution>}
 */
async function executeMeasured(home, workflowId, options = {}) {
	const peakDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nano-banana-bench-peak-'));
	const env = n8nEnv(home, {
		N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		NANO_BANANA_BENCH_PEAK_DIR: peakDir,
		...options.env,
	});
	// Output goes to files, not pipes: Node writes to a pipe asynchronously, and n8n's
	// process.exit() after printing a big run (tens of MB with base64 in item json) cuts it short.
	// Writes to a file are synchronous, so the whole run arrives.
	const outFile = path.join(peakDir, 'stdout.txt');
	const errFile = path.join(peakDir, 'stderr.txt');
	const outFd = fs.openSync(outFile, 'w');
	const errFd = fs.openSync(errFile, 'w');
	const started = Date.now();
	const child = spawn(
		home.install.nodeBin,
		['--require', PRELOAD, home.install.n8nBin, 'execute', `--id=${workflowId}`, '--rawOutput'],
		{ cwd: home.dir, env, detached: true, stdio: ['ignore', outFd, errFd] },
	);
	fs.closeSync(outFd);
	fs.closeSync(errFd);
	const pid = /** @type {number} */ (child.pid);
	const onParentExit = () => killGroup(pid, 'SIGKILL');
	process.once('exit', onParentExit);

	let polledHwmKb = 0;
	const poll = setInterval(() => {
		const status = readStatus(pid);
		if (status) polledHwmKb = Math.max(polledHwmKb, status.vmHwmKb);
	}, POLL_MS);
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		killGroup(pid, 'SIGKILL');
	}, options.timeoutMs ?? 5 * 60_000);

	/** @type {number | null} */
	const exitCode = await new Promise((resolve, reject) => {
		child.on('error', reject);
		child.on('close', (code) => resolve(code));
	});
	const wallMs = Date.now() - started;
	clearInterval(poll);
	clearTimeout(timer);
	process.removeListener('exit', onParentExit);
	killGroup(pid, 'SIGKILL'); // the task runner, if n8n left it behind

	let atExitKb = 0;
	try {
		atExitKb = JSON.parse(fs.readFileSync(path.join(peakDir, `${pid}.json`), 'utf8')).vmHwmKb;
	} catch {
		/* no exit record: use the polled figure */
	}
	const stdout = fs.readFileSync(outFile, 'utf8');
	const stderr = fs.readFileSync(errFile, 'utf8');
	fs.rmSync(peakDir, { recursive: true, force: true });
	if (timedOut) throw new Error(`n8n execute --id=${workflowId} timed out after ${options.timeoutMs ?? 300000} ms\n${stderr.slice(-3000)}`);
	const run = extractRunData(stdout) ?? extractRunData(`${stdout}\n${stderr}`);
	if (!run) {
		throw new Error(
			`n8n execute --id=${workflowId} printed no run data (exit ${exitCode}).\n--- stdout\n${stdout.slice(-3000)}\n--- stderr\n${stderr.slice(-3000)}`,
		);
	}
	const error = run.data?.resultData?.error;
	return {
		success: exitCode === 0 && !error,
		run,
		error,
		exitCode,
		wallMs,
		peakRssBytes: Math.max(atExitKb, polledHwmKb) * 1024,
		peakSource: atExitKb >= polledHwmKb && atExitKb > 0 ? 'exit' : 'poll',
		stderr,
	};
}

module.exports = { executeMeasured };
