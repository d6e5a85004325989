/**
 * Google's image models as data (state of December 2026, see docs/models.md): one row per model
 * id, exact. The model picker, the default model of each node version, the per-model checks
 * before a paid call (media/limits.ts), option descriptions and the "not found" messages all read
 * this table; nothing else in nodes/ names a model id.
 *
 * Ids change every few months. An id that is not a row here is sent unchecked (Google has the
 * last word); rows are never matched by prefix, so a future `…-2.1-lite` does not inherit 2.1's
 * limits. Shut-down preview ids keep their own rows (with their family's limits) so a saved node
 * still names them; their dated variants are matched only by the succession families below.
 */

const STANDARD_RATIOS = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'] as const;
const BANNER_RATIOS = ['1:4', '4:1', '1:8', '8:1', '9:21'] as const;
const ALL_RATIOS = [...STANDARD_RATIOS, ...BANNER_RATIOS];

/** What a model accepts, from Google's model pages; checked before any request. */
export interface ModelLimits {
	aspectRatios: readonly string[];
	imageSizes: readonly string[];
	maxInputImages: number;
	googleSearch: boolean;
	/** Grounding may search images as well as the web. */
	imageSearch: boolean;
	/** Thinking levels it takes (lower case); [] = it does not think; undefined = not checked. */
	thinkingLevels?: readonly string[];
}

/** Why an id answers "not found" and what to use instead. */
export interface ModelSuccession {
	/** e.g. "was shut down by Google on 2026-06-25". */
	what: string;
	/** The ids to use instead, best first. */
	successors: readonly string[];
	/** True when the id still works for some projects (closed to new ones), false when it is gone. */
	closed: boolean;
}

/** Google's word for where a model stands. */
export type ModelStatus = 'recommended' | 'current' | 'deprecated' | 'legacy' | 'shutDown';

export interface ModelRow {
	/** Google's exact id, without `models/` or `publishers/google/models/`. */
	id: string;
	/** The name users know, e.g. "Nano Banana 2.1". */
	name: string;
	status: ModelStatus;
	/** Place in the model picker, 1 first; absent = not offered (shut down). */
	pickerOrder?: number;
	/** Shown next to the model in the picker. */
	note?: string;
	/** What happened to it and what to use instead, for ids Google shut down or closed. */
	succession?: ModelSuccession;
	/** What it accepts; absent = sent unchecked. */
	limits?: ModelLimits;
	/** The node versions whose default model this is (never changes once released). */
	defaultOfNodeVersions?: readonly number[];
	/** What Google bills for it (standard paid tier, `PRICES_CHECKED`); absent = no known price, never guessed. */
	price?: ModelPrice;
}

/**
 * The day the prices below were checked (UTC). Sources and confidence per row: docs/models.md
 * ("Prices"). Every cost the node computes names this date.
 */
export const PRICES_CHECKED = '2026-12-07';
/** Batch Mode bills this fraction of every rate. */
export const BATCH_PRICE_FACTOR = 0.5;

/** A model's rates in US dollars per million tokens, and what one output image costs in tokens. */
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

const NANO_BANANA_2_1: ModelLimits = {
	aspectRatios: ALL_RATIOS,
	// Google refuses 512 on 2.1 (400).
	imageSizes: ['1K', '2K', '4K'],
	maxInputImages: 14,
	googleSearch: true,
	imageSearch: true,
	thinkingLevels: ['minimal', 'medium', 'high'],
};

const NANO_BANANA: ModelLimits = {
	aspectRatios: STANDARD_RATIOS,
	imageSizes: ['1K'],
	maxInputImages: 3,
	googleSearch: false,
	imageSearch: false,
	thinkingLevels: [],
};

const NANO_BANANA_PRO: ModelLimits = {
	aspectRatios: STANDARD_RATIOS,
	imageSizes: ['1K', '2K', '4K'],
	maxInputImages: 14,
	googleSearch: true,
	imageSearch: false,
	// Thinks always; Google lists no levels for it, so a level is left to Google.
};

const NANO_BANANA_2_LITE: ModelLimits = {
	aspectRatios: STANDARD_RATIOS,
	imageSizes: ['1K'],
	maxInputImages: 14,
	googleSearch: false,
	imageSearch: false,
	thinkingLevels: ['minimal', 'high'],
};

const NANO_BANANA_2: ModelLimits = {
	aspectRatios: ALL_RATIOS,
	imageSizes: ['512', '1K', '2K', '4K'],
	maxInputImages: 14,
	googleSearch: true,
	imageSearch: true,
	thinkingLevels: ['minimal', 'high'],
};

const SHUT_DOWN_JUNE_2026 = 'was shut down by Google on 2026-06-25';

/**
 * The rows. Messages that suggest other models ("choose … instead") list the offered rows in this
 * order; the picker uses `pickerOrder`.
 */
