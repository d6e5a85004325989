#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * Where did the n8n process spend its CPU while the contender's node ran? Reads a V8 CPU profile
 * written by `npm run bench -- --cpu-prof DIR` and its `.window.json` (the node's start and end,
 * mapped onto the profile's clock) and prints self time per function and per file/package, and
 * inclusive time for a few frames of interest, per item.
 *
 *   node test/bench/profile-summary.js DIR/<case>-<t>.cpuprofile [--top N]
 */
const fs = require('node:fs');

/**
 * @typedef {{ id: number, callFrame: { functionName: string, url: string, lineNumber: number }, children?: number[] }} ProfileNode
 * @typedef {{ nodes: ProfileNode[], startTime: number, endTime: number, samples: number[], timeDeltas: number[] }} Profile
 */

/** @param {string} url */
const OWN_PACKAGE = '/node_modules/n8n-nodes-gemini-nano-banana/';

function where(url) {
	if (!url) return '(native / V8)';
	const clean = url.replace(/^file:\/\//, '');
	const nm = clean.lastIndexOf('/node_modules/');
	if (nm >= 0) {
		const rest = clean.slice(nm + '/node_modules/'.length).split('/');
		const pkg = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
		if (pkg === OWN_PACKAGE.split('/')[2]) return `${pkg}/${rest.slice(1).join('/')}`;
		return pkg;
	}
	if (clean.startsWith('node:')) return clean;
	return clean;
}

function main() {
	const file = process.argv[2];
	if (!file) throw new Error('usage: node test/bench/profile-summary.js <file.cpuprofile> [--top N]');
	const topIndex = process.argv.indexOf('--top');
	const top = topIndex > 0 ? Number(process.argv[topIndex + 1]) : 25;
	/** @type {Profile} */
	const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
	const windowFile = file.replace(/\.cpuprofile$/, '.window.json');
	const win = fs.existsSync(windowFile) ? JSON.parse(fs.readFileSync(windowFile, 'utf8')) : undefined;
	// Profile timestamps are monotonic µs; the window is epoch ms. clock: both at the same instant.
	const toMono = (/** @type {number} */ epochMs) => win.clock.hrUs + (epochMs - win.clock.epochMs) * 1000;
	const from = win ? toMono(win.startEpochMs) : profile.startTime;
	const to = win ? toMono(win.endEpochMs) : profile.endTime;
	const items = win?.items ?? 1;

	/** @type {Map<number, ProfileNode>} */
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	/** @type {Map<number, number>} */
	const parent = new Map();
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

	/** @type {Map<string, number>} */
	const selfByFn = new Map();
	/** @type {Map<string, number>} */
	const selfByWhere = new Map();
	/** @type {Map<string, number>} inclusive time of frames, counted once per sample */
	const inclusive = new Map();
	/** @type {Map<string, number>} time under this package's code, by its innermost own frame */
	const underOwn = new Map();
	let ownTotal = 0;
	let t = profile.startTime;
	let total = 0;
	let idle = 0;
	for (let i = 0; i < profile.samples.length; i++) {
		t += profile.timeDeltas[i];
		const dt = profile.timeDeltas[i + 1] ?? 0; // a sample stands for the time until the next one
		if (t < from || t > to) continue;
		const node = byId.get(profile.samples[i]);
		if (!node) continue;
		const { functionName, url, lineNumber } = node.callFrame;
		if (functionName === '(idle)') {
			idle += dt;
			continue;
		}
		total += dt;
		const fnKey = `${functionName || '(anonymous)'}  ${where(url)}${url ? `:${lineNumber + 1}` : ''}`;
		selfByFn.set(fnKey, (selfByFn.get(fnKey) ?? 0) + dt);
		const w = functionName === '(garbage collector)' ? '(garbage collector)' : functionName === '(program)' ? '(program)' : where(url);
		selfByWhere.set(w, (selfByWhere.get(w) ?? 0) + dt);
		for (let id = /** @type {number | undefined} */ (node.id); id !== undefined; id = parent.get(id)) {
			const frame = /** @type {ProfileNode} */ (byId.get(id)).callFrame;
			if (!frame.url.includes(OWN_PACKAGE)) continue;
			const key = `${frame.functionName || '(anonymous)'}  ${where(frame.url)}:${frame.lineNumber + 1}`;
			underOwn.set(key, (underOwn.get(key) ?? 0) + dt);
			ownTotal += dt;
			break;
		}
		const seen = new Set();
		for (let id = /** @type {number | undefined} */ (node.id); id !== undefined; id = parent.get(id)) {
			const frame = /** @type {ProfileNode} */ (byId.get(id)).callFrame;
			const key = `${frame.functionName || '(anonymous)'}  ${where(frame.url)}`;
			if (seen.has(key)) continue;
			seen.add(key);
			inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
		}
	}
	const ms = (/** @type {number} */ us) => (us / 1000).toFixed(1).padStart(8);
	const perItem = (/** @type {number} */ us) => (us / 1000 / items).toFixed(2).padStart(7);
	const print = (/** @type {string} */ title, /** @type {Map<string, number>} */ map, /** @type {number} */ n) => {
		process.stdout.write(`\n${title}\n${'ms'.padStart(8)} ${'ms/item'.padStart(7)}  share\n`);
		for (const [k, v] of [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, n)) {
			process.stdout.write(`${ms(v)} ${perItem(v)}  ${((100 * v) / Math.max(1, total)).toFixed(1).padStart(5)}%  ${k}\n`);
		}
	};
	process.stdout.write(
		`${win ? `${win.key}: ${items} items, node window ${((to - from) / 1000).toFixed(0)} ms` : 'whole profile'}; ` +
			`busy ${ms(total).trim()} ms (${perItem(total).trim()} ms/item), idle ${ms(idle).trim()} ms\n`,
	);
	print('Self time by file / package', selfByWhere, top);
	print('Self time by function', selfByFn, top);
	print('Inclusive time by function (frames on the stack)', inclusive, top);
	process.stdout.write(
		`\nUnder this package's code (synchronous work it does or calls; n8n's own work on its behalf, such as a request's credential lookup, runs later on other stacks): ${ms(ownTotal).trim()} ms (${perItem(ownTotal).trim()} ms/item)\n`,
	);
	print('... by the innermost own frame on the stack', underOwn, top);
}

main();
