import { estimateRequest, INPUT_IMAGE_TOKENS, TEXT_AND_THINKING_TOKENS } from '../../../nodes/NanoBanana/cost/estimate';

describe('estimateRequest', () => {
	const generate = { promptChars: 40, inputImages: 0, images: 1 };

	it('prices the output image at the requested size from the table', () => {
		const at1K = estimateRequest('gemini-nano-banana-2.1', { ...generate, imageSize: '1K' }, false) ?? 0;
		const at4K = estimateRequest('gemini-nano-banana-2.1', { ...generate, imageSize: '4K' }, false) ?? 0;
		expect(at4K - at1K).toBeCloseTo(((3780 - 1120) * 30) / 1e6, 9);
		expect(at1K).toBeCloseTo((20 * 1.5 + 1120 * 30 + TEXT_AND_THINKING_TOKENS * 7.5) / 1e6, 9);
	});

	it('is never below what the emulator bills for 2.1 at 1K (so a cap holds)', () => {
		// Emulator: 10 prompt tokens, 1,120 image tokens, a short text part and 128–320 thinking tokens.
		const billed = (10 * 1.5 + 1120 * 30 + (10 + 320) * 7.5) / 1e6;
		expect(estimateRequest('gemini-nano-banana-2.1', { ...generate, imageSize: '1K' }, false)).toBeGreaterThan(billed);
	});

	it('counts input images and every candidate; Batch Mode halves it', () => {
		const one = estimateRequest('gemini-3-pro-image', { promptChars: 0, inputImages: 0, images: 1 }, false) ?? 0;
		const withImages = estimateRequest('gemini-3-pro-image', { promptChars: 0, inputImages: 2, images: 1 }, false) ?? 0;
		expect(withImages - one).toBeCloseTo((2 * INPUT_IMAGE_TOKENS * 2) / 1e6, 9);
		const three = estimateRequest('gemini-3-pro-image', { promptChars: 0, inputImages: 0, images: 3 }, false) ?? 0;
		expect(three).toBeCloseTo(one * 3, 9);
		expect(estimateRequest('gemini-3-pro-image', { promptChars: 0, inputImages: 0, images: 3 }, true)).toBeCloseTo(three / 2, 9);
	});

	it('2.5 Flash Image ignores the size: 1,290 tokens', () => {
		const a = estimateRequest('gemini-2.5-flash-image', { ...generate, imageSize: '4K' }, false);
		const b = estimateRequest('gemini-2.5-flash-image', generate, false);
		expect(a).toBe(b);
	});

	it('has no figure for a model without a price', () => {
		expect(estimateRequest('gemini-9-image', generate, false)).toBeUndefined();
	});
});
