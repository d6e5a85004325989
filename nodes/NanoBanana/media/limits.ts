import type { NanoBananaOptions } from '../description/options';
import { normalizeModelId } from '../transport/auth/backends';
import { InputProblem } from './inputImages';

/**
 * What each image model accepts, from Google's model pages (see docs/models.md). Checked before
 * any request, so a combination Google would refuse costs nothing and says what to change. Ids
 * change every few months: an id this table does not know is only held to the newer models'
 * input-image limit, and Google has the last word on the rest.
 */

const STANDARD_RATIOS = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'];
const BANNER_RATIOS = ['1:4', '4:1', '1:8', '8:1', '9:21'];
const MAX_INPUT_IMAGES_NEWER_MODELS = 14;

interface ModelSupport {
	/** The name users know, e.g. "Nano Banana 2". */
	name: string;
	aspectRatios: readonly string[];
	imageSizes: readonly string[];
	maxInputImages: number;
	googleSearch: boolean;
	/** Grounding may search images as well as the web. */
	imageSearch: boolean;
	/** Thinking levels it takes (lower case); [] = it does not think; undefined = not checked. */
	thinkingLevels?: readonly string[];
}

const ALL_RATIOS = [...STANDARD_RATIOS, ...BANNER_RATIOS];

/** By id prefix (previews and dated versions share their family's limits); first match wins. */
const MODEL_SUPPORT: Array<[string, ModelSupport]> = [
	[
		'gemini-nano-banana-2.1',
		{
			name: 'Nano Banana 2.1',
			aspectRatios: ALL_RATIOS,
			// Google refuses 512 on 2.1 (400).
			imageSizes: ['1K', '2K', '4K'],
			maxInputImages: 14,
			googleSearch: true,
			imageSearch: true,
			thinkingLevels: ['minimal', 'medium', 'high'],
		},
	],
	[
		'gemini-2.5-flash-image',
		{
			name: 'Nano Banana',
			aspectRatios: STANDARD_RATIOS,
			imageSizes: ['1K'],
			maxInputImages: 3,
			googleSearch: false,
			imageSearch: false,
			thinkingLevels: [],
		},
	],
	[
		'gemini-3-pro-image',
		{
			name: 'Nano Banana Pro',
			aspectRatios: STANDARD_RATIOS,
			imageSizes: ['1K', '2K', '4K'],
			maxInputImages: 14,
			googleSearch: true,
			imageSearch: false,
			// Thinks always; Google lists no levels for it, so a level is left to Google.
		},
	],
	[
		'gemini-3.1-flash-lite-image',
		{
			name: 'Nano Banana 2 Lite',
			aspectRatios: STANDARD_RATIOS,
			imageSizes: ['1K'],
			maxInputImages: 14,
			googleSearch: false,
			imageSearch: false,
			thinkingLevels: ['minimal', 'high'],
		},
	],
	[
		'gemini-3.1-flash-image',
		{
			name: 'Nano Banana 2',
			aspectRatios: ALL_RATIOS,
			imageSizes: ['512', '1K', '2K', '4K'],
			maxInputImages: 14,
			googleSearch: true,
			imageSearch: true,
			thinkingLevels: ['minimal', 'high'],
		},
	],
];

function supportOf(model: string): ModelSupport | undefined {
	const id = normalizeModelId(model);
	return MODEL_SUPPORT.find(([prefix]) => id.startsWith(prefix))?.[1];
}

export function maxInputImages(model: string): number {
	return supportOf(model)?.maxInputImages ?? MAX_INPUT_IMAGES_NEWER_MODELS;
}

/** The models that accept something, for "choose … instead". */
function modelsAccepting(accepts: (support: ModelSupport) => boolean): string {
	const names = MODEL_SUPPORT.filter(([, support]) => accepts(support)).map(([id, support]) => `${support.name} (${id})`);
	return names.length > 0 ? names.join(' or ') : 'another model';
}

function refuse(model: string, support: ModelSupport, what: string, accepted: string, instead: string): never {
	throw new InputProblem(
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
		const support = supportOf(model);
		if (!support) continue;
		const { aspectRatio, imageSize } = options;
		if (aspectRatio && !support.aspectRatios.includes(aspectRatio)) {
			refuse(
				model,
				support,
				`the aspect ratio ${aspectRatio}`,
				`these aspect ratios: ${support.aspectRatios.join(', ')}`,
				`Choose one of them, or ${modelsAccepting((other) => other.aspectRatios.includes(aspectRatio))} for ${aspectRatio}.`,
			);
		}
		if (imageSize && !support.imageSizes.includes(imageSize)) {
			refuse(
				model,
				support,
				`the image size ${imageSize}`,
				`${support.imageSizes.length === 1 ? 'only the size' : 'the sizes'} ${support.imageSizes.join(', ')}`,
				`Remove "Image Size" or choose ${modelsAccepting((other) => other.imageSizes.includes(imageSize))} for ${imageSize}.`,
			);
		}
		if (inputImages > support.maxInputImages) {
			refuse(
				model,
				support,
				`${inputImages} input images`,
				`at most ${support.maxInputImages}`,
				`Send fewer images in "Input Binary Fields", or choose ${modelsAccepting((other) => other.maxInputImages >= inputImages)}.`,
			);
		}
		if (options.googleSearch && !support.googleSearch) {
			refuse(
				model,
				support,
				'Google Search grounding',
				'no grounding',
				`Switch "Ground in Google Search" off, or choose ${modelsAccepting((other) => other.googleSearch)}.`,
			);
		}
		if (options.googleSearch && options.googleImageSearch && !support.imageSearch) {
			refuse(
				model,
				support,
				'image search',
				'web search only',
				`Switch "Search Images Too" off, or choose ${modelsAccepting((other) => other.imageSearch)}.`,
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
			`${levels.length > 0 ? 'Choose one of them in "Thinking Level", remove it,' : 'Remove "Thinking Level"'} or choose ${modelsAccepting((other) => other.thinkingLevels?.includes(level) ?? false)} for ${level}.`,
		);
	}
	if (options.includeThoughts && levels.length === 0) {
		refuse(
			model,
			support,
			'thought summaries',
			'no thinking options (it does not think)',
			`Switch "Include Thought Summaries" off, or choose ${modelsAccepting((other) => (other.thinkingLevels?.length ?? 1) > 0)}.`,
		);
	}
}
