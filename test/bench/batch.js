#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * Batch Mode benchmark: 200 items of 1 MB through the node's Batch Mode against the emulator, in
 * the same real n8n as `npm run bench` (its cached 2.41.1 on Node 24), compared with the same
 * workflow without Batch Mode (the request pool) and with a No Operation node (the baseline for
 * memory: the 200 images read from disk alone).
 *
 *   node test/bench/batch.js [--items 200] [--mb 1] [--skip-build] [--keep] [--no-write] [--out FILE]
 *   node test/bench/batch.js --answers 500 [--answer-mb 1.25] [--heap-mb 384] [--skip-build] …   (issue 24: large answers)
 *
 * Measured per case (one `n8n execute` each, lib/execute.js): every output image checked against
 * its own input (lib/verify.js), batch jobs created, requests the emulator received (all of them:
 * create, polls, list, upload chunks, download; or generateContent calls), peak RSS (VmHWM) of the
 * n8n process, and the node's own executionTime. "Extra memory" is the batch run's peak RSS minus
 * the No-Op run's. The load average is recorded beside every figure.
 *
 * `npm run bench` runs this after its own cases (`--only batch` runs only this); on its own it
 * writes the "Batch Mode" section of docs/benchmarks.md (between its marker comments).
 */
const fs = require('node:fs');
const { benchCli } = require('./lib/cli');
const os = require('node:os');
const path = require('node:path');

const config = require('../e2e/lib/config');
const n8n = require('../e2e/lib/n8n');
const { startEmulator, controlEmulator: control } = require('../e2e/lib/emulator');
const wf = require('../e2e/lib/workflows');
const { writeImageSet, sideForBytes } = require('./lib/images');
const { executeMeasured } = require('./lib/execute');
const { nodeTime, verifyOutputs } = require('./lib/verify');
const bw = require('./lib/workflows');

const WORK = path.join(config.WORK_DIR, 'bench');
const DEFAULT_ITEMS = 200;
const DEFAULT_MB = 1;
/** The batch job runs this long at the emulator (Google: minutes to hours). */
const BATCH_RUN_MS = 3000;
/** Peak extra memory the issue allows the n8n process for the batch of 200 × 1 MB. */
const MEMORY_TARGET_MB = 150;
const SECTION_START = '<!-- batch-bench:start -->';
const SECTION_END = '<!-- batch-bench:end -->';


/**
 * @param {object} spec
 * @param {import('../e2e/lib/install').N8nInstall} spec.install
 * @param {string} spec.tarball
 * @param {(msg: string) => void} spec.log
 * @param {number} [spec.items]
 * @param {number} [spec.megabytes]
 * @param {boolean} [spec.keep]
 */
