/**
 * Issue 18: per-model limits of Nano Banana 2.1 and its siblings (docs/models.md), thinking levels
 * and image search, checked before any paid call. Unknown ids pass unchecked.
 */
import { checkModelSupport } from '../../../nodes/NanoBanana/media/limits';
import type { NanoBananaOptions } from '../../../nodes/NanoBanana/description/options';

function refusal(models: string[], options: NanoBananaOptions, images = 1): { message: string; description: string } | undefined {
	try {
		checkModelSupport(models, options, images);
		return undefined;
	} catch (error) {
		return { message: (error as Error).message, description: (error as { description: string }).description };
	}
}

const ALL_RATIOS = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9', '1:4', '4:1', '1:8', '8:1', '9:21'];

describe('Nano Banana 2.1 (gemini-nano-banana-2.1)', () => {
	const model = ['gemini-nano-banana-2.1'];

	it.each(ALL_RATIOS)('takes the aspect ratio %s', (aspectRatio) => {
		expect(refusal(model, { aspectRatio })).toBeUndefined();
	});

	it.each(['1K', '2K', '4K'])('takes the size %s', (imageSize) => {
		expect(refusal(model, { imageSize, aspectRatio: '8:1' })).toBeUndefined();
	});

	it('refuses 512, naming the size and what it takes', () => {
		expect(refusal(model, { imageSize: '512' })).toEqual({
			message: 'Nano Banana 2.1 (gemini-nano-banana-2.1) does not accept the image size 512',
			description: expect.stringMatching(/sizes 1K, 2K, 4K\. .*Nano Banana 2 \(gemini-3\.1-flash-image\) for 512/),
		});
	});

	it('4 input images with Nano Banana (2.5, at most 3) as a Fallback Model are refused: fallbacks are checked too (docs/node.md)', () => {
		expect(refusal([...model, 'gemini-2.5-flash-image'], {}, 4)?.message).toBe('Nano Banana (gemini-2.5-flash-image) does not accept 4 input images');
	});

	it('takes 14 input images, not 15', () => {
		expect(refusal(model, {}, 14)).toBeUndefined();
		expect(refusal(model, {}, 15)?.message).toBe('Nano Banana 2.1 (gemini-nano-banana-2.1) does not accept 15 input images');
	});

	it.each(['minimal', 'medium', 'high'])('takes the thinking level %s, and thought summaries', (thinkingLevel) => {
		expect(refusal(model, { thinkingLevel, includeThoughts: true })).toBeUndefined();
	});

	it('searches the web and images', () => {
		expect(refusal(model, { googleSearch: true, googleImageSearch: true })).toBeUndefined();
	});
});

describe('thinking levels per model', () => {
	it('a level on Nano Banana 2.5 is refused, naming the models that take it', () => {
		expect(refusal(['gemini-2.5-flash-image'], { thinkingLevel: 'high' })).toEqual({
			message: 'Nano Banana (gemini-2.5-flash-image) does not accept the thinking level high',
			description: expect.stringMatching(
				/no thinking level .*Remove "Thinking Level".* Nano Banana 2\.1 \(gemini-nano-banana-2\.1\) or Nano Banana 2 Lite \(gemini-3\.1-flash-lite-image\) or Nano Banana 2 \(gemini-3\.1-flash-image\) for high/,
			),
		});
	});

	it('thought summaries on Nano Banana 2.5 are refused', () => {
		expect(refusal(['gemini-2.5-flash-image'], { includeThoughts: true })?.message).toBe(
			'Nano Banana (gemini-2.5-flash-image) does not accept thought summaries',
		);
	});

	it('medium is Nano Banana 2.1 only', () => {
		const refused = refusal(['gemini-3.1-flash-image'], { thinkingLevel: 'medium' });
		expect(refused?.message).toBe('Nano Banana 2 (gemini-3.1-flash-image) does not accept the thinking level medium');
		expect(refused?.description).toMatch(/minimal, high\. .*Nano Banana 2\.1 \(gemini-nano-banana-2\.1\) for medium/);
		expect(refusal(['gemini-3.1-flash-lite-image'], { thinkingLevel: 'medium' })).toBeDefined();
		expect(refusal(['gemini-3.1-flash-lite-image'], { thinkingLevel: 'minimal' })).toBeUndefined();
	});

	it('a fallback model that cannot think is checked as well', () => {
		expect(refusal(['gemini-nano-banana-2.1', 'gemini-2.5-flash-image'], { thinkingLevel: 'high' })?.message).toMatch(/gemini-2\.5-flash-image/);
	});

	it('Pro thinks always and lists no levels: a level is left to Google', () => {
		expect(refusal(['gemini-3-pro-image'], { thinkingLevel: 'high', includeThoughts: true })).toBeUndefined();
	});
});

describe('image search', () => {
	it('Nano Banana 2 searches images; Pro searches the web only', () => {
		expect(refusal(['gemini-3.1-flash-image'], { googleSearch: true, googleImageSearch: true })).toBeUndefined();
		expect(refusal(['gemini-3-pro-image'], { googleSearch: true, googleImageSearch: true })).toEqual({
			message: 'Nano Banana Pro (gemini-3-pro-image) does not accept image search',
			description: expect.stringMatching(/web search only\. Switch "Search Images Too" off, or choose Nano Banana 2\.1 \(gemini-nano-banana-2\.1\) or Nano Banana 2/),
		});
		expect(refusal(['gemini-3-pro-image'], { googleSearch: true })).toBeUndefined();
	});

	it('a "Search Images Too" left over with grounding off is not a search', () => {
		expect(refusal(['gemini-3-pro-image'], { googleImageSearch: true })).toBeUndefined();
	});
});

describe('unknown ids pass unchecked', () => {
	it('a future id takes anything the options allow', () => {
		expect(refusal(['gemini-nano-banana-3'], { imageSize: '512', aspectRatio: '8:1', thinkingLevel: 'xhigh', includeThoughts: true, googleSearch: true, googleImageSearch: true })).toBeUndefined();
	});
});
