// @ts-check
'use strict';

/**
 * A small baseline JPEG encoder (Node built-ins only), for Vertex's `imageOutputOptions`
 * `image/jpeg` answers. The emulator's images are flat colour bands, so each 8×8 block is coded
 * by its mean colour alone (DC coefficient; every AC coefficient zero, one end-of-block code):
 * a real JPEG any decoder reads, with Huffman tables declared for exactly the symbols used.
 * A comment (the emulator puts the answer's metadata there) travels in a COM segment.
 */

/** DC category k (0–11) gets the 4-bit code k: 12 codes of length 4, none all ones. */
const DC_BITS = [0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const DC_VALUES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
/** The only AC symbol is end-of-block (0x00), one bit: "0". */
const AC_BITS = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const AC_VALUES = [0];

/** @param {number} marker @param {Buffer} payload */
function segment(marker, payload) {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(marker, 0);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

class BitWriter {
  constructor() {
    /** @type {number[]} */
    this.bytes = [];
    this.current = 0;
    this.count = 0;
  }

  /** @param {number} value @param {number} length */
  write(value, length) {
    for (let i = length - 1; i >= 0; i--) {
      this.current = (this.current << 1) | ((value >> i) & 1);
      if (++this.count === 8) this.flushByte();
    }
  }

  flushByte() {
    this.bytes.push(this.current);
    // A coded 0xFF is followed by a stuffed 0x00 so it is not read as a marker.
    if (this.current === 0xff) this.bytes.push(0);
    this.current = 0;
    this.count = 0;
  }

  finish() {
    while (this.count !== 0) this.write(1, 1);
    return Buffer.from(this.bytes);
  }
}

/** @param {number} value */
function category(value) {
  let magnitude = Math.abs(value);
  let bits = 0;
  while (magnitude > 0) {
    bits++;
    magnitude >>= 1;
  }
  return bits;
}

/** Quantiser of the DC coefficient for a quality 0–100 (libjpeg's scaling of the base value 16). */
function dcQuantiser(quality) {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const scale = q < 50 ? 5000 / q : 200 - q * 2;
  return Math.min(255, Math.max(1, Math.round((16 * scale + 50) / 100)));
}

/**
 * @param {{width: number, height: number, quality?: number, comment?: string,
 *   row: (y: number) => Buffer}} spec  rows of RGB bytes (3 per pixel)
 * @returns {Buffer}
 */
function encodeJpeg({ width, height, quality = 75, comment, row }) {
  const quantiser = dcQuantiser(quality);
  const blocksX = Math.ceil(width / 8);
  const blocksY = Math.ceil(height / 8);
  const bits = new BitWriter();
  const previous = [0, 0, 0];
  for (let by = 0; by < blocksY; by++) {
    // Sums of Y, Cb, Cr per block of this block row.
    const sums = new Float64Array(blocksX * 3);
    const counts = new Uint32Array(blocksX);
    for (let y = by * 8; y < Math.min(height, by * 8 + 8); y++) {
      const pixels = row(y);
      for (let x = 0; x < width; x++) {
        const r = pixels[x * 3];
        const g = pixels[x * 3 + 1];
        const b = pixels[x * 3 + 2];
        const block = x >> 3;
        sums[block * 3] += 0.299 * r + 0.587 * g + 0.114 * b;
        sums[block * 3 + 1] += -0.168736 * r - 0.331264 * g + 0.5 * b + 128;
        sums[block * 3 + 2] += 0.5 * r - 0.418688 * g - 0.081312 * b + 128;
        counts[block]++;
      }
    }
    for (let bx = 0; bx < blocksX; bx++) {
      for (let c = 0; c < 3; c++) {
        const mean = sums[bx * 3 + c] / counts[bx] - 128;
        // For a flat block the DCT's DC coefficient is 8 × the level-shifted mean.
        const dc = Math.round((8 * mean) / quantiser);
        const diff = dc - previous[c];
        previous[c] = dc;
        const size = category(diff);
        bits.write(size, 4);
        if (size > 0) bits.write(diff >= 0 ? diff : diff + (1 << size) - 1, size);
        bits.write(0, 1); // end of block
      }
    }
  }

  const jfif = Buffer.from([0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  const dqt = Buffer.alloc(65, quantiser);
  dqt[0] = 0; // 8-bit table 0
  const sof = Buffer.from([8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]);
  const dht = Buffer.concat([
    Buffer.from([0x00, ...DC_BITS, ...DC_VALUES]),
    Buffer.from([0x10, ...AC_BITS, ...AC_VALUES]),
  ]);
  const sos = Buffer.from([3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0]);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xffe0, jfif),
    ...(comment ? [segment(0xfffe, Buffer.from(comment, 'utf8'))] : []),
    segment(0xffdb, dqt),
    segment(0xffc0, sof),
    segment(0xffc4, dht),
    segment(0xffda, sos),
    bits.finish(),
    Buffer.from([0xff, 0xd9]),
  ]);
}

/**
 * Width, height and the comments (COM segments) of a JPEG.
 * @param {Buffer} buf
 * @returns {{width: number, height: number, comments: string[]}}
 */
function readJpegSegments(buf) {
  if (buf[0] !== 0xff || buf[1] !== 0xd8) throw new Error('not a JPEG');
  let width = 0;
  let height = 0;
  /** @type {string[]} */
  const comments = [];
  let offset = 2;
  while (offset + 4 <= buf.length && buf[offset] === 0xff) {
    const marker = buf[offset + 1];
    const length = buf.readUInt16BE(offset + 2);
    const payload = buf.subarray(offset + 4, offset + 2 + length);
    if (marker === 0xc0) {
      height = payload.readUInt16BE(1);
      width = payload.readUInt16BE(3);
    } else if (marker === 0xfe) {
      comments.push(payload.toString('utf8'));
    } else if (marker === 0xda) {
      break;
    }
    offset += 2 + length;
  }
  return { width, height, comments };
}

module.exports = { encodeJpeg, readJpegSegments };