async function runBatchBench({ install, tarball, log, items = DEFAULT_ITEMS, megabytes = DEFAULT_MB, keep = false }) {
	const imagesRoot = path.join(WORK, 'images');
	const side = sideForBytes(megabytes * 1024 * 1024);
	log(`Batch Mode: writing ${items} input images of ${megabytes} MB`);
	const set = writeImageSet({ dir: path.join(imagesRoot, 'batch'), prefix: 'batch', count: items, side });
	const shaByFileName = new Map(set.files.map((f) => [f.name, f.sha256]));
	const imageBytes = set.files.reduce((a, f) => a + f.size, 0) / set.files.length;

	const home = await n8n.createN8nHome({ install, tarball, env: { N8N_RESTRICT_FILE_ACCESS_TO: imagesRoot }, log });
	const emulator = await startEmulator({ log });
	try {
		const credential = { id: 'benchBatchAiStudio', name: 'Bench Batch AI Studio (emulator)' };
		await n8n.importCredentials(home, [
			{ ...credential, type: config.CREDENTIAL_TYPES.aiStudio, data: { apiKey: emulator.apiKey, baseUrl: emulator.url } },
		]);
		const ours = (/** @type {Record<string, unknown>} */ options) =>
			wf.nanoBananaNode({ name: bw.NAMES.ours, credential, prompt: bw.PROMPT, model: bw.MODEL, options });
		const flows = {
			noop: bw.benchWorkflow({ id: bw.idFor('batch:noop'), name: 'Bench: batch baseline', glob: set.glob, nodes: [bw.noopNode()] }),
			batch: bw.benchWorkflow({ id: bw.idFor('batch:ours'), name: 'Bench: batch mode', glob: set.glob, nodes: [ours({ batchMode: true })] }),
			pool: bw.benchWorkflow({ id: bw.idFor('batch:pool'), name: 'Bench: request pool', glob: set.glob, nodes: [ours({ maxConcurrency: 8 })] }),
		};
		await n8n.importWorkflows(home, Object.values(flows));

		/** @param {'noop' | 'batch' | 'pool'} key */
		const measure = async (key) => {
			await control(emulator.url, 'configure', { latencyMs: 0, batchPendingMs: 0, batchRunMs: BATCH_RUN_MS });
			await control(emulator.url, 'reset', {});
			const load = os.loadavg();
			const exec = await executeMeasured(home, flows[key].id, { watchPids: emulator.pid ? [emulator.pid] : [] });
			const state = await control(emulator.url, 'state');
			const node = key === 'noop' ? bw.NAMES.noop : bw.NAMES.ours;
			const verification = key === 'noop' ? undefined : verifyOutputs(home, exec.run, { chain: [node, bw.NAMES.read], shaByFileName });
			const result = {
				key,
				success: exec.success,
				error: exec.error ? String(exec.error.message ?? exec.error).slice(0, 300) : undefined,
				nodeMs: nodeTime(exec.run, node),
				wallMs: exec.wallMs,
				peakRssBytes: exec.peakRssBytes,
				loadAvg: load,
				loadAvgEnd: os.loadavg(),
				verification,
				emulator: {
					requests: state.requests,
					generateContent: state.generateContent,
					batchCreates: state.batchCreates,
					batchRequests: state.batchRequests,
					batchGets: state.batchGets,
					batchLists: state.batchLists,
					uploads: state.uploads,
					downloads: state.downloads,
				},
			};
			const v = verification;
			log(
				`batch:${key.padEnd(5)} ${result.success ? 'ok  ' : 'FAIL'} node ${((result.nodeMs ?? 0) / 1000).toFixed(1)} s, ` +
					(v ? `${v.matched}/${items} images ok, ` : '') +
					`peak RSS ${(result.peakRssBytes / 2 ** 20).toFixed(0)} MB, requests to the emulator ${state.requests} ` +
					`(jobs ${state.batchCreates}, generateContent ${state.generateContent}), load ${load[0].toFixed(2)}` +
					(result.error ? ` — ${result.error}` : ''),
			);
			if (v?.problems.length) log(`   problems: ${v.problems.join('; ')}`);
			return result;
		};
		// Baseline first, then the contenders; each once (one run of 200 items takes a minute or two).
		const noop = await measure('noop');
		const batch = await measure('batch');
		const pool = await measure('pool');
		return { items, imageBytes, side, batchRunMs: BATCH_RUN_MS, noop, batch, pool };
	} finally {
		await emulator.stop();
		if (!keep) fs.rmSync(home.dir, { recursive: true, force: true });
	}
}

/** @typedef {Awaited<ReturnType<typeof runBatchBench>>} BatchBench */

const ANSWERS_START = '<!-- batch-answers:start -->';
const ANSWERS_END = '<!-- batch-answers:end -->';

/**
 * Large answers (issue 24, point 1): `answers` Generate items of a short prompt each in Batch Mode,
 * every answer image padded by the emulator to `answerMb` (as Google's 1K–4K PNGs weigh), beside a
 * No Operation node over the same inputs. Binary data in filesystem mode, as a production n8n keeps
 * it (in the default memory mode n8n itself holds every output image). Reported: every item an
 * image of the padded size, the results' total size, jobs, uploads/downloads, peak RSS of both.
 *
 * @param {object} spec
 * @param {import('../e2e/lib/install').N8nInstall} spec.install
 * @param {string} spec.tarball
 * @param {(msg: string) => void} spec.log
 * @param {number} spec.answers
 * @param {number} spec.answerMb
 * @param {boolean} [spec.keep]
 * @param {number} [spec.heapMb] caps n8n's V8 heap (`--max-old-space-size`): collected whole under
 *   a cap smaller than the results shows that the memory is bounded, not merely not yet collected
 */
