import { safeFileStem } from '../../../nodes/NanoBanana/media/fileNames';

/**
 * File names drop every control character: C0 (U+0000–U+001F), DEL (U+007F) and C1
 * (U+0080–U+009F), wherever they stand; everything else printable stays.
 */

const char = (code: number) => String.fromCharCode(code);
const codes = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('control characters in file names', () => {
	it.each([...codes(0x00, 0x1f), ...codes(0x7f, 0x9f)])('drops U+%s', (code) => {
		expect(safeFileStem(`a${char(code)}b${char(code)}`, false)).toBe('ab');
	});

	it('keeps the printable neighbours of the control ranges', () => {
		for (const code of [0x20, 0x41, 0x7e, 0xa0, 0xa1, 0xff, 0x100, 0x2028]) {
			expect(safeFileStem(`a${char(code)}b`, false)).toBe(`a${char(code)}b`);
		}
	});

	it('keeps characters outside the Basic Multilingual Plane whole', () => {
		expect(safeFileStem('\u0007pic 🍌\u0085 ok.png', true)).toBe('pic 🍌 ok');
	});

	it('removes control characters before splitting off the directory and the extension', () => {
		expect(safeFileStem('dir/\u0000na\u009fme.p\u001bng', true)).toBe('name');
		expect(safeFileStem('\u0000\u001f\u007f\u009f', false)).toBeUndefined();
	});
});
