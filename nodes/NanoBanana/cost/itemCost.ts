import type { UsageMetadata } from '../transport/google/types';
import { PRICE_TABLE, priceOf, type PriceTable } from './prices';

/**
 * What Google bills for one answer, from the answer's own `usageMetadata` and the price table:
 * input tokens at the input rate, IMAGE output tokens at the image rate, the rest of the output
 * and the thinking tokens at the text rate; Batch Mode at the table's batch factor.
 */

/** The tokens a cost rests on, by how they are billed. */
export interface BilledTokens {
	input: number;
	imageOutput: number;
	textOutput: number;
	thinking: number;
}

/** `json.nanoBanana.cost`. */
export interface ItemCost {
	/** US dollars; null when no price is known (see `reason`). */
	usd: number | null;
	/** Why `usd` is null, or 0 when Google did not bill this item. */
	reason?: string;
	tokens?: BilledTokens;
	/** Rates used, per million tokens (batch rates in Batch Mode). */
	ratesPerMillionTokens?: { input: number; textOutput: number; imageOutput: number };
	batch: boolean;
	priceTableDate: string;
}

const MILLION = 1_000_000;

/** Dollars with 10 decimals: what floating point adds beyond that is noise, not money. */
export function roundUsd(usd: number): number {
	return Math.round(usd * 1e10) / 1e10;
}

function modalityCount(details: UsageMetadata['candidatesTokensDetails'], modality: string): number {
	return (details ?? []).filter((entry) => entry.modality === modality).reduce((sum, entry) => sum + entry.tokenCount, 0);
}

/** The answer's tokens by billing kind; undefined when Google reported no usage. */
export function billedTokens(usage: UsageMetadata | undefined): BilledTokens | undefined {
	if (!usage || (usage.promptTokenCount === undefined && usage.candidatesTokenCount === undefined)) return undefined;
	const candidates = usage.candidatesTokenCount ?? 0;
	const imageOutput = Math.min(candidates, modalityCount(usage.candidatesTokensDetails, 'IMAGE'));
	return {
		input: usage.promptTokenCount ?? 0,
		imageOutput,
		textOutput: candidates - imageOutput,
		thinking: usage.thoughtsTokenCount ?? 0,
	};
}

/** The cost of one answer of `modelId` (the model that answered, fallbacks included). */
export function costOfAnswer(
	modelId: string,
	usage: UsageMetadata | undefined,
	batch: boolean,
	table: PriceTable = PRICE_TABLE,
): ItemCost {
	const tokens = billedTokens(usage);
	const base = { batch, priceTableDate: table.date };
	const price = priceOf(modelId, table);
	if (!price) {
		return {
			usd: null,
			reason: `No price is known for the model "${modelId}" (price table of ${table.date}); see docs/models.md`,
			...(tokens ? { tokens } : {}),
			...base,
		};
	}
	const factor = batch ? table.batchFactor : 1;
	const rates = { input: price.input * factor, textOutput: price.textOutput * factor, imageOutput: price.imageOutput * factor };
	if (!tokens) return { usd: null, reason: "Google's answer did not report its token usage", ratesPerMillionTokens: rates, ...base };
	const usd =
		(tokens.input * rates.input + tokens.imageOutput * rates.imageOutput + (tokens.textOutput + tokens.thinking) * rates.textOutput) /
		MILLION;
	return { usd: roundUsd(usd), tokens, ratesPerMillionTokens: rates, ...base };
}

/** An item whose answer was shared with an identical request: Google billed that request once. */
export function sharedAnswerCost(batch: boolean, table: PriceTable = PRICE_TABLE): ItemCost {
	return {
		usd: 0,
		reason: 'The answer was shared with an identical request and billed once, there (or in an earlier execution)',
		batch,
		priceTableDate: table.date,
	};
}
