import type { NanoBananaOptions } from '../description/options';
import { limitsOf, modelsAccepting, normalizeModelId, type ModelLimits } from '../shared/models';
import { Problem } from '../shared/problem';

/**
 * What each image model accepts (the limits in shared/modelTable.ts), checked before any request,
 * so a combination Google would refuse costs nothing and says what to change. An id the table
 * does not know exactly is only held to the newer models' input-image limit, and Google has the
 * last word on the rest.
 */

const MAX_INPUT_IMAGES_NEWER_MODELS = 14;

type ModelSupport = ModelLimits & { name: string };

export function maxInputImages(model: string): number {
	return limitsOf(model)?.maxInputImages ?? MAX_INPUT_IMAGES_NEWER_MODELS;
}

/** The models that accept something, for "choose … instead". */
function modelsAcceptingText(accepts: (support: ModelLimits) => boolean): string {
	const names = modelsAccepting(accepts).map((row) => `${row.name} (${row.id})`);
	return names.length > 0 ? names.join(' or ') : 'another model';
}

function refuse(model: string, support: ModelSupport, what: string, accepted: string, instead: string): never {
	throw new Problem(
		'INVALID_INPUT',
		`${support.name} (${normalizeModelId(model)}) does not accept ${what}`,
		`It accepts ${accepted}. ${instead}`,
	);
}

/**
 * Throws an InputProblem naming the model and what it accepts when the options (or the number of
 * input images) do not fit one of the models the item may use: the chosen one and its fallbacks.
 */
export function checkModelSupport(modelIds: readonly string[], options: NanoBananaOptions, inputImages: number): void {
	for (const model of modelIds) {
		const support = limitsOf(model);
		if (!support) continue;
		const { aspectRatio, imageSize } = options;
		if (aspectRatio && !support.aspectRatios.includes(aspectRatio)) {
			refuse(
				model,
				support,
				`the aspect ratio ${aspectRatio}`,
				`these aspect ratios: ${support.aspectRatios.join(', ')}`,
				`Choose one of them, or ${modelsAcceptingText((other) => other.aspectRatios.includes(aspectRatio))} for ${aspectRatio}.`,
			);
		}
		if (imageSize && !support.imageSizes.includes(imageSize)) {
			refuse(
				model,
				support,
				`the image size ${imageSize}`,
				`${support.imageSizes.length === 1 ? 'only the size' : 'the sizes'} ${support.imageSizes.join(', ')}`,
				`Remove "Image Size" or choose ${modelsAcceptingText((other) => other.imageSizes.includes(imageSize))} for ${imageSize}.`,
			);
		}
		if (inputImages > support.maxInputImages) {
			refuse(
				model,
				support,
				`${inputImages} input images`,
				`at most ${support.maxInputImages}`,
				`Send fewer images in "Input Binary Fields", or choose ${modelsAcceptingText((other) => other.maxInputImages >= inputImages)}.`,
			);
		}
		if (options.googleSearch && !support.googleSearch) {
			refuse(
				model,
				support,
				'Google Search grounding',
				'no grounding',
				`Switch "Ground in Google Search" off, or choose ${modelsAcceptingText((other) => other.googleSearch)}.`,
			);
		}
		if (options.googleSearch && options.googleImageSearch && !support.imageSearch) {
			refuse(
				model,
				support,
				'image search',
				'web search only',
				`Switch "Search Images Too" off, or choose ${modelsAcceptingText((other) => other.imageSearch)}.`,
			);
		}
		checkThinking(model, support, options);
	}
}

function checkThinking(model: string, support: ModelSupport, options: NanoBananaOptions): void {
	const levels = support.thinkingLevels;
	if (!levels) return;
	const level = options.thinkingLevel?.toLowerCase();
	if (level && !levels.includes(level)) {
		refuse(
			model,
			support,
			`the thinking level ${level}`,
			levels.length > 0 ? `the thinking levels ${levels.join(', ')}` : 'no thinking level (it does not think)',
			`${levels.length > 0 ? 'Choose one of them in "Thinking Level", remove it,' : 'Remove "Thinking Level"'} or choose ${modelsAcceptingText((other) => other.thinkingLevels?.includes(level) ?? false)} for ${level}.`,
		);
	}
	if (options.includeThoughts && levels.length === 0) {
		refuse(
			model,
			support,
			'thought summaries',
			'no thinking options (it does not think)',
			`Switch "Include Thought Summaries" off, or choose ${modelsAcceptingText((other) => (other.thinkingLevels?.length ?? 1) > 0)}.`,
		);
	}
}
