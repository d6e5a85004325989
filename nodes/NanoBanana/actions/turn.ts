import { createHash } from 'node:crypto';
import type { IBinaryData, IBinaryKeyData, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { appendTurn, IMAGE_FIELD_PATTERN, referencedImages, type Conversation, type DescribedImage } from '../conversation/index';
import type { InputImage } from '../media/inputImages';
import { outputBinaryFieldName } from '../media/fileNames';
import type { ImageAnswer } from '../transport/google/response';

/**
 * What a result carries forward so that Refine Image can continue it (issue 25): the item's turn
 * of the conversation is appended once Google has answered, `json.nanoBanana.conversation` gets
 * the conversation, and the item's binaries hold exactly the images it refers to, under their
 * `nanoBananaTurn…` names, whatever Keep Input Binaries says (they are the conversation, not
 * input). Earlier images are passed on as the input item holds them (n8n's reference, no copy);
 * this turn's are stored once, the result sharing its storage with the Output Binary Field.
 */
export interface ConversationTurn {
	/** The conversation this turn continues, as sent (Refine); undefined for Edit and Generate. */
	previous?: Conversation;
	/** The prompt as sent. */
	prompt: string;
	/**
	 * The input item's binary fields whose images were sent inline with the prompt, in request
	 * order, with the digest of the bytes sent: hashed while the request was built, so the output
	 * neither holds nor reads them again (the output carries the input item's own field). Empty
	 * when an image went through the Files API: the turn is then recorded as its prompt alone,
	 * which Google accepts when it is sent back.
	 */
	images: SentImage[];
}

/** An image sent with the prompt: the input item's field it was read from, its checked type and digest. */
export interface SentImage extends DescribedImage {
	field: string;
}

/** The images of a request as its turn records them: all inline, or none (see `ConversationTurn.images`). */
export function sentImages(images: readonly InputImage[]): SentImage[] {
	const inline: SentImage[] = [];
	for (const { field, mimeType, bytes } of images) {
		if (!bytes) return [];
		inline.push({ field, mimeType, sha256: sha256(bytes), bytes: bytes.length });
	}
	return inline;
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

const FILE_EXTENSIONS: Record<string, string> = {
	'image/png': 'png',
	'image/jpeg': 'jpg',
	'image/webp': 'webp',
	'image/heic': 'heic',
	'image/heif': 'heif',
};

/**
 * Adds the conversation to an output item built by `buildOutputItem`. An answer that cannot be
 * continued (no image in the model's turn, a malformed signature) still gives its image: the
 * item then says why it cannot be refined instead of carrying a conversation.
 */
export async function carryConversation(
	context: IExecuteFunctions,
	itemIndex: number,
	item: INodeExecutionData,
	turn: ConversationTurn,
	modelId: string,
	answer: ImageAnswer,
	outputBinaryField: string,
): Promise<void> {
	const summary = item.json.nanoBanana as IDataObject;
	const binary: IBinaryKeyData = item.binary ?? {};
	// Conversation fields come only from the conversation: none left from the input or an older one.
	for (const field of Object.keys(binary)) if (IMAGE_FIELD_PATTERN.test(field)) delete binary[field];
	const next = appendTurn(turn.previous, modelId, { prompt: turn.prompt, images: turn.images }, answer.modelTurn?.parts ?? []);
	if (!next.ok) {
		summary.conversationError = `${next.problem.message}: ${next.problem.description}`;
		item.binary = binary;
		return;
	}
	const input = context.getInputData()[itemIndex]?.binary ?? {};
	for (const image of turn.previous ? referencedImages(turn.previous) : []) {
		// Present and checked (sha256) when the request was built; a user turn's images may be gone.
		if (Object.prototype.hasOwnProperty.call(input, image.field)) binary[image.field] = input[image.field];
	}
	// Nothing is stored twice: an input image is the input item's own field (exactly the bytes
	// sent), a result image the output field that already holds it.
	const sent = new Map<string, IBinaryData>();
	for (const [index, image] of turn.images.entries()) {
		const source = Object.prototype.hasOwnProperty.call(input, image.field) ? input[image.field] : undefined;
		if (source) sent.set(next.value.images[index].field, source);
	}
	const results = new Map<string, IBinaryData>();
	for (const [index, image] of answer.images.entries()) {
		const data = binary[outputBinaryFieldName(outputBinaryField, index)];
		if (data) results.set(sha256(image.bytes), data);
	}
	for (const image of next.value.images) {
		const carried = sent.get(image.field) ?? results.get(image.sha256);
		if (carried) binary[image.field] = carried;
		else if (image.data) binary[image.field] = await context.helpers.prepareBinaryData(image.data, `${image.field}.${FILE_EXTENSIONS[image.mimeType] ?? 'bin'}`, image.mimeType);
		else {
			// An input field gone from the input item since the request was built: nothing to refer to.
			summary.conversationError = `This result cannot be refined later: input image ${image.field} is no longer on the item.`;
			item.binary = binary;
			return;
		}
	}
	summary.conversation = next.value.conversation as unknown as IDataObject;
	item.binary = binary;
}
