import { randomBytes } from 'crypto';

import { buildGenerateContentRequest } from '../../nodes/NanoBanana/actions/request';
import { encodeGenerateContentRequest, requestFingerprint } from '../../nodes/NanoBanana/transport/encode';

describe('encodeGenerateContentRequest', () => {
	it('produces the JSON Google expects, images base64-encoded in place', () => {
		// Sizes around the slice boundary and not multiples of 3 exercise padding.
		const images = [1, 2, 3, 786_431, 786_432, 786_433, 2_000_000].map((size) => randomBytes(size));
		const request = buildGenerateContentRequest({
			prompt: 'Ünïcödé prompt with "quotes" and \\ backslash',
			images: images.map((bytes) => ({ mimeType: 'image/png', bytes })),
			options: { aspectRatio: '4:3', systemInstruction: 'sys' },
		});
		const parsed = JSON.parse(encodeGenerateContentRequest(request).toString('utf8'));
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

	it('fingerprints identical requests alike and different ones apart', () => {
		const body = (prompt: string) =>
			encodeGenerateContentRequest(buildGenerateContentRequest({ prompt, images: [], options: {} }));
		expect(requestFingerprint('u', body('a'))).toBe(requestFingerprint('u', body('a')));
		expect(requestFingerprint('u', body('a'))).not.toBe(requestFingerprint('u', body('b')));
		expect(requestFingerprint('u', body('a'))).not.toBe(requestFingerprint('v', body('a')));
	});
});
