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
 *   --cpu-prof DIR write a V8 CPU profile of every measured n8n process into DIR (slows n8n down)
 *   --from-results FILE   measure nothing: print and write the report from a saved results.json
 *
 * What it measures (all times are n8n's own `executionTime` of the contender's node(s)):
 *   1. items/s for 40 images at 200 ms model latency: ours at Max Concurrency 1, 4, 8; the
 *      built-in node and the HTTP chain once each (they have no concurrency setting);
 *   2. per-item time at 0 ms latency (the clients' own overhead);
 *   3. peak RSS of the `n8n execute` process for 8 images of 8 MB (ours at 8, the built-in node)
 *      against the same workflow ending in a No Operation node (3 s latency for ours, so all 8 are
 *      at the server at once);
 *   4. 40 images against a server that takes only 2 requests at a time (429 with RetryInfo
 *      beyond that), 200 ms latency: ours at 4 and 8, the built-in node, the HTTP chain;
 *   5. Batch Mode (batch.js): 200 images of 1 MB as one batch job against the pool and a No-Op
 *      baseline: correctness, jobs, peak extra memory, requests to Google per item.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const config = require('../e2e/lib/config');
const n8n = require('../e2e/lib/n8n');
const { startEmulator, controlEmulator: control } = require('../e2e/lib/emulator');
const { writeImageSet, sideForBytes } = require('./lib/images');
const { executeMeasured, cpuBetween } = require('./lib/execute');
const { nodeRun, nodeTime, verifyOutputs } = require('./lib/verify');
const bw = require('./lib/workflows');
const report = require('./lib/report');
const { runBatchBench, batchMarkdown, writeSection, BATCH_MARKERS, ANSWERS_MARKERS } = require('./batch');
const { SCALE_MARKERS } = require('./scale');
const { runCostBench, costMarkdown, COST_MARKERS } = require('./cost');
const scaleReport = require('./lib/scale-report');
const { runWebhookScenario } = require('./lib/webhooks');

const BASE_SECTIONS = ['speed', 'overhead', 'memory', 'inflight'];

/**
 * Blocks of docs/benchmarks.md that a run does not regenerate: the Batch Mode section (written by
 * batch.js) and notes written by hand between the notes markers (what the figures mean, e.g. why
 * the default Max Concurrency is what it is).
 */
const NOTES_MARKERS = ['<!-- notes:start -->', '<!-- notes:end -->'];

/** The block between the markers, markers included, or '' when there is none. @param {string} text @param {string[]} markers */
function markedBlock(text, [start, end]) {
	const from = text.indexOf(start);
	const to = text.indexOf(end, from);
	return from >= 0 && to > from ? text.slice(from, to + end.length) : '';
}

/**
 * Writes the report, keeping from the file it replaces the Batch Mode section (unless measured
 * again: `batchSection`), the Cost section (likewise: `costSection`) and the hand-written notes.
 * @param {string} file @param {string} markdown @param {string} [batchSection] @param {string} [costSection]
 */
function writeReport(file, markdown, batchSection, costSection) {
	fs.mkdirSync(path.dirname(file), { recursive: true });
	const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
	fs.writeFileSync(file, markdown);
	const batch = batchSection ?? markedBlock(before, BATCH_MARKERS);
	if (batch) writeSection(file, batch);
	const notes = markedBlock(before, NOTES_MARKERS);
	if (notes) fs.appendFileSync(file, `\n${notes}\n`);
	// test/bench/scale.js's section (issue 19), measured by that script alone: kept as it is.
	const scale = markedBlock(before, SCALE_MARKERS);
	if (scale) writeSection(file, scale, SCALE_MARKERS);
	const cost = costSection ?? markedBlock(before, COST_MARKERS);
	if (cost) writeSection(file, cost, COST_MARKERS);
	// `batch.js --answers` (issue 24), measured by that script alone: kept as it is.
	const answers = markedBlock(before, ANSWERS_MARKERS);
	if (answers) writeSection(file, answers, ANSWERS_MARKERS);
}

/**
 * The report from saved results: the first four sections (when measured) and issue 11's.
 * @param {any} data
 */
function render(data) {
	const base = BASE_SECTIONS.every((name) => Array.isArray(data.results?.[name])) ? report.summarize(data) : undefined;
	const text = [base ? report.textTable(base) : '', scaleReport.scaleText(data)].filter(Boolean).join('\n\n');
	const markdown = base
		? report.markdown(base).replace(/\n## Targets\n/, `\n${scaleReport.scaleMarkdown(data)}\n## Targets\n`)
		: `# Benchmarks\n\nGenerated by \`test/bench/run-bench.js\`.\n\n${scaleReport.scaleMarkdown(data)}`;
	return { text, markdown };
}

const ITEMS = 40;
const LATENCY_MS = 200;
const CONCURRENCIES = [1, 4, 8];
const BIG_IMAGES = 8;
const BIG_IMAGE_BYTES = 8 * 1024 * 1024;
const SMALL_SIDE = 512; // 512×512 RGB noise: ≈ 0.75 MB, a typical product photo's size
/**
 * Model latency in the memory cases. Ours: long enough that all 8 requests are at the server at
 * once (the emulator parses an 11 MB body in ~0.3 s, one after the other); its max-in-flight
 * counter confirms it. The built-in node holds one image at a time anyway.
 */
const MEMORY_LATENCY_MS = { ours: 3000, other: 500 };
const SERVER_IN_FLIGHT = 2;
const IN_FLIGHT_CONCURRENCIES = [4, 8];

// Issue 11: quotas, many executions, 1000 items, realistic latency (see lib/scale-report.js).
/** Rate-limited server: starts per clock second (429 with RetryInfo only beyond). */
const RATE_PER_SECOND = 4;
/** Rate-limited server: starts per clock minute (429 naming the per-minute quota beyond). */
const RATE_PER_MINUTE = 30;
const RATE_CONCURRENCIES = [8, 32];
/** Max Requests per Minute set 5% under the quota, for the "with pacing set" rows. */
const pacedRpm = (/** @type {number} */ perMinute) => Math.floor(perMinute * 0.95);
const THOUSAND = { items: [100, 1000], bytes: 1024 * 1024, latencyMs: 50, concurrency: 8 };
const LATENCY = { items: 64, latencyMs: 3000, concurrencies: [1, 4, 8, 16, 32] };
const WEBHOOKS = { executions: 20, itemsEach: 5, perSecond: 4, concurrency: 4 };

/** Sections of the report, each selectable with --scenario. */
const SCENARIOS = ['speed', 'overhead', 'memory', 'inflight', 'rate', 'rateMinute', 'webhooks', 'thousand', 'latency', 'batch', 'cost'];
/** Scenarios with a module and a docs section of their own (not in results.json). */
const OWN_SECTIONS = ['batch', 'cost'];

const WORK = path.join(config.WORK_DIR, 'bench');

/** @param {string[]} argv */
function parseArgs(argv) {
	/** @type {{ repeat: number, skipBuild: boolean, keep: boolean, write: boolean, out: string, only?: RegExp, profileDir?: string, fromResults?: string, scenarios?: string[] }} */
	const args = { repeat: 3, skipBuild: false, keep: false, write: true, out: path.join(config.REPO_ROOT, 'docs', 'benchmarks.md') };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--skip-build') args.skipBuild = true;
		else if (a === '--keep') args.keep = true;
		else if (a === '--no-write') args.write = false;
		else if (a === '--repeat') args.repeat = Math.max(1, Number(argv[++i]) || 1);
		else if (a === '--out') args.out = path.resolve(argv[++i]);
		else if (a === '--cpu-prof') args.profileDir = path.resolve(argv[++i]);
		else if (a === '--from-results') args.fromResults = path.resolve(argv[++i]);
		else if (a === '--scenario') {
			args.scenarios = String(argv[++i]).split(',').map((name) => name.trim()).filter(Boolean);
			const unknown = args.scenarios.filter((name) => !SCENARIOS.includes(name));
			if (unknown.length) throw new Error(`Unknown scenario ${unknown.join(', ')}; scenarios: ${SCENARIOS.join(', ')}`);
		}
		else if (a === '--only') {
			args.only = new RegExp(argv[++i]);
			args.write = false;
		}
		else if (a === '--help' || a === '-h') {
			process.stdout.write(`usage: npm run bench [-- --scenario ${SCENARIOS.join(',')}] [--repeat N] [--skip-build] [--keep] [--no-write] [--out FILE] [--only REGEX]\n`);
			process.exit(0);
		} else throw new Error(`Unknown option ${a}`);
	}
	return args;
}

const started = Date.now();
/** @param {string} msg */
const log = (msg) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${msg}\n`);


/** The commit measured, and whether the shipped sources differ from it. */
function gitInfo() {
	try {
		const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: config.REPO_ROOT, encoding: 'utf8' }).trim();
		const dirty = execFileSync('git', ['status', '--porcelain', '--', 'nodes', 'credentials', 'package.json'], { cwd: config.REPO_ROOT, encoding: 'utf8' }).trim() !== '';
		return { commit, dirty };
	} catch {
		return undefined;
	}
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
 * @property {number} [maxRuns]   fewer runs than --repeat (the slow HTTP chain)
 * @property {Record<string, string>} [env]   extra environment for the n8n process
 * @property {number} [idealMs]   best time the server's limits allow (limited-server cases)
 */

/**
 * One execution of a case: configure and reset the emulator, run the workflow, read the figures.
 * @param {import('../e2e/lib/home').N8nHome} home
 * @param {{ url: string, pid?: number }} emulator
 * @param {CaseSpec} spec
 * @param {{ profileDir?: string }} [options]
 */
async function runOnce(home, emulator, spec, options = {}) {
	await control(emulator.url, 'configure', { latencyMs: 0, maxInFlight: null, rpm: null, startsPerSecond: null, startsPerMinute: null, ...spec.emulator });
	await control(emulator.url, 'reset', {});
	const load = os.loadavg()[0];
	const profileName = `${spec.key.replace(/\W+/g, '-')}-${Date.now()}`;
	const exec = await executeMeasured(home, spec.workflowId, {
		watchPids: emulator.pid ? [emulator.pid] : [],
		env: spec.env,
		nodeArgs: options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`, `--cpu-prof-name=${profileName}.cpuprofile`] : [],
	});
	const state = await control(emulator.url, 'state');
	const times = spec.timedNodes.map((name) => nodeTime(exec.run, name));
	const nodeMs = times.every((t) => t !== undefined) ? times.reduce((a, b) => a + /** @type {number} */ (b), 0) : undefined;
	// CPU used while the contender's nodes ran: n8n, its task runner (Code nodes), the emulator.
	const windows = spec.timedNodes.map((name) => nodeRun(exec.run, name)).filter((r) => typeof r?.startTime === 'number');
	const cpu = windows.length
		? cpuBetween(exec.cpu, Math.min(...windows.map((r) => r.startTime)), Math.max(...windows.map((r) => r.startTime + (r.executionTime ?? 0))))
		: undefined;
	if (options.profileDir && windows.length && exec.clock) {
		// Tells profile-summary.js which part of the profile is the contender's nodes at work.
		fs.writeFileSync(
			path.join(options.profileDir, `${profileName}.window.json`),
			JSON.stringify({
				key: spec.key,
				items: spec.items,
				startEpochMs: Math.min(...windows.map((r) => r.startTime)),
				endEpochMs: Math.max(...windows.map((r) => r.startTime + (r.executionTime ?? 0))),
				clock: exec.clock,
			}),
		);
	}
	const verification = verifyOutputs(home, exec.run, { chain: spec.chain, shaByFileName: spec.shaByFileName });
	const lastRun = exec.run?.data?.resultData?.runData?.[spec.chain[0]];
	/** @type {number[]} */
	const attempts = (lastRun?.[lastRun.length - 1]?.data?.main?.[0] ?? [])
		.map((/** @type {any} */ item) => item?.json?.nanoBanana?.attempts)
		.filter((/** @type {unknown} */ a) => typeof a === 'number');
	const accepted = state.generateContent - state.rejectedInFlight - state.rateLimited;
	// generateContent calls in order of start (ms after the first) with their status: shows where
	// a client paused (kept for the limited-server cases, where pacing is what is measured).
	const calls = (state.log ?? [])
		.filter((/** @type {any} */ e) => /:generateContent$/.test(e.path))
		.sort((/** @type {any} */ a, /** @type {any} */ b) => a.t - b.t);
	const limited = ['maxInFlight', 'startsPerSecond', 'startsPerMinute'].some((option) => spec.emulator[option] !== undefined);
	const timeline = limited && calls.length
		? calls.map((/** @type {any} */ e) => [e.t - calls[0].t, e.status])
		: undefined;
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
		cpuMs: cpu,
		processCpuMs: exec.processCpuMs,
		verification,
		attempts: attempts.length ? attempts.reduce((a, b) => a + b, 0) : undefined,
		timeline,
		// Epoch ms of the first generateContent start: where in the quota's clock window the run began.
		firstCallAt: limited && calls.length ? calls[0].t : undefined,
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
 * @param {string} [profileDir]
 */
