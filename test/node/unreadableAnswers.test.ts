/**
 * A 2xx that is not a usable answer may have been billed: a cut-off or non-JSON body is sent
 * again once at most; readable JSON without candidates is a clear error at once, on no other model.
 */
import type { Emulator } from '../emulator/server';
import { runWorkflow } from './harness';
import { aiStudioCredential, editParameters, photoItem, useEmulator } from './fixtures';

let emulator: Emulator;
useEmulator((started) => (emulator = started));

const run = async (prompt: string, options: Record<string, unknown> = {}) =>
	await runWorkflow({
		items: [photoItem({ prompt })],
		parameters: editParameters({ options: { maxRetries: 4, ...options } }),
		credential: aiStudioCredential(emulator),
	});

describe('2xx answers that are not the answer', () => {
	test('a cut-off answer is sent again once, not Max Retries times', async () => {
		const result = await run('Always cut off [[emulate:malformed]]');
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe("Google's answer could not be read (tried 2 times)");
		expect(emulator.counters.generateContent).toBe(2);
	});

	test('a cut-off answer does not send the item to the fallback models', async () => {
		const result = await run('Cut off everywhere [[emulate:malformed]]', {
			fallbackModels: 'gemini-3.1-flash-image, gemini-3-pro-image',
		});
		expect(result.error?.message).toBe("Google's answer could not be read (tried 2 times)");
		expect(emulator.counters.generateContent).toBe(2);
		expect(Object.keys(emulator.counters.byModel)).toEqual(['gemini-2.5-flash-image']);
	});

	test('JSON without candidates is a clear error at once: no retry, no fallback', async () => {
		const result = await run('Gateway ate the answer [[emulate:no-candidates]]', { fallbackModels: 'gemini-3.1-flash-image' });
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('Google answered without a result');
		expect(result.task?.error?.description).toContain('It was not sent again');
		expect(emulator.counters.generateContent).toBe(1);
	});

	test('one cut-off answer followed by a good one gives the image', async () => {
		const result = await run('Cut off once [[emulate:malformedx1]]');
		expect(result.status).toBe('success');
		expect(result.outputs[0][0].json.nanoBanana).toMatchObject({ attempts: 2, imageCount: 1 });
	});
});
