import { createHash } from 'node:crypto';
import type { Part } from '../transport/google/types';
import { BASE64_PATTERN, IMAGE_MIME_TYPES, LIMITS, MODEL_ID_PATTERN, imageFieldName, type ImageRole } from './naming';
import {
	CONVERSATION_VERSION,
	type Conversation,
	type ConversationResult,
	type ImageReference,
	type ModelPart,
	type Turn,
} from './types';

/**
 * The next conversation: the previous one (none for Edit and Generate, which begin one), this
 * request's prompt and images, and Google's answer parts as parsed from the wire. Also the images
 * the output item must hold under their conversation field names, so a later Refine can send them
 * back. Pure: the caller attaches the binaries (n8n's helper) and writes the json.
 *
 * The result always passes `parseConversation`: whatever would make a later Refine refuse it is
 * checked here, once the answer is paid for, and reported instead (the caller still outputs the
 * image, without a conversation, and says why).
 */

export interface TurnImage {
	mimeType: string;
	data: Buffer;
}

/**
 * An image sent, described by its digest instead of its bytes: the node hashes an input image
 * while it builds the request, so the output needs no second read of it.
 */
export interface DescribedImage {
	mimeType: string;
	/** Hex sha256 of the bytes sent. */
	sha256: string;
	bytes: number;
}

export interface TurnRequest {
	/** The prompt as sent. */
	prompt: string;
	/** The images sent with it, in request order (none for Generate and Refine). */
	images: ReadonlyArray<TurnImage | DescribedImage>;
}

/** An image the output item must carry, under a name from `naming.ts`. */
export interface ConversationImage {
	field: string;
	mimeType: string;
	sha256: string;
	bytes: number;
	/** Its bytes; absent for an input image given as a `DescribedImage` (the input item holds them). */
	data?: Buffer;
}

