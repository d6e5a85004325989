// @ts-check
'use strict';
/**
 * Deterministic input images for the benchmark: RGB PNGs filled with pseudo-random noise (an
 * AES-CTR keystream keyed by the image's name), so every image is different, the same on every
 * run, and does not compress (an "8 MB" image really is 8 MB on the wire and in memory).
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const { encodePng } = require('../../emulator/png');

/**
 * Pseudo-random bytes from a seed string: AES-128-CTR over zeros.
 * @param {string} seed
 * @param {number} length
 */
function noise(seed, length) {
	const key = crypto.createHash('sha256').update(`nano-banana-bench:${seed}`).digest();
	const cipher = crypto.createCipheriv('aes-128-ctr', key.subarray(0, 16), key.subarray(16, 32));
	return Buffer.concat([cipher.update(Buffer.alloc(length)), cipher.final()]);
}

/**
 * A width×height RGB noise PNG. Stored (level 0) deflate: noise does not compress anyway, and
 * this keeps the file size predictable (raw size + a few bytes per 64 KB).
 * @param {string} seed
 * @param {number} width
 * @param {number} height
 */
function noisePng(seed, width, height) {
	const stride = width * 3;
	const pixels = noise(seed, stride * height);
	return encodePng({ width, height, row: (y) => pixels.subarray(y * stride, (y + 1) * stride), deflate: { level: 0 } });
}

/** Side of a square RGB noise PNG of about `bytes` bytes. @param {number} bytes */
function sideForBytes(bytes) {
	return Math.round(Math.sqrt(bytes / 3));
}

/**
 * @typedef {object} ImageSet
 * @property {string} dir
 * @property {string} glob          for the Read/Write Files from Disk node
 * @property {Array<{ name: string, file: string, size: number, sha256: string }>} files
 */

/** @param {string} file */
function sha256File(file) {
	return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/**
 * Writes `count` noise PNGs `<prefix>-NN.png` into `dir`. A manifest remembers what was written,
 * so a later run only checks the files' hashes instead of generating them again.
 * @param {object} spec
 * @param {string} spec.dir
 * @param {string} spec.prefix
 * @param {number} spec.count
 * @param {number} spec.side   width = height in pixels
 * @returns {ImageSet}
 */
function writeImageSet({ dir, prefix, count, side }) {
	fs.mkdirSync(dir, { recursive: true });
	const manifestFile = path.join(dir, `${prefix}.manifest.json`);
	/** @type {Record<string, { side: number, sha256: string }>} */
	let manifest = {};
	try {
		manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
	} catch {
		/* first run */
	}
	const files = [];
	for (let i = 1; i <= count; i++) {
		const name = `${prefix}-${String(i).padStart(2, '0')}.png`;
		const file = path.join(dir, name);
		const known = manifest[name];
		let sha256 = known && known.side === side && fs.existsSync(file) ? sha256File(file) : '';
		if (!known || sha256 !== known.sha256) {
			const png = noisePng(`${prefix}:${i}:${side}`, side, side);
			fs.writeFileSync(file, png);
			sha256 = crypto.createHash('sha256').update(png).digest('hex');
			manifest[name] = { side, sha256 };
		}
		files.push({ name, file, size: fs.statSync(file).size, sha256 });
	}
	// Files of an earlier, bigger set would match the glob too.
	for (const extra of fs.readdirSync(dir)) {
		if (extra.startsWith(`${prefix}-`) && extra.endsWith('.png') && !files.some((f) => f.name === extra)) {
			fs.rmSync(path.join(dir, extra));
			delete manifest[extra];
		}
	}
	fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
	return { dir, glob: `${dir.split(path.sep).join('/')}/${prefix}-*.png`, files };
}

module.exports = { noisePng, sideForBytes, writeImageSet };
