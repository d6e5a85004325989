#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * `npm run bench`: this package's node against n8n's built-in Google Gemini node and a
 * template-style HTTP Request workflow, in one run, on this machine, in the same real n8n, against
 * the same emulator, with the same input images. Prints a table and writes docs/benchmarks.md.
 *
 *   npm run bench [-- --repeat N] [--skip-build] [--keep] [--no-write] [--out FILE]
 *
 *   --repeat N     runs per timed case (default 3); the table shows the median run
 *   --skip-build   pack the current dist/ without `npm run build`
 *   --keep         keep the n8n home (printed) for inspection
 *   --no-write     print only, leave docs/benchmarks.md alone
 *   --out FILE     write the report somewhere else
 *   --only REGEX   run only the cases whose key matches (e.g. 'speed:ours'); prints the runs, no report
 *
 * What it measures (all times are n8n's own `executionTime` of the contender's node(s)):
 *   1. items/s for 40 images at 200 ms model latency: ours at Max Concurrency 1, 4, 8; the
 *      built-in node and the HTTP chain once each (they have no concurrency setting);
 *   2. per-item time at 0 ms latency (the clients' own overhead);
 *   3. peak RSS of the `n8n execute` process for 8 images of 8 MB (ours at 8, the built-in node)
 *      against the same workflow ending in a No Operation node;
 *   4. 40 images against a server that takes only 2 requests at a time (429 with RetryInfo
 *      beyond that), 200 ms latency: ours at 4 and 8, the built-in node, the HTTP chain.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const config = require('../e2e/lib/config');
const n8n = require('../e2e/lib/n8n');
const { startEmulator } = require('../e2e/lib/emulator');
const { writeImageSet, sideForBytes } = require('./lib/images');
const { executeMeasured } = require('./lib/execute');
const { nodeTime, verifyOutputs } = require('./lib/verify');
const bw = require('./lib/workflows');
const report = require('./lib/report');

const ITEMS = 40;
const LATENCY_MS = 200;
const CONCURRENCIES = [1, 4, 8];
const BIG_IMAGES = 8;
const BIG_IMAGE_BYTES = 8 * 1024 * 1024;
const SMALL_SIDE = 512; // 512×512 RGB noise: ≈ 0.75 MB, a typical product photo's size
const SERVER_IN_FLIGHT = 2;
const IN_FLIGHT_CONCURRENCIES = [4, 8];

const WORK = path.join(config.WORK_DIR, 'bench');

/** @param {string[]} argv */
function parseArgs(argv) {
	/** @type {{ repeat: number, skipBuild: boolean, keep: boolean, write: boolean, out: string, only?: RegExp }} */
	const args = { repeat: 3, skipBuild: false, keep: false, write: true, out: path.join(config.REPO_ROOT, 'docs', 'benchmarks.md') };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--skip-build') args.skipBuild = true;
		else if (a === '--keep') args.keep = true;
		else if (a === '--no-write') args.write = false;
		else if (a === '--repeat') args.repeat = Math.max(1, Number(argv[++i]) || 1);
		else if (a === '--out') args.out = path.resolve(argv[++i]);
		else if (a === '--only') {
			args.only = new RegExp(argv[++i]);
			args.write = false;
		}
		else if (a === '--help' || a === '-h') {
			process.stdout.write(`usage: npm run bench [-- --repeat N] [--skip-build] [--keep] [--no-write] [--out FILE] [--only REGEX]\n`);
			process.exit(0);
		} else throw new Error(`Unknown option ${a}`);
	}
	return args;
}

