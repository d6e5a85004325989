import { isImageModel, toSearchItems } from '../../../nodes/NanoBanana/methods/listSearch';

const listed = [
	{ name: 'models/gemini-2.5-flash', displayName: 'Gemini 2.5 Flash', supportedGenerationMethods: ['generateContent'] },
	{ name: 'models/gemini-embedding-001', displayName: 'Gemini Embedding', supportedGenerationMethods: ['embedContent'] },
	{ name: 'models/gemini-2.5-flash-preview-tts', displayName: 'Gemini 2.5 Flash TTS', supportedGenerationMethods: ['generateContent'] },
	{ name: 'models/imagen-4.0-generate-001', supportedGenerationMethods: ['predict'] },
	{ name: 'models/gemini-2.5-flash-image', displayName: 'Nano Banana', supportedGenerationMethods: ['generateContent'] },
	{ name: 'models/gemini-3.1-flash-lite-image', supportedGenerationMethods: ['generateContent'] },
	{ name: 'models/gemini-3.1-flash-image-preview', supportedGenerationMethods: ['generateContent'] },
	{ name: 'models/gemini-3-pro-image-preview', displayName: 'Nano Banana Pro (Preview)', supportedGenerationMethods: ['generateContent'] },
	{ name: 'models/gemini-3.1-flash-image', displayName: 'Nano Banana 2', supportedGenerationMethods: ['generateContent'] },
	{ name: 'publishers/google/models/gemini-3-pro-image' },
	{ name: 'models/gemini-nano-banana-2.1', displayName: 'Nano Banana 2.1', supportedGenerationMethods: ['generateContent', 'countTokens'] },
	{ name: 'models/gemini-nano-banana-3', displayName: 'Nano Banana 3', supportedGenerationMethods: ['generateContent'] },
	{ name: 'models/gemini-4-flash-pixel', displayName: 'Gemini 4 Flash Image', supportedGenerationMethods: ['generateContent'] },
	{ name: 'models/gemini-2.5-flash-image', displayName: 'duplicate' },
];

describe('model list', () => {
	it('keeps image-output models, including ids without "image"; leaves out text, previews and shut-down ids', () => {
		expect(listed.filter(isImageModel).map((model) => model.name)).toEqual([
			'models/gemini-2.5-flash-image',
			'models/gemini-3.1-flash-lite-image',
			'models/gemini-3.1-flash-image',
			'publishers/google/models/gemini-3-pro-image',
			'models/gemini-nano-banana-2.1',
			'models/gemini-nano-banana-3',
			'models/gemini-4-flash-pixel',
			'models/gemini-2.5-flash-image',
		]);
	});

	it("puts Google's recommended model first, names known ids as users know them, new ids after the known ones", () => {
		expect(toSearchItems(listed).map(({ name, value }) => ({ name, value }))).toEqual([
			{ name: 'Nano Banana 2.1 (gemini-nano-banana-2.1)', value: 'gemini-nano-banana-2.1' },
			{ name: 'Nano Banana Pro (gemini-3-pro-image)', value: 'gemini-3-pro-image' },
			{ name: 'Nano Banana 2 (gemini-3.1-flash-image)', value: 'gemini-3.1-flash-image' },
			{ name: 'Nano Banana 2 Lite (gemini-3.1-flash-lite-image)', value: 'gemini-3.1-flash-lite-image' },
			{ name: 'Nano Banana (gemini-2.5-flash-image)', value: 'gemini-2.5-flash-image' },
			{ name: 'Gemini 4 Flash Image (gemini-4-flash-pixel)', value: 'gemini-4-flash-pixel' },
			{ name: 'Nano Banana 3 (gemini-nano-banana-3)', value: 'gemini-nano-banana-3' },
		]);
		expect(toSearchItems(listed)[0]).toMatchObject({ description: "Google's recommended image model" });
	});

	it('filters by what the user typed', () => {
		expect(toSearchItems(listed, 'pro').map((item) => item.value)).toEqual(['gemini-3-pro-image']);
		expect(toSearchItems(listed, '2.1').map((item) => item.value)).toEqual(['gemini-nano-banana-2.1']);
	});
});
