import { normalizeModelId } from '../transport/backends';

/**
 * Input limits per model, from Google's model pages. Ids change every few months, so unknown ids
 * get the newer models' limit and Google has the last word.
 */
const MAX_INPUT_IMAGES_NEWER_MODELS = 14;
const MAX_INPUT_IMAGES_BY_PREFIX: Array<[string, number]> = [['gemini-2.5-flash-image', 3]];

export function maxInputImages(model: string): number {
	const id = normalizeModelId(model);
	const known = MAX_INPUT_IMAGES_BY_PREFIX.find(([prefix]) => id.startsWith(prefix));
	return known ? known[1] : MAX_INPUT_IMAGES_NEWER_MODELS;
}
