/** Issue 18: the one table of successors for shut-down and closed ids, and the names users know. */
import { isShutDown, modelLabel, RECOMMENDED_IMAGE_MODEL, successionOf } from '../../../../nodes/NanoBanana/transport/google/modelCatalog';

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
