import { BATCH_PRICE_FACTOR, MODEL_TABLE, PRICES_CHECKED, type ModelPrice } from '../shared/modelTable';

/**
 * Prices as the cost code reads them: the model table's `price` rows (standard paid tier, US
 * dollars per million tokens, checked `PRICES_CHECKED`), by exact id. A model without a row or
 * without a price has none (it is never guessed from a similar id).
 */

export type { ModelPrice };

export interface PriceTable {
	/** The day the rates were checked (UTC, YYYY-MM-DD). */
	date: string;
	/** Batch Mode bills this fraction of every rate. */
	batchFactor: number;
	/** By exact model id, as sent to Google (no "models/" prefix). */
	models: Readonly<Record<string, ModelPrice>>;
}

/** The model table's prices by exact id (the rates themselves live in shared/modelTable.ts). */
export const PRICE_TABLE: PriceTable = {
	date: PRICES_CHECKED,
	batchFactor: BATCH_PRICE_FACTOR,
	models: Object.fromEntries(MODEL_TABLE.flatMap((row) => (row.price ? [[row.id, row.price]] : []))),
};

/** The rates of exactly this model id, or undefined when the table has none. */
export function priceOf(modelId: string, table: PriceTable = PRICE_TABLE): ModelPrice | undefined {
	return Object.prototype.hasOwnProperty.call(table.models, modelId) ? table.models[modelId] : undefined;
}

/** Tokens one output image of `imageSize` costs on this model (sizes it does not list: its default). */
export function imageTokensFor(price: ModelPrice, imageSize: string | undefined): number {
	return (imageSize !== undefined && price.imageTokens[imageSize]) || price.imageTokens.default;
}
