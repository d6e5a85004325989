// @ts-check
'use strict';

/**
 * Recognises input image formats from their bytes and reads their dimensions.
 * Google rejects bytes that are not an image ("Provided image is not valid."), which catches
 * clients that send a file path, an n8n binary-data marker or double-base64 instead of bytes.
 */

/**
 * @param {Buffer} buf
 * @returns {'png'|'jpeg'|'webp'|'gif'|'heif'|'bmp'|'tiff'|null}
 */
function sniffImageType(buf) {
  if (buf.length >= 8 && buf.readUInt32BE(0) === 0x89504e47) return 'png';
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  if (buf.length >= 12 && buf.toString('latin1', 0, 4) === 'RIFF' && buf.toString('latin1', 8, 12) === 'WEBP') {
    return 'webp';
  }
  if (buf.length >= 6 && /^GIF8[79]a$/.test(buf.toString('latin1', 0, 6))) return 'gif';
  if (buf.length >= 12 && buf.toString('latin1', 4, 8) === 'ftyp') {
    const brand = buf.toString('latin1', 8, 12);
    if (['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1', 'heif'].includes(brand)) return 'heif';
  }
  if (buf.length >= 2 && buf.toString('latin1', 0, 2) === 'BM') return 'bmp';
  if (buf.length >= 4 && ['II*\0', 'MM\0*'].includes(buf.toString('latin1', 0, 4))) return 'tiff';
  return null;
}

/** @param {Buffer} buf @returns {{width: number, height: number} | null} */
function jpegSize(buf) {
  let pos = 2;
  while (pos + 9 < buf.length) {
    if (buf[pos] !== 0xff) return null;
    const marker = buf[pos + 1];
    if (marker === 0xff) {
      pos += 1; // fill byte
      continue;
    }
    const length = buf.readUInt16BE(pos + 2);
    // SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range.
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return { height: buf.readUInt16BE(pos + 5), width: buf.readUInt16BE(pos + 7) };
    }
    pos += 2 + length;
  }
  return null;
}

/** @param {Buffer} buf @returns {{width: number, height: number} | null} */
function webpSize(buf) {
  const kind = buf.toString('latin1', 12, 16);
  if (kind === 'VP8X' && buf.length >= 30) {
    return { width: 1 + buf.readUIntLE(24, 3), height: 1 + buf.readUIntLE(27, 3) };
  }
  if (kind === 'VP8L' && buf.length >= 25) {
    const bits = buf.readUInt32LE(21);
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
  }
  if (kind === 'VP8 ' && buf.length >= 30) {
    return { width: buf.readUInt16LE(26) & 0x3fff, height: buf.readUInt16LE(28) & 0x3fff };
  }
  return null;
}

/**
 * Width and height of a PNG, JPEG or WebP image; null when unknown (HEIF is not parsed).
 * @param {Buffer} buf
 * @returns {{width: number, height: number} | null}
 */
function readImageSize(buf) {
  const type = sniffImageType(buf);
  if (type === 'png' && buf.length >= 24) return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
  if (type === 'jpeg') return jpegSize(buf);
  if (type === 'webp') return webpSize(buf);
  return null;
}

module.exports = { sniffImageType, readImageSize };