const started = Date.now();
/** @param {string} msg */
const log = (msg) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${msg}\n`);

/** @param {string} url @param {string} route @param {unknown} [body] */
async function control(url, route, body) {
	const res = await fetch(`${url}/__emulator/${route}`, {
		method: body === undefined ? 'GET' : 'POST',
		headers: { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	if (!res.ok) throw new Error(`emulator ${route}: ${res.status} ${await res.text()}`);
	return await res.json();
}

function machine() {
	const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
	const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
	let nproc = String(os.cpus().length);
	try {
		nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
	} catch {
		/* os.cpus() it is */
	}
	let osName = `${os.type()} ${os.release()}`;
	try {
		const pretty = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(fs.readFileSync('/etc/os-release', 'utf8'))?.[1];
		if (pretty) osName = `${pretty} (kernel ${os.release()})`;
	} catch {
		/* no os-release */
	}
	return { nproc, cpuModel: model, memoryBytes: os.totalmem(), os: osName, benchNode: process.version };
}

/**
 * @typedef {object} CaseSpec
 * @property {string} key           e.g. 'speed:ours:8'
 * @property {string} contender     'ours' | 'builtin' | 'http' | 'noop'
 * @property {number} [concurrency]
 * @property {string} workflowId
 * @property {string[]} timedNodes  nodes whose executionTime is summed
 * @property {string[]} chain       last node back to the reader (for verification)
 * @property {number} items
 * @property {Record<string, unknown>} emulator   emulator settings for this case
 * @property {Map<string, string>} shaByFileName
 */

/**
 * One execution of a case: configure and reset the emulator, run the workflow, read the figures.
 * @param {import('../e2e/lib/home').N8nHome} home
 * @param {{ url: string }} emulator
 * @param {CaseSpec} spec
 */
async function runOnce(home, emulator, spec) {
	await control(emulator.url, 'configure', { latencyMs: 0, maxInFlight: null, rpm: null, ...spec.emulator });
	await control(emulator.url, 'reset', {});
	const load = os.loadavg()[0];
	const exec = await executeMeasured(home, spec.workflowId);
	const state = await control(emulator.url, 'state');
	const times = spec.timedNodes.map((name) => nodeTime(exec.run, name));
	const nodeMs = times.every((t) => t !== undefined) ? times.reduce((a, b) => a + /** @type {number} */ (b), 0) : undefined;
	const verification = verifyOutputs(home, exec.run, { chain: spec.chain, shaByFileName: spec.shaByFileName });
	const lastRun = exec.run?.data?.resultData?.runData?.[spec.chain[0]];
	/** @type {number[]} */
	const attempts = (lastRun?.[lastRun.length - 1]?.data?.main?.[0] ?? [])
		.map((/** @type {any} */ item) => item?.json?.nanoBanana?.attempts)
		.filter((/** @type {unknown} */ a) => typeof a === 'number');
	const accepted = state.generateContent - state.rejectedInFlight - state.rateLimited;
	return {
		key: spec.key,
		success: exec.success,
		error: exec.error ? String(exec.error.message ?? exec.error).slice(0, 300) : undefined,
		nodeMs,
		nodeTimes: Object.fromEntries(spec.timedNodes.map((name, i) => [name, times[i]])),
		wallMs: exec.wallMs,
		peakRssBytes: exec.peakRssBytes,
		peakSource: exec.peakSource,
		loadAvg1: load,
		verification,
		attempts: attempts.length ? attempts.reduce((a, b) => a + b, 0) : undefined,
		emulator: {
			requests: state.requests,
			generateContent: state.generateContent,
			accepted,
			rejectedInFlight: state.rejectedInFlight,
			rateLimited: state.rateLimited,
			uploads: state.uploads,
			maxInFlight: state.maxInFlight,
			byStatus: state.byStatus,
		},
	};
}

/** @typedef {Awaited<ReturnType<typeof runOnce>>} RunResult */

/**
 * Runs cases `repeat` times each, interleaved (every case once, then every case again…), so a
 * change in the machine's load during the run touches all contenders alike. The report uses the
 * median run of each case.
 * @param {import('../e2e/lib/home').N8nHome} home
 * @param {{ url: string }} emulator
 * @param {CaseSpec[]} specs
 * @param {number} repeat
 * @param {RegExp | undefined} only   run just the cases whose key matches
 */
async function runCases(home, emulator, specs, repeat, only) {
	const selected = specs.filter((spec) => !only || only.test(spec.key));
	/** @type {Map<string, RunResult[]>} */
	const runs = new Map(selected.map((spec) => [spec.key, []]));
	for (let r = 0; r < repeat; r++) {
		for (const spec of selected) {
			const result = await runOnce(home, emulator, spec);
			/** @type {RunResult[]} */ (runs.get(spec.key)).push(result);
			const v = result.verification;
			log(
				`${spec.key.padEnd(16)} run ${r + 1}/${repeat}: ${result.success ? 'ok  ' : 'FAIL'} node ${fmtMs(result.nodeMs)}, ` +
					`${v.matched}/${spec.contender === 'noop' ? 0 : spec.items} images ok, peak RSS ${(result.peakRssBytes / 2 ** 20).toFixed(0)} MB, ` +
					`emulator ${result.emulator.accepted} answered / ${result.emulator.generateContent} calls, ` +
					`max in flight ${result.emulator.maxInFlight}, load ${result.loadAvg1.toFixed(1)}, wall ${fmtMs(result.wallMs)}` +
					(result.error ? ` — ${result.error.slice(0, 160)}` : ''),
			);
			if (spec.timedNodes.length > 1) {
				log(`   ${Object.entries(result.nodeTimes).map(([name, ms]) => `${name} ${fmtMs(ms)}`).join(', ')}`);
			}
			if (v.problems.length && spec.contender !== 'noop') log(`   problems: ${v.problems.join('; ')}`);
		}
	}
	return selected.map((spec) => ({ spec: { ...spec, shaByFileName: undefined }, runs: runs.get(spec.key) ?? [] }));
}

/** @param {number | undefined} ms */
const fmtMs = (ms) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(2)} s`);

