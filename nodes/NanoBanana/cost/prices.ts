/**
 * What Google bills for its image models, as one dated table (standard paid tier, US dollars per
 * million tokens). Sources and confidence per row: docs/models.md ("Prices"). Prices change:
 * every figure the node computes says which table date it used, and a model not in this table
 * has no price (it is never guessed from a similar id).
 */

/** One model's rates, per million tokens, and what one output image costs in tokens. */
export interface ModelPrice {
	/** Input tokens: text and images. */
	input: number;
	/** Text output and thinking tokens. */
	textOutput: number;
	/** Image output tokens. */
	imageOutput: number;
	/** Output tokens one image costs, by requested size; `default` when no size is sent or the model ignores it. */
	imageTokens: Readonly<Record<string, number>> & { default: number };
}

export interface PriceTable {
	/** The day the rates were checked (UTC, YYYY-MM-DD). */
	date: string;
	/** Batch Mode bills this fraction of every rate. */
	batchFactor: number;
	/** By exact model id, as sent to Google (no "models/" prefix). */
	models: Readonly<Record<string, ModelPrice>>;
}

export const PRICE_TABLE: PriceTable = {
	date: '2026-12-07',
	batchFactor: 0.5,
	models: {
		'gemini-nano-banana-2.1': {
			input: 1.5,
			textOutput: 7.5,
			imageOutput: 30,
			imageTokens: { default: 1120, '1K': 1120, '2K': 1680, '4K': 3780 },
		},
		'gemini-3.1-flash-image': {
			input: 0.5,
			textOutput: 3,
			imageOutput: 60,
			imageTokens: { default: 1120, '512': 747, '1K': 1120, '2K': 1680, '4K': 2520 },
		},
		'gemini-3.1-flash-lite-image': {
			input: 0.25,
			textOutput: 1.5,
			imageOutput: 30,
			imageTokens: { default: 1120, '1K': 1120 },
		},
		'gemini-3-pro-image': {
			input: 2,
			textOutput: 12,
			imageOutput: 120,
			imageTokens: { default: 1120, '1K': 1120, '2K': 1120, '4K': 2000 },
		},
		// Takes no image size: every image is 1,290 tokens.
		'gemini-2.5-flash-image': {
			input: 0.3,
			textOutput: 2.5,
			imageOutput: 30,
			imageTokens: { default: 1290 },
		},
	},
};

/** The rates of exactly this model id, or undefined when the table has none. */
export function priceOf(modelId: string, table: PriceTable = PRICE_TABLE): ModelPrice | undefined {
	return Object.prototype.hasOwnProperty.call(table.models, modelId) ? table.models[modelId] : undefined;
}

/** Tokens one output image of `imageSize` costs on this model (sizes it does not list: its default). */
export function imageTokensFor(price: ModelPrice, imageSize: string | undefined): number {
	return (imageSize !== undefined && price.imageTokens[imageSize]) || price.imageTokens.default;
}
