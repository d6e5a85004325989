/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code, run by Node, not n8n (README: Lint) */
/**
 * Batch Mode when things go wrong between n8n and Google (issue 20): a create answer lost after
 * the job was made, a results file slower than the Timeout, a job of another model failing, an
 * item whose upload fails in a file job, a rerun after a failed execution, an outage while
 * waiting, a Stop during a create whose job the list shows late, and an upload chunk whose answer
 * was lost. Every case ends with exactly one job paid for, or none left running.
 */
import { randomBytes } from 'crypto';

import type { IDataObject } from 'n8n-workflow';

import type { Emulator } from '../emulator/server';
import { BATCH, batchItems, bigBatchItems, noisePng, useBatchEmulator } from './batchFixtures';
import { outputPng, waitFor } from './fixtures';
import * as batches from '../../nodes/NanoBanana/transport/api/batches';
import { TransportError } from '../../nodes/NanoBanana/transport/http/client';

let emulator: Emulator;
const run = useBatchEmulator((started) => (emulator = started));
const items = batchItems;

const jobCreates = () => emulator.counters.log.filter((entry) => entry.path.endsWith(':batchGenerateContent')).length;

describe('a lost create answer (issue 20, point 4)', () => {
	test('the job made before the answer was lost is found by its name, not created again', async () => {
		emulator.configure({ dropBatchCreateAnswers: 1 });
		const result = await run(items(3, `lost answer ${randomBytes(4).toString('hex')}`), BATCH);

		expect(result.status).toBe('success');
		expect(jobCreates()).toBe(1);
		expect(emulator.counters.batchCreates).toBe(1);
		expect(result.outputs[0]).toHaveLength(3);
	});
});

describe('a results file slower than the Timeout (issue 20, point 5)', () => {
	test('a healthy 4 s download with Timeout 2 s is read whole, once', async () => {
		emulator.configure({ downloadDurationMs: 4000 });
		const result = await run(bigBatchItems(`slow results ${randomBytes(4).toString('hex')}`), { ...BATCH, timeout: 2 });

		expect(result.task?.error?.message).toBeUndefined();
		expect(result.status).toBe('success');
		expect(emulator.counters.batchCreates).toBe(1);
		expect(emulator.counters.downloads).toBe(1);
		expect(result.outputs[0]).toHaveLength(3);
	}, 90_000);
});

describe('another model\'s job fails (issue 20, point 6)', () => {
	test('the job already created for the other model is cancelled and no longer polled', async () => {
		emulator.configure({ batchRunMs: 60_000, batchListDelayMs: 0, closedModels: ['gemini-3-pro-image'] });
		const fixture = items(2, `two models ${randomBytes(4).toString('hex')}`);
		fixture[0].json = { ...fixture[0].json, model: 'gemini-2.5-flash-image' };
		fixture[1].json = { ...fixture[1].json, model: 'gemini-3-pro-image' };
		const result = await run(fixture, BATCH, { parameters: { model: { __rl: true, mode: 'id', value: '={{ $json.model }}' } } });

		expect(result.status).toBe('error');
		expect(emulator.counters.batchCreates).toBe(1);
		await waitFor(() => emulator.counters.batchCancels === 1);
		const gets = emulator.counters.batchGets;
		await new Promise((resolve) => setTimeout(resolve, 3500));
		expect(emulator.counters.batchGets).toBe(gets);
	}, 30_000);
});

describe('an item whose upload fails in a file job (issue 20, point 7)', () => {
	test('it keeps its own cause; the other items are unaffected', async () => {
		emulator.configure({ refuseUploadsOverBytes: 10 * 1024 * 1024, uploadChunkGranularity: 1024 * 1024 });
		const fixture = items(2, `upload fails ${randomBytes(4).toString('hex')}`);
		fixture[0].binary = { data: { bytes: noisePng(21 * 1024 * 1024, 7), fileName: 'huge.png', mimeType: 'image/png' } };
		const result = await run(fixture, BATCH, { onError: 'continueRegularOutput' });

		expect(result.status).toBe('success');
		const [first, second] = result.outputs[0];
		expect(first.json.error).toMatchObject({ httpCode: '413', itemIndex: 0 });
		expect(JSON.stringify(first.json.error)).not.toContain('without an answer');
		expect(second.json.error).toBeUndefined();
		expect((await outputPng(result, second)).meta?.prompt).toBe(fixture[1].json?.prompt);
		expect(emulator.counters.batchRequests).toBe(1);
	}, 60_000);

	test('without Continue On Fail the run ends with that cause and no job is created or paid for', async () => {
		emulator.configure({ refuseUploadsOverBytes: 10 * 1024 * 1024, uploadChunkGranularity: 1024 * 1024 });
		const fixture = items(2, `upload stops ${randomBytes(4).toString('hex')}`);
		fixture[0].binary = { data: { bytes: noisePng(21 * 1024 * 1024, 8), fileName: 'huge.png', mimeType: 'image/png' } };
		const result = await run(fixture, BATCH);

		expect(result.status).toBe('error');
		expect(result.task?.error).toMatchObject({ context: { itemIndex: 0 } });
		expect(JSON.stringify(result.task?.error)).not.toContain('without an answer');
		expect(emulator.counters.batchCreates).toBe(0);
	}, 60_000);
});

