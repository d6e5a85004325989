import { billedTokens, costOfAnswer, sharedAnswerCost } from '../../../nodes/NanoBanana/cost/itemCost';
import { PRICE_TABLE, priceOf, type PriceTable } from '../../../nodes/NanoBanana/cost/prices';
import type { UsageMetadata } from '../../../nodes/NanoBanana/transport/google/types';

/** The reference sheet's example answer. */
const SAMPLE: UsageMetadata = {
	promptTokenCount: 1105,
	candidatesTokenCount: 1127,
	thoughtsTokenCount: 320,
	totalTokenCount: 2552,
	promptTokensDetails: [
		{ modality: 'TEXT', tokenCount: 5 },
		{ modality: 'IMAGE', tokenCount: 1100 },
	],
	candidatesTokensDetails: [
		{ modality: 'IMAGE', tokenCount: 1120 },
		{ modality: 'TEXT', tokenCount: 7 },
	],
};

describe('billedTokens', () => {
	it('splits the output into IMAGE tokens and the rest; thinking apart', () => {
		expect(billedTokens(SAMPLE)).toEqual({ input: 1105, imageOutput: 1120, textOutput: 7, thinking: 320 });
	});

	it('is undefined when Google reported no counts', () => {
		expect(billedTokens(undefined)).toBeUndefined();
		expect(billedTokens({ totalTokenCount: 5 })).toBeUndefined();
	});

	it('without modality details every output token is text (never billed as image by guess)', () => {
		expect(billedTokens({ promptTokenCount: 10, candidatesTokenCount: 1120 })).toEqual({ input: 10, imageOutput: 0, textOutput: 1120, thinking: 0 });
	});
});

describe('costOfAnswer', () => {
	it('2.1: input × 1.50 + image × 30 + (text + thinking) × 7.50 per million', () => {
		const cost = costOfAnswer('gemini-nano-banana-2.1', SAMPLE, false);
		expect(cost.usd).toBeCloseTo((1105 * 1.5 + 1120 * 30 + (7 + 320) * 7.5) / 1e6, 12);
		expect(cost).toMatchObject({
			tokens: { input: 1105, imageOutput: 1120, textOutput: 7, thinking: 320 },
			ratesPerMillionTokens: { input: 1.5, textOutput: 7.5, imageOutput: 30 },
			batch: false,
			priceTableDate: '2026-12-07',
		});
	});

	it('matches the billed live check: 2 calls to 2.1 at 2K, 127 input + 1,680 image tokens each = $0.101181', () => {
		const one = costOfAnswer(
			'gemini-nano-banana-2.1',
			{ promptTokenCount: 127, candidatesTokenCount: 1680, candidatesTokensDetails: [{ modality: 'IMAGE', tokenCount: 1680 }] },
			false,
		);
		expect((one.usd ?? 0) * 2).toBeCloseTo(0.101181, 9);
	});

	it('Batch Mode is half of every rate', () => {
		const full = costOfAnswer('gemini-3-pro-image', SAMPLE, false);
		const half = costOfAnswer('gemini-3-pro-image', SAMPLE, true);
		expect(half.usd).toBeCloseTo((full.usd ?? 0) / 2, 12);
		expect(half).toMatchObject({ batch: true, ratesPerMillionTokens: { input: 1, textOutput: 6, imageOutput: 60 } });
	});

	it.each(Object.keys(PRICE_TABLE.models))('%s has a price (every row of the table is used)', (id) => {
		expect(costOfAnswer(id, SAMPLE, false).usd).toBeGreaterThan(0);
	});

	it('a model without a known price gives usd null and says why; it never guesses from a similar id', () => {
		const cost = costOfAnswer('gemini-3-pro-image-preview', SAMPLE, false);
		expect(cost.usd).toBeNull();
		expect(cost.reason).toMatch(/No price is known for the model "gemini-3-pro-image-preview" \(price table of 2026-12-07\)/);
		expect(cost.tokens).toEqual({ input: 1105, imageOutput: 1120, textOutput: 7, thinking: 320 });
	});

	it('an answer without usage gives usd null with the reason', () => {
		expect(costOfAnswer('gemini-nano-banana-2.1', undefined, false)).toMatchObject({ usd: null, reason: expect.stringMatching(/did not report its token usage/) });
	});

	it('uses the table it is given: its date and rates', () => {
		const table: PriceTable = { date: '2030-01-01', batchFactor: 0.5, models: { m: { input: 1, textOutput: 1, imageOutput: 1, imageTokens: { default: 1 } } } };
		expect(costOfAnswer('m', SAMPLE, false, table)).toMatchObject({ usd: (1105 + 1127 + 320) / 1e6, priceTableDate: '2030-01-01' });
	});

	it('a shared answer costs nothing again', () => {
		expect(sharedAnswerCost(false)).toMatchObject({ usd: 0, reason: expect.stringMatching(/billed once/) });
	});
});

describe('priceOf', () => {
	it('knows exact ids only, not inherited object keys', () => {
		expect(priceOf('gemini-2.5-flash-image')?.imageTokens.default).toBe(1290);
		expect(priceOf('toString')).toBeUndefined();
		expect(priceOf('models/gemini-2.5-flash-image')).toBeUndefined();
	});
});
