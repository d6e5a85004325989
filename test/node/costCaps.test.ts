/**
 * What it costs, through n8n's real engine against the emulator: every answered item carries
 * `json.nanoBanana.cost` from the answer's own usageMetadata; Max Cost per Execution sends no more
 * requests than fit; Max Cost per Day keeps the day's total in the workflow's static data; Batch
 * Mode is priced at half and its job must fit before it is created.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { RETIRED_MODELS, startEmulator } from '../emulator/server';
import type { Emulator } from '../emulator/server';
import { runWorkflow, tearDownN8nServices } from './harness';
import type { FixtureItem, OnError } from './harness';
import { aiStudioCredential, generateParameters, model } from './fixtures';

let emulator: Emulator;

beforeAll(async () => {
	emulator = await startEmulator();
});

beforeEach(() => {
	emulator.configure({ latencyMs: 0 });
	emulator.reset();
});

afterAll(async () => {
	await emulator.close();
	await tearDownN8nServices();
});

const NB21 = 'gemini-nano-banana-2.1';

/** Rates per million tokens (2026-12-07) as the formula in the reference sheet uses them. */
const RATES: Record<string, [number, number, number]> = {
	[NB21]: [1.5, 7.5, 30],
	'gemini-2.5-flash-image': [0.3, 2.5, 30],
	'gemini-3-pro-image': [2, 12, 120],
};

interface Usage {
	promptTokenCount: number;
	candidatesTokenCount: number;
	thoughtsTokenCount?: number;
	candidatesTokensDetails: Array<{ modality: string; tokenCount: number }>;
}

/** promptTokenCount × input + IMAGE × image + (candidates − IMAGE + thoughts) × text. */
function formula(modelId: string, usage: Usage): number {
	const [input, text, image] = RATES[modelId];
	const imageTokens = usage.candidatesTokensDetails.filter((d) => d.modality === 'IMAGE').reduce((n, d) => n + d.tokenCount, 0);
	return (usage.promptTokenCount * input + imageTokens * image + (usage.candidatesTokenCount - imageTokens + (usage.thoughtsTokenCount ?? 0)) * text) / 1e6;
}

const nano = (item: INodeExecutionData) => item.json.nanoBanana as IDataObject & { usage: Usage; cost: IDataObject & { usd: number | null } };

function prompts(count: number, tag: string): FixtureItem[] {
	return Array.from({ length: count }, (_, index) => ({ json: { prompt: `${tag} lighthouse ${index}` } }));
}

async function generate(items: FixtureItem[], options: INodeParameters, extra: { onError?: OnError; staticData?: IDataObject; parameters?: INodeParameters } = {}) {
	return await runWorkflow({
		items,
		parameters: generateParameters({ model: model(NB21), options, ...(extra.parameters ?? {}) }),
		credential: aiStudioCredential(emulator),
		typeVersion: 2,
		onError: extra.onError,
		staticData: extra.staticData,
	});
}

describe('cost per item', () => {
	test.each([
		[NB21, '1K'],
		[NB21, '2K'],
		['gemini-2.5-flash-image', undefined],
		['gemini-3-pro-image', '1K'],
	])('%s at %s: cost.usd is the formula on the answer\'s usageMetadata', async (modelId, size) => {
		const result = await generate(prompts(1, 'priced'), size ? { imageSize: size } : {}, { parameters: { model: model(modelId) } });
		expect(result.status).toBe('success');
		const summary = nano(result.outputs[0][0]);
		expect(summary.cost.usd).toBeCloseTo(formula(modelId, summary.usage), 10);
		expect(summary.cost).toMatchObject({ batch: false, priceTableDate: '2026-12-07', tokens: { imageOutput: summary.usage.candidatesTokensDetails[0].tokenCount } });
	});

	test('a model without a known price: usd null and why; the image is still delivered', async () => {
		// The emulator serves the shut-down preview ids again when none is retired; the table has no price for them.
		emulator.configure({ retiredModels: [] });
		const result = await generate(prompts(1, 'unpriced'), {}, { parameters: { model: model('gemini-3.1-flash-image-preview') } });
		emulator.configure({ retiredModels: [...RETIRED_MODELS] });
		expect(result.outputs[0][0].binary?.data).toBeDefined();
		expect(nano(result.outputs[0][0]).cost).toMatchObject({ usd: null, reason: expect.stringMatching(/No price is known/) });
	});

	test('the end of the execution is one log line: images, tokens, dollars', async () => {
		const result = await generate(prompts(2, 'logged'), { imageSize: '1K' });
		const lines = result.log.filter((line) => line.message.includes('execution cost:'));
		expect(lines).toHaveLength(1);
		const total = result.outputs[0].reduce((sum, item) => sum + (nano(item).cost.usd ?? 0), 0);
		expect(lines[0].message).toMatch(new RegExp(`execution cost: 2 images from 2 answers, \\d+ input \\+ \\d+ output tokens, \\$${total.toFixed(4).replace('.', '\\.')} `));
		expect(lines[0].metadata).toMatchObject({ images: 2, answers: 2 });
	});
});

