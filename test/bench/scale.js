#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * Issue 19's benchmark: many workers on one quota, a spent daily quota, width and the CPU floor,
 * in the same real n8n as `npm run bench` (its cached 2.41.x on Node 24) against the emulator.
 *
 *   node test/bench/scale.js [--scenario workers,daily,width,floor,floorHttp] [--repeat N] [--skip-build]
 *                            [--keep] [--no-write] [--out FILE] [--cpu-prof DIR]
 *                            [--node-arg FLAG]…
 *
 * - workers: two n8n processes (two homes, as two queue-mode workers: each has its own gates) edit
 *   30 items each at the same time, one API key, a quota of 4 request starts per second (fixed
 *   window), 1 s answers. Figures: the span from the first start to the last accepted start
 *   against the ideal (60 starts / 4 per second = 15 s), calls refused.
 * - daily: 100 items, Max Concurrency 2, every call answered 429 naming a per-day quota: calls
 *   sent and time until the node gives up.
 * - width: 64 items at 1.5 s answers, Max Concurrency 32 (ideal 2 waves = 3 s).
 * - floor: tiny images (64² PNG), 20 ms answers, Max Concurrency 8, 100 and 1000 items, beside the
 *   same workflow ending in No Operation: node time and n8n CPU per item, peak RSS, and the live
 *   heap after a forced GC when the process exits.
 * - floorHttp: issue 24's measure of the floor's memory: the items are URLs, an HTTP Request node
 *   fetches each 32² PNG from a local image server, then Nano Banana or No Operation.
 *
 * Writes the "Scale" section of docs/benchmarks.md (between its marker comments) and
 * .e2e/bench/scale-results.json.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const config = require('../e2e/lib/config');
const n8n = require('../e2e/lib/n8n');
const { startEmulator, controlEmulator: control } = require('../e2e/lib/emulator');
const { startImageServer } = require('../e2e/lib/image-server');
const wf = require('../e2e/lib/workflows');
const { writeImageSet } = require('./lib/images');
const { executeMeasured, cpuBetween } = require('./lib/execute');
const { nodeRun, nodeTime, verifyOutputs } = require('./lib/verify');
const bw = require('./lib/workflows');
const { writeSection } = require('./batch');

const WORK = path.join(config.WORK_DIR, 'bench');
const MARKERS = ['<!-- scale-bench:start -->', '<!-- scale-bench:end -->'];
const SCENARIOS = ['workers', 'daily', 'width', 'floor', 'floorHttp'];
/** How each scenario's block in the Scale section begins (a block runs to the next one's title). */
const TITLES = {
	workers: '**Two n8n processes on one quota**',
	daily: '**Daily quota spent**',
	width: '**Width**',
	floor: '**CPU floor and memory**',
	floorHttp: '**Memory as issue 24 measured it**',
};

const WORKERS = { processes: 2, itemsEach: 30, perSecond: 4, latencyMs: 1000, concurrency: 8 };
const DAILY = { items: 100, concurrency: 2 };
const WIDTH = { items: 64, latencyMs: 1500, concurrency: 32 };
const FLOOR = { items: [100, 1000], latencyMs: 20, concurrency: 8, side: 64 };
/** Issue 24's measure of the same floor: 32² PNGs fetched by HTTP Request from a local server. */
const FLOOR_HTTP = { ...FLOOR, side: 32 };

