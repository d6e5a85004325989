/* eslint-disable @typescript-eslint/no-unused-vars -- test code, run by Node, not n8n (README: Lint) */
import { buildGenerateContentRequest, unsentImageOptions } from '../../../nodes/NanoBanana/actions/request';
import { AI_STUDIO_IMAGE_OPTIONS, VERTEX_IMAGE_OPTIONS } from '../../../nodes/NanoBanana/transport/auth/backends';
import { answerSummary } from '../../../nodes/NanoBanana/actions/output';
import { readOptions } from '../../../nodes/NanoBanana/description/options';
import { checkModelSupport } from '../../../nodes/NanoBanana/media/limits';
import { parseGenerateContentResponse } from '../../../nodes/NanoBanana/transport/google/parse';
import { readImageAnswer } from '../../../nodes/NanoBanana/transport/google/response';

describe('per-model checks before any request (docs/models.md)', () => {
	it.each([
		['gemini-2.5-flash-image', { aspectRatio: '1:8' }, /Nano Banana \(gemini-2\.5-flash-image\) does not accept the aspect ratio 1:8/, /Nano Banana 2 \(gemini-3\.1-flash-image\) for 1:8/],
		['gemini-3-pro-image', { aspectRatio: '4:1' }, /Nano Banana Pro .* does not accept the aspect ratio 4:1/, /21:9/],
		['gemini-3-pro-image-preview', { imageSize: '512' }, /Nano Banana Pro \(gemini-3-pro-image-preview\) does not accept the image size 512/, /sizes 1K, 2K, 4K/],
		['gemini-2.5-flash-image', { imageSize: '2K' }, /does not accept the image size 2K/, /only the size 1K/],
		['gemini-3.1-flash-lite-image', { imageSize: '4K' }, /Nano Banana 2 Lite .* image size 4K/, /only the size 1K/],
		['gemini-2.5-flash-image', { googleSearch: true }, /does not accept Google Search grounding/, /Nano Banana Pro \(gemini-3-pro-image\) or Nano Banana 2 \(gemini-3\.1-flash-image\)/],
	])('%s with %j is refused, naming the model and what it accepts', (model, options, message, description) => {
		let thrown: unknown;
		try {
			checkModelSupport([model], options, 1);
		} catch (error) {
			thrown = error;
		}
		expect((thrown as Error).message).toMatch(message);
		expect((thrown as { description: string }).description).toMatch(description);
	});

	it('accepts what each model takes, and leaves unknown ids to Google', () => {
		expect(() => checkModelSupport(['gemini-3.1-flash-image'], { aspectRatio: '1:8', imageSize: '512', googleSearch: true }, 14)).not.toThrow();
		expect(() => checkModelSupport(['gemini-3-pro-image'], { aspectRatio: '21:9', imageSize: '4K', googleSearch: true }, 14)).not.toThrow();
		expect(() => checkModelSupport(['gemini-2.5-flash-image'], { aspectRatio: '16:9', imageSize: '1K' }, 3)).not.toThrow();
		expect(() => checkModelSupport(['gemini-nano-banana-9'], { aspectRatio: '8:1', imageSize: '512', googleSearch: true }, 2)).not.toThrow();
	});

	it('checks the fallback models too, and input-image counts', () => {
		expect(() => checkModelSupport(['gemini-3.1-flash-image', 'gemini-2.5-flash-image'], { aspectRatio: '8:1' }, 1)).toThrow(/Nano Banana \(gemini-2\.5-flash-image\) does not accept the aspect ratio 8:1/);
		expect(() => checkModelSupport(['gemini-3-pro-image', 'gemini-2.5-flash-image'], {}, 4)).toThrow(/does not accept 4 input images/);
	});
});

