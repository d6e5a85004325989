/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code, run by Node, not n8n (README: Lint) */
// Tests of the emulator's PNG encoder/reader and input-image sniffing.
import { deflateSync } from 'zlib';
import { encodePng, decodePng, readPngInfo } from './server';
import { sniffImageType, readImageSize } from './image-info';
import { crc32 } from './png';
import { jpegHeader } from './test-helpers';

/** Builds a PNG whose rows use the given filter types, to test the decoder on all five. */
function pngWithFilters(width: number, rows: number[][], filters: number[]): Buffer {
  const bpp = 3;
  const stride = width * bpp;
  const raw: number[] = [];
  rows.forEach((row, y) => {
    const prev = y > 0 ? rows[y - 1] : new Array(stride).fill(0);
    raw.push(filters[y]);
    row.forEach((value, i) => {
      const a = i >= bpp ? row[i - bpp] : 0;
      const b = prev[i];
      const c = i >= bpp ? prev[i - bpp] : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filters[y]];
      raw.push((value - predictor) & 0xff);
    });
  });
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(rows.length, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.from(raw))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('encodePng / decodePng', () => {
  it('round-trips pixels, with repeated rows encoded as Up-filtered repeats', () => {
    const red = Buffer.from([255, 0, 0, 255, 0, 0]);
    const blue = Buffer.from([0, 0, 255, 9, 9, 9]);
    const png = encodePng({ width: 2, height: 4, row: (y) => (y < 2 ? red : blue) });
    const decoded = decodePng(png);
    expect([decoded.width, decoded.height, decoded.channels]).toEqual([2, 4, 3]);
    expect(decoded.pixel(0, 0)).toEqual([255, 0, 0]);
    expect(decoded.pixel(1, 1)).toEqual([255, 0, 0]);
    expect(decoded.pixel(0, 3)).toEqual([0, 0, 255]);
    expect(decoded.pixel(1, 3)).toEqual([9, 9, 9]);
  });

  it('decodes every PNG filter type (None, Sub, Up, Average, Paeth)', () => {
    const rows = [
      [10, 20, 30, 40, 50, 60],
      [200, 100, 50, 25, 12, 6],
      [1, 2, 3, 250, 251, 252],
      [90, 80, 70, 60, 50, 40],
      [5, 200, 5, 200, 5, 200],
    ];
    const decoded = decodePng(pngWithFilters(2, rows, [0, 1, 2, 3, 4]));
    expect([...decoded.pixels]).toEqual(rows.flat());
  });

  it('stores tEXt chunks, keeping non-ASCII JSON intact', () => {
    const meta = { prompt: 'Café ☕ — 日本 "quoted"', n: 1 };
    const row = Buffer.alloc(3);
    const png = encodePng({ width: 1, height: 1, row: () => row, text: { 'nano-banana-emulator': JSON.stringify(meta), other: 'plain' } });
    const info = readPngInfo(png);
    expect(info.meta).toEqual(meta);
    expect(info.text.other).toBe('plain');
    expect([...info.text['nano-banana-emulator']].every((ch) => ch.charCodeAt(0) < 128)).toBe(true);
  });

  it('rejects a bad signature, a bad CRC and a truncated file', () => {
    const png = encodePng({ width: 4, height: 4, row: () => Buffer.alloc(12, 7) });
    expect(() => readPngInfo(Buffer.from('not a png at all'))).toThrow(/signature/);
    const corrupt = Buffer.from(png);
    corrupt[20] ^= 0xff; // inside IHDR data
    expect(() => readPngInfo(corrupt)).toThrow(/CRC/);
    expect(() => readPngInfo(png.subarray(0, png.length - 20))).toThrow();
  });

  it('encodes a 4096x4096 image small (repeated rows compress)', () => {
    const rows = [Buffer.alloc(4096 * 3, 1), Buffer.alloc(4096 * 3, 2)];
    const png = encodePng({ width: 4096, height: 4096, row: (y) => rows[y < 2048 ? 0 : 1] });
    expect(png.length).toBeLessThan(200_000);
    expect(readPngInfo(png)).toMatchObject({ width: 4096, height: 4096 });
  });
});

describe('input image sniffing', () => {
  const webp = (kind: string, payload: Buffer) => Buffer.concat([Buffer.from('RIFF\0\0\0\0WEBP', 'latin1'), Buffer.from(kind, 'latin1'), payload]);

  it('recognises formats by their bytes', () => {
    expect(sniffImageType(encodePng({ width: 1, height: 1, row: () => Buffer.alloc(3) }))).toBe('png');
    expect(sniffImageType(jpegHeader(1, 1))).toBe('jpeg');
    expect(sniffImageType(webp('VP8 ', Buffer.alloc(20)))).toBe('webp');
    expect(sniffImageType(Buffer.from('GIF89a......', 'latin1'))).toBe('gif');
    expect(sniffImageType(Buffer.from('\0\0\0\x18ftypheic\0\0\0\0', 'latin1'))).toBe('heif');
    expect(sniffImageType(Buffer.from('BM\0\0\0\0', 'latin1'))).toBe('bmp');
    expect(sniffImageType(Buffer.from('%PDF-1.7', 'latin1'))).toBeNull();
  });

  it('reads PNG, JPEG and WebP (VP8, VP8L, VP8X) dimensions', () => {
    expect(readImageSize(encodePng({ width: 7, height: 3, row: () => Buffer.alloc(21) }))).toEqual({ width: 7, height: 3 });
    expect(readImageSize(jpegHeader(640, 480))).toEqual({ width: 640, height: 480 });
    const vp8x = Buffer.alloc(14);
    vp8x.writeUIntLE(799, 8, 3);
    vp8x.writeUIntLE(599, 11, 3);
    expect(readImageSize(webp('VP8X', vp8x))).toEqual({ width: 800, height: 600 });
    const vp8l = Buffer.alloc(9);
    vp8l[4] = 0x2f;
    vp8l.writeUInt32LE((99 & 0x3fff) | ((49 & 0x3fff) << 14), 5);
    expect(readImageSize(webp('VP8L', vp8l))).toEqual({ width: 100, height: 50 });
    const vp8 = Buffer.alloc(14);
    vp8.writeUInt16LE(320, 10);
    vp8.writeUInt16LE(240, 12);
    expect(readImageSize(webp('VP8 ', vp8))).toEqual({ width: 320, height: 240 });
    expect(readImageSize(Buffer.from('garbage'))).toBeNull();
  });
});
