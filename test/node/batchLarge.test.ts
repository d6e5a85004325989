/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code, run by Node, not n8n (README: Lint) */
/**
 * Batch Mode with large answers (issue 24, point 1): a Generate batch of short prompts is small
 * going in and large coming back, so it goes as a JSONL file and its results come as a file; and a
 * job whose results travel inside it is read as a stream, so its size and a slow line do not
 * matter (the Timeout covers stalls only).
 */
import { randomBytes } from 'crypto';

import { BinaryDataService } from 'n8n-core';

import type { Emulator } from '../emulator/server';
import { BATCH, batchItems, bigBatchItems, useBatchEmulator } from './batchFixtures';
import { outputPng } from './fixtures';

let emulator: Emulator;
const run = useBatchEmulator((started) => (emulator = started));
const tag = (name: string) => `${name} ${randomBytes(4).toString('hex')}`;

describe('large answers (issue 24, point 1)', () => {
	test('8 Generate prompts at 1K (answers over 20 MB) go as a JSONL file; the results come as a file', async () => {
		const fixture = batchItems(8, tag('generate'));
		const result = await run(fixture, BATCH, { parameters: { operation: 'generate' } });

		expect(result.task?.error?.message).toBeUndefined();
		expect(result.status).toBe('success');
		expect(emulator.counters.batchCreates).toBe(1);
		expect(emulator.counters.uploads).toBe(1);
		expect(emulator.counters.downloads).toBe(1);
		expect(result.outputs[0]).toHaveLength(8);
		for (const [index, item] of result.outputs[0].entries()) {
			expect((await outputPng(result, item)).meta?.prompt).toBe(fixture[index].json?.prompt);
		}
	}, 60_000);

	test('inline results that take longer than the Timeout to arrive are read whole (a stall, not the transfer, is cut)', async () => {
		emulator.configure({ batchAnswerBytes: 2 * 1024 * 1024, batchGetDurationMs: 3000 });
		const fixture = batchItems(3, tag('slow inline'));
		const result = await run(fixture, { ...BATCH, timeout: 1, batchMaxWait: 0.4 });

		expect(result.task?.error?.message).toBeUndefined();
		expect(result.status).toBe('success');
		expect(emulator.counters.uploads).toBe(0);
		expect(emulator.counters.batchCreates).toBe(1);
		for (const [index, item] of result.outputs[0].entries()) {
			expect((await outputPng(result, item)).meta?.prompt).toBe(fixture[index].json?.prompt);
			expect((await result.bytes(item, 'data')).length).toBeGreaterThan(2 * 1024 * 1024 - 100);
		}
	}, 60_000);
});

describe('inline results travel once (issue 24, review)', () => {
	test('the poll that sees the job finished hands its results out: the job is not read again', async () => {
		emulator.configure({ batchAnswerBytes: 256 * 1024 });
		const fixture = batchItems(3, tag('inline once'));
		const result = await run(fixture, BATCH);

		expect(result.task?.error?.message).toBeUndefined();
		expect(emulator.counters.uploads).toBe(0);
		expect(emulator.counters.inlineResultReads).toBe(1);
		for (const [index, item] of result.outputs[0].entries()) {
			expect((await outputPng(result, item)).meta?.prompt).toBe(fixture[index].json?.prompt);
		}
	}, 60_000);

	test('a run that attaches to a finished inline job reads it once beside the list page that found it', async () => {
		const fixture = batchItems(3, tag('attach once'));
		// The first run gives up after Batch Max Wait (6 s) before the job finishes; the job stays at Google.
		emulator.configure({ batchRunMs: 7000 });
		const first = await run(fixture, { ...BATCH, batchMaxWait: 0.1 }, { onError: 'continueRegularOutput' });
		expect(emulator.counters.batchCreates).toBe(1);
		expect(first.outputs[0].every((item) => item.json.error !== undefined)).toBe(true);
		await new Promise((resolve) => setTimeout(resolve, 1500));
		const reads = emulator.counters.inlineResultReads;

		const second = await run(fixture, BATCH);
		expect(second.task?.error?.message).toBeUndefined();
		expect(emulator.counters.batchCreates).toBe(1);
		// The list page that found the job carries its results too (Google's may), then one read of the job.
		expect(emulator.counters.batchGets).toBeGreaterThan(0);
		expect(emulator.counters.inlineResultReads - reads).toBe(2);
		for (const [index, item] of second.outputs[0].entries()) {
			expect((await outputPng(second, item)).meta?.prompt).toBe(fixture[index].json?.prompt);
		}
	}, 60_000);
});

describe('each item prepared once (issue 23, point 5)', () => {
	test('a file job reads each input image once: the body fingerprinted is the body sent', async () => {
		const reads = [jest.spyOn(BinaryDataService.prototype, 'getAsBuffer'), jest.spyOn(BinaryDataService.prototype, 'getAsStream')];
		try {
			const fixture = bigBatchItems(tag('read once'));
			const result = await run(fixture, BATCH);

			expect(result.task?.error?.message).toBeUndefined();
			expect(emulator.counters.uploads).toBe(1);
			// Every input image read once, before the outputs are read back below.
			expect(reads.reduce((calls, spy) => calls + spy.mock.calls.length, 0)).toBe(fixture.length);
			for (const [index, item] of result.outputs[0].entries()) {
				expect((await outputPng(result, item)).meta?.prompt).toBe(fixture[index].json?.prompt);
			}
		} finally {
			for (const spy of reads) spy.mockRestore();
		}
	}, 60_000);
});
