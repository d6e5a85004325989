// @ts-check
'use strict';
/**
 * n8n in queue mode: one main (`n8n start`: editor, REST API, webhooks; it only enqueues) and
 * `n8n worker` processes that run the executions, all on the same user folder, database and
 * encryption key, talking through Redis (Bull). Binary data is in "database" mode, the mode
 * n8n 2.x picks for queue mode by itself (`BinaryDataConfig`: filesystem only when not queue), set
 * explicitly here so the test does not depend on that default.
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { tail, watchChild, stopGroup, waitUntil } = require('./proc');
const { n8nEnv, freePort } = require('./home');
const { startN8n } = require('./server');

/** @typedef {import('./home').N8nHome} N8nHome */

/**
 * Environment shared by main, workers and CLI commands of a queue-mode home.
 * @param {{ host: string, port: number }} redis
 * @param {Record<string, string>} [dbEnv]  DB_* variables (none: SQLite in the home)
 */
function queueEnv(redis, dbEnv = {}) {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: redis.host,
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		N8N_DEFAULT_BINARY_DATA_MODE: 'database',
		// Webhook executions are the ones that go to workers; keep the main out of running them.
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		N8N_LOG_LEVEL: 'info',
		...dbEnv,
	};
}

/**
 * @typedef {object} RunningWorker
 * @property {string} name
 * @property {number | undefined} pid
 * @property {string} logFile
 * @property {() => string} log   what the worker wrote so far
 * @property {() => Promise<void>} stop
 */

/**
 * Starts `n8n worker --concurrency=<n>` in `home` (whose env must hold the queue settings) and
 * waits for "n8n worker is now ready".
 * @param {N8nHome} home
 * @param {{ name: string, concurrency?: number, env?: Record<string, string>, timeoutMs?: number }} options
 * @returns {Promise<RunningWorker>}
 */
async function startWorker(home, options) {
	const logFile = path.join(home.dir, `${options.name}.log`);
	const out = fs.openSync(logFile, 'a');
	const env = n8nEnv(home, { N8N_RUNNERS_BROKER_PORT: String(await freePort()), ...options.env });
	const child = spawn(
		home.install.nodeBin,
		[home.install.n8nBin, 'worker', `--concurrency=${options.concurrency ?? 5}`],
		{ cwd: home.dir, env, detached: true, stdio: ['ignore', out, out] },
	);
	const { exited, exitCode } = watchChild(child);
	const read = () => {
		try {
			return fs.readFileSync(logFile, 'utf8');
		} catch {
			return '';
		}
	};
	let stopped = false;
	const stop = async () => {
		if (stopped) return;
		stopped = true;
		if (exitCode() === undefined) await stopGroup(child.pid, exited, 'SIGTERM', 20_000);
		try {
			fs.closeSync(out);
		} catch {
			/* closed */
		}
	};
	await waitUntil(() => /n8n worker is now ready/.test(read()), {
		timeoutMs: options.timeoutMs ?? 180_000,
		gone: () => exitCode() !== undefined,
		onGone: async () => {
			await stop();
			return new Error(`${options.name} exited (${exitCode()}) before it was ready:\n${tail(read())}`);
		},
		onTimeout: async () => {
			await stop();
			return new Error(`${options.name} was not ready within ${options.timeoutMs ?? 180_000} ms:\n${tail(read())}`);
		},
	});
	return { name: options.name, pid: child.pid, logFile, log: read, stop };
}

/**
 * @typedef {object} QueueCluster
 * @property {import('./server').RunningN8n} main
 * @property {RunningWorker[]} workers
 * @property {() => Promise<void>} stop
 */

/**
 * Main and `workers` workers on `home` (its env must come from `queueEnv`), started side by side:
 * call it after an n8n CLI command (e.g. an import) has created and migrated the database, so the
 * processes do not race to migrate it. The main activates the published workflows when it starts.
 * @param {N8nHome} home
 * @param {{ workers?: number, concurrency?: number, log?: (msg: string) => void }} [options]
 * @returns {Promise<QueueCluster>}
 */
async function startQueueCluster(home, options = {}) {
	const log = options.log ?? (() => {});
	if (home.env.EXECUTIONS_MODE !== 'queue') throw new Error('home.env lacks EXECUTIONS_MODE=queue (use queueEnv)');
	/** @type {RunningWorker[]} */
	const workers = [];
	/** @type {import('./server').RunningN8n | undefined} */
	let main;
	const stop = async () => {
		await Promise.all([main?.stop(), ...workers.map((w) => w.stop())]);
	};
	const started = Date.now();
	const names = Array.from({ length: options.workers ?? 2 }, (_, i) => `worker-${i + 1}`);
	const results = await Promise.allSettled([
		startN8n(home, { port: 0, log }).then((m) => {
			main = m;
			log(`main ready on ${m.url} after ${Math.round((Date.now() - started) / 1000)} s (log ${m.logFile})`);
		}),
		...names.map((name) =>
			startWorker(home, { name, concurrency: options.concurrency }).then((w) => {
				workers.push(w);
				log(`${w.name} ready after ${Math.round((Date.now() - started) / 1000)} s (pid ${w.pid}, log ${w.logFile})`);
			}),
		),
	]);
	const failed = results.find((r) => r.status === 'rejected');
	if (failed) {
		await stop();
		throw /** @type {PromiseRejectedResult} */ (failed).reason;
	}
	workers.sort((a, b) => a.name.localeCompare(b.name));
	return { main: /** @type {import('./server').RunningN8n} */ (main), workers, stop };
}

/**
 * Execution ids a worker says it ran ("Worker started execution <id> (job <job>)").
 * @param {string} logText
 * @returns {string[]}
 */
function executionsInWorkerLog(logText) {
	const text = logText.replace(/\x1b\[[0-9;]*m/g, '');
	return [...text.matchAll(/Worker started execution (\S+) \(job/g)].map((m) => m[1]);
}

module.exports = { queueEnv, startWorker, startQueueCluster, executionsInWorkerLog };
