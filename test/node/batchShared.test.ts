/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code, run by Node, not n8n (README: Lint) */
/**
 * Batch Mode when a job is shared or its calls are refused (issue 24, points 3, 4, 5 and 8): two
 * executions of the same items attached to one job, a Stop of one of them, a job deleted by
 * another process while this one waits, a per-day quota on one model's batch calls, a Fallback
 * Model Batch Mode never uses, and a lost create answer while Google's job list lags.
 */
import { randomBytes } from 'crypto';

import type { IDataObject } from 'n8n-workflow';

import type { Emulator } from '../emulator/server';
import { BATCH, batchItems, useBatchEmulator } from './batchFixtures';
import { outputPng, waitFor } from './fixtures';
import { claimsOn } from '../../nodes/NanoBanana/actions/batch/attached';

let emulator: Emulator;
const run = useBatchEmulator((started) => (emulator = started));
const tag = (name: string) => `${name} ${randomBytes(4).toString('hex')}`;
const jobOf = (item: { json: IDataObject }) => (item.json.nanoBanana as IDataObject | undefined)?.batchJob;

/** The emulator's one job's name, read over its API as another client would. */
async function theJobName(): Promise<string> {
	const list = (await (await fetch(`${emulator.url}/v1beta/batches`, { headers: { 'x-goog-api-key': emulator.apiKey } })).json()) as {
		operations: Array<{ name: string }>;
	};
	return list.operations[0].name;
}

/** Deletes the emulator's one job over its API, as another process (or a person) would; returns its name. */
async function deleteTheJob(): Promise<string> {
	const headers = { 'x-goog-api-key': emulator.apiKey };
	const list = (await (await fetch(`${emulator.url}/v1beta/batches`, { headers })).json()) as { operations: Array<{ name: string }> };
	const name = list.operations[0].name;
	await fetch(`${emulator.url}/v1beta/${name}`, { method: 'DELETE', headers });
	return name;
}

describe('two executions of the same items (issue 24, point 3)', () => {
	test('both attach to one job and both deliver every image; the job is deleted once, after the last', async () => {
		// Polls 1, 2, 4 s apart: the first run sees the job done at about 7 s, the second (1.5 s
		// later) at about 8.6 s, after the first collected it.
		emulator.configure({ batchRunMs: 4000 });
		const fixture = batchItems(3, tag('overlap'));
		const first = run(fixture, BATCH);
		await waitFor(() => emulator.counters.batchCreates === 1);
		await new Promise((resolve) => setTimeout(resolve, 1500));
		const second = await run(fixture, BATCH);
		const firstResult = await first;

		for (const result of [firstResult, second]) {
			expect(result.task?.error?.message).toBeUndefined();
			expect(result.status).toBe('success');
			expect(result.outputs[0]).toHaveLength(3);
			for (const [index, item] of result.outputs[0].entries()) {
				expect((await outputPng(result, item)).meta?.prompt).toBe(fixture[index].json?.prompt);
			}
		}
		expect(jobOf(second.outputs[0][0])).toBe(jobOf(firstResult.outputs[0][0]));
		expect(emulator.counters.batchCreates).toBe(1);
		expect(emulator.counters.batchDeletes).toBe(1);
	}, 30_000);

	test('a Stop of one leaves the job running for the other, which collects it', async () => {
		emulator.configure({ batchRunMs: 3000 });
		const fixture = batchItems(2, tag('overlap stop'));
		const controller = new AbortController();
		const stopped = run(fixture, BATCH, { signal: controller.signal });
		await waitFor(() => emulator.counters.batchCreates === 1);
		const other = run(fixture, BATCH);
		// Stop only once the other execution has attached (its list answer read, its claim taken):
		// before that, no one else waits for the job and cancelling it is right.
		const jobName = await theJobName();
		await waitFor(() => claimsOn(jobName) === 2);
		controller.abort();
		const [stoppedResult, otherResult] = await Promise.all([stopped, other]);

		expect(stoppedResult.savedStatus).toBe('canceled');
		expect(otherResult.task?.error?.message).toBeUndefined();
		expect(otherResult.status).toBe('success');
		expect(otherResult.outputs[0]).toHaveLength(2);
		expect(emulator.counters.batchCancels).toBe(0);
	}, 30_000);

	test('a job deleted while this execution waits (another process collected it) is said so, with no false advice', async () => {
		emulator.configure({ batchRunMs: 60_000 });
		const running = run(batchItems(2, tag('deleted elsewhere')), BATCH);
		await waitFor(() => emulator.counters.batchCreates === 1);
		const job = await deleteTheJob();
		const result = await running;

		expect(result.status).toBe('error');
		expect(result.task?.error?.message).toBe(`Batch job ${job} is no longer at Google`);
		expect(result.task?.error?.description).toContain('another execution of the same items');
		expect(result.task?.error?.description).not.toMatch(/run the workflow again with the same items/i);
	}, 30_000);
});