describe('the new options in the request', () => {
	const base = { prompt: 'p', images: [] };

	it('grounding adds the googleSearch tool on both backends', () => {
		expect(buildGenerateContentRequest({ ...base, options: { googleSearch: true } }).tools).toEqual([{ googleSearch: {} }]);
		expect(buildGenerateContentRequest({ ...base, options: { googleSearch: true }, accepts: VERTEX_IMAGE_OPTIONS }).tools).toEqual([{ googleSearch: {} }]);
		expect(buildGenerateContentRequest({ ...base, options: { googleSearch: false } }).tools).toBeUndefined();
	});

	it('output format and people go to imageConfig on Vertex only', () => {
		const options = { outputFormat: 'image/jpeg', compressionQuality: 60, personGeneration: 'ALLOW_NONE' };
		expect(buildGenerateContentRequest({ ...base, options, accepts: VERTEX_IMAGE_OPTIONS }).generationConfig.imageConfig).toEqual({
			imageOutputOptions: { mimeType: 'image/jpeg', compressionQuality: 60 },
			personGeneration: 'ALLOW_NONE',
		});
		expect(buildGenerateContentRequest({ ...base, options: { outputFormat: 'image/jpeg' }, accepts: VERTEX_IMAGE_OPTIONS }).generationConfig.imageConfig).toEqual({
			imageOutputOptions: { mimeType: 'image/jpeg', compressionQuality: 75 },
		});
		expect(buildGenerateContentRequest({ ...base, options: { outputFormat: 'image/png', compressionQuality: 10 }, accepts: VERTEX_IMAGE_OPTIONS }).generationConfig.imageConfig).toEqual({
			imageOutputOptions: { mimeType: 'image/png' },
		});
		expect(buildGenerateContentRequest({ ...base, options }).generationConfig.imageConfig).toBeUndefined();
	});

	it('names the options a backend does not take, which are left out of its request', () => {
		const options = { outputFormat: 'image/png', personGeneration: 'ALLOW_ALL' };
		expect(unsentImageOptions(options, AI_STUDIO_IMAGE_OPTIONS)).toEqual(['Output Format', 'People in Images']);
		expect(unsentImageOptions(options, VERTEX_IMAGE_OPTIONS)).toEqual([]);
		expect(buildGenerateContentRequest({ ...base, options, accepts: AI_STUDIO_IMAGE_OPTIONS }).generationConfig.imageConfig).toBeUndefined();
	});

	it('the shared validation refuses bad values, naming the option', () => {
		expect(() => readOptions({ compressionQuality: 101 })).toThrow(/"JPEG Quality" must be a whole number from 0 to 100, but it is 101/);
		expect(() => readOptions({ outputFormat: 'image/webp' })).toThrow(/"Output Format" must be a value like image\/jpeg/);
		expect(() => readOptions({ personGeneration: 'everyone' })).toThrow(/"People in Images"/);
		expect(() => readOptions({ googleSearch: 'yes' })).toThrow(/"Ground in Google Search" must be true or false/);
		expect(readOptions({ compressionQuality: '80', googleSearch: 'true' })).toEqual({ compressionQuality: 80, googleSearch: true });
	});
});

