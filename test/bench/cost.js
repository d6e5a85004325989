#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * Cost benchmark (issue 26): does pricing every answer, and keeping the spending caps, add
 * measurable time per item?
 *
 *   node test/bench/cost.js [--repeat 3] [--items 40] [--skip-build] [--keep] [--no-write] [--out FILE]
 *   npm run bench -- --scenario cost
 *
 *   1. In process, no n8n: the built `dist/` cost code on one item's path — reserve against both
 *      caps, price the answer from its usageMetadata, count it, end the reservation — 100,000 times
 *      (median of 5 rounds), and the pricing alone (`costOfAnswer`).
 *   2. In the real n8n (the bench's cached 2.41.1): 40 images at 0 ms model latency, Max Concurrency
 *      8, without cost options and with both caps set (far above what the run spends), runs
 *      alternated; the node's own executionTime per item (median). Every item's cost is checked.
 *
 * Writes the "Cost" section of docs/benchmarks.md (between its marker comments).
 */
const fs = require('node:fs');
const { benchCli } = require('./lib/cli');
const os = require('node:os');
const path = require('node:path');

const config = require('../e2e/lib/config');
const n8n = require('../e2e/lib/n8n');
const { startEmulator, controlEmulator: control } = require('../e2e/lib/emulator');
const wf = require('../e2e/lib/workflows');
const { writeImageSet } = require('./lib/images');
const { executeMeasured } = require('./lib/execute');
const { nodeTime, items: outputItems } = require('./lib/verify');
const bw = require('./lib/workflows');
const { writeSection } = require('./batch');

const WORK = path.join(config.WORK_DIR, 'bench');
const SECTION_START = '<!-- cost-bench:start -->';
const SECTION_END = '<!-- cost-bench:end -->';
const MICRO_ITEMS = 100_000;
const MICRO_ROUNDS = 5;
const CAPS = { maxCostPerExecution: 1000, maxCostPerDay: 1000 };

const median = (/** @type {number[]} */ values) => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
};

/** Part 1: nanoseconds per item of the cost path, from the built package. */
async function microBench() {
	const dist = path.join(config.REPO_ROOT, 'dist', 'nodes', 'NanoBanana', 'cost');
	const { CostSession } = require(path.join(dist, 'session.js'));
	const { costOfAnswer } = require(path.join(dist, 'itemCost.js'));
	const usage = {
		promptTokenCount: 1105,
		candidatesTokenCount: 1127,
		thoughtsTokenCount: 320,
		totalTokenCount: 2552,
		promptTokensDetails: [{ modality: 'TEXT', tokenCount: 5 }, { modality: 'IMAGE', tokenCount: 1100 }],
		candidatesTokensDetails: [{ modality: 'IMAGE', tokenCount: 1120 }, { modality: 'TEXT', tokenCount: 7 }],
	};
	const shape = { promptChars: 80, inputImages: 1, imageSize: '1K', images: 1 };
	const model = 'gemini-nano-banana-2.1';
	/** @type {number[]} */
	const pathNs = [];
	/** @type {number[]} */
	const priceNs = [];
	let sink = 0;
	for (let round = 0; round < MICRO_ROUNDS; round++) {
		const staticData = {};
		const session = new CostSession({ maxCostPerExecution: 1e9, maxCostPerDay: 1e9, staticData: () => staticData });
		let t = process.hrtime.bigint();
		for (let i = 0; i < MICRO_ITEMS; i++) {
			const reservation = await session.reserve(model, [shape], false);
			sink += session.answered(reservation, model, usage, false).usd ?? 0;
			session.countImages(1);
			reservation.end();
		}
		session.close();
		pathNs.push(Number(process.hrtime.bigint() - t) / MICRO_ITEMS);
		t = process.hrtime.bigint();
		for (let i = 0; i < MICRO_ITEMS; i++) sink += costOfAnswer(model, usage, false).usd ?? 0;
		priceNs.push(Number(process.hrtime.bigint() - t) / MICRO_ITEMS);
	}
	if (!(sink > 0)) throw new Error('the cost path computed nothing');
	return { items: MICRO_ITEMS, rounds: MICRO_ROUNDS, pathNs: median(pathNs), priceNs: median(priceNs), allPathNs: pathNs };
}

/**
 * @param {object} spec
 * @param {import('../e2e/lib/install').N8nInstall} spec.install
 * @param {string} spec.tarball
 * @param {(msg: string) => void} spec.log
 * @param {number} [spec.repeat]
 * @param {number} [spec.items]
 * @param {boolean} [spec.keep]
 */