async function runAnswersBench({ install, tarball, log, answers, answerMb, keep = false, heapMb }) {
	const imagesRoot = path.join(WORK, 'images');
	// Generate ignores its input images: tiny files only give the workflow its items.
	const set = writeImageSet({ dir: path.join(imagesRoot, 'answers'), prefix: 'answer', count: answers, side: 8 });
	const env = { N8N_RESTRICT_FILE_ACCESS_TO: imagesRoot, N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem' };
	const home = await n8n.createN8nHome({ install, tarball, env, log });
	const emulator = await startEmulator({ log });
	try {
		const credential = { id: 'benchAnswersAiStudio', name: 'Bench Answers AI Studio (emulator)' };
		await n8n.importCredentials(home, [
			{ ...credential, type: config.CREDENTIAL_TYPES.aiStudio, data: { apiKey: emulator.apiKey, baseUrl: emulator.url } },
		]);
		const generate = wf.nanoBananaNode({
			name: bw.NAMES.ours,
			credential,
			operation: 'generate',
			prompt: "={{ 'A studio photo of product ' + $itemIndex }}",
			model: bw.MODEL,
			options: { batchMode: true },
		});
		const flows = {
			noop: bw.benchWorkflow({ id: bw.idFor('answers:noop'), name: 'Bench: answers baseline', glob: set.glob, nodes: [bw.noopNode()] }),
			batch: bw.benchWorkflow({ id: bw.idFor('answers:ours'), name: 'Bench: large answers', glob: set.glob, nodes: [generate] }),
		};
		await n8n.importWorkflows(home, Object.values(flows));
		const answerBytes = Math.round(answerMb * 2 ** 20);
		/** @param {'noop' | 'batch'} key */
		const measure = async (key) => {
			await control(emulator.url, 'configure', { latencyMs: 0, batchPendingMs: 0, batchRunMs: BATCH_RUN_MS, batchAnswerBytes: answerBytes });
			await control(emulator.url, 'reset', {});
			const load = os.loadavg();
			const nodeArgs = heapMb ? [`--max-old-space-size=${heapMb}`] : [];
			const exec = await executeMeasured(home, flows[key].id, { env, nodeArgs, watchPids: emulator.pid ? [emulator.pid] : [] });
			const state = await control(emulator.url, 'state');
			const node = key === 'noop' ? bw.NAMES.noop : bw.NAMES.ours;
			const items = exec.run?.data?.resultData?.runData?.[node]?.[0]?.data?.main?.[0] ?? [];
			const images = items.filter((/** @type {any} */ item) => !item.json?.error && item.binary?.data?.mimeType === 'image/png' && Number(item.binary.data.bytes ?? 0) >= answerBytes - 64).length;
			const sizes = items.map((/** @type {any} */ item) => Number(item.binary?.data?.bytes ?? 0));
			const result = {
				key,
				success: exec.success,
				error: exec.error ? String(exec.error.message ?? exec.error).slice(0, 300) : undefined,
				nodeMs: nodeTime(exec.run, node),
				peakRssBytes: exec.peakRssBytes,
				loadAvg: load,
				loadAvgEnd: os.loadavg(),
				items: items.length,
				images,
				imageBytes: sizes.reduce((a, b) => a + b, 0),
				emulator: { requests: state.requests, batchCreates: state.batchCreates, batchRequests: state.batchRequests, uploads: state.uploads, downloads: state.downloads, batchGets: state.batchGets },
			};
			log(
				`answers:${key.padEnd(5)} ${result.success ? 'ok  ' : 'FAIL'} node ${((result.nodeMs ?? 0) / 1000).toFixed(1)} s, ` +
					(key === 'batch' ? `${images}/${answers} images of ≥ ${answerMb} MB (${(result.imageBytes / 2 ** 20).toFixed(0)} MB), ` : '') +
					`peak RSS ${(result.peakRssBytes / 2 ** 20).toFixed(0)} MB, jobs ${state.batchCreates}, uploads ${state.uploads}, downloads ${state.downloads}, load ${load[0].toFixed(2)}` +
					(result.error ? ` — ${result.error}` : ''),
			);
			return result;
		};
		const noop = await measure('noop');
		const batch = await measure('batch');
		return { answers, answerMb, heapMb, noop, batch };
	} finally {
		await emulator.stop();
		if (!keep) fs.rmSync(home.dir, { recursive: true, force: true });
	}
}

/** @param {Awaited<ReturnType<typeof runAnswersBench>>} r @param {{ command: string, startedAt: string }} meta */
function answersMarkdown(r, meta) {
	const mb = (/** @type {number} */ bytes) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
	const load = (/** @type {{ loadAvg: number[], loadAvgEnd: number[] }} */ c) => `${c.loadAvg[0].toFixed(2)} → ${c.loadAvgEnd[0].toFixed(2)}`;
	const base64 = r.batch.imageBytes * (4 / 3);
	return [
		ANSWERS_START,
		`## Batch Mode: ${r.answers} large answers`,
		'',
		`\`${meta.command}\`, ${meta.startedAt}. ${r.answers} Generate items (short prompts) in Batch Mode; the emulator pads every answer`,
		`image to ${r.answerMb} MB, so the job's results weigh ${mb(base64)} in base64. Binary data in filesystem mode. One \`n8n execute\` each` +
			(r.heapMb ? `, n8n's V8 heap capped at ${r.heapMb} MB (\`--max-old-space-size\`).` : '.'),
		'',
		'| case | success | images delivered | batch jobs | JSONL upload / results download | peak RSS of n8n | load |',
		'|---|---|---|---|---|---|---|',
		`| Batch Mode | ${r.batch.success ? 'yes' : `no: ${r.batch.error ?? ''}`} | ${r.batch.images}/${r.answers} (${mb(r.batch.imageBytes)}) | ${r.batch.emulator.batchCreates} | ${r.batch.emulator.uploads} / ${r.batch.emulator.downloads} | ${mb(r.batch.peakRssBytes)} | ${load(r.batch)} |`,
		`| No Operation (baseline) | ${r.noop.success ? 'yes' : 'no'} | — | — | — | ${mb(r.noop.peakRssBytes)} | ${load(r.noop)} |`,
		'',
		`- Peak extra memory of the n8n process (Batch Mode − baseline): **${mb(r.batch.peakRssBytes - r.noop.peakRssBytes)}** for ${mb(base64)} of results.`,
		ANSWERS_END,
		'',
	].join('\n');
}

/** @param {BatchBench} r */
function summarize(r) {
	const mb = (/** @type {number} */ bytes) => bytes / 2 ** 20;
	const extraMb = mb(r.batch.peakRssBytes - r.noop.peakRssBytes);
	const perItem = (/** @type {number} */ n) => n / r.items;
	return {
		allCorrect: r.batch.success && r.batch.verification?.matched === r.items && r.pool.verification?.matched === r.items,
		jobs: r.batch.emulator.batchCreates,
		extraMb,
		memoryOk: extraMb <= MEMORY_TARGET_MB,
		batchRequestsPerItem: perItem(r.batch.emulator.requests),
		poolRequestsPerItem: perItem(r.pool.emulator.requests),
	};
}

/** @param {BatchBench} r @param {{ command: string, startedAt: string }} meta */
function batchMarkdown(r, meta) {
	const s = summarize(r);
	const mb = (/** @type {number} */ bytes) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
	const sec = (/** @type {number | undefined} */ ms) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);
	const load = (/** @type {{ loadAvg: number[], loadAvgEnd: number[] }} */ c) => `${c.loadAvg[0].toFixed(2)} → ${c.loadAvgEnd[0].toFixed(2)}`;
	const row = (/** @type {string} */ name, /** @type {any} */ c) =>
		`| ${name} | ${c.success ? 'yes' : `no: ${c.error ?? ''}`} | ${c.verification ? `${c.verification.matched}/${r.items}` : '—'} | ${c.emulator.batchCreates} | ${c.emulator.requests} (${(c.emulator.requests / r.items).toFixed(3)}) | ${mb(c.peakRssBytes)} | ${sec(c.nodeMs)} | ${load(c)} |`;
	return [
		SECTION_START,
		'## Batch Mode: 200 items of 1 MB',
		'',
		`\`${meta.command}\`, ${meta.startedAt}. ${r.items} noise PNGs of ${(r.imageBytes / 2 ** 20).toFixed(2)} MB (${r.side}²) read from disk, edited with`,
		`Batch Mode (one job; the emulator runs it ${r.batchRunMs / 1000} s), the same workflow without Batch Mode (request pool, Max`,
		'Concurrency 8) and a No Operation node (baseline). One `n8n execute` each; load average (1 min) at start → end of each run.',
		'Requests: every request the emulator received (create, list, polls, upload chunks, download; or generateContent).',
		'',
		'| case | success | images from their own input | batch jobs | requests to Google (per item) | peak RSS of n8n | node time | load |',
		'|---|---|---|---|---|---|---|---|',
		row('Batch Mode', r.batch),
		row('request pool', r.pool),
		row('No Operation (baseline)', r.noop),
		'',
		`- All correct: **${s.allCorrect ? 'yes' : 'no'}**; batch jobs: **${s.jobs}** (JSONL file: ${r.batch.emulator.uploads} upload, results: ${r.batch.emulator.downloads} download).`,
		`- Peak extra memory of the n8n process (Batch Mode − baseline): **${s.extraMb.toFixed(0)} MB** (target ≤ ${MEMORY_TARGET_MB} MB: ${s.memoryOk ? 'met' : 'NOT met'}).`,
		`- Requests to Google per item: **${s.batchRequestsPerItem.toFixed(3)}** with Batch Mode, **${s.poolRequestsPerItem.toFixed(2)}** without.`,
		SECTION_END,
		'',
	].join('\n');
}