describe('refused batch calls and failed cancels (issue 24, point 4)', () => {
	test('a per-day quota on one model\'s job does not keep the other model\'s job from being cancelled', async () => {
		emulator.configure({ batchRunMs: 60_000, batchQuotaSpentModels: ['gemini-3-pro-image'] });
		const fixture = batchItems(2, tag('daily quota'));
		fixture[0].json = { ...fixture[0].json, model: 'gemini-2.5-flash-image' };
		fixture[1].json = { ...fixture[1].json, model: 'gemini-3-pro-image' };
		const result = await run(fixture, BATCH, { parameters: { model: { __rl: true, mode: 'id', value: '={{ $json.model }}' } } });

		expect(result.status).toBe('error');
		expect(result.task?.error?.message).toMatch(/quota/i);
		expect(emulator.counters.batchCreates).toBe(1);
		await waitFor(() => emulator.counters.batchCancels === 1);
	}, 30_000);

	test('with Continue On Fail, one model\'s failed job fails its own items only: the other model\'s paid images are delivered', async () => {
		emulator.configure({ batchRunMs: 300, batchQuotaSpentModels: ['gemini-3-pro-image'] });
		const fixture = batchItems(3, tag('one job fails'));
		fixture[0].json = { ...fixture[0].json, model: 'gemini-2.5-flash-image' };
		fixture[1].json = { ...fixture[1].json, model: 'gemini-3-pro-image' };
		fixture[2].json = { ...fixture[2].json, model: 'gemini-2.5-flash-image' };
		const result = await run(fixture, BATCH, {
			parameters: { model: { __rl: true, mode: 'id', value: '={{ $json.model }}' } },
			onError: 'continueRegularOutput',
		});

		expect(result.task?.error?.message).toBeUndefined();
		const items = result.outputs[0];
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		for (const index of [0, 2]) {
			expect(items[index].json.error).toBeUndefined();
			expect((await outputPng(result, items[index])).meta?.prompt).toBe(fixture[index].json?.prompt);
		}
		expect(String((items[1].json.error as IDataObject | undefined)?.message)).toMatch(/quota/i);
		// The delivered job is deleted as after any delivery; the refused model never got one.
		expect(emulator.counters.batchCreates).toBe(1);
		expect(emulator.counters.batchCancels).toBe(0);
	}, 30_000);

	test('a Stop whose cancel fails says so instead of "cancelled at Google"', async () => {
		emulator.configure({ batchRunMs: 60_000 });
		const controller = new AbortController();
		const running = run(batchItems(2, tag('cancel fails')), BATCH, { signal: controller.signal });
		await waitFor(() => emulator.counters.batchCreates === 1);
		// Gone at Google: the cancel is answered 404.
		await deleteTheJob();
		controller.abort();
		const result = await running;

		expect(result.savedStatus).toBe('canceled');
		expect(emulator.counters.log.filter((entry) => entry.path.endsWith(':cancel')).map((entry) => entry.status)).toEqual([404]);
		expect(result.task?.error?.message).toMatch(/^The execution was stopped, but batch job batches\/[a-z0-9]+ could not be cancelled at Google \(404 NOT_FOUND\)$/);
		expect(result.log.map((line) => line.message).join('\n')).toContain('could not cancel the batch job');
	}, 30_000);
});

describe('Fallback Models (issue 24, point 5)', () => {
	test('Batch Mode does not refuse an item for a fallback model it never uses', async () => {
		const result = await run(batchItems(1, tag('fallback')), { ...BATCH, imageSize: '512', fallbackModels: 'gemini-nano-banana-2.1' }, {
			parameters: { model: { __rl: true, mode: 'id', value: 'gemini-3.1-flash-image' } },
		});

		expect(result.task?.error?.message).toBeUndefined();
		expect(result.status).toBe('success');
		expect(emulator.counters.batchCreates).toBe(1);
	});
});

describe('a lost create answer while the job list lags (issue 24, point 8)', () => {
	test('a job that shows in the list after 10 s is found, not created again', async () => {
		emulator.configure({ dropBatchCreateAnswers: 1, batchListDelayMs: 10_000 });
		const result = await run(batchItems(2, tag('lagging list')), BATCH);

		expect(result.task?.error?.message).toBeUndefined();
		expect(result.status).toBe('success');
		expect(emulator.counters.batchCreates).toBe(1);
		expect(result.outputs[0]).toHaveLength(2);
	}, 60_000);
});
