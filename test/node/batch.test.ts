/**
 * Batch Mode through n8n's real engine against the emulator's batch endpoints: the output equals
 * the request pool's, per-request failures become the same error items, a rerun attaches to the
 * job it already paid for, big batches stream through a JSONL file, stopping cancels the job, and
 * Vertex is refused before any request.
 */
import { randomBytes } from 'crypto';

import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { Emulator } from '../emulator/server';
import { BATCH, batchItems, noisePng, useBatchEmulator } from './batchFixtures';
import type { FixtureItem, RunResult } from './harness';
import { outputPng, sha256, vertexCredential, waitFor } from './fixtures';

let emulator: Emulator;
const run = useBatchEmulator((started) => (emulator = started));
const items = batchItems;

/** What an output item says, minus what legitimately differs between two runs. */
async function comparable(result: RunResult, item: INodeExecutionData) {
	const { nanoBanana, ...json } = item.json as { nanoBanana?: IDataObject } & IDataObject;
	const summary = { ...(nanoBanana ?? {}) };
	// The cost differs by design: Batch Mode is half price (checked on its own below).
	for (const key of ['responseId', 'batchJob', 'attempts', 'cost']) delete summary[key];
	const binary = item.binary?.data;
	return {
		json,
		summary,
		pairedItem: item.pairedItem,
		binary: binary && { fileName: binary.fileName, mimeType: binary.mimeType },
		meta: binary && (await outputPng(result, item)).meta,
	};
}

describe('Batch Mode output equals the request pool output', () => {
	test('6 edits with one IMAGE_SAFETY: 5 images and 1 error item in order, from one job and no generateContent', async () => {
		const fixture = items(6, 'same-as-pool', 3);
		const pool = await run(fixture, {}, { onError: 'continueRegularOutput' });
		emulator.reset();
		const batch = await run(fixture, BATCH, { onError: 'continueRegularOutput' });

		expect(batch.status).toBe('success');
		expect(emulator.counters.generateContent).toBe(0);
		expect(emulator.counters.batchCreates).toBe(1);
		expect(emulator.counters.batchRequests).toBe(6);
		const outputs = batch.outputs[0];
		expect(outputs).toHaveLength(6);
		expect(outputs.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3, 4, 5].map((item) => ({ item })));
		expect(outputs.map((item) => Boolean(item.binary?.data) && !item.json.error)).toEqual([true, true, true, false, true, true]);

		const jobName = outputs[0].json.nanoBanana as IDataObject;
		expect(jobName.batchJob).toMatch(/^batches\/[a-z0-9]+$/);
		for (const index of [0, 1, 2, 4, 5]) {
			expect(await comparable(batch, outputs[index])).toEqual(await comparable(pool, pool.outputs[0][index]));
			expect((outputs[index].json.nanoBanana as IDataObject).batchJob).toBe(jobName.batchJob);
			const cost = (item: INodeExecutionData) => (item.json.nanoBanana as { cost: { usd: number; batch: boolean } }).cost;
			expect(cost(outputs[index])).toMatchObject({ batch: true, usd: expect.closeTo(cost(pool.outputs[0][index]).usd / 2, 10) });
		}
		// The failed item: the same error as without Batch Mode.
		expect(outputs[3].json).toEqual(pool.outputs[0][3].json);
		expect(outputs[3].json.error).toMatchObject({ reason: 'IMAGE_SAFETY', itemIndex: 3 });
	});

	test('without Continue On Fail the IMAGE_SAFETY item stops the run with the same error as the pool', async () => {
		const fixture = items(3, 'stop', 1);
		const pool = await run(fixture, {});
		const batch = await run(fixture, BATCH);

		expect(batch.status).toBe('error');
		expect(batch.task?.error?.message).toBe(pool.task?.error?.message);
		expect(batch.task?.error?.message).toContain('IMAGE_SAFETY');
		expect(batch.task?.error?.context?.itemIndex).toBe(1);
	});

	test('a per-request error becomes that item\'s error item, explained like a direct request\'s', async () => {
		const fixture = items(2, 'denied');
		fixture[1].json = { prompt: 'denied photo [[emulate:403]]' };
		const batch = await run(fixture, BATCH, { onError: 'continueErrorOutput' });

		expect(batch.successSink).toHaveLength(1);
		expect(batch.errorSink).toHaveLength(1);
		expect(batch.errorSink[0].json.error).toMatchObject({ httpCode: '403', itemIndex: 1 });
	});

	test('a bad input fails before any job is created', async () => {
		const fixture = items(2, 'bad-input');
		fixture[1].binary = {};
		const batch = await run(fixture, BATCH);

		expect(batch.status).toBe('error');
		expect(batch.task?.error?.message).toBe('The input has no binary field "data"');
		expect(emulator.counters.requests).toBe(0);
	});
});