/**
 * Puts the section into `file`, replacing an earlier one between the same markers.
 * @param {string} file @param {string} section @param {string[]} [markers]
 */
function writeSection(file, section, [sectionStart, sectionEnd] = [SECTION_START, SECTION_END]) {
	const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
	const start = current.indexOf(sectionStart);
	const end = current.indexOf(sectionEnd);
	const next = start >= 0 && end > start
		? `${current.slice(0, start)}${section.trimEnd()}${current.slice(end + sectionEnd.length)}`
		: `${current.trimEnd()}\n\n${section}`;
	fs.writeFileSync(file, next);
}

async function main() {
	const { argv, flag, value, log, command } = benchCli('batch');
	const startedAt = new Date().toISOString();
	log(`load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
	const install = await n8n.ensureN8n({ log });
	const packDir = path.join(WORK, 'pack-batch');
	fs.rmSync(packDir, { recursive: true, force: true });
	const tarball = await n8n.packPackage({ destDir: packDir, skipBuild: flag('--skip-build'), log });
	if (argv.includes('--answers')) {
		const answers = await runAnswersBench({
			install,
			tarball,
			log,
			answers: Number(value('--answers', '500')),
			answerMb: Number(value('--answer-mb', '1.25')),
			heapMb: argv.includes('--heap-mb') ? Number(value('--heap-mb', '0')) : undefined,
			keep: flag('--keep'),
		});
		fs.mkdirSync(WORK, { recursive: true });
		fs.writeFileSync(path.join(WORK, 'batch-answers-results.json'), JSON.stringify({ command, startedAt, answers }, null, 2));
		const section = answersMarkdown(answers, { command, startedAt });
		process.stdout.write(`${section}\n`);
		if (!flag('--no-write')) writeSection(value('--out', path.join(config.REPO_ROOT, 'docs', 'benchmarks.md')), section, [ANSWERS_START, ANSWERS_END]);
		return;
	}
	const result = await runBatchBench({
		install,
		tarball,
		log,
		items: Number(value('--items', String(DEFAULT_ITEMS))),
		megabytes: Number(value('--mb', String(DEFAULT_MB))),
		keep: flag('--keep'),
	});
	fs.mkdirSync(WORK, { recursive: true });
	fs.writeFileSync(path.join(WORK, 'batch-results.json'), JSON.stringify({ command, startedAt, result }, null, 2));
	const section = batchMarkdown(result, { command, startedAt });
	process.stdout.write(`${section}\n`);
	if (!flag('--no-write')) writeSection(value('--out', path.join(config.REPO_ROOT, 'docs', 'benchmarks.md')), section);
}

module.exports = { runBatchBench, runAnswersBench, answersMarkdown, batchMarkdown, writeSection, summarize, BATCH_MARKERS: [SECTION_START, SECTION_END], ANSWERS_MARKERS: [ANSWERS_START, ANSWERS_END] };

if (require.main === module) {
	main().catch((error) => {
		process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
		process.exit(1);
	});
}