describe('a rerun after a failed execution (issue 20, point 8)', () => {
	test('collects the finished job without paying again, and the error says how', async () => {
		const fixture = items(3, `rerun after failure ${randomBytes(4).toString('hex')}`, 1);
		const failed = await run(fixture, BATCH);

		expect(failed.status).toBe('error');
		expect(failed.task?.error?.message).toContain('IMAGE_SAFETY');
		const job = /batches\/[a-z0-9]+/.exec(failed.task?.error?.description ?? '')?.[0];
		expect(failed.task?.error?.description).toContain(`2 images from batch job ${job} are kept at Google for 48 hours`);
		expect(failed.task?.error?.description).toContain('run the workflow again with the same items');

		const rerun = await run(fixture, BATCH, { onError: 'continueRegularOutput' });
		expect(rerun.status).toBe('success');
		expect(emulator.counters.batchCreates).toBe(1);
		expect(rerun.outputs[0].map((item) => Boolean(item.json.error))).toEqual([false, true, false]);
		expect((rerun.outputs[0][0].json.nanoBanana as IDataObject).batchJob).toBe(job);

		// Delivered now (and deleted at Google): the same items again are a new job.
		const third = await run(fixture, BATCH, { onError: 'continueRegularOutput' });
		expect(third.status).toBe('success');
		expect(emulator.counters.batchCreates).toBe(2);
	});
});

describe('an outage while waiting (issue 20, point 9)', () => {
	test('polls that fail with 503 are waited out; the job is collected', async () => {
		emulator.configure({ batchRunMs: 500, failBatchGets: 2 });
		const result = await run(items(2, `outage ${randomBytes(4).toString('hex')}`), { ...BATCH, maxRetries: 0 });

		expect(result.task?.error?.message).toBeUndefined();
		expect(result.status).toBe('success');
		expect(emulator.counters.batchCreates).toBe(1);
		expect(result.outputs[0]).toHaveLength(2);
	}, 30_000);

	test('an outage until Batch Max Wait ends with an error that names the job', async () => {
		emulator.configure({ batchRunMs: 60_000, failBatchGets: 1000 });
		const result = await run(items(2, `long outage ${randomBytes(4).toString('hex')}`), { ...BATCH, maxRetries: 0, batchMaxWait: 0.1 });

		expect(result.status).toBe('error');
		expect(result.task?.error?.message).toMatch(/^Batch job batches\/[a-z0-9]+ could not be checked for the last \d+ seconds of the 0\.1-minute wait \(503 UNAVAILABLE\)$/);
		expect(result.task?.error?.description).toContain('run the workflow again with the same items');
		expect(emulator.counters.batchCancels).toBe(0);
	}, 30_000);
});

describe('smaller ones (issue 20, point 10)', () => {
	test('a Stop during a create finds the job even when the list shows it late, and cancels it', async () => {
		emulator.configure({ batchRunMs: 60_000, latencyMs: 3000, batchListDelayMs: 1500 });
		const controller = new AbortController();
		const running = run(items(2, `late list ${randomBytes(4).toString('hex')}`), BATCH, { signal: controller.signal });
		await waitFor(() => emulator.counters.batchCreates === 1);
		controller.abort();
		const result = await running;

		expect(result.savedStatus).toBe('canceled');
		await waitFor(() => emulator.counters.batchCancels === 1, 10_000);
	}, 30_000);

	test('an upload chunk whose answer was lost is resumed where Google says it is', async () => {
		emulator.configure({ uploadChunkGranularity: 4 * 1024 * 1024, dropUploadAnswers: 1 });
		const tag = `lost chunk ${randomBytes(4).toString('hex')}`;
		const result = await run(bigBatchItems(tag), BATCH);

		expect(result.task?.error?.message).toBeUndefined();
		expect(result.status).toBe('success');
		expect(emulator.counters.uploads).toBe(1);
		expect(emulator.counters.batchCreates).toBe(1);
		expect(emulator.counters.log.some((entry) => entry.path.startsWith('/upload/') && entry.status >= 400)).toBe(false);
		for (const [index, item] of result.outputs[0].entries()) {
			expect((await outputPng(result, item)).meta?.prompt).toBe(`${tag} ${index}`);
		}
	}, 90_000);
});