describe('Max Cost per Execution', () => {
	test('20 items on 2.1 at 1K, cap $0.20, Max Concurrency 4: only what fits is sent, the rest fail with the cap', async () => {
		emulator.configure({ latencyMs: 30 });
		const result = await generate(prompts(20, 'capped'), { imageSize: '1K', maxConcurrency: 4, maxCostPerExecution: 0.2 }, { onError: 'continueRegularOutput' });
		expect(result.status).toBe('success');
		const outputs = result.outputs[0];
		expect(outputs).toHaveLength(20);
		const answered = outputs.filter((item) => item.binary?.data);
		const refused = outputs.filter((item) => item.json.error);
		expect(answered.length + refused.length).toBe(20);
		// Every request sent was answered and kept; none was sent for a refused item.
		expect(emulator.counters.generateContent).toBe(answered.length);
		const billed = answered.reduce((sum, item) => sum + (nano(item).cost.usd ?? 0), 0);
		expect(billed).toBeLessThanOrEqual(0.2);
		// As many as fit: one more 2.1 1K answer would have passed the cap.
		expect(billed + (nano(answered[0]).cost.usd ?? 0)).toBeGreaterThan(0.2 - 0.04);
		expect(answered.length).toBeGreaterThanOrEqual(4);
		// In order: the answered items first, then the refused ones.
		expect(outputs.slice(0, answered.length).every((item) => item.binary?.data)).toBe(true);
		for (const item of refused) {
			expect(item.json.error).toMatchObject({
				message: 'Max Cost per Execution ($0.2000) reached',
				reason: 'COST_CAP',
				description: expect.stringMatching(/^This execution has spent \$0\.1\d{3}; /),
			});
		}
	});

	test('without Continue On Fail the execution stops with the cap\'s error', async () => {
		const result = await generate(prompts(3, 'stopping'), { imageSize: '1K', maxConcurrency: 1, maxCostPerExecution: 0.05 });
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('Max Cost per Execution ($0.0500) reached');
		expect(emulator.counters.generateContent).toBe(1);
	});

	test('a model without a known price is refused before any call, saying why', async () => {
		const result = await generate(prompts(2, 'unknown'), { maxCostPerExecution: 5 }, { parameters: { model: model('gemini-9-image') } });
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('No price is known for the model "gemini-9-image", so the spending cap cannot be kept');
		expect(emulator.counters.generateContent).toBe(0);
	});

	test('retries of a 503 cost nothing and count nothing: one request\'s reservation, one bill', async () => {
		// The cap leaves room for one request's estimate only: a retry that reserved again would be refused.
		const result = await generate([{ json: { prompt: 'flaky lighthouse [[emulate:503x2]]' } }], { imageSize: '1K', maxCostPerExecution: 0.045 });
		expect(result.status).toBe('success');
		expect(emulator.counters.generateContent).toBe(3);
		expect(nano(result.outputs[0][0])).toMatchObject({ attempts: 3, cost: { usd: expect.any(Number) } });
	});
});

