import { TURNS_TO_KEEP } from '../shared/turnsToKeep';
import { referencedImages } from './append';
import type { Conversation, ConversationResult, Turn, UserTurn } from './types';

/**
 * "Turns to Keep": how many earlier user/model pairs a Refine sends back with its new prompt.
 * Oldest pairs go first, always whole (a model turn is never sent without the user turn it
 * answered). Then the request must fit the model's input-image limit, counting every image it
 * would carry (user and model turns alike, thought images too: whether Google counts model
 * images is unverified, so they are counted): older pairs go until it fits. When only the latest
 * pair is left and it still does not fit, its user-turn images go, last first (Google needs no
 * signature for them); the latest model turn (the image being refined) always stays. If even that
 * does not fit, the request is refused before anything is paid for. Optional byte limits (all
 * images together; each image, as Vertex AI's 7 MB per inline image) are held the same way.
 */

export { TURNS_TO_KEEP };

export interface TrimLimits {
	/** Earlier pairs to send back, 1 to 20. */
	turnsToKeep: number;
	/** The model's input-image limit (media/limits.ts), e.g. 14. */
	maxInputImages: number;
	/** Images the new request adds besides the history (0 for a plain Refine). */
	newImages?: number;
	/** Optional cap on the bytes of all images sent back (e.g. an inline request limit). */
	maxImageBytes?: number;
	/** Optional cap on each image sent back inline (Vertex AI: 7 MB per inline image). */
	maxBytesPerImage?: number;
}

export interface Trimmed {
	conversation: Conversation;
	/** Binary fields no longer referenced: the caller may leave them off the output item. */
	droppedFields: string[];
}

function fits(turns: Turn[], limits: TrimLimits): boolean {
	const images = referencedImages({ version: 1, model: '', droppedTurns: 0, turns });
	const bytes = images.reduce((sum, image) => sum + image.bytes, 0);
	const largest = images.reduce((max, image) => Math.max(max, image.bytes), 0);
	return (
		images.length + (limits.newImages ?? 0) <= limits.maxInputImages &&
		(limits.maxImageBytes === undefined || bytes <= limits.maxImageBytes) &&
		(limits.maxBytesPerImage === undefined || largest <= limits.maxBytesPerImage)
	);
}

export function trimConversation(conversation: Conversation, limits: TrimLimits): ConversationResult<Trimmed> {
	const { turnsToKeep } = limits;
	if (!Number.isInteger(turnsToKeep) || turnsToKeep < TURNS_TO_KEEP.min || turnsToKeep > TURNS_TO_KEEP.max) {
		return {
			ok: false,
			problem: {
				message: `Turns to Keep must be a whole number from ${TURNS_TO_KEEP.min} to ${TURNS_TO_KEEP.max}`,
				description: `It is ${String(turnsToKeep)}. Set how many earlier edits the model sees again (${TURNS_TO_KEEP.default} by default).`,
			},
		};
	}
	let turns = conversation.turns;
	let dropped = 0;
	while (turns.length / 2 > turnsToKeep || (turns.length > 2 && !fits(turns, limits))) {
		turns = turns.slice(2);
		dropped++;
	}
	if (!fits(turns, limits)) {
		const [user, model] = turns as [UserTurn, Turn];
		let images = user.images;
		while (images.length > 0 && !fits([{ ...user, images }, model], limits)) images = images.slice(0, -1);
		turns = [{ ...user, images }, model];
	}
	if (!fits(turns, limits)) {
		const needed = referencedImages({ ...conversation, turns }).length + (limits.newImages ?? 0);
		return {
			ok: false,
			problem: {
				message: 'The result to refine is too large for one more request',
				description:
					needed > limits.maxInputImages
						? `Refining it needs ${needed} images in the request (the last answer's images plus the new ones); ${conversation.model} takes at most ${limits.maxInputImages}. Use fewer new images, or start over with Edit Image on the result.`
						: 'The last answer\'s images are larger than this backend takes back in one request (Vertex AI: 7 MB per image; the Gemini API: about 74 MB of images in all). Refine results made at a smaller Image Size, or start over with Edit Image on a smaller copy of the result.',
			},
		};
	}
	const kept = new Set(referencedImages({ ...conversation, turns }).map((image) => image.field));
	const droppedFields = referencedImages(conversation)
		.map((image) => image.field)
		.filter((field) => !kept.has(field));
	return {
		ok: true,
		value: { conversation: { ...conversation, droppedTurns: conversation.droppedTurns + dropped, turns }, droppedFields },
	};
}
