// @ts-check
'use strict';
/**
 * The report's sections for issue 11 (quotas, many executions, 1000 items, realistic latency) and
 * its targets, from the same results.json as the other sections. Every figure sits beside the ideal
 * the server's limits allow and the load average when it was taken.
 */

const MB = 2 ** 20;

/** @param {number | undefined} n @param {number} digits */
const fmt = (n, digits) => (n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(digits));
/** @param {string[]} header @param {string[][]} rows */
const table = (header, rows) => [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

/** Median run of a case by node time (failed runs last). @param {any} c */
function medianRun(c) {
	const sorted = [...c.runs].sort((a, b) => (a.success && a.nodeMs !== undefined ? a.nodeMs : Infinity) - (b.success && b.nodeMs !== undefined ? b.nodeMs : Infinity));
	return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** @param {any} r */
const refusedShare = (r) => (r.emulator.generateContent ? (r.emulator.rateLimited + r.emulator.rejectedInFlight) / r.emulator.generateContent : 0);

/**
 * The least time a fixed-window quota (windows aligned to the clock, as Google's and the
 * emulator's are) allows for `items` starts that begin at `firstStartAt`: the last start waits for
 * the window it falls in, then takes the model's latency. A run that begins late in a window gets
 * that window's whole budget at once, so this can be far less than items ÷ rate.
 * @param {{ firstStartAt: number, windowMs: number, perWindow: number, items: number, latencyMs: number }} run
 */
function fixedWindowIdealMs({ firstStartAt, windowMs, perWindow, items, latencyMs }) {
	const windowsLater = Math.floor((items - 1) / perWindow);
	const lastStart = windowsLater === 0 ? firstStartAt : (Math.floor(firstStartAt / windowMs) + windowsLater) * windowMs;
	return lastStart - firstStartAt + latencyMs;
}

/**
 * The best a run's own start allows under a fixed-window quota (undefined for other servers or
 * runs that did not record their first start). The targets use issue 11's ideal, items ÷ rate.
 * @param {any} c @param {any} r
 */
function windowBestFor(c, r) {
	const emu = c.spec.emulator ?? {};
	const quota = emu.startsPerSecond ? { windowMs: 1000, perWindow: emu.startsPerSecond } : emu.startsPerMinute ? { windowMs: 60_000, perWindow: emu.startsPerMinute } : undefined;
	if (!quota || r.firstCallAt === undefined) return undefined;
	return fixedWindowIdealMs({ firstStartAt: r.firstCallAt, ...quota, items: c.spec.items, latencyMs: emu.latencyMs ?? 0 });
}

/** @param {any} c */
function limitedRow(c) {
	const r = medianRun(c);
	const idealMs = c.spec.idealMs;
	const windowBestMs = windowBestFor(c, r);
	const ratio = r.success && r.nodeMs !== undefined && idealMs ? r.nodeMs / idealMs : undefined;
	return {
		key: c.spec.key,
		concurrency: c.spec.concurrency,
		paced: /:rpm\d+$/.test(c.spec.key) ? Number(/:rpm(\d+)$/.exec(c.spec.key)?.[1]) : 0,
		ms: r.success ? r.nodeMs : undefined,
		idealMs,
		windowBestMs,
		windowRatio: r.success && r.nodeMs !== undefined && windowBestMs ? r.nodeMs / windowBestMs : undefined,
		ratio,
		refused: refusedShare(r),
		calls: r.emulator.generateContent,
		rateLimited: r.emulator.rateLimited + r.emulator.rejectedInFlight,
		matched: r.verification.matched,
		items: c.spec.items,
		load: r.loadAvg1,
		runs: c.runs.length,
		cpuPerItem: r.cpuMs ? r.cpuMs.n8n / c.spec.items : undefined,
		peakRss: r.peakRssBytes,
	};
}

/** @param {any} data */
function scaleSummary(data) {
	const { results } = data;
	const rate = (results.rate ?? []).map(limitedRow);
	const rateMinute = (results.rateMinute ?? []).map(limitedRow);
	const thousandRows = (results.thousand ?? []).map(limitedRow);
	const thousand = thousandRows.filter((row) => row.key.startsWith('thousand:ours:'));
	const thousandNoop = thousandRows.filter((row) => row.key.startsWith('thousand:noop:'));
	const latency = (results.latency ?? []).map(limitedRow);
	const webhooks = results.webhooks?.[0];
	/** @type {Array<{ name: string, value: string, met: boolean }>} */
	const targets = [];
	for (const row of [...rate, ...rateMinute].filter((x) => x.paced === 0)) {
		targets.push({
			name: `Rate-limited server (${row.key}), no pacing set: ≤ 1.2× ideal, ≤ 15% refused`,
			value: `${fmt(row.ratio, 2)}× of ${fmt(row.idealMs / 1000, 1)} s, ${fmt(row.refused * 100, 0)}% refused (${row.rateLimited}/${row.calls}), ${row.matched}/${row.items} images ok, load ${fmt(row.load, 1)}`,
			met: row.ratio !== undefined && row.ratio <= 1.2 && row.refused <= 0.15 && row.matched === row.items,
		});
	}
	if (webhooks) {
		const ratio = webhooks.wallMs / webhooks.idealMs;
		const refused = webhooks.emulator.generateContent ? webhooks.emulator.rateLimited / webhooks.emulator.generateContent : 0;
		targets.push({
			name: `${webhooks.executions} concurrent executions against one rate quota: ≤ 1.3× ideal, ≤ 15% refused, nothing lost`,
			value: `${fmt(ratio, 2)}× of ${fmt(webhooks.idealMs / 1000, 1)} s (first call to last answer), ${fmt(refused * 100, 0)}% refused (${webhooks.emulator.rateLimited}/${webhooks.emulator.generateContent}), ${webhooks.matched}/${webhooks.items} images right, load ${fmt(webhooks.loadAvg1, 1)}`,
			met: ratio <= 1.3 && refused <= 0.15 && webhooks.matched === webhooks.items,
		});
	}
	if (thousand.length === 2) {
		const [hundred, full] = thousand;
		const noopGrowth = thousandNoop.length === 2 ? thousandNoop[1].peakRss - thousandNoop[0].peakRss : undefined;
		const n8nOwn =
			noopGrowth === undefined
				? ''
				: `; n8n alone (No Operation instead of the node) grows ${fmt(noopGrowth / MB, 0)} MB over the same items, so the node adds ${fmt((full.peakRss - hundred.peakRss - noopGrowth) / MB, 0)} MB`;
		targets.push({
			name: `1000 items: peak RSS at 1000 ≤ peak at 100 + 50 MB`,
			value: `${fmt(full.peakRss / MB, 0)} MB vs ${fmt(hundred.peakRss / MB, 0)} MB (+${fmt((full.peakRss - hundred.peakRss) / MB, 0)} MB)${n8nOwn}; ${full.matched}/${full.items} images ok in ${fmt((full.ms ?? NaN) / 1000, 1)} s, load ${fmt(full.load, 1)}`,
			met: full.peakRss <= hundred.peakRss + 50 * MB && full.matched === full.items,
		});
	}
	const cpuCase = (results.speed ?? []).find((/** @type {any} */ c) => c.spec.key === 'speed:ours:8');
	const builtinCase = (results.speed ?? []).find((/** @type {any} */ c) => c.spec.key === 'speed:builtin');
	if (cpuCase) {
		const r = limitedRow(cpuCase);
		targets.push({
			name: 'n8n CPU per item at 0.75 MB inputs ≤ 20 ms (200 ms latency, Max Concurrency 8)',
			value: `${fmt(r.cpuPerItem, 1)} ms, load ${fmt(r.load, 1)}`,
			met: r.cpuPerItem !== undefined && r.cpuPerItem <= 20,
		});
		if (builtinCase) {
			const b = limitedRow(builtinCase);
			const speedUp = r.ms && b.ms ? b.ms / r.ms : undefined;
			targets.push({
				name: '200 ms latency, 40 items, Max Concurrency 8: ≥ 6× n8n\'s Gemini node',
				value: `${fmt(speedUp, 2)}× (${fmt((r.ms ?? NaN) / 1000, 2)} s vs ${fmt((b.ms ?? NaN) / 1000, 2)} s)`,
				met: speedUp !== undefined && speedUp >= 6,
			});
		}
	}
	const at32 = latency.find((/** @type {any} */ x) => x.key === 'latency:ours:32');
	if (at32) {
		targets.push({
			name: 'Realistic latency (3 s, 64 items): Max Concurrency 32 within 1.15× of ideal',
			value: `${fmt(at32.ratio, 2)}× (${fmt((at32.ms ?? NaN) / 1000, 2)} s vs ${fmt(at32.idealMs / 1000, 1)} s), load ${fmt(at32.load, 1)}`,
			met: at32.ratio !== undefined && at32.ratio <= 1.15,
		});
	}
	return { rate, rateMinute, thousand, thousandNoop, latency, webhooks, targets };
}

/** @param {any} row @param {string} label */
function limitedCells(row, label) {
	return [
		label,
		String(row.concurrency),
		row.paced ? String(row.paced) : '—',
		fmt((row.ms ?? NaN) / 1000, 2),
		`${fmt(row.ratio, 2)}×`,
		row.windowBestMs === undefined ? '—' : `${fmt(row.windowBestMs / 1000, 1)} s: ${fmt(row.windowRatio, 2)}×`,
		`${fmt(row.refused * 100, 0)}% (${row.rateLimited}/${row.calls})`,
		`${row.matched}/${row.items}`,
		`${fmt(row.load, 1)}${row.runs > 1 ? ` (median of ${row.runs})` : ''}`,
	];
}

/** @param {any} data */
function scaleMarkdown(data) {
	const s = scaleSummary(data);
	const set = data.settings;
	const measuredAt = (/** @type {string} */ name) => {
		const m = data.measured?.[name];
		return m ? ` — measured ${m.startedAt.slice(0, 16).replace('T', ' ')} UTC${m.git ? ` at \`${m.git.commit}\`` : ''}, load ${m.load.map((/** @type {number} */ l) => l.toFixed(2)).join(' / ')} at its start` : '';
	};
	const lines = [];
	const limitedHeader = ['case', 'Max Concurrency', 'Max Requests per Minute', 'node time (s)', '÷ ideal', 'best the clock windows allow from this start', 'refused (429s/calls)', 'images ok', 'load (1 min)'];
	if (s.rate.length) {
		lines.push(
			`## 6. Rate-limited server: ${set.rate.perSecond} request starts per second (fixed window), ${set.items} items, ${set.latencyMs} ms${measuredAt('rate')}`,
			'',
			`The emulator admits ${set.rate.perSecond} generateContent starts per clock second and answers the rest with 429 carrying only RetryInfo (the rest of the second), no quota name: the node must tell a rate from a concurrency limit by what it sees. Ideal (issue 11's): ${set.items} / ${set.rate.perSecond} per second = ${fmt(set.items / set.rate.perSecond, 1)} s. The windows are clock seconds, so a run that begins late in one gets its budget early: the next column gives the least time the windows allow from the run's own first start (its last start at the beginning of the window it falls in, plus the latency), where the run recorded it. A node that paces starts at the quota's rate, as this one does once it has learned it, spends up to a window more than that on a run this short. "Max Requests per Minute" rows set the option 5% under the quota.`,
			'',
			table(limitedHeader, s.rate.map((row) => limitedCells(row, row.key))),
			'',
		);
	}
	if (s.rateMinute.length) {
		lines.push(
			`## 7. Rate-limited server: ${set.rate.perMinute} request starts per minute (fixed window), ${set.items} items${measuredAt('rateMinute')}`,
			'',
			`429s name the quota (\`GenerateRequestsPerMinutePerProjectPerModel-FreeTier\`) with RetryInfo = the rest of the minute, as Google's do. Ideal (issue 11's): ${set.items} / ${set.rate.perMinute} per minute = ${fmt((set.items / set.rate.perMinute) * 60, 0)} s. The windows are clock minutes, so where n8n's first start falls in a minute changes the run (each case ran once); the next column gives the least time the windows allow from that start (the first ${set.rate.perMinute} at once, the rest at the next minute). Paced at the learned rate, the last ${set.items - set.rate.perMinute} starts are spread over the next minute instead of sent at its beginning.`,
			'',
			table(limitedHeader, s.rateMinute.map((row) => limitedCells(row, row.key))),
			'',
		);
	}
	if (s.webhooks) {
		const w = s.webhooks;
		lines.push(
			`## 8. ${w.executions} webhook executions × ${w.items / w.executions} items arriving together, ${set.webhooks.perSecond} request starts per second${measuredAt('webhooks')}`,
			'',
			`A started n8n serves a published workflow Webhook → Read/Write Files from Disk → Nano Banana (Max Concurrency ${set.webhooks.concurrency}); ${w.executions} calls are sent at once, each naming its own ${w.items / w.executions} images. All executions share one gate (same credential and model). Every stored execution is read back and each output image checked against its own input.`,
			'',
			table(
				['calls answered 200', 'first call to last answer (s)', 'ideal (s)', '÷ ideal', 'refused (429s/calls)', 'images right', 'executions stored', 'load (1/5/15)'],
				[[
					`${w.calls.filter((/** @type {any} */ c) => c.status === 200).length}/${w.executions}`,
					fmt(w.wallMs / 1000, 2),
					fmt(w.idealMs / 1000, 1),
					`${fmt(w.wallMs / w.idealMs, 2)}×`,
					`${fmt((w.emulator.rateLimited / Math.max(1, w.emulator.generateContent)) * 100, 0)}% (${w.emulator.rateLimited}/${w.emulator.generateContent})`,
					`${w.matched}/${w.items}`,
					`${w.storedExecutions} (${[...new Set(w.statuses)].join(', ')})`,
					w.loadAvg.map((/** @type {number} */ l) => l.toFixed(2)).join(' / '),
				]],
			),
			'',
			`Each call's answer time (s): ${w.calls.map((/** @type {any} */ c) => fmt(c.ms / 1000, 1)).join(', ')}.`,
			'',
		);
	}
	if (s.thousand.length) {
		lines.push(
			`## 9. ${set.thousand.items.join(' and ')} items of ${fmt(set.thousand.bytes / MB, 0)} MB, filesystem binary mode, ${set.thousand.latencyMs} ms latency${measuredAt('thousand')}`,
			'',
			`\`N8N_DEFAULT_BINARY_DATA_MODE=filesystem\`; Read/Write Files from Disk reads ${set.thousand.side}×${set.thousand.side} noise PNGs; Nano Banana at Max Concurrency ${set.thousand.concurrency}, and the same workflow ending in a No Operation node instead (n8n's own growth with the item count: run data, binary metadata). Peak RSS is the VmHWM of the \`n8n execute\` process.`,
			'',
			table(
				['workflow', 'items', 'peak RSS MB', 'node time (s)', 'ms per item', 'n8n CPU ms per item', 'images ok', 'load (1 min)'],
				[...s.thousandNoop, ...s.thousand].map((row) => {
					const ours = row.key.startsWith('thousand:ours:');
					return [
						ours ? 'Nano Banana' : 'No Operation',
						String(row.items),
						fmt(row.peakRss / MB, 0),
						ours ? fmt((row.ms ?? NaN) / 1000, 1) : '–',
						ours ? fmt((row.ms ?? NaN) / row.items, 1) : '–',
						ours ? fmt(row.cpuPerItem, 1) : '–',
						ours ? `${row.matched}/${row.items}` : '–',
						fmt(row.load, 1),
					];
				}),
			),
			'',
		);
	}
	if (s.latency.length) {
		const builtin = s.latency.find((row) => row.key === 'latency:builtin');
		lines.push(
			`## 10. Realistic latency: ${set.latency.items} items at ${fmt(set.latency.latencyMs / 1000, 0)} s per image${measuredAt('latency')}`,
			'',
			`Ideal for Max Concurrency N: ⌈${set.latency.items}/N⌉ × ${fmt(set.latency.latencyMs / 1000, 0)} s (the built-in node works one item at a time: ${set.latency.items} × ${fmt(set.latency.latencyMs / 1000, 0)} s).`,
			'',
			table(
				['contender', 'node time (s)', 'ideal (s)', '÷ ideal', 'vs built-in', 'images ok', 'load (1 min)'],
				s.latency.map((row) => [
					row.key === 'latency:builtin' ? 'n8n Google Gemini node (Image → Edit)' : `Nano Banana, Max Concurrency ${row.concurrency}`,
					fmt((row.ms ?? NaN) / 1000, 2),
					fmt(row.idealMs / 1000, 1),
					`${fmt(row.ratio, 2)}×`,
					builtin?.ms && row.ms ? `${fmt(builtin.ms / row.ms, 1)}×` : '—',
					`${row.matched}/${row.items}`,
					`${fmt(row.load, 1)}${row.runs > 1 ? ` (median of ${row.runs})` : ''}`,
				]),
			),
			'',
		);
	}
	if (s.targets.length) {
		lines.push('## Targets of issue 11', '', table(['target', 'measured', 'met'], s.targets.map((t) => [t.name, t.value, t.met ? 'yes' : '**no**'])), '');
	}
	return lines.join('\n');
}

/** @param {any} data */
function scaleText(data) {
	return scaleSummary(data)
		.targets.map((t) => `${t.met ? 'met ' : 'MISS'}  ${t.name}: ${t.value}`)
		.join('\n');
}

module.exports = { fixedWindowIdealMs, scaleSummary, scaleMarkdown, scaleText };
