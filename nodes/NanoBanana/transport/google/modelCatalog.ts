/**
 * Google's image model ids as data (state of December 2026, see docs/models.md): the names users
 * know, Google's recommended model, and the one table of successors for ids Google shut down or
 * closed. The model picker, the fallback list and the "not found" messages all read it; per-model
 * limits are in media/limits.ts. Ids change every few months: nothing here decides whether an id
 * may be sent (any typed id is), only how it is named, ordered and explained.
 */

/** Google's recommended image model since 2026-10-06, and node version 2's default. */
export const RECOMMENDED_IMAGE_MODEL = 'gemini-nano-banana-2.1';

export interface KnownImageModel {
	id: string;
	/** The name users know, e.g. "Nano Banana 2.1". */
	name: string;
	/** Shown next to the model in the picker. */
	note?: string;
}

/** Current image models, in the order the picker shows them: the recommended one first. */
export const CURRENT_IMAGE_MODELS: readonly KnownImageModel[] = [
	{ id: RECOMMENDED_IMAGE_MODEL, name: 'Nano Banana 2.1', note: "Google's recommended image model" },
	{ id: 'gemini-3-pro-image', name: 'Nano Banana Pro', note: 'Best quality and text in images; slower' },
	{ id: 'gemini-3.1-flash-image', name: 'Nano Banana 2', note: 'Deprecated by Google since 2026-10-06: move to Nano Banana 2.1' },
	{ id: 'gemini-3.1-flash-lite-image', name: 'Nano Banana 2 Lite', note: 'Cheapest, 1K only' },
	{ id: 'gemini-2.5-flash-image', name: 'Nano Banana', note: 'Legacy: only for Google projects that used it before September 2026' },
];

/** Why an id answers "not found" and what to use instead. */
export interface ModelSuccession {
	/** e.g. "was shut down by Google on 2026-06-25". */
	what: string;
	/** The ids to use instead, best first. */
	successors: readonly string[];
	/** True when the id still works for some projects (closed to new ones), false when it is gone. */
	closed: boolean;
}

interface SuccessionRule extends ModelSuccession {
	matches: (id: string) => boolean;
}

const exactly = (...ids: string[]) => (id: string) => ids.includes(id);

/** First match wins: shut-down ids before the closed family they share a prefix with. */
const SUCCESSIONS: readonly SuccessionRule[] = [
	{
		matches: exactly('gemini-3-pro-image-preview'),
		what: 'was shut down by Google on 2026-06-25',
		successors: ['gemini-3-pro-image'],
		closed: false,
	},
	{
		matches: exactly('gemini-3.1-flash-image-preview'),
		what: 'was shut down by Google on 2026-06-25',
		successors: ['gemini-3.1-flash-image', RECOMMENDED_IMAGE_MODEL],
		closed: false,
	},
	{
		matches: exactly('gemini-2.5-flash-image-preview', 'gemini-2.0-flash-preview-image-generation', 'gemini-2.0-flash-exp-image-generation'),
		what: 'was shut down by Google',
		successors: [RECOMMENDED_IMAGE_MODEL],
		closed: false,
	},
	{
		matches: (id) => id.startsWith('imagen-') || id.startsWith('imagegeneration@'),
		what: 'is an Imagen model; Google shut Imagen down on 2026-08-17 and points to the Nano Banana models',
		successors: [RECOMMENDED_IMAGE_MODEL],
		closed: false,
	},
	{
		// Dated variants of a preview id share its fate.
		matches: (id) => id.includes('image') && /-preview\b/.test(id),
		what: 'is a preview id; Google shuts preview image models down every few months',
		successors: [RECOMMENDED_IMAGE_MODEL],
		closed: false,
	},
	{
		matches: (id) => id === 'gemini-2.5-flash-image' || id.startsWith('gemini-2.5-flash-image-'),
		what: 'was closed by Google to new Google projects in September 2026 (only projects that used it before keep it)',
		successors: [RECOMMENDED_IMAGE_MODEL],
		closed: true,
	},
];

/** What happened to a known id that Google no longer serves (to everyone), or undefined. */
export function successionOf(modelId: string): ModelSuccession | undefined {
	const id = modelId.trim().toLowerCase();
	const rule = SUCCESSIONS.find((candidate) => candidate.matches(id));
	return rule && { what: rule.what, successors: rule.successors, closed: rule.closed };
}

/** Shut down for everyone: such ids are left out of the model picker. */
export function isShutDown(modelId: string): boolean {
	const succession = successionOf(modelId);
	return succession !== undefined && !succession.closed;
}

const NAMES = new Map(CURRENT_IMAGE_MODELS.map((model) => [model.id, model.name]));

/** "Nano Banana 2.1 (gemini-nano-banana-2.1)" for a known id, the id alone otherwise. */
export function modelLabel(modelId: string): string {
	const name = NAMES.get(modelId);
	return name ? `${name} (${modelId})` : modelId;
}

export function knownImageModel(modelId: string): KnownImageModel | undefined {
	return CURRENT_IMAGE_MODELS.find((model) => model.id === modelId);
}