async function runCostBench({ install, tarball, log, repeat = 3, items = 40, keep = false }) {
	log('Cost: in-process cost path');
	const micro = await microBench();
	log(`cost path ${(micro.pathNs / 1000).toFixed(2)} µs per item (pricing alone ${(micro.priceNs / 1000).toFixed(2)} µs)`);

	const imagesRoot = path.join(WORK, 'images');
	const set = writeImageSet({ dir: path.join(imagesRoot, 'cost'), prefix: 'cost', count: items, side: 256 });
	const home = await n8n.createN8nHome({ install, tarball, env: { N8N_RESTRICT_FILE_ACCESS_TO: imagesRoot }, log });
	const emulator = await startEmulator({ log });
	try {
		const credential = { id: 'benchCostAiStudio1', name: 'Bench Cost AI Studio (emulator)' };
		await n8n.importCredentials(home, [{ ...credential, type: config.CREDENTIAL_TYPES.aiStudio, data: { apiKey: emulator.apiKey, baseUrl: emulator.url } }]);
		const ours = (/** @type {Record<string, unknown>} */ options) =>
			wf.nanoBananaNode({ name: bw.NAMES.ours, credential, prompt: bw.PROMPT, model: bw.MODEL, options: { maxConcurrency: 8, ...options } });
		const flows = {
			plain: bw.benchWorkflow({ id: bw.idFor('cost:plain'), name: 'Bench: no cost options', glob: set.glob, nodes: [ours({})] }),
			capped: bw.benchWorkflow({ id: bw.idFor('cost:capped'), name: 'Bench: both caps', glob: set.glob, nodes: [ours(CAPS)] }),
		};
		await n8n.importWorkflows(home, Object.values(flows));
		/** @type {Record<string, Array<{ msPerItem: number, load: number, priced: number }>>} */
		const runs = { plain: [], capped: [] };
		for (let r = 0; r < repeat; r++) {
			for (const key of /** @type {const} */ (['plain', 'capped'])) {
				await control(emulator.url, 'configure', { latencyMs: 0 });
				await control(emulator.url, 'reset', {});
				const load = os.loadavg()[0];
				const exec = await executeMeasured(home, flows[key].id, { watchPids: emulator.pid ? [emulator.pid] : [] });
				const out = outputItems(exec.run, bw.NAMES.ours);
				const priced = out.filter((/** @type {any} */ item) => typeof item.json?.nanoBanana?.cost?.usd === 'number').length;
				const ms = nodeTime(exec.run, bw.NAMES.ours);
				if (!exec.success || ms === undefined || priced !== items) throw new Error(`cost:${key}: ${exec.error?.message ?? `${priced}/${items} items priced`}`);
				runs[key].push({ msPerItem: ms / items, load, priced });
				log(`cost:${key.padEnd(6)} ${(ms / items).toFixed(2)} ms per item, ${priced}/${items} priced, load ${load.toFixed(2)}`);
			}
		}
		return {
			micro,
			items,
			repeat,
			plain: median(runs.plain.map((x) => x.msPerItem)),
			capped: median(runs.capped.map((x) => x.msPerItem)),
			runs,
		};
	} finally {
		await emulator.stop();
		if (!keep) fs.rmSync(home.dir, { recursive: true, force: true });
	}
}

/** @typedef {Awaited<ReturnType<typeof runCostBench>>} CostBench */

/** @param {CostBench} r @param {{ command: string, startedAt: string }} meta */
function costMarkdown(r, meta) {
	const share = (r.micro.pathNs / 1e6 / r.plain) * 100;
	const loads = [...r.runs.plain, ...r.runs.capped].map((x) => x.load.toFixed(2)).join(', ');
	return [
		SECTION_START,
		'## Cost: pricing every item and keeping the caps',
		'',
		`\`${meta.command}\`, ${meta.startedAt}.`,
		'',
		'| what | per item |',
		'|---|---|',
		`| cost path in process (reserve against both caps, price the usageMetadata, count, end; median of ${r.micro.rounds} × ${r.micro.items.toLocaleString('en')}) | ${(r.micro.pathNs / 1000).toFixed(2)} µs |`,
		`| pricing alone (\`costOfAnswer\`) | ${(r.micro.priceNs / 1000).toFixed(2)} µs |`,
		`| node time, ${r.items} images at 0 ms latency, Max Concurrency 8, no cost options (median of ${r.repeat}) | ${r.plain.toFixed(2)} ms |`,
		`| the same with Max Cost per Execution and per Day set (median of ${r.repeat}) | ${r.capped.toFixed(2)} ms |`,
		'',
		`- The cost path is **${share.toFixed(3)}%** of the node's time per item: not measurable against the run-to-run`,
		`  spread of the n8n runs (no cost options: ${r.runs.plain.map((x) => x.msPerItem.toFixed(2)).join(', ')} ms; caps set:`,
		`  ${r.runs.capped.map((x) => x.msPerItem.toFixed(2)).join(', ')} ms per item). Every item carried a priced \`cost\` in every run. Load (1 min) at each run: ${loads}.`,
		SECTION_END,
		'',
	].join('\n');
}

async function main() {
	const { flag, value, log, command } = benchCli('cost');
	const startedAt = new Date().toISOString();
	const install = await n8n.ensureN8n({ log });
	const packDir = path.join(WORK, 'pack-cost');
	fs.rmSync(packDir, { recursive: true, force: true });
	const tarball = await n8n.packPackage({ destDir: packDir, skipBuild: flag('--skip-build'), log });
	const result = await runCostBench({ install, tarball, log, repeat: Number(value('--repeat', '3')), items: Number(value('--items', '40')), keep: flag('--keep') });
	fs.mkdirSync(WORK, { recursive: true });
	fs.writeFileSync(path.join(WORK, 'cost-results.json'), JSON.stringify({ command, startedAt, result }, null, 2));
	const section = costMarkdown(result, { command, startedAt });
	process.stdout.write(`${section}\n`);
	if (!flag('--no-write')) writeSection(value('--out', path.join(config.REPO_ROOT, 'docs', 'benchmarks.md')), section, [SECTION_START, SECTION_END]);
}

module.exports = { runCostBench, costMarkdown, COST_MARKERS: [SECTION_START, SECTION_END] };

if (require.main === module) {
	main().catch((error) => {
		process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
		process.exit(1);
	});
}