function parseArgs(argv) {
	/** @type {{ scenarios: string[], repeat: number, skipBuild: boolean, keep: boolean, write: boolean, out: string, profileDir?: string, nodeArgs: string[] }} */
	const args = { scenarios: SCENARIOS, repeat: 3, skipBuild: false, keep: false, write: true, out: path.join(config.REPO_ROOT, 'docs', 'benchmarks.md'), nodeArgs: [] };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--scenario') args.scenarios = String(argv[++i]).split(',').filter(Boolean);
		else if (a === '--repeat') args.repeat = Number(argv[++i]);
		else if (a === '--skip-build') args.skipBuild = true;
		else if (a === '--keep') args.keep = true;
		else if (a === '--no-write') args.write = false;
		else if (a === '--out') args.out = String(argv[++i]);
		else if (a === '--cpu-prof') args.profileDir = path.resolve(String(argv[++i]));
		else if (a === '--node-arg') args.nodeArgs.push(String(argv[++i])); // e.g. --trace-gc, for the floor runs
		else throw new Error(`Unknown option ${a}`);
	}
	const unknown = args.scenarios.filter((s) => !SCENARIOS.includes(s));
	if (unknown.length) throw new Error(`Unknown scenario ${unknown.join(', ')}; scenarios: ${SCENARIOS.join(', ')}`);
	return args;
}

const started = Date.now();
const log = (/** @type {string} */ msg) => process.stderr.write(`[bench:scale ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${msg}\n`);
const median = (/** @type {number[]} */ values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];

/** generateContent calls the emulator logged, in start order. @param {any} state */
function callsOf(state) {
	return (state.log ?? []).filter((/** @type {any} */ e) => /:generateContent$/.test(e.path)).sort((/** @type {any} */ a, /** @type {any} */ b) => a.t - b.t);
}

/**
 * One measured `n8n execute`: figures of the node named `node` (time, CPU in its window, items).
 * @param {import('../e2e/lib/home').N8nHome} home @param {string} workflowId @param {string} node
 * @param {{ watchPids?: number[], nodeArgs?: string[], env?: Record<string, string> }} [options]
 */
async function measure(home, workflowId, node, options = {}) {
	const load = os.loadavg()[0];
	const exec = await executeMeasured(home, workflowId, { ...options, timeoutMs: 10 * 60_000 });
	const runOf = nodeRun(exec.run, node);
	const cpu = typeof runOf?.startTime === 'number' ? cpuBetween(exec.cpu, runOf.startTime, runOf.startTime + (runOf.executionTime ?? 0)) : undefined;
	return { exec, nodeMs: nodeTime(exec.run, node), cpu, load, startTime: runOf?.startTime };
}

/** Peak RSS (MB) as polled up to epoch ms `t`: VmHWM only rises, so the last entry at or before `t`. */
function hwmAt(/** @type {Array<{ t: number, kb: number }>} */ series, /** @type {number | undefined} */ t) {
	if (t === undefined) return undefined;
	const before = series.filter((entry) => entry.t <= t);
	return before.length > 0 ? before[before.length - 1].kb / 1024 : undefined;
}

