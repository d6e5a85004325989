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
const GROUP_SCAN_MS = 500;
const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU time (user + system) a process has used so far, in ms; undefined once it is gone. @param {number} pid */
function cpuMs(pid) {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime, stime (fields 14, 15)
	} catch {
		return undefined;
	}
}

/**
 * Time the process's main thread (n8n's JavaScript thread) spent waiting for a CPU while runnable,
 * in ms (/proc/<pid>/schedstat: on-CPU ns, run-queue wait ns, slices). High values mean the
 * machine, not the workflow, was the bottleneck.
 * @param {number} pid
 */
function runQueueWaitMs(pid) {
	try {
		return Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6;
	} catch {
		return undefined;
	}
}

/** Pids of a process group (the n8n process and the task runner it starts). @param {number} pgid */
function groupMembers(pgid) {
	const pids = [];
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			if (Number(fields[2]) === pgid) pids.push(Number(entry)); // pgrp (field 5)
		} catch {
			/* gone */
		}
	}
	return pids;
}

/**
 * @typedef {object} CpuSample
 * @property {number} t         epoch ms
 * @property {number} n8n       CPU ms of the n8n process so far
 * @property {number} helpers   CPU ms of the other processes in its group (task runner)
 * @property {number} watched   CPU ms of the watched processes (the emulator)
 * @property {number} n8nWait   ms the n8n main thread waited for a CPU while runnable
 */

/**
 * @typedef {object} MeasuredExecution
 * @property {boolean} success      exit code 0 and no resultData.error
 * @property {any} run              the printed run (IRun)
 * @property {any} error            run.data.resultData.error
 * @property {number | null} exitCode
 * @property {number} wallMs        spawn to exit (includes n8n's start-up)
 * @property {number} peakRssBytes  VmHWM of the n8n process
 * @property {'exit' | 'poll'} peakSource
 * @property {Array<{ t: number, kb: number }>} hwmSeries  VmHWM as polled, one entry each time it rose (epoch ms)
 * @property {CpuSample[]} cpu      CPU time samples, for cpuBetween()
 * @property {{ epochMs: number, hrUs: number } | undefined} clock  the process's two clocks at exit
 * @property {number | undefined} processCpuMs  CPU time the n8n process used in all (start-up included)
 * @property {number | undefined} liveHeapBytes  heap still used after a forced GC at exit (only with --expose-gc)
 * @property {string} stderr
 */

/**
 * CPU ms each side used between two instants (e.g. a node's start and end), interpolated
 * between samples.
 * @param {CpuSample[]} samples
 * @param {number} from epoch ms
 * @param {number} to epoch ms
 */
function cpuBetween(samples, from, to) {
	/** @param {number} t @param {'n8n' | 'helpers' | 'watched' | 'n8nWait'} key */
	const at = (t, key) => {
		if (!samples.length) return 0;
		if (t <= samples[0].t) return samples[0][key];
		for (let i = 1; i < samples.length; i++) {
			const a = samples[i - 1];
			const b = samples[i];
			if (t <= b.t) return a[key] + ((b[key] - a[key]) * (t - a.t)) / Math.max(1, b.t - a.t);
		}
		return samples[samples.length - 1][key];
	};
	return {
		n8n: at(to, 'n8n') - at(from, 'n8n'),
		helpers: at(to, 'helpers') - at(from, 'helpers'),
		watched: at(to, 'watched') - at(from, 'watched'),
		n8nWait: at(to, 'n8nWait') - at(from, 'n8nWait'),
	};
}

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
 * @param {{ timeoutMs?: number, env?: Record<string, string>, watchPids?: number[], nodeArgs?: string[] }} [options]
 *   watchPids: other processes whose CPU time to sample (the emulator); nodeArgs: extra Node flags
 *   for the n8n process (e.g. --cpu-prof)
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
		[...(options.nodeArgs ?? []), '--require', PRELOAD, home.install.n8nBin, 'execute', `--id=${workflowId}`, '--rawOutput'],
		{ cwd: home.dir, env, detached: true, stdio: ['ignore', outFd, errFd] },
	);
	fs.closeSync(outFd);
	fs.closeSync(errFd);
	const pid = /** @type {number} */ (child.pid);
	const onParentExit = () => killGroup(pid, 'SIGKILL');
	process.once('exit', onParentExit);

	let polledHwmKb = 0;
	/** @type {Array<{ t: number, kb: number }>} */
	const hwmSeries = [];
	/** @type {CpuSample[]} */
	const cpu = [];
	/** @type {Map<number, number>} last CPU ms seen per helper pid (kept when it exits) */
	const helperCpu = new Map();
	let lastScan = 0;
	const watchPids = options.watchPids ?? [];
	const poll = setInterval(() => {
		const now = Date.now();
		const status = readStatus(pid);
		if (status && status.vmHwmKb > polledHwmKb) {
			polledHwmKb = status.vmHwmKb;
			hwmSeries.push({ t: now, kb: status.vmHwmKb });
		}
		if (now - lastScan >= GROUP_SCAN_MS) {
			lastScan = now;
			for (const member of groupMembers(pid)) if (member !== pid && !helperCpu.has(member)) helperCpu.set(member, 0);
		}
		const own = cpuMs(pid);
		if (own === undefined) return;
		for (const helper of helperCpu.keys()) {
			const used = cpuMs(helper);
			if (used !== undefined) helperCpu.set(helper, used);
		}
		cpu.push({
			t: now,
			n8n: own,
			helpers: [...helperCpu.values()].reduce((a, b) => a + b, 0),
			watched: watchPids.reduce((a, p) => a + (cpuMs(p) ?? 0), 0),
			n8nWait: runQueueWaitMs(pid) ?? 0,
		});
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
	/** @type {{ epochMs: number, hrUs: number } | undefined} */
	let clock;
	/** @type {number | undefined} */
	let processCpuMs;
	/** @type {number | undefined} */
	let liveHeapBytes;
	try {
		const record = JSON.parse(fs.readFileSync(path.join(peakDir, `${pid}.json`), 'utf8'));
		atExitKb = record.vmHwmKb;
		clock = { epochMs: record.epochMs, hrUs: record.hrUs };
		processCpuMs = record.cpuMs;
		liveHeapBytes = record.liveHeapBytes;
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
		hwmSeries,
		cpu,
		clock,
		processCpuMs,
		liveHeapBytes,
		stderr,
	};
}

module.exports = { executeMeasured, cpuBetween };