describe('Max Cost per Day', () => {
	test('runs stop paying once the day\'s total is reached, and pay again on the next UTC day', async () => {
		const staticData: IDataObject = {};
		const options = { imageSize: '1K', maxCostPerDay: 0.1 };
		const runs = [];
		for (let run = 0; run < 4; run++) runs.push(await generate(prompts(1, `day run ${run}`), options, { onError: 'continueRegularOutput', staticData }));
		const paid = runs.map((result) => Boolean(result.outputs[0][0].binary?.data));
		expect(paid).toEqual([true, true, false, false]);
		expect(runs[2].outputs[0][0].json.error).toMatchObject({ message: 'Max Cost per Day ($0.1000) reached' });
		const stored = (staticData['node:Nano Banana'] as IDataObject).nanoBananaSpend as IDataObject;
		const spent = runs.slice(0, 2).reduce((sum, result) => sum + (nano(result.outputs[0][0]).cost.usd ?? 0), 0);
		expect(stored).toEqual({ day: new Date().toISOString().slice(0, 10), usd: expect.closeTo(spent, 9) });

		// The stored day is yesterday: today starts from nothing.
		stored.day = '2000-01-01';
		const nextDay = await generate(prompts(1, 'day next'), options, { onError: 'continueRegularOutput', staticData });
		expect(nextDay.outputs[0][0].binary?.data).toBeDefined();
	});
});

describe('Batch Mode', () => {
	test('the whole job\'s estimate must fit before the job is created; otherwise its items fail unsent', async () => {
		const result = await generate(prompts(3, 'batch refused'), { batchMode: true, imageSize: '1K', maxCostPerExecution: 0.04 }, { onError: 'continueRegularOutput' });
		expect(result.status).toBe('success');
		expect(emulator.counters.batchCreates).toBe(0);
		expect(result.outputs[0].map((item) => (item.json.error as IDataObject | undefined)?.message)).toEqual(
			Array(3).fill('Max Cost per Execution ($0.0400) reached'),
		);
	});

	test('a re-run that collects the same job again pays nothing new and counts nothing against the day', async () => {
		// Reuse Answers Across Executions keeps a delivered job: the next run of the same items
		// collects it again. Google billed it once; the day's total must say so.
		emulator.configure({ batchPendingMs: 0, batchRunMs: 200 });
		const staticData: IDataObject = {};
		const options = { batchMode: true, imageSize: '1K', maxCostPerDay: 1, reuseAnswersAcrossExecutions: true };
		const items = prompts(2, 'batch again');
		const first = await generate(items, options, { staticData });
		const node = () => ({ ...((staticData['node:Nano Banana'] as IDataObject).nanoBananaSpend as IDataObject) });
		const afterFirst = node();
		const again = await generate(items, options, { staticData });
		expect(emulator.counters.batchCreates).toBe(1);
		expect(again.outputs[0].every((item) => item.binary?.data !== undefined)).toBe(true);
		const billed = first.outputs[0].reduce((sum, item) => sum + (nano(item).cost.usd ?? 0), 0);
		expect(billed).toBeGreaterThan(0);
		// The first run added what it was billed (this process's earlier runs of the node may be in the total too).
		expect(afterFirst.usd as number).toBeGreaterThanOrEqual(billed - 1e-9);
		expect(node()).toEqual(afterFirst);
		expect(again.outputs[0].map((item) => nano(item).cost.usd)).toEqual([0, 0]);
	});

	test('a job that fits is created and priced at half the rates', async () => {
		emulator.configure({ batchPendingMs: 0, batchRunMs: 200 });
		const result = await generate(prompts(3, 'batch fits'), { batchMode: true, imageSize: '1K', maxCostPerExecution: 0.1 }, { onError: 'continueRegularOutput' });
		expect(emulator.counters.batchCreates).toBe(1);
		for (const item of result.outputs[0]) {
			const summary = nano(item);
			expect(summary.cost).toMatchObject({ batch: true, usd: expect.closeTo(formula(NB21, summary.usage) / 2, 10) });
		}
	});
});