describe('no paying twice', () => {
	test('a run that gave up waiting and a rerun share one job; the rerun outputs every image', async () => {
		emulator.configure({ batchRunMs: 7000 });
		const fixture = items(3, `rerun ${randomBytes(4).toString('hex')}`);
		const first = await run(fixture, { ...BATCH, batchMaxWait: 0.1 });

		expect(first.status).toBe('error');
		expect(first.task?.error?.message).toMatch(/^Batch job batches\/[a-z0-9]+ is still running at Google after 0\.1 minutes/);
		expect(first.task?.error?.description).toContain('run the workflow again with the same items');
		expect(emulator.counters.batchCreates).toBe(1);

		const second = await run(fixture, BATCH);
		expect(second.status).toBe('success');
		expect(emulator.counters.batchCreates).toBe(1);
		expect(second.outputs[0]).toHaveLength(3);
		const jobName = /batches\/[a-z0-9]+/.exec(first.task?.error?.message ?? '')?.[0];
		for (const [index, item] of second.outputs[0].entries()) {
			expect(item.json.nanoBanana).toMatchObject({ batchJob: jobName });
			expect((await outputPng(second, item)).meta?.prompt).toBe(fixture[index].json?.prompt);
		}
	}, 30_000);

	test('a delivered job is reused only with "Reuse Answers Across Executions"; without it, it is deleted', async () => {
		const fixture = items(2, `reuse ${randomBytes(4).toString('hex')}`);
		expect((await run(fixture, BATCH)).status).toBe('success');
		expect((await run(fixture, BATCH)).status).toBe('success');
		expect(emulator.counters.batchCreates).toBe(2);
		expect(emulator.counters.batchDeletes).toBe(2);

		const REUSE = { ...BATCH, reuseAnswersAcrossExecutions: true };
		expect((await run(fixture, REUSE)).status).toBe('success');
		expect(emulator.counters.batchCreates).toBe(3);
		const reused = await run(fixture, REUSE);
		expect(reused.status).toBe('success');
		expect(emulator.counters.batchCreates).toBe(3);
		expect(emulator.counters.batchDeletes).toBe(2);
		expect(reused.outputs[0]).toHaveLength(2);
	});

	test('different items make a different job', async () => {
		await run(items(2, 'one'), BATCH);
		await run(items(2, 'two'), BATCH);
		expect(emulator.counters.batchCreates).toBe(2);
	});
});