export interface NextConversation {
	conversation: Conversation;
	/** This turn's images, to attach to the output item (earlier turns' fields are already on it). */
	images: ConversationImage[];
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** What this node keeps of an answer part, or why it cannot continue from it. */
type Kept = { part: ModelPart; image?: ConversationImage } | { skip: true } | { problem: string };

function keepPart(part: Part, turn: number, counts: Record<ImageRole, number>): Kept {
	const signature = part.thoughtSignature;
	// Unsigned thoughts carry nothing the next turn needs (Google: send them back or not).
	if (part.thought && signature === undefined) return { skip: true };
	if (signature !== undefined && (signature.length > LIMITS.signatureChars || !BASE64_PATTERN.test(signature))) {
		return { problem: 'a thought signature in Google\'s answer is not in the expected form' };
	}
	const flags = { ...(part.thought ? { thought: true as const } : {}), ...(signature !== undefined ? { thoughtSignature: signature } : {}) };
	if (part.inlineData) {
		const mimeType = part.inlineData.mimeType.toLowerCase();
		if (!IMAGE_MIME_TYPES.includes(mimeType)) return { problem: `Google answered with an image of type ${mimeType.slice(0, 40)}, which it does not take back as input` };
		const data = Buffer.from(part.inlineData.data, 'base64');
		if (data.length === 0 || data.length > LIMITS.imageBytes) return { problem: 'an image in Google\'s answer is empty or too large to send back' };
		const role: ImageRole = part.thought ? 'Thought' : 'Result';
		counts[role]++;
		const image: ConversationImage = { field: imageFieldName(turn, role, counts[role]), mimeType, data, sha256: sha256(data), bytes: data.length };
		return { part: { image: reference(image), ...flags }, image };
	}
	// Empty text (with or without a signature) is refused by Google's oneof check when sent back.
	if (typeof part.text === 'string' && part.text !== '') {
		if (part.text.length > LIMITS.textChars) return { problem: `a text in Google's answer is longer than ${LIMITS.textChars} characters` };
		return { part: { text: part.text, ...flags } };
	}
	return { skip: true };
}

function reference(image: ConversationImage): ImageReference {
	return { field: image.field, sha256: image.sha256, mimeType: image.mimeType, bytes: image.bytes };
}

function refused(message: string, description: string): ConversationResult<NextConversation> {
	return { ok: false, problem: { message, description } };
}

/**
 * @param previous the conversation being continued; undefined to begin one (Edit, Generate)
 * @param model the model this turn used (bare id); must be the conversation's
 * @param request what this turn sent
 * @param answerParts the first candidate's `content.parts`, as parsed from Google's answer
 */
export function appendTurn(
	previous: Conversation | undefined,
	model: string,
	request: TurnRequest,
	answerParts: readonly Part[],
): ConversationResult<NextConversation> {
	const cannotContinue = 'This result cannot be refined later';
	if (previous && previous.model !== model) {
		return refused(cannotContinue, `the conversation belongs to ${previous.model}, this turn used ${model}.`);
	}
	if (model.length > LIMITS.modelChars || !MODEL_ID_PATTERN.test(model)) {
		return refused(cannotContinue, 'the model id has characters a conversation cannot record.');
	}
	if (request.prompt.trim() === '' || request.prompt.length > LIMITS.textChars) {
		return refused(cannotContinue, `the prompt is empty or longer than ${LIMITS.textChars} characters.`);
	}
	if (request.images.length > LIMITS.imagesPerTurn) {
		return refused(cannotContinue, `a turn can record at most ${LIMITS.imagesPerTurn} images.`);
	}
	const droppedTurns = previous?.droppedTurns ?? 0;
	const turns = previous?.turns ?? [];
	if (turns.length / 2 >= LIMITS.pairs) {
		return refused(cannotContinue, `a conversation keeps at most ${LIMITS.pairs} turns; trim it first (Turns to Keep).`);
	}
	const turn = droppedTurns + turns.length / 2 + 1;
	const inputs: ConversationImage[] = [];
	for (const [i, image] of request.images.entries()) {
		const mimeType = image.mimeType.toLowerCase();
		const described = 'data' in image ? { sha256: sha256(image.data), bytes: image.data.length } : { sha256: image.sha256, bytes: image.bytes };
		if (!IMAGE_MIME_TYPES.includes(mimeType) || described.bytes <= 0 || described.bytes > LIMITS.imageBytes || !SHA256_HEX.test(described.sha256)) {
			return refused(cannotContinue, `input image ${i + 1} is not an image type Google takes back (${IMAGE_MIME_TYPES.join(', ')}) or is empty.`);
		}
		inputs.push({ field: imageFieldName(turn, 'Input', i + 1), mimeType, ...described, ...('data' in image ? { data: image.data } : {}) });
	}
	const counts: Record<ImageRole, number> = { Input: 0, Result: 0, Thought: 0 };
	const parts: ModelPart[] = [];
	const results: ConversationImage[] = [];
	for (const part of answerParts) {
		const kept = keepPart(part, turn, counts);
		if ('problem' in kept) return refused(cannotContinue, `${kept.problem}.`);
		if ('skip' in kept) continue;
		parts.push(kept.part);
		if (kept.image) results.push(kept.image);
	}
	if (counts.Result === 0) return refused(cannotContinue, 'Google\'s answer has no image to continue from.');
	if (parts.length > LIMITS.partsPerModelTurn) {
		return refused(cannotContinue, `Google's answer has more than ${LIMITS.partsPerModelTurn} parts.`);
	}
	const next: Turn[] = [
		...turns,
		{ role: 'user', text: request.prompt, images: inputs.map(reference) },
		{ role: 'model', parts },
	];
	return {
		ok: true,
		value: { conversation: { version: CONVERSATION_VERSION, model, droppedTurns, turns: next }, images: [...inputs, ...results] },
	};
}

/** Every binary field a conversation refers to, in turn order: the fields a Refine reads. */
export function referencedImages(conversation: Conversation): ImageReference[] {
	return conversation.turns.flatMap((turn) =>
		turn.role === 'user' ? turn.images : turn.parts.flatMap((part) => ('image' in part ? [part.image] : [])),
	);
}

/**
 * The images of the latest model turn that are not thoughts: the result being refined (usually
 * one, `nanoBananaTurn{T}Result1`), e.g. to check that the field the user points at still holds it.
 */
export function latestResults(conversation: Conversation): ImageReference[] {
	const last = conversation.turns[conversation.turns.length - 1];
	if (!last || last.role !== 'model') return [];
	return last.parts.flatMap((part) => ('image' in part && !part.thought ? [part.image] : []));
}
