// @ts-check
'use strict';
/**
 * Sample input images for the e2e tests: a thin layer over the emulator's PNG encoder/reader
 * (`test/emulator/png.js`), with a per-pixel callback API and zlib's default compression.
 */
const zlib = require('node:zlib');
const { encodePng, readChunks, SIGNATURE } = require('../../emulator/png');

/**
 * Encodes an 8-bit RGB PNG.
 * @param {number} width
 * @param {number} height
 * @param {(x: number, y: number) => [number, number, number]} pixel
 * @param {Record<string, string>} [text] tEXt chunks
 */
function createPng(width, height, pixel, text = {}) {
	return encodePng({
		width,
		height,
		row: (y) => {
			const row = Buffer.alloc(width * 3);
			for (let x = 0; x < width; x++) {
				const [r, g, b] = pixel(x, y);
				row[x * 3] = r;
				row[x * 3 + 1] = g;
				row[x * 3 + 2] = b;
			}
			return row; // a new Buffer per row: every row is written unfiltered
		},
		text,
		deflate: {}, // zlib's defaults, as this module always used
	});
}

/**
 * A recognisable sample picture: a sky gradient, a yellow sun and green ground ("a banana-ish
 * landscape"), so edits in the demo have something to work on.
 * @param {number} [width]
 * @param {number} [height]
 */
function samplePng(width = 320, height = 240) {
	const sunX = width * 0.7;
	const sunY = height * 0.3;
	const sunR = Math.min(width, height) * 0.15;
	return createPng(
		width,
		height,
		(x, y) => {
			if ((x - sunX) ** 2 + (y - sunY) ** 2 < sunR ** 2) return [250, 215, 60];
			if (y > height * 0.7 + Math.sin(x / 20) * 6) return [70, 150, 60];
			const t = y / height;
			return [Math.round(90 + 100 * t), Math.round(150 + 60 * t), 235];
		},
		{ Description: 'nano-banana e2e sample image' },
	);
}

/** @param {Buffer} buf */
function isPng(buf) {
	return Buffer.isBuffer(buf) && buf.length > 24 && buf.subarray(0, 8).equals(SIGNATURE);
}

/**
 * Width, height and tEXt/iTXt entries of a PNG.
 * @param {Buffer} buf
 * @returns {{ width: number, height: number, text: Record<string, string> }}
 */
function readPng(buf) {
	if (!isPng(buf)) throw new Error('not a PNG');
	const chunks = readChunks(buf);
	/** @type {Record<string, string>} */
	const text = {};
	for (const { type, data } of chunks) {
		const nul = data.indexOf(0);
		if (nul <= 0) continue;
		if (type === 'tEXt') {
			text[data.toString('latin1', 0, nul)] = data.toString('latin1', nul + 1);
		} else if (type === 'iTXt') {
			// keyword\0 compressionFlag compressionMethod languageTag\0 translatedKeyword\0 text
			let p = nul + 3;
			p = data.indexOf(0, p) + 1;
			p = data.indexOf(0, p) + 1;
			const body = data.subarray(p);
			text[data.toString('latin1', 0, nul)] = (data[nul + 1] ? zlib.inflateSync(body) : body).toString('utf8');
		}
	}
	return { width: chunks[0].data.readUInt32BE(0), height: chunks[0].data.readUInt32BE(4), text };
}

module.exports = { createPng, samplePng, isPng, readPng };
