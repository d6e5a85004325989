import type { IExecuteFunctions } from 'n8n-workflow';

import { DAY_SPEND_KEY } from '../../../nodes/NanoBanana/cost/dayStore';
import { CostSession } from '../../../nodes/NanoBanana/cost/session';
import { n8nTokenReporter } from '../../../nodes/NanoBanana/cost/tokenUsage';
import type { UsageMetadata } from '../../../nodes/NanoBanana/transport/google/types';

const AT_1K: UsageMetadata = {
	promptTokenCount: 10,
	candidatesTokenCount: 1130,
	thoughtsTokenCount: 128,
	candidatesTokensDetails: [
		{ modality: 'IMAGE', tokenCount: 1120 },
		{ modality: 'TEXT', tokenCount: 10 },
	],
};
const AT_1K_USD = (10 * 1.5 + 1120 * 30 + (10 + 128) * 7.5) / 1e6;
const SHAPE = { promptChars: 40, inputImages: 0, imageSize: '1K', images: 1 };
const NOON = Date.UTC(2026, 11, 7, 12);

describe('CostSession', () => {
	it('prices answers, adds up images, tokens and dollars, and says so in one line at the end', async () => {
		const reported: Array<[number, number]> = [];
		const session = new CostSession({ reportTokens: (input, output) => reported.push([input, output]) });
		for (let i = 0; i < 2; i++) {
			const reservation = await session.reserve('gemini-nano-banana-2.1', [SHAPE], false);
			expect(session.answered(reservation, 'gemini-nano-banana-2.1', AT_1K, false).usd).toBeCloseTo(AT_1K_USD, 10);
			session.countImages(1);
			reservation.end();
		}
		const line = session.close();
		expect(line).toBe(`execution cost: 2 images from 2 answers, 20 input + 2516 output tokens, $${(2 * AT_1K_USD).toFixed(4)} (prices of 2026-12-07)`);
		expect(reported).toEqual([[20, 2516]]);
		expect(session.close()).toBe('');
	});

	it('reports no tokens to n8n when nothing was answered', () => {
		const reportTokens = jest.fn();
		new CostSession({ reportTokens }).close();
		expect(reportTokens).not.toHaveBeenCalled();
	});

	it('notes answers of models without a price instead of guessing their cost', async () => {
		const session = new CostSession({});
		const reservation = await session.reserve('gemini-9-image', [SHAPE], false);
		expect(session.answered(reservation, 'gemini-9-image', AT_1K, false).usd).toBeNull();
		expect(session.close()).toMatch(/\$0\.0000 \(1 answer of models without a known price not included\)/);
	});

	it('Max Cost per Day: reads today from static data, refuses past it, adds its spending at the end', async () => {
		const staticData: Record<string, unknown> = { [DAY_SPEND_KEY]: { day: '2026-12-07', usd: 0.1 } };
		const session = new CostSession({ maxCostPerDay: 0.2, staticData: () => staticData, now: () => NOON });
		const reservation = await session.reserve('gemini-nano-banana-2.1', [SHAPE], false);
		session.answered(reservation, 'gemini-nano-banana-2.1', AT_1K, false);
		reservation.end();
		await session.reserve('gemini-nano-banana-2.1', [SHAPE], false).then((r) => {
			session.answered(r, 'gemini-nano-banana-2.1', AT_1K, false);
			r.end();
		});
		await expect(session.reserve('gemini-nano-banana-2.1', [SHAPE], false)).rejects.toThrow('Max Cost per Day ($0.2000) reached');
		session.close();
		expect(staticData[DAY_SPEND_KEY]).toEqual({ day: '2026-12-07', usd: expect.closeTo(0.1 + 2 * AT_1K_USD, 9) });
	});

	it('Max Cost per Day: yesterday\'s total does not count today', async () => {
		const staticData: Record<string, unknown> = { [DAY_SPEND_KEY]: { day: '2026-12-06', usd: 100 } };
		const session = new CostSession({ maxCostPerDay: 0.2, staticData: () => staticData, now: () => NOON });
		await expect(session.reserve('gemini-nano-banana-2.1', [SHAPE], false)).resolves.toBeDefined();
	});

	it('Max Cost per Day: an execution that overlaps others does not erase their spending (one n8n process)', async () => {
		// Each execution gets its own copy of the static data saved when it started and saves it at
		// its end: a long one (a Batch Mode wait) would write back its start value plus its own.
		const dayKey = `workflow-overlap\nnode-${Math.random()}`;
		const settings = (copy: Record<string, unknown>) => ({ maxCostPerDay: 1, staticData: () => copy, now: () => NOON, dayKey });
		const spendOne = async (session: CostSession) => {
			const reservation = await session.reserve('gemini-nano-banana-2.1', [SHAPE], false);
			session.answered(reservation, 'gemini-nano-banana-2.1', AT_1K, false);
			reservation.end();
		};
		const longCopy: Record<string, unknown> = {};
		const long = new CostSession(settings(longCopy));
		const shortCopy: Record<string, unknown> = {};
		const short = new CostSession(settings(shortCopy));
		await spendOne(short);
		short.close();
		await spendOne(long);
		long.close(); // saved last: this is what the next execution reads
		expect(longCopy[DAY_SPEND_KEY]).toEqual({ day: '2026-12-07', usd: expect.closeTo(2 * AT_1K_USD, 9) });
		// The next execution loads what was saved last, and sees both.
		const next = new CostSession({ ...settings({ ...longCopy }), maxCostPerDay: 2 * AT_1K_USD + 0.01 });
		await expect(next.reserve('gemini-nano-banana-2.1', [SHAPE], false)).rejects.toThrow('Max Cost per Day');
	});

	it('a batch job reserves all its requests at batch rates, and does not wait for room', async () => {
		const session = new CostSession({ maxCostPerExecution: 0.05 });
		// Two requests at half price fit where one at full price would not leave room for two.
		const job = await session.reserve('gemini-nano-banana-2.1', [SHAPE, SHAPE], true);
		expect(job.estimate).toBeLessThan(0.05);
		await expect(session.reserve('gemini-nano-banana-2.1', [SHAPE], true)).rejects.toThrow('Max Cost per Execution');
	});
});

describe('n8nTokenReporter', () => {
	const context = (calls: unknown[]) =>
		({ setMetadata: (metadata: unknown) => calls.push(metadata) }) as unknown as IExecuteFunctions;

	it('uses the running n8n\'s accumulateTokenUsage when it has one', () => {
		const calls: unknown[] = [];
		const ctx = context(calls);
		const library = { accumulateTokenUsage: (c: IExecuteFunctions, input: number, output: number) => calls.push([c === ctx, input, output]) };
		n8nTokenReporter(ctx, library)?.(5, 7);
		expect(calls).toEqual([[true, 5, 7]]);
	});

	it('is undefined on an older n8n without it (the node skips the report quietly)', () => {
		expect(n8nTokenReporter(context([]), {})).toBeUndefined();
		expect(n8nTokenReporter(context([]), { accumulateTokenUsage: 'not a function' })).toBeUndefined();
	});

	it('a failing report never fails the node', () => {
		const library = {
			accumulateTokenUsage: () => {
				throw new Error('boom');
			},
		};
		expect(() => n8nTokenReporter(context([]), library)?.(1, 1)).not.toThrow();
	});
});
