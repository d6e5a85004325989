/**
 * Parameters and options set by expressions, through n8n's real engine: a value the node cannot
 * use fails before any request with an error naming the parameter and the value; a value whose
 * meaning is plain (a number as a file name) is converted.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { Emulator } from '../emulator/server';
import { runWorkflow } from './harness';
import type { FixtureItem, RunResult } from './harness';
import { LOGO, PHOTO, aiStudioCredential, editParameters, outputPng, photoItem, useEmulator, vertexCredential } from './fixtures';

let emulator: Emulator;
useEmulator((started) => (emulator = started));

async function run(
	items: FixtureItem[],
	parameters: INodeParameters,
	settings: { vertex?: boolean; onError?: 'continueRegularOutput' } = {},
): Promise<RunResult> {
	return await runWorkflow({
		items,
		parameters: editParameters({ ...(settings.vertex ? { authentication: 'vertexAi' } : {}), ...parameters }),
		credential: settings.vertex ? vertexCredential(emulator) : aiStudioCredential(emulator),
		onError: settings.onError,
	});
}

describe('numeric options (NaN, out of range) fail before any request', () => {
	test.each([
		['AI Studio', false],
		['Vertex AI', true],
	])('Max Concurrency = Number($json.c) with a non-number on %s: a clear error, no request, no hang', async (_name, vertex) => {
		const result = await run(
			[photoItem({ prompt: 'Edit', c: 'many' }), photoItem({ prompt: 'Edit', c: 'many' })],
			{ options: { maxConcurrency: '={{ Number($json.c) }}' } },
			{ vertex },
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('"Max Concurrency" must be a whole number from 1 to 32, but it is NaN (not a number)');
		expect(emulator.counters.requests).toBe(0);
	});

	test('a NaN Max Retries does not retry until the time budget ends', async () => {
		const result = await run([photoItem({ prompt: 'Down [[emulate:503]]' })], {
			options: { maxRetries: '={{ Number("x") }}' },
		});
		expect(result.error?.message).toBe('"Max Retries" must be a whole number from 0 to 10, but it is NaN (not a number)');
		expect(emulator.counters.requests).toBe(0);
	});

	test('a per-item option out of range fails that item only (continue on fail)', async () => {
		const result = await run(
			[photoItem({ prompt: 'First', t: 0.5 }), photoItem({ prompt: 'Second', t: 7 })],
			{ options: { temperature: '={{ $json.t }}' } },
			{ onError: 'continueRegularOutput' },
		);
		expect(result.status).toBe('success');
		const [first, second] = result.outputs[0];
		expect(first.json.nanoBanana).toBeDefined();
		expect(second.json.error).toMatchObject({
			message: '"Temperature" must be a number from 0 to 2, but it is 7',
			reason: 'INVALID_PARAMETER',
		});
		expect(emulator.counters.generateContent).toBe(1);
	});
});

describe('text parameters from expressions', () => {
	test('a number as Output File Name names the file', async () => {
		const result = await run([photoItem({ prompt: 'Edit', n: 1234 })], { options: { outputFileName: '={{ $json.n }}' } });
		expect(result.status).toBe('success');
		expect(result.outputs[0][0].binary?.data?.fileName).toBe('1234.png');
	});

	test('Output File Name "../../etc/cron.d/evil" names the file "evil.png", in no directory', async () => {
		const result = await run([photoItem({ prompt: 'Edit' })], { options: { outputFileName: '../../etc/cron.d/evil' } });
		expect(result.status).toBe('success');
		const binary = result.outputs[0][0].binary?.data;
		expect(binary?.fileName).toBe('evil.png');
		expect(binary?.directory).toBeUndefined();
	});

	test('an input file name with path segments and control characters gives a clean output name', async () => {
		const result = await run([photoItem({ prompt: 'Edit' }, PHOTO, '../../up/\u0000sho\u001fe.jpg')], {});
		expect(result.status).toBe('success');
		expect(result.outputs[0][0].binary?.data?.fileName).toBe('shoe-edited.png');
		expect(result.outputs[0][0].binary?.data?.directory).toBeUndefined();
	});

	test('a number as System Instruction and as Fallback Models is read as text', async () => {
		const result = await run([photoItem({ prompt: 'Edit' })], {
			options: { systemInstruction: '={{ 42 }}', fallbackModels: '={{ 7 }}' },
		});
		expect(result.status).toBe('success');
		expect((await outputPng(result, result.outputs[0][0])).meta).toMatchObject({ systemInstruction: '42' });
	});

	test('an object as Prompt is refused instead of being sent as "[object Object]"', async () => {
		const result = await run([photoItem({ prompt: { text: 'Edit' } as unknown as IDataObject })], {});
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('"Prompt" must be text, but it is an object');
		expect(emulator.counters.requests).toBe(0);
	});

	test('an object as System Instruction is refused before any request', async () => {
		const result = await run([photoItem({ prompt: 'Edit', s: { a: 1 } })], { options: { systemInstruction: '={{ $json.s }}' } });
		expect(result.error?.message).toBe('"System Instruction" must be text, but it is an object');
		expect(emulator.counters.requests).toBe(0);
	});
});

describe('binary field names', () => {
	test('Output Binary Field "__proto__" is refused before the paid request', async () => {
		const result = await run([photoItem({ prompt: 'Edit' })], { outputBinaryField: '__proto__' });
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('"Output Binary Field" cannot be named "__proto__"');
		expect(emulator.counters.requests).toBe(0);
	});

	test('an input field named "constructor" is refused with a clear error', async () => {
		const result = await run([photoItem({ prompt: 'Edit' })], { inputBinaryFields: 'data, constructor' });
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('"Input Binary Fields" cannot be named "constructor"');
		expect(emulator.counters.requests).toBe(0);
	});

	test('a missing field whose name exists on every object ("toString") is reported as missing', async () => {
		const result = await run(
			[{ json: { prompt: 'Edit' }, binary: { data: { bytes: PHOTO, mimeType: 'image/jpeg' }, logo: { bytes: LOGO, mimeType: 'image/png' } } }],
			{ inputBinaryFields: 'data, toString' },
		);
		expect(result.error?.message).toBe('The input has no binary field "toString"');
		expect(emulator.counters.requests).toBe(0);
	});
});
