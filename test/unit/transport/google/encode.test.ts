import { randomBytes } from 'crypto';

import { buildGenerateContentRequest } from '../../../../nodes/NanoBanana/actions/request';
import { encodeGenerateContentRequest } from '../../../../nodes/NanoBanana/transport/google/encode';

describe('encodeGenerateContentRequest', () => {
	it('produces the JSON Google expects, images base64-encoded in place', () => {
		// Sizes around the slice boundary and not multiples of 3 exercise padding.
		const images = [1, 2, 3, 786_431, 786_432, 786_433, 2_000_000].map((size) => randomBytes(size));
		const request = buildGenerateContentRequest({
			prompt: 'Ünïcödé prompt with "quotes" and \\ backslash',
			images: images.map((bytes) => ({ mimeType: 'image/png', bytes })),
			options: { aspectRatio: '4:3', systemInstruction: 'sys' },
		});
		const parsed = JSON.parse(encodeGenerateContentRequest(request).body.toString('utf8'));
		expect(parsed).toEqual({
			contents: [
				{
					role: 'user',
					parts: [
						...images.map((bytes) => ({ inlineData: { mimeType: 'image/png', data: bytes.toString('base64') } })),
						{ text: 'Ünïcödé prompt with "quotes" and \\ backslash' },
					],
				},
			],
			generationConfig: { responseModalities: ['TEXT', 'IMAGE'], imageConfig: { aspectRatio: '4:3' } },
			systemInstruction: { parts: [{ text: 'sys' }] },
		});
	});

	it('digests identical requests alike and any difference in text or image bytes apart', () => {
		const image = randomBytes(100_000);
		const digest = (prompt: string, images: Buffer[]) =>
			encodeGenerateContentRequest(
				buildGenerateContentRequest({ prompt, images: images.map((bytes) => ({ mimeType: 'image/png', bytes })), options: {} }),
			).digest;
		const base = digest('a', [image]);
		expect(digest('a', [Buffer.from(image)])).toBe(base);
		expect(digest('b', [image])).not.toBe(base);
		const changed = Buffer.from(image);
		changed[50_000] ^= 1;
		expect(digest('a', [changed])).not.toBe(base);
		// The same bytes split differently between two images are a different request.
		expect(digest('a', [image.subarray(0, 10), image.subarray(10)])).not.toBe(digest('a', [image.subarray(0, 11), image.subarray(11)]));
		expect(digest('a', [])).not.toBe(base);
	});
});