describe('a finished job whose results are arriving (issue 24, review)', () => {
	const real = batches.getBatch;
	/** getBatch, but the first read that brings a result hands it out and then `after` happens. */
	function interruptFirstResults(after: () => void) {
		let interrupted = false;
		return jest.spyOn(batches, 'getBatch').mockImplementation(async (request, backend, name, options, onResult) => {
			if (!onResult || interrupted) return await real(request, backend, name, options, onResult);
			return await real(request, backend, name, options, async (result) => {
				await onResult(result);
				if (interrupted) return;
				interrupted = true;
				after();
			});
		});
	}
	const cut = () => {
		throw new TransportError({ kind: 'network', code: 'ECONNRESET', message: 'socket hang up' }, 1);
	};
	afterEach(() => jest.restoreAllMocks());

	test('a read cut after the first result is read again at once, Batch Max Wait or not', async () => {
		emulator.configure({ batchRunMs: 500 });
		interruptFirstResults(cut);
		const fixture = items(3, `cut results ${randomBytes(4).toString('hex')}`);
		const result = await run(fixture, { ...BATCH, batchMaxWait: 0.1 });

		expect(result.task?.error?.message).toBeUndefined();
		expect(result.status).toBe('success');
		expect(emulator.counters.inlineResultReads).toBe(2);
		// Read again as results cut short, not waited out as an outage of the job's polls.
		const messages = result.log.map((line) => line.message);
		expect(messages.some((message) => message.includes('results download cut short; reading it again'))).toBe(true);
		expect(messages.some((message) => message.includes('could not check the batch job'))).toBe(false);
		for (const [index, item] of result.outputs[0].entries()) {
			expect((await outputPng(result, item)).meta?.prompt).toBe(fixture[index].json?.prompt);
		}
	});

	test('a Stop while they arrive does not cancel the finished job: a rerun collects it without paying again', async () => {
		emulator.configure({ batchRunMs: 500 });
		const controller = new AbortController();
		interruptFirstResults(() => controller.abort());
		const fixture = items(3, `stop while collecting ${randomBytes(4).toString('hex')}`);
		const stopped = await run(fixture, BATCH, { signal: controller.signal });
		expect(stopped.savedStatus).toBe('canceled');
		jest.restoreAllMocks();

		const rerun = await run(fixture, BATCH);
		expect(rerun.task?.error?.message).toBeUndefined();
		expect(emulator.counters.batchCancels).toBe(0);
		expect(emulator.counters.batchCreates).toBe(1);
		for (const [index, item] of rerun.outputs[0].entries()) {
			expect((await outputPng(rerun, item)).meta?.prompt).toBe(fixture[index].json?.prompt);
		}
	});

	test('a finished job found by a rerun: its read cut after the first result is read again', async () => {
		const fixture = items(3, `attach cut ${randomBytes(4).toString('hex')}`);
		emulator.configure({ batchRunMs: 7000 });
		await run(fixture, { ...BATCH, batchMaxWait: 0.1 }, { onError: 'continueRegularOutput' });
		await new Promise((resolve) => setTimeout(resolve, 1500));
		const reads = emulator.counters.inlineResultReads;
		interruptFirstResults(cut);

		const rerun = await run(fixture, BATCH);
		expect(rerun.task?.error?.message).toBeUndefined();
		expect(emulator.counters.batchCreates).toBe(1);
		// The list page that found it, the read cut short, the read again.
		expect(emulator.counters.inlineResultReads - reads).toBe(3);
		for (const [index, item] of rerun.outputs[0].entries()) {
			expect((await outputPng(rerun, item)).meta?.prompt).toBe(fixture[index].json?.prompt);
		}
	}, 30_000);
});
