import { buildGenerateContentRequest } from '../../../nodes/NanoBanana/actions/request';
import { aiStudioBackend, normalizeModelId, vertexBackend, vertexHost } from '../../../nodes/NanoBanana/transport/auth/backends';

const png = Buffer.from('89504e470d0a1a0a0000', 'hex');

describe('buildGenerateContentRequest', () => {
	it('puts images as inlineData parts before the prompt and asks for images', () => {
		const request = buildGenerateContentRequest({
			prompt: 'Make the sky pink',
			images: [
				{ mimeType: 'image/png', bytes: png },
				{ mimeType: 'image/jpeg', bytes: Buffer.from([0xff, 0xd8, 0xff]) },
			],
			options: {},
		});
		expect(request.contents).toEqual([
			{
				role: 'user',
				parts: [
					{ inlineData: { mimeType: 'image/png', data: png } },
					{ inlineData: { mimeType: 'image/jpeg', data: Buffer.from([0xff, 0xd8, 0xff]) } },
					{ text: 'Make the sky pink' },
				],
			},
		]);
		expect(request.generationConfig).toEqual({ responseModalities: ['TEXT', 'IMAGE'] });
		expect(request).not.toHaveProperty('systemInstruction');
	});

	it('sends only the options the user set', () => {
		const request = buildGenerateContentRequest({
			prompt: 'A mug',
			images: [],
			options: { aspectRatio: '16:9', temperature: 0, seed: 42, numberOfImages: 3, systemInstruction: '  Be precise. ' },
		});
		expect(request.generationConfig).toEqual({
			responseModalities: ['TEXT', 'IMAGE'],
			imageConfig: { aspectRatio: '16:9' },
			temperature: 0,
			seed: 42,
			candidateCount: 3,
		});
		expect(request.systemInstruction).toEqual({ parts: [{ text: 'Be precise.' }] });
	});

	it('refers to uploaded files by URI', () => {
		const request = buildGenerateContentRequest({
			prompt: 'x',
			images: [{ mimeType: 'image/jpeg', fileUri: 'https://g/v1beta/files/abc' }],
			options: {},
		});
		expect(request.contents[0].parts[0]).toEqual({ fileData: { mimeType: 'image/jpeg', fileUri: 'https://g/v1beta/files/abc' } });
	});

	it('keeps imageSize alone when no aspect ratio is set and never sends candidateCount 1', () => {
		const request = buildGenerateContentRequest({ prompt: 'x', images: [], options: { imageSize: '4K', numberOfImages: 1 } });
		expect(request.generationConfig.imageConfig).toEqual({ imageSize: '4K' });
		expect(request.generationConfig).not.toHaveProperty('candidateCount');
	});
});

describe('backends', () => {
	it('builds Gemini API URLs from a model id in any accepted form', () => {
		const backend = aiStudioBackend({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9/' });
		const expected = 'http://127.0.0.1:9/v1beta/models/gemini-2.5-flash-image:generateContent';
		expect(backend.generateContentUrl('gemini-2.5-flash-image')).toBe(expected);
		expect(backend.generateContentUrl('models/gemini-2.5-flash-image')).toBe(expected);
		expect(aiStudioBackend({ apiKey: 'k' }).listModelsUrl).toBe(
			'https://generativelanguage.googleapis.com/v1beta/models',
		);
	});

	it('derives the Vertex host from the location', () => {
		expect(vertexHost('global')).toBe('https://aiplatform.googleapis.com');
		expect(vertexHost('us')).toBe('https://aiplatform.us.rep.googleapis.com');
		expect(vertexHost('eu')).toBe('https://aiplatform.eu.rep.googleapis.com');
		expect(vertexHost('europe-west4')).toBe('https://europe-west4-aiplatform.googleapis.com');
	});

	it('builds Vertex URLs with the project from the key unless one is given', () => {
		const key = JSON.stringify({ client_email: 'a@b.iam', private_key: 'x', project_id: 'key-project' });
		const fromKey = vertexBackend({ serviceAccountJson: key, location: 'us-central1' });
		expect(fromKey.generateContentUrl('publishers/google/models/gemini-3-pro-image')).toBe(
			'https://us-central1-aiplatform.googleapis.com/v1/projects/key-project/locations/us-central1/publishers/google/models/gemini-3-pro-image:generateContent',
		);
		const explicit = vertexBackend({ serviceAccountJson: key, location: 'global', projectId: 'other-project', baseUrl: 'http://h:1' });
		expect(explicit.generateContentUrl('gemini-3-pro-image')).toBe(
			'http://h:1/v1/projects/other-project/locations/global/publishers/google/models/gemini-3-pro-image:generateContent',
		);
		expect(explicit.maxInlineImageBytes).toBe(7 * 1024 * 1024);
	});

	it('normalizes model ids', () => {
		expect(normalizeModelId(' models/gemini-3.1-flash-image ')).toBe('gemini-3.1-flash-image');
		expect(normalizeModelId('gemini-3.1-flash-image')).toBe('gemini-3.1-flash-image');
	});
});

describe('thinking and image search in the request (issue 18)', () => {
	const base = { prompt: 'p', images: [] };

	it('Thinking Level goes to generationConfig.thinkingConfig.thinkingLevel as the enum name', () => {
		expect(buildGenerateContentRequest({ ...base, options: { thinkingLevel: 'high' } }).generationConfig.thinkingConfig).toEqual({ thinkingLevel: 'HIGH' });
	});

	it('Include Thought Summaries sends includeThoughts: true; neither option sends no thinkingConfig', () => {
		expect(buildGenerateContentRequest({ ...base, options: { includeThoughts: true, thinkingLevel: 'minimal' } }).generationConfig.thinkingConfig).toEqual({
			thinkingLevel: 'MINIMAL',
			includeThoughts: true,
		});
		expect(buildGenerateContentRequest({ ...base, options: { includeThoughts: false } }).generationConfig).not.toHaveProperty('thinkingConfig');
		expect(buildGenerateContentRequest({ ...base, options: {} }).generationConfig).not.toHaveProperty('thinkingConfig');
	});

	it('Search Images Too makes grounding search images as well as the web', () => {
		expect(buildGenerateContentRequest({ ...base, options: { googleSearch: true, googleImageSearch: true } }).tools).toEqual([
			{ googleSearch: { searchTypes: { webSearch: {}, imageSearch: {} } } },
		]);
		expect(buildGenerateContentRequest({ ...base, options: { googleSearch: true, googleImageSearch: false } }).tools).toEqual([{ googleSearch: {} }]);
		expect(buildGenerateContentRequest({ ...base, options: { googleImageSearch: true } }).tools).toBeUndefined();
	});
});
