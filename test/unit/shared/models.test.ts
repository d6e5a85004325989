/** Issue 18: the one table of successors for shut-down and closed ids, and the names users know. */
import { defaultModelOf, isShutDown, knownImageModel, limitsOf, modelLabel, namesAccepting, PICKER_MODELS, RECOMMENDED_IMAGE_MODEL, successionOf } from '../../../nodes/NanoBanana/shared/models';
import { MODEL_TABLE } from '../../../nodes/NanoBanana/shared/modelTable';

describe('successors of shut-down and closed ids', () => {
	it.each([
		['gemini-3-pro-image-preview', ['gemini-3-pro-image']],
		['gemini-3.1-flash-image-preview', ['gemini-3.1-flash-image', 'gemini-nano-banana-2.1']],
		['gemini-2.5-flash-image-preview', ['gemini-nano-banana-2.1']],
		['imagen-4.0-generate-001', ['gemini-nano-banana-2.1']],
		['imagen-3.0-capability-001', ['gemini-nano-banana-2.1']],
		['imagegeneration@006', ['gemini-nano-banana-2.1']],
	])('%s is shut down; its successors are %j', (id, successors) => {
		expect(successionOf(id)).toMatchObject({ successors, closed: false });
		expect(isShutDown(id)).toBe(true);
	});

	it('gemini-2.5-flash-image is closed to new projects, not shut down, and names 2.1', () => {
		expect(successionOf('gemini-2.5-flash-image')).toMatchObject({ successors: ['gemini-nano-banana-2.1'], closed: true, what: expect.stringContaining('new Google projects') });
		expect(isShutDown('gemini-2.5-flash-image')).toBe(false);
	});

	it('current and unknown ids have no successor', () => {
		for (const id of ['gemini-nano-banana-2.1', 'gemini-3-pro-image', 'gemini-3.1-flash-image', 'gemini-3.1-flash-lite-image', 'gemini-nano-banana-3']) {
			expect(successionOf(id)).toBeUndefined();
		}
	});

	it('names known ids the way users know them', () => {
		expect(RECOMMENDED_IMAGE_MODEL).toBe('gemini-nano-banana-2.1');
		expect(modelLabel('gemini-nano-banana-2.1')).toBe('Nano Banana 2.1 (gemini-nano-banana-2.1)');
		expect(modelLabel('gemini-nano-banana-3')).toBe('gemini-nano-banana-3');
	});
});

describe('the model table (one row per exact id)', () => {
	it('gives limits to exact ids only: a longer id of the same family passes unchecked', () => {
		expect(limitsOf('gemini-nano-banana-2.1')?.imageSizes).toEqual(['1K', '2K', '4K']);
		expect(limitsOf('models/gemini-nano-banana-2.1')?.name).toBe('Nano Banana 2.1');
		expect(limitsOf('gemini-nano-banana-2.1-lite')).toBeUndefined();
		expect(limitsOf('gemini-3.1-flash-image-002')).toBeUndefined();
	});

	it('keeps each id once, and a successor of every retired row is a row offered in the picker', () => {
		const ids = MODEL_TABLE.map((row) => row.id);
		expect(new Set(ids).size).toBe(ids.length);
		for (const row of MODEL_TABLE) {
			for (const successor of row.succession?.successors ?? []) expect(knownImageModel(successor)).toBeDefined();
		}
	});

	it('reads node version defaults, the picker order and the credential test model from the rows', () => {
		expect(defaultModelOf(1)).toBe('gemini-2.5-flash-image');
		expect(defaultModelOf(2)).toBe(RECOMMENDED_IMAGE_MODEL);
		expect(PICKER_MODELS.map((row) => row.id)).toEqual([
			'gemini-nano-banana-2.1',
			'gemini-3-pro-image',
			'gemini-3.1-flash-image',
			'gemini-3.1-flash-lite-image',
			'gemini-2.5-flash-image',
		]);
		expect(namesAccepting((limits) => limits.imageSizes.includes('512'))).toBe('Nano Banana 2');
	});
});