async function main() {
	const args = parseArgs(process.argv.slice(2));
	const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
	const startedAt = new Date();
	const host = machine();
	const loadStart = os.loadavg();
	log(`${host.nproc} CPU(s) ${host.cpuModel}, load ${loadStart.map((l) => l.toFixed(2)).join(' ')}`);

	const install = await n8n.ensureN8n({ log });
	log(`n8n ${install.n8nVersion} on Node ${install.nodeVersion}`);
	const packDir = path.join(WORK, 'pack');
	fs.rmSync(packDir, { recursive: true, force: true });
	const tarball = await n8n.packPackage({ destDir: packDir, skipBuild: args.skipBuild, log });

	log('Writing input images');
	const imagesRoot = path.join(WORK, 'images');
	const small = writeImageSet({ dir: path.join(imagesRoot, 'small'), prefix: 'photo', count: ITEMS, side: SMALL_SIDE });
	const bigSide = sideForBytes(BIG_IMAGE_BYTES);
	const big = writeImageSet({ dir: path.join(imagesRoot, 'large'), prefix: 'camera', count: BIG_IMAGES, side: bigSide });
	const shaByFileName = new Map([...small.files, ...big.files].map((f) => [f.name, f.sha256]));
	const smallBytes = small.files.reduce((a, f) => a + f.size, 0) / small.files.length;
	const bigBytes = big.files.reduce((a, f) => a + f.size, 0) / big.files.length;
	log(`${small.files.length} × ${SMALL_SIDE}² PNG (${(smallBytes / 2 ** 20).toFixed(2)} MB each), ${big.files.length} × ${bigSide}² PNG (${(bigBytes / 2 ** 20).toFixed(2)} MB each)`);

	const home = await n8n.createN8nHome({
		install,
		tarball,
		// n8n 2.x only lets nodes read files under N8N_RESTRICT_FILE_ACCESS_TO (default ~/.n8n-files).
		env: { N8N_RESTRICT_FILE_ACCESS_TO: imagesRoot },
		log,
	});
	log(`n8n home ${home.dir}`);
	const emulator = await startEmulator({ log });
	const cleanup = async () => {
		await emulator.stop();
		if (!args.keep) fs.rmSync(home.dir, { recursive: true, force: true });
	};
	process.once('SIGINT', () => {
		cleanup().finally(() => process.exit(130));
	});

	try {
		const oursCredential = { id: 'benchAiStudio00001', name: 'Bench AI Studio (emulator)' };
		const palmCredential = { id: 'benchGooglePalm001', name: 'Bench Google Gemini (emulator)' };
		await n8n.importCredentials(home, [
			{ ...oursCredential, type: config.CREDENTIAL_TYPES.aiStudio, data: { apiKey: emulator.apiKey, baseUrl: emulator.url } },
			{ ...palmCredential, type: 'googlePalmApi', data: { host: emulator.url, apiKey: emulator.apiKey } },
		]);

		/** @type {Record<string, { id: string, timed: string[], chain: string[], workflow: any }>} */
		const flows = {};
		/** @param {string} key @param {string} glob @param {any[]} nodes @param {string[]} timed */
		const addFlow = (key, glob, nodes, timed) => {
			const id = bw.idFor(key);
			const chain = [...nodes.map((n) => n.name).reverse(), bw.NAMES.read];
			flows[key] = { id, timed, chain, workflow: bw.benchWorkflow({ id, name: `Bench: ${key}`, glob, nodes }) };
		};
		for (const c of new Set([...CONCURRENCIES, ...IN_FLIGHT_CONCURRENCIES])) {
			addFlow(`ours:${c}`, small.glob, [bw.oursNode(oursCredential, c)], [bw.NAMES.ours]);
		}
		addFlow('builtin', small.glob, [bw.builtinNode(palmCredential)], [bw.NAMES.builtin]);
		const httpNodes = bw.httpChainNodes(emulator);
		addFlow('http', small.glob, httpNodes, httpNodes.map((n) => n.name));
		addFlow('big:noop', big.glob, [bw.noopNode()], [bw.NAMES.noop]);
		addFlow('big:ours:8', big.glob, [bw.oursNode(oursCredential, 8)], [bw.NAMES.ours]);
		addFlow('big:builtin', big.glob, [bw.builtinNode(palmCredential)], [bw.NAMES.builtin]);
		await n8n.importWorkflows(home, Object.values(flows).map((f) => f.workflow));
		log(`Imported ${Object.keys(flows).length} workflows`);

		/**
		 * @param {string} key @param {string} flow @param {string} contender @param {number | undefined} concurrency
		 * @param {number} items @param {Record<string, unknown>} emu
		 * @returns {CaseSpec}
		 */
		const spec = (key, flow, contender, concurrency, items, emu) => ({
			key,
			contender,
			concurrency,
			workflowId: flows[flow].id,
			timedNodes: flows[flow].timed,
			chain: flows[flow].chain,
			items,
			emulator: emu,
			shaByFileName,
		});
		/** @param {string} title @param {CaseSpec[]} specs @param {number} times */
		const section = async (title, specs, times) => {
			if (title && specs.some((sp) => !args.only || args.only.test(sp.key))) log(title);
			return await runCases(home, emulator, specs, times, args.only);
		};
		const latency = { latencyMs: LATENCY_MS };
		const zero = { latencyMs: 0 };
		const tight = { latencyMs: LATENCY_MS, maxInFlight: SERVER_IN_FLIGHT };

		// Warm-up: n8n's first execution in a fresh home pays one-off costs (database migrations
		// were done on import, but caches, the task runner's first start…). Not reported.
		log('Warm-up run (not reported)');
		await runOnce(home, emulator, spec('warmup', 'ours:4', 'ours', 4, ITEMS, zero));

		const { repeat, only } = args;
		const results = {
			speed: await section(`1. Throughput: ${ITEMS} items at ${LATENCY_MS} ms latency`, [
				...CONCURRENCIES.map((c) => spec(`speed:ours:${c}`, `ours:${c}`, 'ours', c, ITEMS, latency)),
				spec('speed:builtin', 'builtin', 'builtin', undefined, ITEMS, latency),
				spec('speed:http', 'http', 'http', undefined, ITEMS, latency),
			], repeat),
			overhead: await section(`2. Per-item overhead: ${ITEMS} items at 0 ms latency`, [
				...[1, 8].map((c) => spec(`zero:ours:${c}`, `ours:${c}`, 'ours', c, ITEMS, zero)),
				spec('zero:builtin', 'builtin', 'builtin', undefined, ITEMS, zero),
				spec('zero:http', 'http', 'http', undefined, ITEMS, zero),
			], repeat),
			memory: await section(`3. Peak memory: ${BIG_IMAGES} images of ${(bigBytes / 2 ** 20).toFixed(1)} MB`, [
				spec('memory:noop', 'big:noop', 'noop', undefined, BIG_IMAGES, zero),
				spec('memory:ours:8', 'big:ours:8', 'ours', 8, BIG_IMAGES, zero),
				spec('memory:builtin', 'big:builtin', 'builtin', undefined, BIG_IMAGES, zero),
			], repeat),
			inflight: [
				...(await section(`4. Server taking ${SERVER_IN_FLIGHT} requests at a time, ${LATENCY_MS} ms latency`,
					IN_FLIGHT_CONCURRENCIES.map((c) => spec(`tight:ours:${c}`, `ours:${c}`, 'ours', c, ITEMS, tight)), repeat)),
				// One run each: neither can do better by repetition (one at a time / no retry).
				...(await section('', [
					spec('tight:builtin', 'builtin', 'builtin', undefined, ITEMS, tight),
					spec('tight:http', 'http', 'http', undefined, ITEMS, tight),
				], 1)),
			],
		};
		if (only) {
			log('Done (--only: no report)');
			return;
		}

		const finishedAt = new Date();
		const data = {
			command,
			startedAt: startedAt.toISOString(),
			durationS: (finishedAt.getTime() - startedAt.getTime()) / 1000,
			machine: { ...host, n8nVersion: install.n8nVersion, n8nNode: install.nodeVersion, loadStart, loadEnd: os.loadavg() },
			settings: {
				items: ITEMS,
				latencyMs: LATENCY_MS,
				repeat: args.repeat,
				smallImage: { side: SMALL_SIDE, bytes: smallBytes },
				bigImage: { side: bigSide, bytes: bigBytes, count: BIG_IMAGES },
				serverInFlight: SERVER_IN_FLIGHT,
				model: bw.MODEL,
			},
			results,
		};
		fs.mkdirSync(WORK, { recursive: true });
		fs.writeFileSync(path.join(WORK, 'results.json'), JSON.stringify(data, null, 2));
		const summary = report.summarize(data);
		process.stdout.write(`${report.textTable(summary)}\n`);
		if (args.write) {
			fs.mkdirSync(path.dirname(args.out), { recursive: true });
			fs.writeFileSync(args.out, report.markdown(summary));
			log(`Wrote ${path.relative(process.cwd(), args.out)} (raw figures: ${path.relative(process.cwd(), path.join(WORK, 'results.json'))})`);
		}
		if (args.keep) log(`Kept n8n home ${home.dir}`);
	} finally {
		await cleanup();
	}
}

main().catch((error) => {
	process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
	process.exit(1);
});
