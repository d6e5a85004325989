// @ts-check
'use strict';

/**
 * Minimal PNG encoder and reader (8-bit RGB/RGBA/grey only), built on zlib.
 *
 * The emulator answers with real PNGs so clients exercise their actual binary handling.
 * Images are made of horizontal bands whose rows repeat; repeated rows are written with
 * the PNG "Up" filter (all zero bytes), which keeps even 4096x4096 images fast to deflate.
 */

const zlib = require('zlib');

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const FILTER_NONE = 0;
const FILTER_UP = 2;

/** @type {Uint32Array} */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** @param {Buffer} buf */
function crc32(buf) {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * @param {string} type four-letter chunk type
 * @param {Buffer} data
 */
function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * tEXt is Latin-1 only; escaping every non-ASCII character as \uXXXX keeps JSON text valid
 * JSON and the chunk valid PNG whatever the prompt contains.
 * @param {string} text
 */
function toAsciiJsonSafe(text) {
  return text.replace(/[^\x20-\x7e]/g, (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'));
}

/**
 * Run-length strategy: our rows are runs of blocks and zero (Up-filtered) repeats, so RLE
 * compresses as well as the default here at a tenth of the time (4K in ~50 ms).
 * @type {import('zlib').ZlibOptions}
 */
const DEFLATE_RLE = { level: 1, strategy: zlib.constants.Z_RLE };

/**
 * Encodes an 8-bit RGB PNG.
 * @param {{width: number, height: number, row: (y: number) => Buffer, text?: Record<string, string>, deflate?: import('zlib').ZlibOptions}} image
 *   `row(y)` returns width*3 bytes; returning the very same Buffer object as for y-1 marks a
 *   repeated row (encoded with the Up filter, almost free to compress). `deflate`: zlib options
 *   for the IDAT data (default: fast run-length settings, see below).
 * @returns {Buffer}
 */
function encodePng({ width, height, row, text = {}, deflate = DEFLATE_RLE }) {
  const stride = width * 3;
  const raw = Buffer.alloc((stride + 1) * height); // zero-filled: Up-filtered repeats need no writes
  /** @type {Buffer | null} */
  let previous = null;
  for (let y = 0; y < height; y++) {
    const current = row(y);
    const offset = y * (stride + 1);
    if (current === previous) {
      raw[offset] = FILTER_UP;
    } else {
      raw[offset] = FILTER_NONE;
      current.copy(raw, offset + 1, 0, stride);
    }
    previous = current;
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  const textChunks = Object.entries(text).map(([keyword, value]) =>
    chunk('tEXt', Buffer.from(`${keyword}\0${toAsciiJsonSafe(value)}`, 'latin1')),
  );
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', ihdr),
    ...textChunks,
    chunk('IDAT', zlib.deflateSync(raw, deflate)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * Splits a PNG into chunks, checking the signature and every CRC.
 * @param {Buffer} buf
 * @returns {{type: string, data: Buffer}[]}
 */
function readChunks(buf) {
  if (!Buffer.isBuffer(buf) || buf.length < 8 || !buf.subarray(0, 8).equals(SIGNATURE)) {
    throw new Error('Not a PNG: bad signature');
  }
  const chunks = [];
  let pos = 8;
  while (pos + 12 <= buf.length) {
    const length = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const end = pos + 12 + length;
    if (end > buf.length) throw new Error(`Truncated PNG chunk ${type}`);
    const data = buf.subarray(pos + 8, pos + 8 + length);
    if (crc32(buf.subarray(pos + 4, pos + 8 + length)) !== buf.readUInt32BE(pos + 8 + length)) {
      throw new Error(`Bad CRC in PNG chunk ${type}`);
    }
    chunks.push({ type, data });
    pos = end;
    if (type === 'IEND') break;
  }
  if (chunks[0]?.type !== 'IHDR' || chunks[chunks.length - 1]?.type !== 'IEND') {
    throw new Error('Invalid PNG: IHDR must come first and IEND last');
  }
  return chunks;
}

/**
 * Reads size and tEXt chunks. `meta` is the parsed JSON of the emulator's own
 * `nano-banana-emulator` keyword (null on other PNGs).
 * @param {Buffer} buf
 * @returns {{width: number, height: number, bitDepth: number, colorType: number, text: Record<string, string>, meta: any}}
 */
function readPngInfo(buf) {
  const chunks = readChunks(buf);
  const ihdr = chunks[0].data;
  /** @type {Record<string, string>} */
  const text = {};
  for (const { type, data } of chunks) {
    if (type !== 'tEXt') continue;
    const zero = data.indexOf(0);
    text[data.toString('latin1', 0, zero)] = data.toString('latin1', zero + 1);
  }
  const own = text['nano-banana-emulator'];
  return {
    width: ihdr.readUInt32BE(0),
    height: ihdr.readUInt32BE(4),
    bitDepth: ihdr[8],
    colorType: ihdr[9],
    text,
    meta: own === undefined ? null : JSON.parse(own),
  };
}

const CHANNELS = /** @type {Record<number, number>} */ ({ 0: 1, 2: 3, 4: 2, 6: 4 });

/** @param {number} a @param {number} b @param {number} c */
function paeth(a, b, c) {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

const ZEROS = Buffer.alloc(64 * 1024);

/** @param {Buffer} buf @param {number} start @param {number} length */
function isZero(buf, start, length) {
  for (let done = 0; done < length; done += ZEROS.length) {
    const n = Math.min(ZEROS.length, length - done);
    if (buf.compare(ZEROS, 0, n, start + done, start + done + n) !== 0) return false;
  }
  return true;
}

/**
 * Reverses one row's PNG filter into `out` (previous row already decoded just before it).
 * @param {Buffer} raw @param {number} at offset of the filter byte
 * @param {Buffer} out @param {number} pos offset of this row in out
 * @param {number} stride @param {number} bpp bytes per pixel @param {boolean} hasUp
 */
function unfilterRow(raw, at, out, pos, stride, bpp, hasUp) {
  const filter = raw[at];
  const src = at + 1;
  const up = pos - stride;
  // Fast paths (native copies) for the rows the emulator writes: raw rows and exact repeats.
  if (filter === 0) {
    raw.copy(out, pos, src, src + stride);
    return;
  }
  if (filter === 2 && hasUp && isZero(raw, src, stride)) {
    out.copyWithin(pos, up, up + stride);
    return;
  }
  for (let i = 0; i < stride; i++) {
    const a = i >= bpp ? out[pos + i - bpp] : 0;
    const b = hasUp ? out[up + i] : 0;
    let p;
    if (filter === 0) p = 0;
    else if (filter === 1) p = a;
    else if (filter === 2) p = b;
    else if (filter === 3) p = (a + b) >> 1;
    else if (filter === 4) p = paeth(a, b, i >= bpp && hasUp ? out[up + i - bpp] : 0);
    else throw new Error(`Invalid PNG filter ${filter}`);
    out[pos + i] = (raw[src + i] + p) & 0xff;
  }
}

/**
 * Full decode of non-interlaced 8-bit PNGs (what the emulator writes, and what tests
 * need to prove an answer is a real, decodable image).
 * @param {Buffer} buf
 * @returns {{width: number, height: number, channels: number, pixels: Buffer, pixel: (x: number, y: number) => number[]}}
 */
function decodePng(buf) {
  const info = readPngInfo(buf);
  const chunks = readChunks(buf);
  const channels = CHANNELS[info.colorType];
  if (info.bitDepth !== 8 || !channels || chunks[0].data[12] !== 0) {
    throw new Error('decodePng supports only non-interlaced 8-bit grey/RGB/RGBA');
  }
  const idat = Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data));
  const raw = zlib.inflateSync(idat);
  const stride = info.width * channels;
  if (raw.length !== (stride + 1) * info.height) throw new Error('Invalid PNG: wrong IDAT size');
  const pixels = Buffer.alloc(stride * info.height);
  for (let y = 0; y < info.height; y++) {
    unfilterRow(raw, y * (stride + 1), pixels, y * stride, stride, channels, y > 0);
  }
  return {
    width: info.width,
    height: info.height,
    channels,
    pixels,
    pixel: (x, y) => [...pixels.subarray((y * info.width + x) * channels, (y * info.width + x + 1) * channels)],
  };
}

module.exports = { encodePng, readPngInfo, readChunks, decodePng, crc32, SIGNATURE };