/** Node flags for a profiled run (and the window file profile-summary.js reads). */
function profileArgs(/** @type {string | undefined} */ dir, /** @type {string} */ key) {
	if (!dir) return { nodeArgs: [], name: '' };
	const name = `${key.replace(/\W+/g, '-')}-${Date.now()}`;
	return { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}.cpuprofile`], name };
}

function writeWindow(/** @type {string | undefined} */ dir, /** @type {string} */ name, /** @type {any} */ m, /** @type {string} */ key, /** @type {number} */ items) {
	const r = m.exec.run?.data?.resultData?.runData?.[bw.NAMES.ours]?.[0];
	if (!dir || !name || !r || !m.exec.clock) return;
	fs.writeFileSync(path.join(dir, `${name}.window.json`), JSON.stringify({ key, items, startEpochMs: r.startTime, endEpochMs: r.startTime + r.executionTime, clock: m.exec.clock }));
}

async function main() {
	const args = parseArgs(process.argv.slice(2));
	const command = `node test/bench/scale.js${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
	const startedAt = new Date().toISOString();
	log(`load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
	const install = await n8n.ensureN8n({ log });
	const packDir = path.join(WORK, 'pack-scale');
	fs.rmSync(packDir, { recursive: true, force: true });
	const tarball = await n8n.packPackage({ destDir: packDir, skipBuild: args.skipBuild, log });
	if (args.profileDir) fs.mkdirSync(args.profileDir, { recursive: true });

	const imagesRoot = path.join(WORK, 'images');
	const photos = writeImageSet({ dir: path.join(imagesRoot, 'scale-photos'), prefix: 'photo', count: WIDTH.items, side: 256 });
	const tiny = writeImageSet({ dir: path.join(imagesRoot, 'scale-tiny'), prefix: 'tiny', count: FLOOR.items[1], side: FLOOR.side });
	const hundredDir = path.join(imagesRoot, 'scale-tiny-100');
	fs.rmSync(hundredDir, { recursive: true, force: true });
	fs.mkdirSync(hundredDir, { recursive: true });
	for (const f of tiny.files.slice(0, FLOOR.items[0])) fs.linkSync(f.file, path.join(hundredDir, f.name));
	const tinyGlob = { [FLOOR.items[0]]: `${hundredDir.split(path.sep).join('/')}/tiny-*.png`, [FLOOR.items[1]]: tiny.glob };
	const workerDirs = Array.from({ length: WORKERS.processes }, (_, w) => {
		const dir = path.join(imagesRoot, `scale-worker-${w}`);
		fs.rmSync(dir, { recursive: true, force: true });
		fs.mkdirSync(dir, { recursive: true });
		for (const f of photos.files.slice(w * WORKERS.itemsEach, (w + 1) * WORKERS.itemsEach)) fs.linkSync(f.file, path.join(dir, f.name));
		return `${dir.split(path.sep).join('/')}/photo-*.png`;
	});
	const pixels = writeImageSet({ dir: path.join(imagesRoot, 'scale-pixels'), prefix: 'pixel', count: FLOOR_HTTP.items[1], side: FLOOR_HTTP.side });
	const shaByFileName = new Map([...photos.files, ...tiny.files, ...pixels.files].map((f) => [f.name, f.sha256]));

	const imageServer = await startImageServer(Object.fromEntries(pixels.files.map((f) => [`/${f.name}`, { body: fs.readFileSync(f.file), type: 'image/png' }])));
	const urls = pixels.files.map((f) => `${imageServer.url}/${f.name}`);
	const emulator = await startEmulator({ log });
	const homes = [];
	for (let w = 0; w < (args.scenarios.includes('workers') ? WORKERS.processes : 1); w++) {
		homes.push(await n8n.createN8nHome({ install, tarball, env: { N8N_RESTRICT_FILE_ACCESS_TO: imagesRoot }, log }));
	}
	const credential = { id: 'benchScaleAiStudio', name: 'Bench scale AI Studio (emulator)' };
	const ours = (/** @type {number} */ c, /** @type {string} */ prompt = bw.PROMPT) =>
		wf.nanoBananaNode({ name: bw.NAMES.ours, credential, prompt, model: bw.MODEL, options: { maxConcurrency: c } });
	const flow = (/** @type {string} */ key, /** @type {string} */ glob, /** @type {any[]} */ nodes) =>
		bw.benchWorkflow({ id: bw.idFor(`scale:${key}`), name: `Bench scale: ${key}`, glob, nodes });
	const flows = {
		width: flow('width', photos.glob, [ours(WIDTH.concurrency)]),
		// Continue On Fail: every item must end as an output item, so the node cannot stop at the first.
		daily: flow('daily', tinyGlob[DAILY.items], [{ ...ours(DAILY.concurrency, `${bw.PROMPT} [[emulate:429-daily]]`), onError: 'continueRegularOutput' }]),
		...Object.fromEntries(FLOOR.items.flatMap((n) => [
			[`floor:${n}`, flow(`floor:${n}`, tinyGlob[n], [ours(FLOOR.concurrency)])],
			[`floorNoop:${n}`, flow(`floorNoop:${n}`, tinyGlob[n], [bw.noopNode()])],
		])),
		...Object.fromEntries(FLOOR_HTTP.items.flatMap((n) => [
			[`floorHttp:${n}`, bw.httpItemsWorkflow({ id: bw.idFor(`scale:floorHttp:${n}`), name: `Bench scale: floorHttp:${n}`, urls: urls.slice(0, n), nodes: [ours(FLOOR_HTTP.concurrency)] })],
			[`floorHttpNoop:${n}`, bw.httpItemsWorkflow({ id: bw.idFor(`scale:floorHttpNoop:${n}`), name: `Bench scale: floorHttpNoop:${n}`, urls: urls.slice(0, n), nodes: [bw.noopNode()] })],
		])),
		...Object.fromEntries(workerDirs.map((glob, w) => [`worker:${w}`, flow(`worker:${w}`, glob, [ours(WORKERS.concurrency)])])),
	};
	for (const home of homes) {
		await n8n.importCredentials(home, [{ ...credential, type: config.CREDENTIAL_TYPES.aiStudio, data: { apiKey: emulator.apiKey, baseUrl: emulator.url } }]);
		await n8n.importWorkflows(home, Object.values(flows));
	}
	const home = homes[0];
	const watch = { watchPids: emulator.pid ? [emulator.pid] : [] };
	const configure = async (/** @type {Record<string, unknown>} */ settings) => {
		await control(emulator.url, 'configure', { latencyMs: 0, maxInFlight: null, rpm: null, startsPerSecond: null, startsPerMinute: null, ...settings });
		await control(emulator.url, 'reset', {});
	};
	/** @type {Record<string, any>} */
	const results = {};
	try {
		log('Warm-up run (not reported)');
		await configure({ latencyMs: FLOOR.latencyMs });
		await measure(home, flows['floor:100'].id, bw.NAMES.ours);

		if (args.scenarios.includes('workers')) {
			const runs = [];
			for (let r = 0; r < args.repeat; r++) {
				await configure({ latencyMs: WORKERS.latencyMs, startsPerSecond: WORKERS.perSecond });
				const both = await Promise.all(homes.map((h, w) => measure(h, flows[`worker:${w}`].id, bw.NAMES.ours)));
				const state = await control(emulator.url, 'state');
				const calls = callsOf(state);
				const accepted = calls.filter((/** @type {any} */ c) => c.status === 200);
				const spanMs = accepted.length ? accepted[accepted.length - 1].t - calls[0].t : NaN;
				const idealMs = ((WORKERS.processes * WORKERS.itemsEach) / WORKERS.perSecond) * 1000;
				const ok = both.every((m, w) => m.exec.success && verifyOutputs(homes[w], m.exec.run, { chain: [bw.NAMES.ours, bw.NAMES.read], shaByFileName }).matched === WORKERS.itemsEach);
				const run = { spanMs, idealMs, ratio: spanMs / idealMs, calls: calls.length, refused: state.rateLimited, ok, load: both[0].load, nodeMs: both.map((m) => m.nodeMs) };
				log(`workers run ${r + 1}: span ${(spanMs / 1000).toFixed(2)} s (${run.ratio.toFixed(2)}× of ${idealMs / 1000} s), ${state.rateLimited} of ${calls.length} calls refused, all images right: ${ok}, load ${run.load.toFixed(1)}`);
				runs.push(run);
			}
			results.workers = runs;
		}

		if (args.scenarios.includes('daily')) {
			await configure({ latencyMs: 0 });
			const m = await measure(home, flows.daily.id, bw.NAMES.ours, watch);
			const state = await control(emulator.url, 'state');
			const out = m.exec.run?.data?.resultData?.runData?.[bw.NAMES.ours]?.[0]?.data?.main?.[0] ?? [];
			const errors = out.filter((/** @type {any} */ item) => item?.json?.error);
			const message = String(errors[errors.length - 1]?.json?.error?.message ?? m.exec.error?.message ?? '');
			results.daily = { items: DAILY.items, concurrency: DAILY.concurrency, calls: callsOf(state).length, errorItems: errors.length, outputItems: out.length, nodeMs: m.nodeMs, message: message.slice(0, 200), load: m.load };
			log(`daily: ${results.daily.calls} calls for ${results.daily.items} items (${errors.length} error items of ${out.length}), node ${((m.nodeMs ?? NaN) / 1000).toFixed(2)} s: ${message.slice(0, 160)}`);
		}

		if (args.scenarios.includes('width')) {
			const runs = [];
			for (let r = 0; r < args.repeat; r++) {
				await configure({ latencyMs: WIDTH.latencyMs });
				const p = profileArgs(args.profileDir, 'width');
				const m = await measure(home, flows.width.id, bw.NAMES.ours, { ...watch, nodeArgs: p.nodeArgs });
				writeWindow(args.profileDir, p.name, m, 'width', WIDTH.items);
				const idealMs = Math.ceil(WIDTH.items / WIDTH.concurrency) * WIDTH.latencyMs;
				const starts = callsOf(await control(emulator.url, 'state')).map((/** @type {any} */ c) => c.t);
				// When the two waves' requests reached the server (ms after the first): how spread each wave is.
				const wave = (/** @type {number[]} */ ts) => `${ts[0] - starts[0]}–${ts[ts.length - 1] - starts[0]} ms`;
				log(`   first wave arrived ${wave(starts.slice(0, WIDTH.concurrency))}, second ${wave(starts.slice(WIDTH.concurrency))}`);
				const ok = verifyOutputs(home, m.exec.run, { chain: [bw.NAMES.ours, bw.NAMES.read], shaByFileName }).matched === WIDTH.items;
				const run = { nodeMs: m.nodeMs, idealMs, ratio: (m.nodeMs ?? NaN) / idealMs, ok, load: m.load, n8nCpuMsPerItem: m.cpu ? m.cpu.n8n / WIDTH.items : undefined, emulatorCpuMsPerItem: m.cpu ? m.cpu.watched / WIDTH.items : undefined };
				log(`width run ${r + 1}: ${((m.nodeMs ?? NaN) / 1000).toFixed(2)} s (${run.ratio.toFixed(2)}× of ${idealMs / 1000} s), n8n CPU ${run.n8nCpuMsPerItem?.toFixed(1)} ms/item, emulator CPU ${run.emulatorCpuMsPerItem?.toFixed(1)} ms/item, images right: ${ok}, load ${m.load.toFixed(1)}`);
				runs.push(run);
			}
			results.width = runs;
		}

		// The CPU floor and memory, read from disk (floor) or fetched by HTTP Request (floorHttp).
		for (const [scenario, spec, reader] of /** @type {const} */ ([['floor', FLOOR, bw.NAMES.read], ['floorHttp', FLOOR_HTTP, bw.NAMES.items]])) {
			if (!args.scenarios.includes(scenario)) continue;
			/** @type {Record<string, any[]>} */
			const cases = {};
			for (let r = 0; r < args.repeat; r++) {
				for (const n of spec.items) {
					for (const kind of [`${scenario}Noop`, scenario]) {
						await configure({ latencyMs: spec.latencyMs });
						const key = `${kind}:${n}`;
						const contender = kind === scenario;
						const node = contender ? bw.NAMES.ours : bw.NAMES.noop;
						const p = profileArgs(contender ? args.profileDir : undefined, key);
						const m = await measure(home, flows[key].id, node, { ...watch, nodeArgs: ['--expose-gc', ...p.nodeArgs, ...args.nodeArgs] });
						writeWindow(args.profileDir, p.name, m, key, n);
						const chain = scenario === 'floor' ? [bw.NAMES.ours, reader] : [bw.NAMES.ours, bw.NAMES.fetch, reader];
						const ok = !contender || verifyOutputs(home, m.exec.run, { chain, shaByFileName }).matched === n;
						const run = {
							items: n,
							ok: m.exec.success && ok,
							nodeMsPerItem: (m.nodeMs ?? NaN) / n,
							n8nCpuMsPerItem: m.cpu ? m.cpu.n8n / n : undefined,
							peakRssMb: m.exec.peakRssBytes / 2 ** 20,
							liveHeapMb: m.exec.liveHeapBytes === undefined ? undefined : m.exec.liveHeapBytes / 2 ** 20,
							// Peak RSS when the measured node started and ended (20 ms polls): what rose while it
							// ran, and what rose after it (n8n printing and saving the run data).
							hwmStartMb: hwmAt(m.exec.hwmSeries, m.startTime),
							hwmEndMb: hwmAt(m.exec.hwmSeries, m.startTime === undefined ? undefined : m.startTime + (m.nodeMs ?? 0)),
							load: m.load,
						};
						log(`${key} run ${r + 1}: node ${run.nodeMsPerItem.toFixed(2)} ms/item, n8n CPU ${run.n8nCpuMsPerItem?.toFixed(2)} ms/item, peak RSS ${run.peakRssMb.toFixed(0)} MB, live heap after GC ${run.liveHeapMb?.toFixed(0)} MB, ok ${run.ok}, load ${m.load.toFixed(1)}`);
						(cases[key] ??= []).push(run);
					}
				}
			}
			results[scenario] = cases;
		}
	} finally {
		await emulator.stop();
		await imageServer.close();
		if (!args.keep) for (const h of homes) fs.rmSync(h.dir, { recursive: true, force: true });
	}

	const previousFile = path.join(WORK, 'scale-results.json');
	const previous = fs.existsSync(previousFile) ? JSON.parse(fs.readFileSync(previousFile, 'utf8')) : { results: {}, measured: {} };
	const git = require('node:child_process').execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: config.REPO_ROOT, encoding: 'utf8' }).trim();
	const measured = Object.fromEntries(Object.keys(results).map((k) => [k, { startedAt, command, git, load: os.loadavg() }]));
	const data = { results: { ...previous.results, ...results }, measured: { ...previous.measured, ...measured } };
	fs.mkdirSync(WORK, { recursive: true });
	fs.writeFileSync(previousFile, JSON.stringify(data, null, 2));
	// A scenario missing from the results file (another checkout measured it) keeps its block.
	const section = scaleSection(data, fs.existsSync(args.out) ? keptBlocks(fs.readFileSync(args.out, 'utf8')) : {});
	process.stdout.write(`${section}\n`);
	if (args.write) writeSection(args.out, section, MARKERS);
}

/**
 * Each scenario's block of the Scale section in `text` (the docs file), by scenario.
 * @param {string} text @returns {Record<string, string>}
 */
function keptBlocks(text) {
	const from = text.indexOf(MARKERS[0]);
	const to = text.indexOf(MARKERS[1], from);
	if (from < 0 || to < from) return {};
	const section = text.slice(from, to);
	const starts = Object.entries(TITLES).map(([scenario, title]) => ({ scenario, at: section.indexOf(`\n${title}`) })).filter((b) => b.at >= 0).sort((a, b) => a.at - b.at);
	return Object.fromEntries(starts.map((b, i) => [b.scenario, `${section.slice(b.at + 1, starts[i + 1]?.at ?? section.length).trimEnd()}\n`]));
}

/**
 * @param {{ results: Record<string, any>, measured: Record<string, any> }} data
 * @param {Record<string, string>} [kept] blocks of scenarios the results do not hold (see keptBlocks)
 */
function scaleSection(data, kept = {}) {
	const { results: r, measured } = data;
	const at = (/** @type {string} */ k) => (measured[k] ? ` (${measured[k].startedAt.slice(0, 16).replace('T', ' ')} UTC, commit ${measured[k].git}: \`${measured[k].command}\`)` : '');
	const lines = [MARKERS[0], '## Scale: many workers, daily quota, width, CPU floor (issue 19)', ''];
	if (!r.workers && kept.workers) lines.push(kept.workers);
	if (r.workers) {
		const w = r.workers;
		lines.push(`${TITLES.workers}${at('workers')}. Two homes run \`n8n execute\` at once, ${WORKERS.itemsEach} items each, Max Concurrency ${WORKERS.concurrency}, one API key, ${WORKERS.perSecond} request starts per second (fixed window), ${WORKERS.latencyMs / 1000} s answers. Span: first start to last accepted start; ideal ${w[0].idealMs / 1000} s. Target ≤ 1.3×, ≤ 20% refused.`, '');
		lines.push('| run | span | × ideal | calls | refused | all images right | load |', '|---|---|---|---|---|---|---|');
		w.forEach((x, i) => lines.push(`| ${i + 1} | ${(x.spanMs / 1000).toFixed(2)} s | ${x.ratio.toFixed(2)}× | ${x.calls} | ${x.refused} (${((100 * x.refused) / x.calls).toFixed(0)}%) | ${x.ok ? 'yes' : 'no'} | ${x.load.toFixed(1)} |`));
		lines.push('', `Median: **${median(w.map((x) => x.ratio)).toFixed(2)}×**, refused ${median(w.map((x) => (100 * x.refused) / x.calls)).toFixed(0)}%.`, '');
	}
	if (!r.daily && kept.daily) lines.push(kept.daily);
	if (r.daily) {
		lines.push(`${TITLES.daily}${at('daily')}: ${r.daily.items} items, Max Concurrency ${r.daily.concurrency}, every call answered 429 naming \`GenerateRequestsPerDayPerProjectPerModel\`. Continue On Fail on. Calls sent: **${r.daily.calls}**; output: ${r.daily.errorItems} error items of ${r.daily.outputItems}; the node gave up after **${((r.daily.nodeMs ?? NaN) / 1000).toFixed(2)} s**. Message: "${r.daily.message}"`, '');
	}
	if (!r.width && kept.width) lines.push(kept.width);
	if (r.width) {
		const w = r.width;
		lines.push(`${TITLES.width}${at('width')}: ${WIDTH.items} items (256² photos), ${WIDTH.latencyMs / 1000} s answers, Max Concurrency ${WIDTH.concurrency}; ideal ${w[0].idealMs / 1000} s (two waves). Target ≤ 1.15×.`, '');
		lines.push('| run | node time | × ideal | n8n CPU per item | load |', '|---|---|---|---|---|');
		w.forEach((x, i) => lines.push(`| ${i + 1} | ${((x.nodeMs ?? NaN) / 1000).toFixed(2)} s | ${x.ratio.toFixed(2)}× | ${x.n8nCpuMsPerItem?.toFixed(1)} ms | ${x.load.toFixed(1)} |`));
		lines.push('', `Median: **${median(w.map((x) => x.ratio)).toFixed(2)}×**.`, '');
	}
	for (const [scenario, spec, title, inputs] of /** @type {const} */ ([
		['floor', FLOOR, TITLES.floor, `${FLOOR.side}² PNGs read from disk`],
		['floorHttp', FLOOR_HTTP, TITLES.floorHttp, `${FLOOR_HTTP.side}² PNGs fetched by HTTP Request from a local server`],
	])) {
		const f = r[scenario];
		if (!f && kept[scenario]) lines.push(kept[scenario]);
		if (!f) continue;
		const med = (/** @type {string} */ key, /** @type {string} */ field) => median((f[key] ?? []).map((/** @type {any} */ x) => x[field]).filter((/** @type {any} */ v) => typeof v === 'number'));
		const runs = (f[`${scenario}:${spec.items[0]}`] ?? []).length;
		lines.push(`${title}${at(scenario)}: ${inputs}, ${spec.latencyMs} ms answers, Max Concurrency ${spec.concurrency}, medians of ${runs} runs. Targets: n8n CPU ≤ 6 ms per item; peak RSS growth from ${spec.items[0]} to ${spec.items[1]} items at most 50 MB beyond No Operation's.`, '');
		lines.push('| case | node time per item | n8n CPU per item | peak RSS | live heap after GC (at exit) |', '|---|---|---|---|---|');
		for (const n of spec.items) {
			for (const kind of [`${scenario}Noop`, scenario]) {
				const key = `${kind}:${n}`;
				lines.push(`| ${kind === scenario ? 'Nano Banana' : 'No Operation'}, ${n} items | ${med(key, 'nodeMsPerItem').toFixed(2)} ms | ${med(key, 'n8nCpuMsPerItem').toFixed(2)} ms | ${med(key, 'peakRssMb').toFixed(0)} MB | ${med(key, 'liveHeapMb').toFixed(0)} MB |`);
			}
		}
		const [a, b] = spec.items;
		const ours = med(`${scenario}:${b}`, 'peakRssMb') - med(`${scenario}:${a}`, 'peakRssMb');
		const noop = med(`${scenario}Noop:${b}`, 'peakRssMb') - med(`${scenario}Noop:${a}`, 'peakRssMb');
		lines.push('', `Peak RSS from ${a} to ${b} items: Nano Banana +${ours.toFixed(0)} MB, No Operation +${noop.toFixed(0)} MB: the node's own share **${(ours - noop).toFixed(0)} MB**.`);
		// Where it arises: peak RSS gained while the node ran, and after it (n8n printing and saving the run data).
		const during = (/** @type {string} */ key) => median((f[key] ?? []).map((/** @type {any} */ x) => x.hwmEndMb - x.hwmStartMb).filter(Number.isFinite));
		const after = (/** @type {string} */ key) => median((f[key] ?? []).map((/** @type {any} */ x) => x.peakRssMb - (x.hwmEndMb ?? x.hwmStartMb)).filter(Number.isFinite));
		const growth = (/** @type {(key: string) => number} */ part, /** @type {string} */ kind) => part(`${kind}:${b}`) - part(`${kind}:${a}`);
		if (Number.isFinite(during(`${scenario}:${b}`))) {
			lines.push(`Where (medians, ${a} → ${b} items): peak RSS rose ${growth(during, scenario).toFixed(0)} MB more while the node ran, and ${growth(after, scenario).toFixed(0)} MB more after it, while n8n printed and saved the run data, against No Operation's ${growth(after, `${scenario}Noop`).toFixed(0)} MB after its node.`);
		}
		if (runs > 1) {
			// Each run's own share (run i of Nano Banana and No Operation, both sizes): how much it moves.
			const peak = (/** @type {string} */ key, /** @type {number} */ i) => f[key]?.[i]?.peakRssMb ?? NaN;
			const shares = Array.from({ length: runs }, (_, i) => peak(`${scenario}:${b}`, i) - peak(`${scenario}:${a}`, i) - (peak(`${scenario}Noop:${b}`, i) - peak(`${scenario}Noop:${a}`, i)));
			lines.push(`Run by run: ${shares.map((x) => `${x >= 0 ? '+' : ''}${x.toFixed(0)} MB`).join(', ')} (spread ${(Math.max(...shares) - Math.min(...shares)).toFixed(0)} MB; loads ${(f[`${scenario}:${b}`] ?? []).map((/** @type {any} */ x) => x.load.toFixed(1)).join(', ')}).`);
		}
		lines.push('');
	}
	lines.push(MARKERS[1], '');
	return lines.join('\n');
}

module.exports = { scaleSection, keptBlocks, SCALE_MARKERS: MARKERS };

if (require.main === module) {
	main().catch((error) => {
		process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
		process.exit(1);
	});
}