async function runCases(home, emulator, specs, repeat, only, profileDir) {
	const selected = specs.filter((spec) => !only || only.test(spec.key));
	/** @type {Map<string, RunResult[]>} */
	const runs = new Map(selected.map((spec) => [spec.key, []]));
	for (let r = 0; r < repeat; r++) {
		for (const spec of selected) {
			if (spec.maxRuns !== undefined && r >= spec.maxRuns) continue;
			const result = await runOnce(home, emulator, spec, { profileDir });
			/** @type {RunResult[]} */ (runs.get(spec.key)).push(result);
			const v = result.verification;
			log(
				`${spec.key.padEnd(16)} run ${r + 1}/${Math.min(repeat, spec.maxRuns ?? repeat)}: ${result.success ? 'ok  ' : 'FAIL'} node ${fmtMs(result.nodeMs)}, ` +
					`${v.matched}/${spec.contender === 'noop' ? 0 : spec.items} images ok, peak RSS ${(result.peakRssBytes / 2 ** 20).toFixed(0)} MB, ` +
					`emulator ${result.emulator.accepted} answered / ${result.emulator.generateContent} calls, ` +
					`max in flight ${result.emulator.maxInFlight}, load ${result.loadAvg1.toFixed(1)}, wall ${fmtMs(result.wallMs)}` +
					(result.processCpuMs ? `, n8n process CPU ${fmtMs(result.processCpuMs)}` : '') +
					(result.cpuMs ? `, CPU ms/item n8n ${(result.cpuMs.n8n / spec.items).toFixed(0)} runner ${(result.cpuMs.helpers / spec.items).toFixed(0)} emulator ${(result.cpuMs.watched / spec.items).toFixed(0)}, n8n waited for a CPU ${(result.cpuMs.n8nWait / spec.items).toFixed(0)}` : '') +
					(result.error ? ` — ${result.error.slice(0, 160)}` : ''),
			);
			if (result.timeline && only) {
				log(`   calls (ms after the first: status): ${result.timeline.map((/** @type {any} */ [t, st]) => `${t}${st === 200 ? '' : `:${st}`}`).join(' ')}`);
			}
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
	if (args.fromResults) {
		const rendered = render(JSON.parse(fs.readFileSync(args.fromResults, 'utf8')));
		process.stdout.write(`${rendered.text}\n`);
		if (args.write) writeReport(args.out, rendered.markdown);
		return;
	}
	const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
	const startedAt = new Date();
	const host = machine();
	const git = gitInfo();
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
	// Issue 11's sets: 64 photos for the latency case, 100 (5 per webhook call) for the webhook
	// executions, 1000 of 1 MB (the first 100 of them linked into a folder of their own).
	const latencySet = writeImageSet({ dir: path.join(imagesRoot, 'latency'), prefix: 'shot', count: LATENCY.items, side: SMALL_SIDE });
	const webhookImages = writeImageSet({ dir: path.join(imagesRoot, 'webhooks'), prefix: 'upload', count: WEBHOOKS.executions * WEBHOOKS.itemsEach, side: 256 });
	const thousandSide = sideForBytes(THOUSAND.bytes);
	log(`Writing ${THOUSAND.items[1]} images of ${THOUSAND.bytes / 2 ** 20} MB (first run only; cached after)`);
	const thousand = writeImageSet({ dir: path.join(imagesRoot, 'thousand'), prefix: 'item', count: THOUSAND.items[1], side: thousandSide });
	const hundredDir = path.join(imagesRoot, 'hundred');
	fs.rmSync(hundredDir, { recursive: true, force: true });
	fs.mkdirSync(hundredDir, { recursive: true });
	for (const f of thousand.files.slice(0, THOUSAND.items[0])) fs.linkSync(f.file, path.join(hundredDir, f.name));
	const thousandGlobs = { [THOUSAND.items[0]]: `${hundredDir.split(path.sep).join('/')}/item-*.png`, [THOUSAND.items[1]]: thousand.glob };
	const shaByFileName = new Map(
		[...small.files, ...big.files, ...latencySet.files, ...webhookImages.files, ...thousand.files].map((f) => [f.name, f.sha256]),
	);
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
		for (const c of new Set([...CONCURRENCIES, ...IN_FLIGHT_CONCURRENCIES, ...RATE_CONCURRENCIES])) {
			addFlow(`ours:${c}`, small.glob, [bw.oursNode(oursCredential, c)], [bw.NAMES.ours]);
		}
		addFlow('builtin', small.glob, [bw.builtinNode(palmCredential)], [bw.NAMES.builtin]);
		const httpNodes = bw.httpChainNodes(emulator);
		addFlow('http', small.glob, httpNodes, httpNodes.map((n) => n.name));
		addFlow('big:noop', big.glob, [bw.noopNode()], [bw.NAMES.noop]);
		addFlow('big:ours:8', big.glob, [bw.oursNode(oursCredential, 8)], [bw.NAMES.ours]);
		addFlow('big:builtin', big.glob, [bw.builtinNode(palmCredential)], [bw.NAMES.builtin]);
		for (const c of RATE_CONCURRENCIES) {
			for (const rpm of [pacedRpm(RATE_PER_SECOND * 60), pacedRpm(RATE_PER_MINUTE)]) {
				addFlow(`ours:${c}:rpm${rpm}`, small.glob, [bw.oursNode(oursCredential, c, { requestsPerMinute: rpm })], [bw.NAMES.ours]);
			}
		}
		for (const n of THOUSAND.items) {
			addFlow(`thousand:${n}`, thousandGlobs[n], [bw.oursNode(oursCredential, THOUSAND.concurrency)], [bw.NAMES.ours]);
			// n8n's own growth with the item count (run data, binary metadata), without our node, and
			// with n8n's own Gemini node (the same per-request machinery: credential, HTTP client).
			addFlow(`thousand:noop:${n}`, thousandGlobs[n], [bw.noopNode()], [bw.NAMES.noop]);
			addFlow(`thousand:builtin:${n}`, thousandGlobs[n], [bw.builtinNode(palmCredential)], [bw.NAMES.builtin]);
		}
		for (const c of LATENCY.concurrencies) addFlow(`latency:ours:${c}`, latencySet.glob, [bw.oursNode(oursCredential, c)], [bw.NAMES.ours]);
		addFlow('latency:builtin', latencySet.glob, [bw.builtinNode(palmCredential)], [bw.NAMES.builtin]);
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
			return await runCases(home, emulator, specs, times, args.only, args.profileDir);
		};
		const latency = { latencyMs: LATENCY_MS };
		const zero = { latencyMs: 0 };
		const hold = { latencyMs: MEMORY_LATENCY_MS.ours };
		const holdOther = { latencyMs: MEMORY_LATENCY_MS.other };
		// The template chain's Code nodes take 10–50 s a run here; one run per section keeps the
		// bench short, and it is context, not a target.
		/** @param {CaseSpec} c */
		const once = (c) => ({ ...c, maxRuns: 1 });
		const tight = { latencyMs: LATENCY_MS, maxInFlight: SERVER_IN_FLIGHT };

		// Warm-up: n8n's first execution in a fresh home pays one-off costs (database migrations
		// were done on import, but caches, the task runner's first start…). Not reported.
		log('Warm-up run (not reported)');
		await runOnce(home, emulator, spec('warmup', 'ours:4', 'ours', 4, ITEMS, zero));

		const { repeat, only } = args;
		const perSecond = { latencyMs: LATENCY_MS, startsPerSecond: RATE_PER_SECOND };
		const perMinute = { latencyMs: LATENCY_MS, startsPerMinute: RATE_PER_MINUTE };
		/** @param {CaseSpec} c @param {number} idealMs */
		const ideal = (c, idealMs) => ({ ...c, idealMs });
		const thousandEnv = { N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem' };
		/** @type {Record<string, () => Promise<any>>} */
		const scenarios = {
			speed: async () => await section(`1. Throughput: ${ITEMS} items at ${LATENCY_MS} ms latency`, [
				...CONCURRENCIES.map((c) => spec(`speed:ours:${c}`, `ours:${c}`, 'ours', c, ITEMS, latency)),
				spec('speed:builtin', 'builtin', 'builtin', undefined, ITEMS, latency),
				once(spec('speed:http', 'http', 'http', undefined, ITEMS, latency)),
			], repeat),
			overhead: async () => await section(`2. Per-item overhead: ${ITEMS} items at 0 ms latency`, [
				...[1, 8].map((c) => spec(`zero:ours:${c}`, `ours:${c}`, 'ours', c, ITEMS, zero)),
				spec('zero:builtin', 'builtin', 'builtin', undefined, ITEMS, zero),
				once(spec('zero:http', 'http', 'http', undefined, ITEMS, zero)),
			], repeat),
			memory: async () => await section(`3. Peak memory: ${BIG_IMAGES} images of ${(bigBytes / 2 ** 20).toFixed(1)} MB`, [
				spec('memory:noop', 'big:noop', 'noop', undefined, BIG_IMAGES, holdOther),
				spec('memory:ours:8', 'big:ours:8', 'ours', 8, BIG_IMAGES, hold),
				spec('memory:builtin', 'big:builtin', 'builtin', undefined, BIG_IMAGES, holdOther),
			], repeat),
			inflight: async () => [
				...(await section(`4. Server taking ${SERVER_IN_FLIGHT} requests at a time, ${LATENCY_MS} ms latency`,
					IN_FLIGHT_CONCURRENCIES.map((c) => spec(`tight:ours:${c}`, `ours:${c}`, 'ours', c, ITEMS, tight)), repeat)),
				// One run each: neither can do better by repetition (one at a time / no retry).
				...(await section('', [
					spec('tight:builtin', 'builtin', 'builtin', undefined, ITEMS, tight),
					spec('tight:http', 'http', 'http', undefined, ITEMS, tight),
				], 1)),
			],
			rate: async () => await section(`6. ${RATE_PER_SECOND} request starts per second (fixed window), ${ITEMS} items, ${LATENCY_MS} ms`,
				RATE_CONCURRENCIES.flatMap((c) => [0, pacedRpm(RATE_PER_SECOND * 60)].map((rpm) =>
					ideal(spec(`rate:ours:${c}${rpm ? `:rpm${rpm}` : ''}`, `ours:${c}${rpm ? `:rpm${rpm}` : ''}`, 'ours', c, ITEMS, perSecond), (ITEMS / RATE_PER_SECOND) * 1000))),
				repeat),
			// A minute window makes each run last over a minute: one run per case.
			rateMinute: async () => await section(`7. ${RATE_PER_MINUTE} request starts per minute (fixed window), ${ITEMS} items`,
				RATE_CONCURRENCIES.flatMap((c) => [0, pacedRpm(RATE_PER_MINUTE)].map((rpm) =>
					once(ideal(spec(`rateMinute:ours:${c}${rpm ? `:rpm${rpm}` : ''}`, `ours:${c}${rpm ? `:rpm${rpm}` : ''}`, 'ours', c, ITEMS, perMinute), (ITEMS / RATE_PER_MINUTE) * 60_000)))),
				1),
			webhooks: async () => await runWebhookScenario({ home, emulator, credential: oursCredential, images: webhookImages, log, settings: WEBHOOKS, latencyMs: LATENCY_MS, control }),
			thousand: async () => await section(`9. ${THOUSAND.items.join(' and ')} items of ${THOUSAND.bytes / 2 ** 20} MB, filesystem binary mode, ${THOUSAND.latencyMs} ms`,
				THOUSAND.items.flatMap((n) => [
					{ ...spec(`thousand:noop:${n}`, `thousand:noop:${n}`, 'noop', undefined, n, { latencyMs: THOUSAND.latencyMs }), env: thousandEnv },
					{ ...spec(`thousand:ours:${n}`, `thousand:${n}`, 'ours', THOUSAND.concurrency, n, { latencyMs: THOUSAND.latencyMs }), env: thousandEnv },
					{ ...spec(`thousand:builtin:${n}`, `thousand:builtin:${n}`, 'builtin', undefined, n, { latencyMs: THOUSAND.latencyMs }), env: thousandEnv },
				]),
				1),
			// Max Concurrency 1 and the built-in node take over 3 minutes a run: once each.
			latency: async () => await section(`10. ${LATENCY.items} items at ${LATENCY.latencyMs / 1000} s latency`, [
				...LATENCY.concurrencies.map((c) => {
					const c1 = spec(`latency:ours:${c}`, `latency:ours:${c}`, 'ours', c, LATENCY.items, { latencyMs: LATENCY.latencyMs });
					return ideal(c <= 4 ? once(c1) : c1, Math.ceil(LATENCY.items / c) * LATENCY.latencyMs);
				}),
				once(ideal(spec('latency:builtin', 'latency:builtin', 'builtin', undefined, LATENCY.items, { latencyMs: LATENCY.latencyMs }), LATENCY.items * LATENCY.latencyMs)),
			], repeat),
		};
		const selected = args.scenarios ?? SCENARIOS;
		/** @type {Record<string, any>} */
		const results = {};
		/** @type {Record<string, { startedAt: string, load: number[], git: any }>} */
		const measured = {};
		for (const name of selected.filter((scenario) => !OWN_SECTIONS.includes(scenario))) {
			const sectionStart = new Date().toISOString();
			const load = os.loadavg();
			results[name] = await scenarios[name]();
			measured[name] = { startedAt: sectionStart, load, git };
		}
		// Batch Mode (its own module, its own n8n home): 200 items of 1 MB.
		const batch = selected.includes('batch') && (!only || only.test('batch')) ? await runBatchBench({ install, tarball, log }) : undefined;
		// Issue 26: what pricing every item and keeping the caps cost per item (its own n8n home).
		const cost = selected.includes('cost') && (!only || only.test('cost')) ? await runCostBench({ install, tarball, log, repeat: args.repeat }) : undefined;
		const costSection = cost ? costMarkdown(cost, { command, startedAt: startedAt.toISOString() }) : undefined;
		if (costSection) process.stdout.write(`${costSection}\n`);
		if (only) {
			if (batch) process.stdout.write(`${batchMarkdown(batch, { command, startedAt: startedAt.toISOString() })}\n`);
			log('Done (--only: no report)');
			return;
		}

		const finishedAt = new Date();
		// A scenario rerun replaces its own sections in the saved results and keeps the others.
		const resultsFile = path.join(WORK, 'results.json');
		/** @type {any} */
		let previous;
		if (args.scenarios) {
			try {
				previous = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
			} catch {
				previous = undefined;
			}
		}
		const data = {
			command,
			git,
			startedAt: startedAt.toISOString(),
			durationS: (finishedAt.getTime() - startedAt.getTime()) / 1000,
			machine: { ...host, n8nVersion: install.n8nVersion, n8nNode: install.nodeVersion, loadStart, loadEnd: os.loadavg() },
			settings: {
				items: ITEMS,
				latencyMs: LATENCY_MS,
				repeat: args.repeat,
				smallImage: { side: SMALL_SIDE, bytes: smallBytes },
				bigImage: { side: bigSide, bytes: bigBytes, count: BIG_IMAGES, latencyMs: MEMORY_LATENCY_MS },
				serverInFlight: SERVER_IN_FLIGHT,
				model: bw.MODEL,
				rate: { perSecond: RATE_PER_SECOND, perMinute: RATE_PER_MINUTE, pacedRpm: { perSecond: pacedRpm(RATE_PER_SECOND * 60), perMinute: pacedRpm(RATE_PER_MINUTE) } },
				thousand: { ...THOUSAND, side: thousandSide },
				latency: LATENCY,
				webhooks: WEBHOOKS,
			},
			results: { ...(previous?.results ?? {}), ...results },
			measured: { ...(previous?.measured ?? {}), ...measured },
		};
		fs.mkdirSync(WORK, { recursive: true });
		fs.writeFileSync(resultsFile, JSON.stringify(data, null, 2));
		const rendered = render(data);
		process.stdout.write(`${rendered.text}\n`);
		if (args.write) {
			writeReport(args.out, rendered.markdown, batch ? batchMarkdown(batch, { command, startedAt: startedAt.toISOString() }) : undefined, costSection);
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
