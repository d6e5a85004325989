import { createHash } from 'node:crypto';
import type { TurnImage } from './append';
import { LIMITS } from './naming';
import type { RequestContent, RequestPart } from '../transport/google/types';
import type { Conversation, ConversationProblem, ConversationResult, ImageReference, Turn } from './types';

/**
 * A conversation + the item's images + the new prompt → Google's `contents`, as its chat sends
 * them: each user turn (images, then text), each model turn part for part as received (thought
 * flags and signatures verbatim), then the new prompt. Every image is looked up by its field and
 * checked against its recorded sha256 first, so a changed image is refused here, before any call,
 * instead of by Google after payment (or, worse, silently accepted by Vertex AI).
 *
 * Model-turn images must all be there: they carry the signatures. A user turn's images go back
 * while the item still has them, all or none: when one of them is gone (a chat restored from a
 * Data Table with only its latest result, say) that turn is sent as its prompt alone, as Google
 * allows (user parts carry no signatures). One that is present but changed is still refused.
 */

export interface BuiltContents {
	contents: RequestContent[];
	/** The conversation as sent (user images left out where they were); the next turn builds on this. */
	conversation: Conversation;
	/** User-turn image fields left out because the item no longer has all of a turn's images. */
	omittedFields: string[];
}

/** Signatures belong to a model: a conversation cannot move to another one. */
export function checkModel(conversation: Conversation, model: string): ConversationProblem | undefined {
	if (conversation.model === model) return undefined;
	return {
		message: `This conversation was made with ${conversation.model}, not ${model}`,
		description: `Google ties each turn's thought signatures to the model that made it, so a conversation cannot switch models. Set Model to ${conversation.model} on this node, or start a new conversation with Edit Image on the result.`,
	};
}

function lookUp(images: ReadonlyMap<string, TurnImage>, ref: ImageReference, turn: number): ConversationResult<RequestPart> {
	const image = images.get(ref.field);
	if (!image) {
		return {
			ok: false,
			problem: {
				message: `The item has no binary field "${ref.field}", which holds the model's image of turn ${turn} of the conversation`,
				description:
					'A node between Nano Banana and this one dropped it. Keep the item\'s binary data on the way (Set with "Include Other Input Fields", Merge by position, or restore every nanoBananaTurn… field with the conversation).',
			},
		};
	}
	const digest = createHash('sha256').update(image.data).digest('hex');
	if (digest !== ref.sha256) {
		return {
			ok: false,
			problem: {
				message: `The image in binary field "${ref.field}" is not the one the conversation recorded (turn ${turn})`,
				description:
					'A node between Nano Banana and this one changed or replaced it. The model must see its earlier images unchanged: pass them on untouched, or start a new conversation with Edit Image.',
			},
		};
	}
	// The recorded type, not the binary's: Google saw (and signed) it as that.
	return { ok: true, value: { inlineData: { mimeType: ref.mimeType, data: image.data } } };
}

/**
 * @param conversation parsed (and trimmed) conversation
 * @param images the item's binaries by field name (at least those `referencedImages` lists)
 * @param prompt the new instruction
 */
export function buildContents(
	conversation: Conversation,
	images: ReadonlyMap<string, TurnImage>,
	prompt: string,
): ConversationResult<BuiltContents> {
	if (prompt.trim() === '' || prompt.length > LIMITS.textChars) {
		return {
			ok: false,
			problem: {
				message: 'The prompt is empty or too long',
				description: `Write the next instruction for the image (at most ${LIMITS.textChars} characters), e.g. "Now make it night".`,
			},
		};
	}
	const contents: RequestContent[] = [];
	const turns: Turn[] = [];
	const omittedFields: string[] = [];
	for (const [t, turn] of conversation.turns.entries()) {
		const number = conversation.droppedTurns + Math.floor(t / 2) + 1;
		const parts: RequestPart[] = [];
		if (turn.role === 'user') {
			const complete = turn.images.every((ref) => images.has(ref.field));
			for (const ref of complete ? turn.images : turn.images.filter((image) => images.has(image.field))) {
				// Present but changed is refused even when the turn's images are left out.
				const part = lookUp(images, ref, number);
				if (!part.ok) return part;
				if (complete) parts.push(part.value);
			}
			if (!complete) omittedFields.push(...turn.images.map((image) => image.field));
			parts.push({ text: turn.text });
			turns.push(complete ? turn : { ...turn, images: [] });
		} else {
			for (const part of turn.parts) {
				const flags = { ...(part.thought ? { thought: true } : {}), ...(part.thoughtSignature !== undefined ? { thoughtSignature: part.thoughtSignature } : {}) };
				if ('text' in part) {
					parts.push({ text: part.text, ...flags });
					continue;
				}
				const image = lookUp(images, part.image, number);
				if (!image.ok) return image;
				parts.push({ ...image.value, ...flags });
			}
			turns.push(turn);
		}
		contents.push({ role: turn.role, parts });
	}
	contents.push({ role: 'user', parts: [{ text: prompt }] });
	return { ok: true, value: { contents, conversation: { ...conversation, turns }, omittedFields } };
}
