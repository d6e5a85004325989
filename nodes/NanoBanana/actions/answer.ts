import type { IBinaryData } from 'n8n-workflow';

import { readImageAnswer, type ImageAnswer } from '../transport/google/response';
import type { GenerateContentResponse } from '../transport/google/types';
import { NoImageError } from './errors';
import type { ItemCost } from '../cost/itemCost';

/** An item's answer as the actions pass it around: its images and how it was obtained. */

/** An answer that yielded images (answers without one are NoImageErrors, never shared or kept). */
export interface GeneratedAnswer {
	answer: ImageAnswer;
	attempts: number;
	/** True when the answer came from an identical earlier request instead of a new one. */
	shared: boolean;
	/** What Google billed for it (`json.nanoBanana.cost`). */
	cost?: ItemCost;
	/**
	 * Hands the execution's answer store the output binaries that now hold the answer's images
	 * (see runContext.ts): from then on the store keeps no image bytes of its own.
	 */
	keptAs?: (binaries: IBinaryData[]) => void;
}

/** How an answer was obtained, for `json.nanoBanana`. */
export interface AnswerSource {
	modelId: string;
	attempts: number;
	shared: boolean;
	/** The batch job that answered (Batch Mode). */
	batchJob?: string;
	cost?: ItemCost;
}

/** Reads Google's answer to an item: its images, or a NoImageError saying why there are none. */
export function imageAnswerFrom(response: GenerateContentResponse): ImageAnswer {
	const reading = readImageAnswer(response);
	if (!reading.ok) throw new NoImageError(reading.problem);
	return reading.answer;
}
