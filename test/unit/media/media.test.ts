/* eslint-disable @n8n/community-nodes/require-node-api-error, @n8n/community-nodes/no-hardcoded-secrets -- test code, run by Node, not n8n (README: Lint) */
import { outputBinaryFieldName, outputFileName, safeFileStem } from '../../../nodes/NanoBanana/media/fileNames';
import { extensionFor, sniffImageType } from '../../../nodes/NanoBanana/transport/google/imageFormat';
import { Problem } from '../../../nodes/NanoBanana/shared/problem';
import { checkImageBytes, checkImageCount, deliveryFor, inlineImageBudget, parseFieldList } from '../../../nodes/NanoBanana/media/inputImages';
import { aiStudioBackend } from '../../../nodes/NanoBanana/transport/auth/backends';
import { maxInputImages } from '../../../nodes/NanoBanana/media/limits';

const bytes = (hex: string, pad = 32) => Buffer.concat([Buffer.from(hex, 'hex'), Buffer.alloc(pad)]);
const ascii = (text: string, pad = 32) => Buffer.concat([Buffer.from(text, 'latin1'), Buffer.alloc(pad)]);

const samples: Record<string, Buffer> = {
	'image/png': bytes('89504e470d0a1a0a'),
	'image/jpeg': bytes('ffd8ffe0'),
	'image/webp': ascii('RIFF\x24\x00\x00\x00WEBPVP8 '),
	'image/heic': ascii('\x00\x00\x00\x18ftypheic'),
	'image/heif': ascii('\x00\x00\x00\x18ftypmif1'),
	'image/gif': ascii('GIF89a'),
	'image/bmp': ascii('BM'),
	'image/tiff': bytes('49492a00'),
	'image/svg+xml': ascii('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>'),
};

describe('sniffImageType', () => {
	it.each(Object.entries(samples))('recognises %s by its bytes', (mimeType, sample) => {
		expect(sniffImageType(sample)).toBe(mimeType);
	});

	// ftyp box: size, "ftyp", major brand, minor version, compatible brands.
	const ftyp = (major: string, ...compatible: string[]) => {
		const box = Buffer.from(`\0\0\0\0ftyp${major}\0\0\0\0${compatible.join('')}`, 'latin1');
		box.writeUInt32BE(box.length, 0);
		return Buffer.concat([box, Buffer.from('\0\0\0\x08mdat', 'latin1')]);
	};

	it.each([
		['an AVIF with major brand mif1', ftyp('mif1', 'mif1', 'avif', 'miaf', 'MA1B'), 'image/avif'],
		['an AVIF sequence with major brand msf1', ftyp('msf1', 'msf1', 'avis'), 'image/avif'],
		['an AVIF with major brand avif', ftyp('avif', 'mif1', 'miaf'), 'image/avif'],
		['a HEIC with major brand mif1', ftyp('mif1', 'mif1', 'heic'), 'image/heic'],
		['a plain HEIF', ftyp('mif1', 'mif1', 'miaf'), 'image/heif'],
		['a HEIC with major brand heic', ftyp('heic', 'mif1', 'heic'), 'image/heic'],
		['an MP4 video', ftyp('isom', 'isom', 'avc1'), undefined],
	])('reads the compatible brands: %s', (_name, sample, mimeType) => {
		expect(sniffImageType(sample)).toBe(mimeType);
	});

	it('refuses an AVIF whose major brand is mif1, naming it AVIF', () => {
		expect(() => checkImageBytes(ftyp('mif1', 'mif1', 'avif'), 'data', 'image/avif')).toThrow(
			'The image in "data" is a AVIF, which Gemini does not accept',
		);
	});

	it('does not take text or JSON for an image', () => {
		expect(sniffImageType(Buffer.from('{"error":"not found"}'))).toBeUndefined();
		expect(sniffImageType(Buffer.from('<html><body>404</body></html>'))).toBeUndefined();
		expect(sniffImageType(Buffer.alloc(0))).toBeUndefined();
	});
});

