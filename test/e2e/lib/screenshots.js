// @ts-check
'use strict';
/**
 * Screenshots of the editor taken by the browser test.
 *
 * Every run writes them to `.e2e/screenshots/` (git-ignored), so running the tests never touches
 * the work tree. The copies the README shows, `docs/screenshots/`, change only when asked
 * (`npm run screenshots`, or NANO_BANANA_UPDATE_SCREENSHOTS=1 with any run of the browser test),
 * and then only the shots that changed visibly: two renderings of the same screen differ in a few
 * anti-aliased pixels from run to run, and rewriting the PNGs for that would only make noise in git.
 *
 * "Visibly" (see visibleChange): another size, or more than VISIBLE.minPixels pixels whose colour
 * moved by more than VISIBLE.channelDelta (of 255) in some channel. A new shot (no copy in docs/
 * yet) is always copied, so adding one is a single `ui.saveScreenshot(page, 'name.png')` in the test.
 *
 * Decoding uses the emulator's PNG reader (test/emulator/png.js: 8-bit grey/RGB/RGBA, what
 * Chromium writes).
 *
 * `node test/e2e/lib/screenshots.js` copies the last run's shots the same way without a new run.
 */
const fs = require('node:fs');
const path = require('node:path');
const config = require('./config');
const { decodePng } = require('../../emulator/png');

/** Where each run's screenshots go (NANO_BANANA_SCREENSHOT_DIR overrides). */
const RUN_DIR = process.env.NANO_BANANA_SCREENSHOT_DIR
	? path.resolve(process.env.NANO_BANANA_SCREENSHOT_DIR)
	: path.join(config.WORK_DIR, 'screenshots');
/** The copies the README and docs show. */
const DOCS_DIR = path.join(config.REPO_ROOT, 'docs', 'screenshots');
/** Set to 1 to copy visibly changed shots into docs/screenshots/ after the browser test. */
const UPDATE_FLAG = 'NANO_BANANA_UPDATE_SCREENSHOTS';

/**
 * The change threshold. Two runs of the browser test on the same machine differed in 0 to 24
 * pixels per shot (a caret, a spinner frame; measured against the committed shots); one changed
 * word of a label moves a few hundred pixels by far more than 48/255.
 */
const VISIBLE = Object.freeze({ channelDelta: 48, minPixels: 100 });

/**
 * @typedef {object} Change
 * @property {boolean} visible
 * @property {number} differing   pixels past the channel threshold (0 when the sizes differ)
 * @property {string} why         a short sentence for logs
 */

/**
 * Whether two PNG screenshots differ visibly.
 * @param {Buffer} before
 * @param {Buffer} after
 * @param {{ channelDelta: number, minPixels: number }} [threshold]
 * @returns {Change}
 */
function visibleChange(before, after, threshold = VISIBLE) {
	if (before.equals(after)) return { visible: false, differing: 0, why: 'identical bytes' };
	const a = decodePng(before);
	const b = decodePng(after);
	if (a.width !== b.width || a.height !== b.height) {
		return { visible: true, differing: 0, why: `size ${a.width}x${a.height} → ${b.width}x${b.height}` };
	}
	let differing = 0;
	const pixels = a.width * a.height;
	for (let i = 0; i < pixels; i++) {
		if (pixelDelta(a, b, i) > threshold.channelDelta) differing++;
	}
	const visible = differing > threshold.minPixels;
	return {
		visible,
		differing,
		why: `${differing} pixels changed by more than ${threshold.channelDelta}/255 (${visible ? 'over' : 'within'} the ${threshold.minPixels}-pixel allowance)`,
	};
}

/**
 * Largest channel difference of pixel `i` (RGB compared; grey spread to RGB; alpha counted).
 * @param {ReturnType<typeof decodePng>} a
 * @param {ReturnType<typeof decodePng>} b
 * @param {number} i
 */
function pixelDelta(a, b, i) {
	let max = 0;
	for (let c = 0; c < 4; c++) {
		const d = Math.abs(channel(a, i, c) - channel(b, i, c));
		if (d > max) max = d;
	}
	return max;
}

/**
 * Channel c (0 r, 1 g, 2 b, 3 alpha) of pixel i, whatever the PNG's colour type.
 * @param {ReturnType<typeof decodePng>} img
 * @param {number} i
 * @param {number} c
 */
function channel(img, i, c) {
	const n = img.channels;
	const base = i * n;
	if (n >= 3) return c < 3 ? img.pixels[base + c] : n === 4 ? img.pixels[base + 3] : 255;
	return c < 3 ? img.pixels[base] : n === 2 ? img.pixels[base + 1] : 255;
}

/** Empties the run dir (before a run, so only its own shots are in it). */
function clearRunShots() {
	fs.rmSync(RUN_DIR, { recursive: true, force: true });
	fs.mkdirSync(RUN_DIR, { recursive: true });
}

/**
 * Copies the run's shots into docs/screenshots/: new ones, and those that changed visibly.
 * @param {{ from?: string, to?: string, log?: (msg: string) => void, threshold?: { channelDelta: number, minPixels: number } }} [options]
 * @returns {{ file: string, action: 'added' | 'updated' | 'kept', why: string }[]}
 */
function publishShots(options = {}) {
	const from = options.from ?? RUN_DIR;
	const to = options.to ?? DOCS_DIR;
	const log = options.log ?? (() => {});
	const files = fs.existsSync(from) ? fs.readdirSync(from).filter((f) => f.endsWith('.png')).sort() : [];
	/** @type {{ file: string, action: 'added' | 'updated' | 'kept', why: string }[]} */
	const results = [];
	fs.mkdirSync(to, { recursive: true });
	for (const file of files) {
		const fresh = fs.readFileSync(path.join(from, file));
		const target = path.join(to, file);
		if (!fs.existsSync(target)) {
			fs.writeFileSync(target, fresh);
			results.push({ file, action: 'added', why: 'new screenshot' });
			continue;
		}
		const change = visibleChange(fs.readFileSync(target), fresh, options.threshold);
		if (change.visible) fs.writeFileSync(target, fresh);
		results.push({ file, action: change.visible ? 'updated' : 'kept', why: change.why });
	}
	for (const r of results) log(`${path.relative(config.REPO_ROOT, path.join(to, r.file))}: ${r.action} (${r.why})`);
	if (!results.length) log(`no screenshots in ${from}: nothing to copy`);
	return results;
}

/** Whether this run was asked to copy changed shots into docs/. */
function updateRequested() {
	return process.env[UPDATE_FLAG] === '1';
}

if (require.main === module) {
	publishShots({ log: (msg) => process.stdout.write(`${msg}\n`) });
}

module.exports = { RUN_DIR, DOCS_DIR, UPDATE_FLAG, VISIBLE, visibleChange, clearRunShots, publishShots, updateRequested };
