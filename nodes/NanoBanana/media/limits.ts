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
}

/** By id prefix (previews and dated versions share their family's limits); first match wins. */
const MODEL_SUPPORT: Array<[string, ModelSupport]> = [
	[
		'gemini-2.5-flash-image',
		{ name: 'Nano Banana', aspectRatios: STANDARD_RATIOS, imageSizes: ['1K'], maxInputImages: 3, googleSearch: false },
	],
	[
		'gemini-3-pro-image',
		{ name: 'Nano Banana Pro', aspectRatios: STANDARD_RATIOS, imageSizes: ['1K', '2K', '4K'], maxInputImages: 14, googleSearch: true },
	],
	[
		'gemini-3.1-flash-lite-image',
		{ name: 'Nano Banana 2 Lite', aspectRatios: STANDARD_RATIOS, imageSizes: ['1K'], maxInputImages: 14, googleSearch: false },
	],
	[
		'gemini-3.1-flash-image',
		{
			name: 'Nano Banana 2',
			aspectRatios: [...STANDARD_RATIOS, ...BANNER_RATIOS],
			imageSizes: ['512', '1K', '2K', '4K'],
			maxInputImages: 14,
			googleSearch: true,
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
	return MODEL_SUPPORT.filter(([, support]) => accepts(support))
		.map(([id, support]) => `${support.name} (${id})`)
		.join(' or ');
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
				'Send fewer images in "Input Binary Fields", or choose a Gemini 3 image model (up to 14).',
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
	}
}