const limits = { maxImages: 3, maxInlineBytes: 1000, backendLabel: 'Vertex AI', modelId: 'gemini-2.5-flash-image' };

function problemOf(run: () => unknown): Problem {
	try {
		run();
	} catch (error) {
		if (error instanceof Problem && error.reason === 'INVALID_INPUT') return error;
		throw error;
	}
	throw new Error('expected a Problem (INVALID_INPUT)');
}

describe('checkImageBytes', () => {
	it('accepts supported images by content even when mislabelled', () => {
		expect(checkImageBytes(samples['image/jpeg'], 'data', 'application/octet-stream')).toBe('image/jpeg');
		expect(checkImageBytes(samples['image/webp'], 'data', 'image/png')).toBe('image/webp');
	});

	it('rejects bytes that are not an image although labelled as one', () => {
		const problem = problemOf(() => checkImageBytes(Buffer.from('{"error":1}'), 'data', 'image/png'));
		expect(problem.message).toBe(
			'The binary field "data" is not an image (it says image/png, but its content is not a picture)',
		);
		expect(problem.description).toContain('Response Format to "File"');
	});

	it.each([
		['image/gif', 'GIF'],
		['image/bmp', 'BMP'],
		['image/tiff', 'TIFF'],
		['image/svg+xml', 'SVG'],
	])('rejects %s, naming it and the supported formats', (mimeType, name) => {
		const problem = problemOf(() => checkImageBytes(samples[mimeType], 'photo', mimeType));
		expect(problem.message).toBe(`The image in "photo" is a ${name}, which Gemini does not accept`);
		expect(problem.description).toContain('PNG, JPEG, WebP, HEIC or HEIF');
	});

	it('sends small images inline and big ones through the Files API where there is one', () => {
		expect(deliveryFor(1000, 'data', limits)).toBe('inline');
		expect(deliveryFor(5000, 'data', { ...limits, maxUploadBytes: 10_000 })).toBe('upload');
	});

	it('sends images inline while they fit in one request together, the rest through the Files API', () => {
		const together = { ...limits, maxInlineBytes: 1000, maxInlineTotalBytes: 1500, maxUploadBytes: 10_000 };
		expect(deliveryFor(800, 'a', together, 0)).toBe('inline');
		expect(deliveryFor(700, 'b', together, 800)).toBe('inline');
		expect(deliveryFor(701, 'b', together, 800)).toBe('upload');
		// Without a Files API, images that each fit but not together are refused before any request.
		const MB = 1024 * 1024;
		const problem = problemOf(() => deliveryFor(20 * MB, 'c', { ...limits, maxInlineBytes: 20 * MB, maxInlineTotalBytes: 50 * MB }, 40 * MB));
		expect(problem.message).toBe('The images up to "c" are 60.0 MB together, over the 50.0 MB that Vertex AI takes in one request');
		expect(problem.description).toContain('fewer images');
	});

	it('keeps room for base64 and the rest of the request: 74.25 MB of images in a 100 MB request', () => {
		expect(inlineImageBudget(100 * 1024 * 1024)).toBe(74.25 * 1024 * 1024);
		expect(inlineImageBudget(undefined)).toBeUndefined();
		expect(aiStudioBackend({ apiKey: 'AIzaSyA1234567890abcdefghijklmnopqrstuv' }).maxInlineRequestBytes).toBe(100 * 1024 * 1024);
	});

	it('rejects an image over the backend limit and says what to do', () => {
		const problem = problemOf(() => deliveryFor(3048, 'data', limits));
		expect(problem.message).toBe('The image in "data" is 3 KB, over the 1 KB that Vertex AI accepts per image');
		expect(problem.description).toContain('use a Google AI Studio API key');
		const tooBigEvenForFiles = problemOf(() => deliveryFor(20_000, 'data', { ...limits, maxUploadBytes: 10_000 }));
		expect(tooBigEvenForFiles.message).toContain('over the 10 KB');
	});
});

