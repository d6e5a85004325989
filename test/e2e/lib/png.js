// @ts-check
'use strict';
/** Tiny PNG writer/reader (Node built-ins only) for sample input images. */
const zlib = require('node:zlib');

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** @type {number[]} */
const CRC_TABLE = [];
for (let n = 0; n < 256; n++) {
	let c = n;
	for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	CRC_TABLE.push(c >>> 0);
}

/** @param {Buffer} buf */
function crc32(buf) {
	let c = 0xffffffff;
	for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

/**
 * @param {string} type
 * @param {Buffer} data
 */
function chunk(type, data) {
	const len = Buffer.alloc(4);
	len.writeUInt32BE(data.length);
	const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(typeAndData));
	return Buffer.concat([len, typeAndData, crc]);
}

/**
 * Encodes an 8-bit RGB PNG.
 * @param {number} width
 * @param {number} height
 * @param {(x: number, y: number) => [number, number, number]} pixel
 * @param {Record<string, string>} [text] tEXt chunks
 */
function createPng(width, height, pixel, text = {}) {
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(width, 0);
	ihdr.writeUInt32BE(height, 4);
	ihdr[8] = 8; // bit depth
	ihdr[9] = 2; // colour type RGB
	const raw = Buffer.alloc((width * 3 + 1) * height);
	let o = 0;
	for (let y = 0; y < height; y++) {
		raw[o++] = 0; // filter: none
		for (let x = 0; x < width; x++) {
			const [r, g, b] = pixel(x, y);
			raw[o++] = r;
			raw[o++] = g;
			raw[o++] = b;
		}
	}
	const texts = Object.entries(text).map(([k, v]) => chunk('tEXt', Buffer.from(`${k}\0${v}`, 'latin1')));
	return Buffer.concat([
		SIGNATURE,
		chunk('IHDR', ihdr),
		...texts,
		chunk('IDAT', zlib.deflateSync(raw)),
		chunk('IEND', Buffer.alloc(0)),
	]);
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
 * Width, height and tEXt entries of a PNG.
 * @param {Buffer} buf
 * @returns {{ width: number, height: number, text: Record<string, string> }}
 */
function readPng(buf) {
	if (!isPng(buf)) throw new Error('not a PNG');
	/** @type {Record<string, string>} */
	const text = {};
	let width = 0;
	let height = 0;
	let o = 8;
	while (o + 8 <= buf.length) {
		const len = buf.readUInt32BE(o);
		const type = buf.toString('latin1', o + 4, o + 8);
		const data = buf.subarray(o + 8, o + 8 + len);
		if (type === 'IHDR') {
			width = data.readUInt32BE(0);
			height = data.readUInt32BE(4);
		} else if (type === 'tEXt') {
			const nul = data.indexOf(0);
			if (nul > 0) text[data.toString('latin1', 0, nul)] = data.toString('latin1', nul + 1);
		} else if (type === 'iTXt') {
			const nul = data.indexOf(0);
			if (nul > 0) {
				// keyword\0 compressionFlag compressionMethod languageTag\0 translatedKeyword\0 text
				let p = nul + 3;
				p = data.indexOf(0, p) + 1;
				p = data.indexOf(0, p) + 1;
				const body = data.subarray(p);
				text[data.toString('latin1', 0, nul)] = (data[nul + 1] ? zlib.inflateSync(body) : body).toString('utf8');
			}
		} else if (type === 'IEND') break;
		o += 12 + len;
	}
	return { width, height, text };
}

module.exports = { createPng, samplePng, isPng, readPng };
