import { modelRow, namesAccepting } from '../shared/models';

/**
 * What the Options collection (`optionFields.ts`) offers and names, read from the model table:
 * the aspect-ratio choices and which models take a value, so no description names a model by hand.
 */

/** Aspect ratios with the shape they give; those only some models take name those models. */
export const ASPECT_RATIOS: Array<[string, string]> = [
	['1:1', 'Square'],
	['2:3', 'Portrait'],
	['3:2', 'Landscape'],
	['3:4', 'Portrait'],
	['4:3', 'Landscape'],
	['4:5', 'Portrait, social feeds'],
	['5:4', 'Landscape'],
	['9:16', 'Vertical video, stories'],
	['16:9', 'Widescreen'],
	['21:9', 'Ultra-wide'],
	['1:4', 'Tall banner'],
	['4:1', 'Wide banner'],
	['1:8', 'Very tall banner'],
	['8:1', 'Very wide banner'],
	['9:21', 'Ultra-tall'],
].map(([ratio, shape]) => {
	// Ratios only some models take name them (from the model table).
	const takers = namesAccepting((limits) => limits.aspectRatios.includes(ratio));
	return [ratio, takers === namesAccepting(() => true) ? shape : `${shape}, ${takers} only`];
});

/** Offered models with a limit, by name, for the descriptions below. */
export const names = (accepts: Parameters<typeof namesAccepting>[0]) => namesAccepting(accepts);
export const nameOf = (id: string) => modelRow(id)?.name ?? id;
export const withThinkingLevel = (level: string) => names((limits) => limits.thinkingLevels?.includes(level) ?? false);
