// @ts-check
'use strict';
/** Turns the benchmark's raw runs into the summary table, the targets and docs/benchmarks.md. */

const MB = 2 ** 20;

const LABELS = /** @type {Record<string, string>} */ ({
	ours: 'Nano Banana (this package)',
	builtin: 'n8n Google Gemini node (Image → Edit)',
	http: 'HTTP Request template (Code → HTTP → Code)',
	noop: 'No Operation (baseline)',
});

/**
 * @param {any[]} runs
 * @param {(run: any) => number} by
 */
function median(runs, by) {
	const sorted = [...runs].sort((a, b) => by(a) - by(b));
	return sorted[Math.floor((sorted.length - 1) / 2)];
}

const byTime = (/** @type {any} */ r) => (r.success && r.nodeMs !== undefined ? r.nodeMs : Infinity);
const byPeak = (/** @type {any} */ r) => r.peakRssBytes;

/** @param {any} c a case: { spec, runs } */
function timeStats(c) {
	const pick = median(c.runs, byTime);
	const times = c.runs.map(byTime).filter((/** @type {number} */ t) => Number.isFinite(t));
	return {
		pick,
		ms: pick.success ? pick.nodeMs : undefined,
		minMs: times.length ? Math.min(...times) : undefined,
		maxMs: times.length ? Math.max(...times) : undefined,
		allOk: c.runs.every((/** @type {any} */ r) => r.success && r.verification.matched === c.spec.items && r.verification.distinctInputs === c.spec.items),
		minMatched: Math.min(...c.runs.map((/** @type {any} */ r) => r.verification.matched)),
		failures: c.runs.filter((/** @type {any} */ r) => !r.success).length,
		// CPU per item while the contender ran (median run): n8n process, its task runner, emulator.
		cpu: pick.cpuMs
			? {
					n8n: pick.cpuMs.n8n / c.spec.items,
					runner: pick.cpuMs.helpers / c.spec.items,
					emulator: pick.cpuMs.watched / c.spec.items,
					wait: (pick.cpuMs.n8nWait ?? 0) / c.spec.items,
				}
			: undefined,
	};
}

/** @param {any} row */
function cpuText(row) {
	if (!row.cpu) return '—';
	const runner = row.contender === 'http' ? ` + runner ${fmt(row.cpu.runner, 0)}` : '';
	return `${fmt(row.cpu.n8n, 0)}${runner} / ${fmt(row.cpu.emulator, 0)} / ${fmt(row.cpu.wait, 0)}`;
}

/**
 * Gaps in a limited-server run's call starts longer than PAUSE_MS: time the client started
 * nothing new although calls had finished (in steady state a new call starts every ~latency/2).
 * @param {Array<[number, number]> | undefined} timeline  [ms after first call, status]
 */
function pausesIn(timeline) {
	if (!timeline || timeline.length < 2) return undefined;
	const gaps = [];
	for (let i = 1; i < timeline.length; i++) gaps.push(timeline[i][0] - timeline[i - 1][0]);
	const long = gaps.filter((g) => g > PAUSE_MS);
	return { count: long.length, totalMs: long.reduce((a, b) => a + b, 0), spanMs: timeline[timeline.length - 1][0] };
}
const PAUSE_MS = 600;

