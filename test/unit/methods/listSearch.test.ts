import { isImageModel, toSearchItems } from '../../../nodes/NanoBanana/methods/listSearch';

const listed = [
	{ name: 'models/gemini-2.5-flash', displayName: 'Gemini 2.5 Flash', supportedGenerationMethods: ['generateContent'] },
	{ name: 'models/imagen-4.0-generate-001', supportedGenerationMethods: ['predict'] },
	{ name: 'models/gemini-2.5-flash-image', displayName: 'Nano Banana', supportedGenerationMethods: ['generateContent'] },
	{ name: 'models/gemini-3.1-flash-lite-image', supportedGenerationMethods: ['generateContent'] },
	{ name: 'models/gemini-3.1-flash-image-preview', supportedGenerationMethods: ['generateContent'] },
	{ name: 'models/gemini-3.1-flash-image', displayName: 'Nano Banana 2', supportedGenerationMethods: ['generateContent'] },
	{ name: 'publishers/google/models/gemini-3-pro-image' },
	{ name: 'models/gemini-2.5-flash-image', displayName: 'duplicate' },
];

describe('model list', () => {
	it('keeps Gemini image models only', () => {
		expect(listed.filter(isImageModel).map((model) => model.name)).toEqual([
			'models/gemini-2.5-flash-image',
			'models/gemini-3.1-flash-lite-image',
			'models/gemini-3.1-flash-image-preview',
			'models/gemini-3.1-flash-image',
			'publishers/google/models/gemini-3-pro-image',
			'models/gemini-2.5-flash-image',
		]);
	});

	it('orders stable, newest, plain first and names known ids', () => {
		expect(toSearchItems(listed)).toEqual([
			{ name: 'Nano Banana 2 (gemini-3.1-flash-image)', value: 'gemini-3.1-flash-image' },
			{ name: 'Nano Banana 2 Lite (gemini-3.1-flash-lite-image)', value: 'gemini-3.1-flash-lite-image' },
			{ name: 'Nano Banana Pro (gemini-3-pro-image)', value: 'gemini-3-pro-image' },
			{ name: 'Nano Banana (gemini-2.5-flash-image)', value: 'gemini-2.5-flash-image' },
			{ name: 'gemini-3.1-flash-image-preview', value: 'gemini-3.1-flash-image-preview' },
		]);
	});

	it('filters by what the user typed', () => {
		expect(toSearchItems(listed, 'pro').map((item) => item.value)).toEqual(['gemini-3-pro-image']);
	});
});
