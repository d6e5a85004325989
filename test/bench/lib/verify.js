// @ts-check
'use strict';
/**
 * Reads a benchmark run: each node's execution time from n8n's run data, and whether every input
 * image came back as an edited image of its own (the emulator writes the sha256 of the input
 * images it was sent into the answer PNG's metadata; the output item's pairedItem chain leads
 * back to the file that was read).
 */
const { readBinary } = require('../../e2e/lib/n8n');
const { readPngInfo } = require('../../emulator/png');

/**
 * @param {any} run
 * @param {string} nodeName
 */
function nodeRun(run, nodeName) {
	const runs = run?.data?.resultData?.runData?.[nodeName];
	return runs?.length ? runs[runs.length - 1] : undefined;
}

/**
 * Execution time (ms) n8n recorded for a node, or undefined when it did not run.
 * @param {any} run
 * @param {string} nodeName
 */
function nodeTime(run, nodeName) {
	const r = nodeRun(run, nodeName);
	return typeof r?.executionTime === 'number' ? r.executionTime : undefined;
}

/** @param {any} run @param {string} nodeName @returns {any[]} */
function items(run, nodeName) {
	return nodeRun(run, nodeName)?.data?.main?.[0] ?? [];
}

/** @param {any} pairedItem */
function pairedIndex(pairedItem) {
	const p = Array.isArray(pairedItem) ? pairedItem[0] : pairedItem;
	if (typeof p === 'number') return p;
	return typeof p?.item === 'number' ? p.item : undefined;
}

/**
 * @typedef {object} Verification
 * @property {number} outputItems       items the last node put out
 * @property {number} withImage         output items with a binary that is a PNG
 * @property {number} matched           …whose answer was made from the item's own input image
 * @property {number} distinctInputs    different input images covered by matched items
 * @property {number} errorItems        output items carrying json.error
 * @property {string[]} problems        first few problems found
 */

/**
 * @param {import('../../e2e/lib/home').N8nHome} home
 * @param {any} run
 * @param {object} spec
 * @param {string[]} spec.chain      node names from the contender's last node back to the reader
 * @param {Map<string, string>} spec.shaByFileName   input file name → sha256
 * @returns {Verification}
 */
function verifyOutputs(home, run, { chain, shaByFileName }) {
	/** @type {string[]} */
	const problems = [];
	const finals = items(run, chain[0]);
	const perNode = chain.map((name) => items(run, name));
	let withImage = 0;
	let matched = 0;
	let errorItems = 0;
	const covered = new Set();
	finals.forEach((item, index) => {
		if (item?.json?.error) errorItems++;
		// Follow pairedItem back to the reader's item, whose json holds the file name.
		let current = item;
		for (let level = 1; level < chain.length && current; level++) {
			const back = pairedIndex(current.pairedItem);
			current = back === undefined ? undefined : perNode[level][back];
		}
		const fileName = current?.json?.fileName;
		const binary = Object.values(item?.binary ?? {})[0];
		if (!binary) {
			if (problems.length < 5) problems.push(`item ${index}: no binary`);
			return;
		}
		let info;
		try {
			info = readPngInfo(readBinary(home, /** @type {any} */ (binary)));
		} catch (error) {
			if (problems.length < 5) problems.push(`item ${index}: output is not a readable PNG (${error instanceof Error ? error.message : error})`);
			return;
		}
		withImage++;
		const expected = typeof fileName === 'string' ? shaByFileName.get(fileName) : undefined;
		const got = info.meta?.inputs?.[0];
		if (expected && got === expected) {
			matched++;
			covered.add(expected);
		} else if (problems.length < 5) {
			problems.push(`item ${index}: answer made from ${got ? got.slice(0, 12) : 'no input'}, expected ${fileName ?? '?'} (${expected?.slice(0, 12) ?? '?'})`);
		}
	});
	return { outputItems: finals.length, withImage, matched, distinctInputs: covered.size, errorItems, problems };
}

module.exports = { nodeRun, nodeTime, items, verifyOutputs };