export const MODEL_TABLE: readonly ModelRow[] = [
	{
		id: 'gemini-nano-banana-2.1',
		name: 'Nano Banana 2.1',
		status: 'recommended',
		pickerOrder: 1,
		note: "Google's recommended image model",
		limits: NANO_BANANA_2_1,
		defaultOfNodeVersions: [2],
		price: { input: 1.5, textOutput: 7.5, imageOutput: 30, imageTokens: { default: 1120, '1K': 1120, '2K': 1680, '4K': 3780 } },
	},
	{
		id: 'gemini-2.5-flash-image',
		name: 'Nano Banana',
		status: 'legacy',
		pickerOrder: 5,
		note: 'Legacy: only for Google projects that used it before September 2026',
		limits: NANO_BANANA,
		succession: {
			what: 'was closed by Google to new Google projects in September 2026 (only projects that used it before keep it)',
			successors: ['gemini-nano-banana-2.1'],
			closed: true,
		},
		defaultOfNodeVersions: [1],
		// Takes no image size: every image is 1,290 tokens.
		price: { input: 0.3, textOutput: 2.5, imageOutput: 30, imageTokens: { default: 1290 } },
	},
	{
		id: 'gemini-3-pro-image',
		name: 'Nano Banana Pro',
		status: 'current',
		pickerOrder: 2,
		note: 'Best quality and text in images; slower',
		limits: NANO_BANANA_PRO,
		price: { input: 2, textOutput: 12, imageOutput: 120, imageTokens: { default: 1120, '1K': 1120, '2K': 1120, '4K': 2000 } },
	},
	{
		id: 'gemini-3.1-flash-lite-image',
		name: 'Nano Banana 2 Lite',
		status: 'current',
		pickerOrder: 4,
		note: 'Cheapest, 1K only',
		limits: NANO_BANANA_2_LITE,
		price: { input: 0.25, textOutput: 1.5, imageOutput: 30, imageTokens: { default: 1120, '1K': 1120 } },
	},
	{
		id: 'gemini-3.1-flash-image',
		name: 'Nano Banana 2',
		status: 'deprecated',
		pickerOrder: 3,
		note: 'Deprecated by Google since 2026-10-06: move to Nano Banana 2.1',
		limits: NANO_BANANA_2,
		price: { input: 0.5, textOutput: 3, imageOutput: 60, imageTokens: { default: 1120, '512': 747, '1K': 1120, '2K': 1680, '4K': 2520 } },
	},
	{
		id: 'gemini-3-pro-image-preview',
		name: 'Nano Banana Pro',
		status: 'shutDown',
		limits: NANO_BANANA_PRO,
		succession: { what: SHUT_DOWN_JUNE_2026, successors: ['gemini-3-pro-image'], closed: false },
	},
	{
		id: 'gemini-3.1-flash-image-preview',
		name: 'Nano Banana 2',
		status: 'shutDown',
		limits: NANO_BANANA_2,
		succession: { what: SHUT_DOWN_JUNE_2026, successors: ['gemini-3.1-flash-image', 'gemini-nano-banana-2.1'], closed: false },
	},
	{
		id: 'gemini-2.5-flash-image-preview',
		name: 'Nano Banana',
		status: 'shutDown',
		limits: NANO_BANANA,
		succession: { what: 'was shut down by Google', successors: ['gemini-nano-banana-2.1'], closed: false },
	},
	{
		id: 'gemini-2.0-flash-preview-image-generation',
		name: 'Gemini 2.0 Flash image generation',
		status: 'shutDown',
		succession: { what: 'was shut down by Google', successors: ['gemini-nano-banana-2.1'], closed: false },
	},
	{
		id: 'gemini-2.0-flash-exp-image-generation',
		name: 'Gemini 2.0 Flash image generation (experimental)',
		status: 'shutDown',
		succession: { what: 'was shut down by Google', successors: ['gemini-nano-banana-2.1'], closed: false },
	},
];

/**
 * Whole families Google retired, for ids that are not rows (dated variants, Imagen versions).
 * Used only to explain a "not found", never for limits. First match wins.
 */
export const SUCCESSION_FAMILIES: ReadonlyArray<ModelSuccession & { matches: (id: string) => boolean }> = [
	{
		matches: (id) => id.startsWith('imagen-') || id.startsWith('imagegeneration@'),
		what: 'is an Imagen model; Google shut Imagen down on 2026-08-17 and points to the Nano Banana models',
		successors: ['gemini-nano-banana-2.1'],
		closed: false,
	},
	{
		// Dated variants of a preview id share its fate.
		matches: (id) => id.includes('image') && /-preview\b/.test(id),
		what: 'is a preview id; Google shuts preview image models down every few months',
		successors: ['gemini-nano-banana-2.1'],
		closed: false,
	},
	{
		matches: (id) => id.startsWith('gemini-2.5-flash-image-'),
		what: 'was closed by Google to new Google projects in September 2026 (only projects that used it before keep it)',
		successors: ['gemini-nano-banana-2.1'],
		closed: true,
	},
];