describe('big batches', () => {
	test.each([
		['', 0, 1],
		[', read again when the download is cut short', 2000, 2],
	])('over 20 MB the requests stream through a JSONL file upload and the results through a download%s', async (_, dropAfter, downloads) => {
		emulator.configure({ dropDownloadsAfterBytes: dropAfter });
		const fixture: FixtureItem[] = [0, 1, 2].map((index) => ({
			json: { prompt: `big batch ${index}` },
			binary: { data: { bytes: noisePng(8 * 1024 * 1024, index), fileName: `big-${index}.png`, mimeType: 'image/png' } },
		}));
		const result = await run(fixture, BATCH);

		expect(result.status).toBe('success');
		expect(emulator.counters.uploads).toBe(1);
		expect(emulator.counters.batchCreates).toBe(1);
		expect(emulator.counters.downloads).toBe(downloads);
		// The 8 MB upload session takes chunks: more than one request for > 20 MB of JSONL.
		const uploadRequests = emulator.counters.log.filter((entry) => entry.path.startsWith('/upload/'));
		expect(uploadRequests.length).toBeGreaterThanOrEqual(4);
		for (const [index, item] of result.outputs[0].entries()) {
			const meta = (await outputPng(result, item)).meta;
			expect(meta?.inputs).toEqual([sha256(fixture[index].binary!.data.bytes)]);
			expect(meta?.prompt).toBe(`big batch ${index}`);
		}
	}, 60_000);
});

describe('job failures, stopping and Vertex', () => {
	test.each([
		['FAILED', /^Batch job batches\/[a-z0-9]+ failed at Google \(BATCH_STATE_FAILED\)$/],
		['EXPIRED', /^Batch job batches\/[a-z0-9]+ expired before Google finished it$/],
	] as const)('a job that ends %s is a clear error', async (outcome, message) => {
		emulator.configure({ batchOutcome: outcome });
		const result = await run(items(2, `outcome ${outcome}`), BATCH);

		expect(result.status).toBe('error');
		expect(result.task?.error?.message).toMatch(message);
	});

	test.each([
		['while the job runs', 0],
		// The job exists at Google before its create request is answered: found by its name.
		['while the create request is still out', 3000],
	])('stopping the execution %s cancels the job at Google', async (_, createLatencyMs) => {
		emulator.configure({ batchRunMs: 60_000, latencyMs: createLatencyMs });
		const controller = new AbortController();
		const running = run(items(2, `stop ${randomBytes(4).toString('hex')}`), BATCH, { signal: controller.signal });
		await waitFor(() => emulator.counters.batchCreates === 1);
		controller.abort();
		const result = await running;

		expect(result.savedStatus).toBe('canceled');
		await waitFor(() => emulator.counters.batchCancels === 1);
		expect(emulator.state().log.at(-1)?.path).toMatch(/^\/v1beta\/batches\/[a-z0-9]+:cancel$/);
	});

	test('Vertex AI is refused before any request', async () => {
		const result = await run(items(1, 'vertex'), BATCH, { credential: vertexCredential(emulator), parameters: { authentication: 'vertexAi' } });

		expect(result.status).toBe('error');
		expect(result.task?.error?.message).toBe('Batch Mode is not available with Vertex AI');
		expect(result.task?.error?.description).toContain('Google AI Studio API Key');
		expect(emulator.counters.requests).toBe(0);
	});

	test('the job name, state and counts go to n8n\'s log at info level; prompts and keys never do', async () => {
		{
			const result = await run(items(2, 'secret prompt text'), BATCH);
			expect(result.status).toBe('success');
			const lines = result.log
				.filter((line) => line.level === 'info')
				.map((line) => `${line.message} ${JSON.stringify(line.metadata)}`);
			const job = (result.outputs[0][0].json.nanoBanana as IDataObject).batchJob as string;
			expect(lines).toEqual(
				expect.arrayContaining([
					expect.stringMatching(new RegExp(`batch job created .*"batchJob":"${job}".*"state":"BATCH_STATE_(PENDING|RUNNING)".*"requestCount":2`)),
					expect.stringMatching(new RegExp(`batch job finished .*"batchJob":"${job}".*"state":"BATCH_STATE_SUCCEEDED".*"successfulRequestCount":2`)),
				]),
			);
			const everything = result.log.map((line) => `${line.message} ${JSON.stringify(line.metadata)}`).join('\n');
			expect(everything).not.toContain('secret prompt');
			expect(everything).not.toContain(emulator.apiKey);
		}
	});
});