/** @param {any} data */
function summarize(data) {
	const { settings, results } = data;
	const find = (/** @type {any[]} */ list, /** @type {string} */ key) => list.find((c) => c.spec.key === key);

	const builtinSpeed = timeStats(find(results.speed, 'speed:builtin'));
	const builtinRate = builtinSpeed.ms ? settings.items / (builtinSpeed.ms / 1000) : undefined;
	/** @type {any[]} */
	const speed = results.speed.map((/** @type {any} */ c) => {
		const s = timeStats(c);
		const rate = s.ms ? c.spec.items / (s.ms / 1000) : undefined;
		return {
			key: c.spec.key,
			contender: c.spec.contender,
			concurrency: c.spec.concurrency,
			...s,
			rate,
			msPerItem: s.ms ? s.ms / c.spec.items : undefined,
			speedup: rate && builtinRate && c.spec.contender === 'ours' ? rate / builtinRate : undefined,
			serverMaxInFlight: s.pick.emulator.maxInFlight,
			answered: s.pick.emulator.accepted,
			calls: s.pick.emulator.generateContent,
			uploads: s.pick.emulator.uploads,
			runs: c.runs.length,
		};
	});

	/** @type {any[]} */
	const overhead = results.overhead.map((/** @type {any} */ c) => {
		const s = timeStats(c);
		return { key: c.spec.key, contender: c.spec.contender, concurrency: c.spec.concurrency, ...s, msPerItem: s.ms ? s.ms / c.spec.items : undefined, serverMaxInFlight: s.pick.emulator.maxInFlight, runs: c.runs.length };
	});

	const baselineCase = find(results.memory, 'memory:noop');
	const baseline = median(baselineCase.runs, byPeak).peakRssBytes;
	/** @type {any[]} */
	const memory = results.memory.map((/** @type {any} */ c) => {
		const pick = median(c.runs, byPeak);
		const extra = pick.peakRssBytes - baseline;
		const count = settings.bigImage.count;
		// The built-in node edits one image at a time; ours had Max Concurrency 8 over 8 images.
		const inFlight = c.spec.contender === 'ours' ? Math.min(count, c.spec.concurrency ?? 1) : c.spec.contender === 'noop' ? 0 : 1;
		return {
			key: c.spec.key,
			contender: c.spec.contender,
			concurrency: c.spec.concurrency,
			peak: pick.peakRssBytes,
			peaks: c.runs.map(byPeak),
			extra: c.spec.contender === 'noop' ? undefined : extra,
			perImage: c.spec.contender === 'noop' ? undefined : extra / count,
			inFlight,
			perImageInFlight: inFlight ? extra / inFlight : undefined,
			ratio: c.spec.contender === 'noop' ? undefined : extra / count / settings.bigImage.bytes,
			ratioInFlight: inFlight ? extra / inFlight / settings.bigImage.bytes : undefined,
			ok: c.runs.every((/** @type {any} */ r) => r.success && r.verification.matched === (c.spec.contender === 'noop' ? 0 : count)),
			matched: pick.verification.matched,
			success: pick.success,
			error: pick.error,
			nodeMs: pick.nodeMs,
			serverMaxInFlight: pick.emulator.maxInFlight,
		};
	});

	const bestMs = (settings.items / settings.serverInFlight) * settings.latencyMs;
	/** @type {any[]} */
	const inflight = results.inflight.map((/** @type {any} */ c) => {
		const s = timeStats(c);
		const r = s.pick;
		return {
			key: c.spec.key,
			contender: c.spec.contender,
			concurrency: c.spec.concurrency,
			...s,
			done: r.verification.matched,
			ratio: s.ms ? s.ms / bestMs : undefined,
			rejected: r.emulator.rejectedInFlight,
			answered: r.emulator.accepted,
			calls: r.emulator.generateContent,
			serverMaxInFlight: r.emulator.maxInFlight,
			attempts: r.attempts,
			error: r.error,
			runs: c.runs.length,
			pauses: pausesIn(r.timeline),
		};
	});

	const ours = (/** @type {any[]} */ rows, /** @type {number} */ c) => rows.find((r) => r.contender === 'ours' && r.concurrency === c);
	const builtin = (/** @type {any[]} */ rows) => rows.find((r) => r.contender === 'builtin');
	const c8 = ours(speed, 8);
	const c1 = ours(speed, 1);
	const mem = memory.find((/** @type {any} */ m) => m.contender === 'ours');
	const targets = [
		{
			name: `Concurrency 8, ${settings.latencyMs} ms: ≥ 7× the built-in node's items/s`,
			value: c8?.speedup !== undefined ? `${c8.speedup.toFixed(2)}× (${fmt(c8.rate, 1)} vs ${fmt(builtinRate, 2)} items/s)` : 'not measured',
			met: c8?.speedup !== undefined && c8.speedup >= 7 && c8.allOk,
		},
		{
			name: 'Concurrency 1: per-item time no worse than the built-in node',
			value: c1?.msPerItem !== undefined && builtin(speed)?.msPerItem !== undefined
				? `${fmt(c1.msPerItem, 0)} ms vs ${fmt(builtin(speed).msPerItem, 0)} ms per item`
				: 'not measured',
			met: c1?.msPerItem !== undefined && builtin(speed)?.msPerItem !== undefined && c1.msPerItem <= builtin(speed).msPerItem && c1.allOk,
		},
		{
			name: 'Peak extra memory per image in flight ≤ 3× the image size',
			value: mem?.ratio !== undefined ? `${mem.ratio.toFixed(2)}× (${fmt(mem.perImage / MB, 1)} MB per ${fmt(settings.bigImage.bytes / MB, 1)} MB image)` : 'not measured',
			met: mem?.ratio !== undefined && mem.ratio <= 3 && mem.ok,
		},
		...inflight
			.filter((/** @type {any} */ r) => r.contender === 'ours')
			.map((/** @type {any} */ r) => ({
				name: `${settings.serverInFlight}-in-flight server, Max Concurrency ${r.concurrency}: every item done within 1.5× of ${fmt(bestMs / 1000, 1)} s`,
				value: `${r.done}/${settings.items} done, ${r.ms !== undefined ? `${fmt(r.ms / 1000, 2)} s = ${r.ratio.toFixed(2)}×` : `failed: ${r.error ?? '?'}`}`,
				met: r.allOk && r.ratio !== undefined && r.ratio <= 1.5,
			})),
	];
	return { data, speed, overhead, memory, baseline, inflight, bestMs, builtinRate, targets };
}

