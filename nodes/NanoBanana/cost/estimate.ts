import { imageTokensFor, PRICE_TABLE, priceOf, type PriceTable } from './prices';
import { roundUsd } from './itemCost';

/**
 * What a request will probably cost, before it is sent: the spending caps reserve this much while
 * it is out. Output images are priced from the table (size known); inputs and text from upper
 * figures, so an estimate is rarely below the bill. What an answer costs beyond its estimate
 * (unusually long thinking, say) is the caps' only overshoot.
 */

/** What the estimate of one request rests on; the same for every model it may go to. */
export interface RequestShape {
	/** Characters of prompt and system instruction. */
	promptChars: number;
	inputImages: number;
	/** Requested image size ("1K", …); undefined = the model's default. */
	imageSize?: string;
	/** Candidates asked for (Number of Images). */
	images: number;
}

/** An input image costs about 1,065–1,100 tokens whatever its size (reference, 2026-12-07). */
export const INPUT_IMAGE_TOKENS = 1100;
/** Text and thinking tokens allowed per answer: a short text part and the thoughts of a medium level. */
export const TEXT_AND_THINKING_TOKENS = 800;
/** Text tokens per prompt character, rounded up: about 4 characters to a token, 2 for safety. */
const TOKENS_PER_CHAR = 0.5;

/** US dollars, or undefined when the model has no known price. */
export function estimateRequest(
	modelId: string,
	shape: RequestShape,
	batch: boolean,
	table: PriceTable = PRICE_TABLE,
): number | undefined {
	const price = priceOf(modelId, table);
	if (!price) return undefined;
	const factor = batch ? table.batchFactor : 1;
	const inputTokens = Math.ceil(shape.promptChars * TOKENS_PER_CHAR) + shape.inputImages * INPUT_IMAGE_TOKENS;
	const images = Math.max(1, shape.images);
	const usd =
		inputTokens * price.input +
		images * imageTokensFor(price, shape.imageSize) * price.imageOutput +
		images * TEXT_AND_THINKING_TOKENS * price.textOutput;
	return roundUsd((usd * factor) / 1_000_000);
}