describe('image count', () => {
	it('knows the per-model limits', () => {
		expect(maxInputImages('gemini-2.5-flash-image')).toBe(3);
		expect(maxInputImages('models/gemini-2.5-flash-image-preview')).toBe(3);
		expect(maxInputImages('gemini-3-pro-image')).toBe(14);
		expect(maxInputImages('gemini-nano-banana-2.1')).toBe(14);
	});

	it('rejects too many images and none at all', () => {
		expect(problemOf(() => checkImageCount(['a', 'b', 'c', 'd'], limits)).message).toBe(
			'Too many images for gemini-2.5-flash-image: 4 given, at most 3',
		);
		expect(problemOf(() => checkImageCount([], limits)).message).toBe('No input binary field is set');
		expect(() => checkImageCount(['a', 'b', 'c'], limits)).not.toThrow();
	});

	it('parses comma-separated field names', () => {
		expect(parseFieldList(' data, logo ,,')).toEqual(['data', 'logo']);
	});
});

describe('output names', () => {
	it('derives the file name from the input and the answer type', () => {
		const base = { mimeType: 'image/png', imageIndex: 0, generatedId: 'r1' };
		expect(outputFileName({ ...base, inputFileName: 'photo.jpg' })).toBe('photo-edited.png');
		expect(outputFileName({ ...base, inputFileName: 'dir/shoe.final.webp', imageIndex: 1 })).toBe('shoe.final-edited-2.png');
		expect(outputFileName({ ...base, mimeType: 'image/jpeg' })).toBe('generated-r1.jpg');
		expect(outputFileName({ ...base, custom: 'banner.png', mimeType: 'image/jpeg' })).toBe('banner.jpg');
		expect(outputFileName({ ...base, custom: 'banner', imageIndex: 2 })).toBe('banner-3.png');
	});

	it.each([
		['../../etc/cron.d/evil', 'evil.png'],
		['..\\..\\windows\\system32\\evil.png', 'evil.png'],
		['/tmp/x/', 'photo-edited.png'],
		['..', 'photo-edited.png'],
		['...hidden', 'hidden.png'],
		['a\u0000b\u001f\u007fc', 'abc.png'],
		['re<po>rt:"2026"|?*', 'report2026.png'],
		['  trailing dots...  ', 'trailing dots.png'],
		['x'.repeat(300), `${'x'.repeat(120)}.png`],
	])('cleans Output File Name %j to a base name: %s', (custom, expected) => {
		expect(outputFileName({ mimeType: 'image/png', imageIndex: 0, generatedId: 'r1', custom, inputFileName: 'photo.jpg' })).toBe(expected);
	});

	it('cleans input file names and generated ids too, falling back to a sane name', () => {
		const base = { mimeType: 'image/png', imageIndex: 0 };
		expect(outputFileName({ ...base, generatedId: 'r1', inputFileName: '../../secret/shoe.jpg' })).toBe('shoe-edited.png');
		expect(outputFileName({ ...base, generatedId: 'r1', inputFileName: '../..' })).toBe('generated-r1.png');
		expect(outputFileName({ ...base, generatedId: '../../..\u0000' })).toBe('generated-image.png');
		expect(safeFileStem('../../..\u0000', false)).toBeUndefined();
		expect(safeFileStem('abc/def.png', true)).toBe('def');
	});

	it('names further binary fields with a suffix', () => {
		expect(outputBinaryFieldName('data', 0)).toBe('data');
		expect(outputBinaryFieldName('data', 2)).toBe('data_2');
	});

	it('maps mime types to extensions', () => {
		expect(extensionFor('image/jpeg')).toBe('jpg');
		expect(extensionFor('image/webp')).toBe('webp');
		expect(extensionFor('image/x-custom')).toBe('xcustom');
	});
});