/** @param {number | undefined} n @param {number} digits */
function fmt(n, digits) {
	return n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(digits);
}

/** @param {any} row */
function who(row) {
	return `${LABELS[row.contender] ?? row.contender}${row.contender === 'ours' ? `, concurrency ${row.concurrency}` : ''}`;
}

/** @param {any} row */
function okText(row) {
	return row.allOk ? 'all' : `${row.minMatched}${row.failures ? `, ${row.failures} failed run(s)` : ''}`;
}

/** @param {any} row */
function range(row) {
	return row.runs > 1 && row.minMs !== undefined ? ` (${fmt(row.minMs / 1000, 2)}–${fmt(row.maxMs / 1000, 2)})` : '';
}

/**
 * @param {string[]} header
 * @param {string[][]} rows
 */
function mdTable(header, rows) {
	return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** @param {ReturnType<typeof summarize>} s */
function sections(s) {
	const { settings } = s.data;
	const speedRows = s.speed.map((r) => [
		who(r),
		`${fmt(r.ms / 1000, 2)}${range(r)}`,
		fmt(r.rate, 2),
		fmt(r.msPerItem, 0),
		r.contender === 'ours' ? `${fmt(r.speedup, 2)}×` : r.contender === 'builtin' ? '1×' : fmt(r.rate && s.builtinRate ? r.rate / s.builtinRate : undefined, 2) + '×',
		okText(r),
		`${r.answered}/${r.calls}${r.uploads ? ` (+${r.uploads} uploads)` : ''}, max ${r.serverMaxInFlight} in flight`,
		cpuText(r),
	]);
	const overheadRows = s.overhead.map((r) => [
		who(r),
		`${fmt(r.ms / 1000, 2)}${range(r)}`,
		fmt(r.msPerItem, 1),
		okText(r),
		String(r.serverMaxInFlight),
		cpuText(r),
	]);
	const memRows = s.memory.map((m) => [
		who(m),
		`${fmt(m.peak / MB, 0)} (${m.peaks.map((/** @type {number} */ p) => fmt(p / MB, 0)).join(', ')})`,
		m.extra === undefined ? '—' : fmt(m.extra / MB, 0),
		m.perImage === undefined ? '—' : `${fmt(m.perImage / MB, 1)} (${m.ratio.toFixed(2)}×)`,
		m.inFlight ? `${m.inFlight}: ${fmt(m.perImageInFlight / MB, 1)} MB (${m.ratioInFlight.toFixed(2)}×)` : '—',
		m.contender === 'noop' ? (m.success ? 'ok' : 'failed') : m.ok ? `${m.matched}/${settings.bigImage.count}` : `${m.matched}/${settings.bigImage.count}${m.error ? ` — ${m.error.slice(0, 80)}` : ''}`,
		m.nodeMs === undefined ? '—' : fmt(m.nodeMs / 1000, 2),
		m.contender === 'noop' ? '—' : String(m.serverMaxInFlight),
	]);
	const inflightRows = s.inflight.map((r) => [
		who(r),
		`${r.done}/${settings.items}`,
		r.ms !== undefined ? `${fmt(r.ms / 1000, 2)}${range(r)}` : `failed${r.error ? `: ${r.error.slice(0, 90)}` : ''}`,
		r.ratio !== undefined ? `${r.ratio.toFixed(2)}×` : '—',
		`${r.answered} answered, ${r.rejected} refused (429), max ${r.serverMaxInFlight} in flight`,
		r.attempts !== undefined ? String(r.attempts - r.done) : '—',
		r.pauses ? (r.pauses.count ? `${r.pauses.count} gap(s), ${fmt(r.pauses.totalMs / 1000, 2)} s` : 'none') : '—',
	]);
	return { speedRows, overheadRows, memRows, inflightRows };
}

/** @param {ReturnType<typeof summarize>} s */
function textTable(s) {
	const { settings } = s.data;
	const { speedRows, overheadRows, memRows, inflightRows } = sections(s);
	/** @param {string} title @param {string[]} header @param {string[][]} rows */
	const block = (title, header, rows) => {
		const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
		const line = (/** @type {string[]} */ cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
		return [title, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
	};
	return [
		'',
		block(`1. ${settings.items} items, ${settings.latencyMs} ms model latency (median of ${settings.repeat})`, ['contender', 'node time s', 'items/s', 'ms/item', 'vs built-in', 'images ok', 'emulator', 'CPU ms/item n8n/emu/wait'], speedRows),
		'',
		block(`2. Per-item overhead, 0 ms latency`, ['contender', 'node time s', 'ms/item', 'images ok', 'max in flight', 'CPU ms/item n8n/emu/wait'], overheadRows),
		'',
		block(`3. Peak RSS of n8n, ${settings.bigImage.count} × ${fmt(settings.bigImage.bytes / MB, 1)} MB images`, ['workflow', 'peak MB (runs)', 'extra MB', 'extra/8 MB (× size)', 'per image in flight', 'images', 'node s', 'at server at once'], memRows),
		'',
		block(`4. ${settings.items} items, server takes ${settings.serverInFlight} at a time, ${settings.latencyMs} ms (best ${fmt(s.bestMs / 1000, 1)} s)`, ['contender', 'done', 'node time s', 'vs best', 'emulator', 'retries', 'gaps > 0.6 s'], inflightRows),
		'',
		'Targets:',
		...s.targets.map((t) => `  [${t.met ? 'met' : 'MISSED'}] ${t.name}: ${t.value}`),
		'',
	].join('\n');
}

/** @param {ReturnType<typeof summarize>} s */
function observations(s) {
	const notes = [];
	const { settings } = s.data;
	const builtinRow = s.speed.find((r) => r.contender === 'builtin');
	for (const c of [8, 4]) {
		const row = s.speed.find((r) => r.contender === 'ours' && r.concurrency === c);
		if (!row?.cpu || !row.ms || !builtinRow?.msPerItem) continue;
		const busy = ((row.cpu.n8n + row.cpu.wait) * settings.items) / row.ms;
		const ideal = (settings.items / c) * settings.latencyMs;
		const floor = Math.max(settings.latencyMs / c, row.cpu.n8n);
		notes.push(
			`At Max Concurrency ${c} the node took ${fmt(row.ms / 1000, 2)} s where the latency alone allows ${fmt(ideal / 1000, 2)} s; the server saw at most ${row.serverMaxInFlight} requests at once. ` +
				`Per item, n8n's process used ${fmt(row.cpu.n8n, 0)} ms of CPU and its JavaScript thread waited ${fmt(row.cpu.wait, 0)} ms for a CPU while runnable (the emulator, on the same ${s.data.machine.nproc} CPUs, used ${fmt(row.cpu.emulator, 0)} ms): the thread was running or waiting to run ${fmt(100 * busy, 0)}% of the node's time. ` +
				`With ${fmt(row.cpu.n8n, 0)} ms of n8n CPU per item, no concurrency can beat ${fmt(floor, 0)} ms per item on this machine even without contention, a ceiling of ${fmt(builtinRow.msPerItem / floor, 1)}× the built-in node's ${fmt(builtinRow.msPerItem, 0)} ms per item.`,
		);
		break;
	}
	for (const r of s.inflight) {
		if (r.contender !== 'ours' || !r.pauses) continue;
		notes.push(
			`${settings.serverInFlight}-in-flight server, Max Concurrency ${r.concurrency}: ${r.rejected} request(s) refused with 429 (RetryInfo 1 s); the node then started no request for ${r.pauses.count} stretch(es) totalling ${fmt(r.pauses.totalMs / 1000, 2)} s although the server had free slots after ${settings.latencyMs} ms (the shared pause holds every new request for the full retry delay). Calls spanned ${fmt(r.pauses.spanMs / 1000, 2)} s of the ${fmt((r.ms ?? 0) / 1000, 2)} s.`,
		);
	}
	const http = s.speed.find((r) => r.contender === 'http');
	if (http && http.serverMaxInFlight > 1) {
		notes.push(
			`The HTTP Request node (typeVersion 4.2, default options) does not send items one by one: it starts every item's request before awaiting any, so the emulator saw up to ${http.serverMaxInFlight} requests at once. That is why the template chain is fast on an unlimited server, and why it fails on a limited one (section 4): it has no retry and no pacing unless "Batching" and "Retry On Fail" are set by hand.`,
		);
	}
	if (http?.pick?.nodeTimes) {
		const parts = Object.entries(http.pick.nodeTimes).map(([name, ms]) => `${name} ${fmt(/** @type {number} */ (ms) / 1000, 2)} s`);
		notes.push(`Where the HTTP Request chain's time went (${settings.latencyMs} ms run): ${parts.join(', ')}. The first Code node reads each binary through the task runner and puts a ~1 MB base64 string per item into the item JSON; the HTTP Request node then renders a ~1 MB JSON-body expression per item.`);
	}
	const tightHttp = s.inflight.find((r) => r.contender === 'http');
	if (tightHttp && tightHttp.ms === undefined) {
		notes.push(`Against the ${s.data.settings.serverInFlight}-in-flight server the HTTP Request chain failed the execution on the 429s: it does not retry by default (${tightHttp.answered} of ${s.data.settings.items} requests answered, ${tightHttp.rejected} refused).`);
	}
	const builtin = s.speed.find((r) => r.contender === 'builtin');
	if (builtin?.uploads) {
		notes.push(`The built-in node uploaded every image through the Files API first (${builtin.uploads} uploads for ${s.data.settings.items} items: a start and an upload request per image) and then called generateContent, one item at a time.`);
	}
	const memBuiltin = s.memory.find((m) => m.contender === 'builtin');
	if (memBuiltin && !memBuiltin.success) notes.push(`The built-in node did not finish the ${s.data.settings.bigImage.count} large images: ${memBuiltin.error}`);
	return notes;
}

/** @param {ReturnType<typeof summarize>} s */
function markdown(s) {
	const d = s.data;
	const { settings, machine } = d;
	const { speedRows, overheadRows, memRows, inflightRows } = sections(s);
	const lines = [
		'# Benchmarks',
		'',
		'This package\'s Nano Banana node against n8n\'s built-in Google Gemini node (Image → Edit Image) and a',
		'hand-built HTTP Request workflow as public templates use it, in one run on one machine: the same real',
		'n8n, the same Gemini API emulator (`test/emulator`), the same input images. Generated by',
		'`test/bench/run-bench.js`; do not edit by hand, run the command again.',
		'',
		`- **Date:** ${d.startedAt} (took ${fmt(d.durationS / 60, 1)} min)`,
		`- **Command:** \`${d.command}\`${d.git ? ` at commit \`${d.git.commit}\`${d.git.dirty ? ' (with uncommitted changes in nodes/, credentials/ or package.json)' : ''}` : ''}`,
		`- **Machine:** ${machine.nproc} CPU(s), ${machine.cpuModel}, ${fmt(machine.memoryBytes / 2 ** 30, 1)} GiB RAM, ${machine.os}`,
		`- **Software:** n8n ${machine.n8nVersion} on Node ${machine.n8nNode} (bench script on Node ${machine.benchNode.replace(/^v/, '')})`,
		`- **Load average (1/5/15 min):** ${machine.loadStart.map((/** @type {number} */ l) => l.toFixed(2)).join(' / ')} at the start, ${machine.loadEnd.map((/** @type {number} */ l) => l.toFixed(2)).join(' / ')} at the end${machine.loadStart[0] > Number(machine.nproc) ? ' — the machine was busy with other work, so absolute times are pessimistic; all contenders ran under the same conditions' : ''}`,
		'',
		'## How it is measured',
		'',
		`- Each case is one \`n8n execute\` of a workflow: Manual Trigger → Wait 3 s (while \`n8n execute\` starts its task runner, a second Node process that takes most of a CPU for about a second; a running n8n did that long before) → Read/Write Files from Disk (a glob of PNGs → binary \`data\`) → the contender. Sections measured before that wait was added (see each section's commit) ran without it. Times are n8n's own \`executionTime\` of the contender's node (for the HTTP chain, the sum of its three nodes), so n8n's start-up and the file reading are not counted. Cases ran ${settings.repeat}×, interleaved (the HTTP chain and the built-in node against the limited server once), and the tables show the median run (range in brackets).`,
		`- Inputs: ${settings.items} different ${settings.smallImage.side}×${settings.smallImage.side} RGB noise PNGs of ${fmt(settings.smallImage.bytes / MB, 2)} MB; for memory ${settings.bigImage.count} noise PNGs of ${settings.bigImage.side}×${settings.bigImage.side} (${fmt(settings.bigImage.bytes / MB, 2)} MB, incompressible). Model \`${settings.model}\`; the emulator answers with a 1024×1024 PNG.`,
		'- Every output is checked: each item must carry a PNG whose embedded emulator metadata names the sha256 of *its own* input image (pairedItem followed back to the file read). "images ok" counts those; the emulator\'s counters (answered/calls) are shown next to it.',
		'- Contenders: **Nano Banana** — edit, AI Studio credential with its base URL on the emulator, Options → Max Concurrency N, everything else default. **Built-in** — `@n8n/n8n-nodes-langchain.googleGemini` typeVersion 1.2, resource image, operation edit, model `models/gemini-2.5-flash-image`, credential `googlePalmApi` with its host on the emulator. **HTTP template** — Code (builds `contents[].parts[]` with base64 `inline_data` from the binary) → HTTP Request 4.2 (POST `/v1beta/models/gemini-2.5-flash-image:generateContent`, header `x-goog-api-key`, JSON body, default options) → Code (base64 answer → binary).',
		`- Memory: model latency ${settings.bigImage.latencyMs?.ours ?? '?'} ms for this package's node (so all ${settings.bigImage.count} requests are at the server at once; see the last column), ${settings.bigImage.latencyMs?.other ?? '?'} ms otherwise. Peak resident set size (VmHWM of the \`n8n execute\` process, read from /proc by the process at exit and by polling) editing ${settings.bigImage.count} images, minus the same workflow with a No Operation node instead of the editor. "extra/8" divides by all ${settings.bigImage.count} images (ours holds all of them in flight at Max Concurrency 8); "per image in flight" divides by what the node holds at once (the built-in node does one at a time).`,
		'- CPU columns: CPU time used while the contender\'s node(s) ran, per item, sampled from /proc: the n8n process (for the HTTP chain plus its task runner, which runs the Code nodes) and the emulator. n8n runs a node\'s JavaScript on one thread, so when n8n CPU per item × items approaches the node time, the node is CPU-bound rather than waiting on the model.',
		`- Section 4: the emulator admits only ${settings.serverInFlight} generateContent requests at a time and answers the rest with 429 RESOURCE_EXHAUSTED carrying RetryInfo (1 s). Best possible: ${settings.items}/${settings.serverInFlight} × ${settings.latencyMs} ms = ${fmt(s.bestMs / 1000, 1)} s.`,
		'',
		`## 1. Throughput: ${settings.items} images, ${settings.latencyMs} ms model latency`,
		'',
		mdTable(['contender', 'node time (s)', 'items/s', 'ms/item', 'vs built-in', 'images ok', 'emulator: answered/calls', 'CPU ms per item: n8n / emulator / n8n waiting for a CPU'], speedRows),
		'',
		'The built-in node and the HTTP chain have no concurrency setting; each ran as configured, and the speed-up column compares every row with the built-in node.',
		'',
		'## 2. Per-item overhead at 0 ms latency',
		'',
		mdTable(['contender', 'node time (s)', 'ms/item', 'images ok', 'max in flight at the server', 'CPU ms per item: n8n / emulator / n8n waiting for a CPU'], overheadRows),
		'',
		`## 3. Peak memory: ${settings.bigImage.count} images of ${fmt(settings.bigImage.bytes / MB, 1)} MB`,
		'',
		mdTable(['workflow', 'peak RSS MB (runs)', 'extra MB', 'extra ÷ 8, MB (× image)', 'images in flight: extra each (× image)', 'images ok', 'node time (s)', 'requests at the server at once'], memRows),
		'',
		`## 4. Server that takes only ${settings.serverInFlight} requests at a time (${settings.latencyMs} ms, best ${fmt(s.bestMs / 1000, 1)} s)`,
		'',
		mdTable(['contender', 'items done', 'node time (s)', 'vs best', 'emulator', 'retries', 'gaps > 0.6 s between call starts'], inflightRows),
		'',
		'## Targets',
		'',
		mdTable(['target', 'measured', 'met'], s.targets.map((t) => [t.name, t.value, t.met ? 'yes' : '**no**'])),
		'',
	];
	const notes = observations(s);
	if (notes.length) lines.push('## Observations', '', ...notes.map((n) => `- ${n}`), '');
	lines.push(
		'## Limits of this set-up',
		'',
		`- The emulator runs on the same ${machine.nproc} CPU(s) as n8n and spends CPU on every request (parsing the JSON body, decoding base64, hashing, drawing the answer PNG), more for inline bodies than for the built-in node\'s raw uploads; Google does that work on its own machines. On a small machine this caps the concurrent contenders more than the sequential one.`,
		'- The emulator\'s answer PNG (coloured bands) compresses to about 20 KB; real answers are around 1–2 MB of base64, which every contender would have to parse and store.',
		'- The machine may be shared: the load average is recorded above and per run below; the "waiting for a CPU" column shows how long n8n\'s JavaScript thread was runnable but not running.',
		'',
		'## Every run',
		'',
		mdTable(
			['case', 'run', 'ok', 'node time (s)', 'images ok', 'peak RSS MB', 'answered/calls', '429', 'max in flight', 'load'],
			['speed', 'overhead', 'memory', 'inflight'].flatMap((section) =>
				d.results[section].flatMap((/** @type {any} */ c) =>
					c.runs.map((/** @type {any} */ r, /** @type {number} */ i) => [
						c.spec.key,
						String(i + 1),
						r.success ? 'yes' : 'no',
						fmt(r.nodeMs === undefined ? undefined : r.nodeMs / 1000, 2),
						`${r.verification.matched}/${c.spec.contender === 'noop' ? 0 : c.spec.items}`,
						fmt(r.peakRssBytes / MB, 0),
						`${r.emulator.accepted}/${r.emulator.generateContent}`,
						String(r.emulator.rejectedInFlight + r.emulator.rateLimited),
						String(r.emulator.maxInFlight),
						fmt(r.loadAvg1, 1),
					]),
				),
			),
		),
		'',
	);
	return lines.join('\n');
}

module.exports = { summarize, textTable, markdown };