describe('grounding metadata in the answer', () => {
	const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201c5a1e6a90000000049454e44ae426082', 'hex').toString('base64');
	const body = {
		candidates: [
			{
				content: { parts: [{ text: 'Here it is' }, { inlineData: { mimeType: 'image/png', data: png } }] },
				finishReason: 'STOP',
				groundingMetadata: {
					webSearchQueries: ['weather paris today'],
					groundingChunks: [{ web: { uri: 'https://example.org/a', title: 'example.org' } }, { nope: 1 }, 'x'],
					searchEntryPoint: { renderedContent: '<div>chips</div>' },
					groundingSupports: [{ segment: {} }],
				},
			},
		],
	};

	it('reaches json.nanoBanana.grounding with queries, sources and the search entry point', () => {
		const response = parseGenerateContentResponse(body);
		const reading = response && readImageAnswer(response);
		expect(reading?.ok).toBe(true);
		if (!reading?.ok) return;
		const summary = answerSummary(reading.answer, {
			outputBinaryField: 'data', modelId: 'gemini-3-pro-image', attempts: 1, shared: false, includeModelText: true, keepInputBinaries: false,
		});
		expect(summary.grounding).toEqual({
			webSearchQueries: ['weather paris today'],
			sources: [{ uri: 'https://example.org/a', title: 'example.org' }],
			searchEntryPoint: '<div>chips</div>',
		});
	});

	it('no grounding metadata, no grounding key', () => {
		const { groundingMetadata: _dropped, ...candidate } = body.candidates[0];
		const response = parseGenerateContentResponse({ candidates: [candidate] });
		const reading = response && readImageAnswer(response);
		if (!reading?.ok) throw new Error('expected an image');
		expect(answerSummary(reading.answer, { outputBinaryField: 'data', modelId: 'm', attempts: 1, shared: false, includeModelText: true, keepInputBinaries: false })).not.toHaveProperty('grounding');
	});
});

describe('thinking, thoughts and image grounding in the output (issue 18)', () => {
	const settings = { outputBinaryField: 'data', modelId: 'gemini-nano-banana-2.1', attempts: 1, shared: false, includeModelText: true, keepInputBinaries: false };
	const png = Buffer.from('89504e470d0a1a0a', 'hex').toString('base64');
	const read = (body: unknown) => {
		const reading = readImageAnswer(parseGenerateContentResponse(body)!);
		if (!reading.ok) throw new Error(reading.problem.message);
		return reading.answer;
	};

	it('thought summaries go to nanoBanana.thoughts with Include Thought Summaries only, never into text', () => {
		const answer = read({ candidates: [{ content: { parts: [{ text: '**Planning**', thought: true }, { text: 'Here.' }, { inlineData: { mimeType: 'image/png', data: png } }] } }] });
		expect(answerSummary(answer, { ...settings, includeThoughts: true })).toMatchObject({ thoughts: '**Planning**', text: 'Here.' });
		expect(answerSummary(answer, settings)).not.toHaveProperty('thoughts');
	});

	it('an answer of thought images only says its result is the last thought image', () => {
		const answer = read({ candidates: [{ content: { parts: [{ inlineData: { mimeType: 'image/png', data: png }, thought: true }] } }] });
		expect(answerSummary(answer, settings)).toMatchObject({ imageCount: 1, resultFromThoughtImage: true });
	});

	it('image search queries and image sources reach nanoBanana.grounding as web grounding does', () => {
		const answer = read({
			candidates: [
				{
					content: { parts: [{ inlineData: { mimeType: 'image/png', data: png } }] },
					groundingMetadata: {
						webSearchQueries: ['eiffel tower'],
						imageSearchQueries: ['eiffel tower at night'],
						groundingChunks: [
							{ web: { uri: 'https://example.com/page', title: 'example.com' } },
							{ image: { sourceUri: 'https://example.com/photos', imageUri: 'https://example.com/tower.jpg', title: 'Tower', domain: 'example.com' } },
						],
					},
				},
			],
		});
		expect(answerSummary(answer, settings).grounding).toEqual({
			webSearchQueries: ['eiffel tower'],
			imageSearchQueries: ['eiffel tower at night'],
			sources: [
				{ uri: 'https://example.com/page', title: 'example.com' },
				{ uri: 'https://example.com/photos', imageUri: 'https://example.com/tower.jpg', title: 'Tower', domain: 'example.com' },
			],
		});
	});

	it('the thinking options are checked like every option', () => {
		expect(readOptions({ thinkingLevel: 'HIGH', includeThoughts: 'true', googleImageSearch: true })).toEqual({ thinkingLevel: 'high', includeThoughts: true, googleImageSearch: true });
		expect(() => readOptions({ thinkingLevel: 'max' })).toThrow(/"Thinking Level" must be a value like high/);
	});
});
