import { formatName, sniffImageType } from './imageFormat';
import type { Content, GenerateContentResponse, GroundingMetadata, InlineData, UsageMetadata } from './types';

/**
 * Reads a generateContent answer: the images in it, or why there are none. An answer without a
 * usable image is never a success.
 */

/** The image types the node passes on; anything else in an answer is not taken for an image. */
export const OUTPUT_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type OutputImageType = (typeof OUTPUT_IMAGE_TYPES)[number];

/** An answer image, decoded and checked: its bytes are what its type says. */
export interface AnswerImage {
	mimeType: OutputImageType;
	bytes: Buffer;
}

export interface ImageAnswer {
	images: AnswerImage[];
	/** The model's non-thought text, joined. */
	text?: string;
	/** Thought summaries (text parts marked `thought: true`, sent with includeThoughts), joined. */
	thoughts?: string;
	/**
	 * True when the answer's only images were interim thought images and the last of them is the
	 * result (Google's guide: the last thought image is also the final one).
	 */
	fromThoughtImage?: boolean;
	finishReason?: string;
	usageMetadata?: UsageMetadata;
	modelVersion?: string;
	responseId?: string;
	/** The searches and sources of a grounded answer (Ground in Google Search). */
	groundingMetadata?: GroundingMetadata;
	/**
	 * The model's turn as Google sent it (the answering candidate's content: text, images, thought
	 * flags and thought signatures), so a later request can send it back unchanged.
	 */
	modelTurn?: Content;
}

export interface NoImageExplanation {
	/** The API's own word for it: a blockReason or finishReason, or TEXT_ONLY / EMPTY_RESPONSE. */
	reason: string;
	message: string;
	description: string;
	modelText?: string;
}

export type AnswerReading = { ok: true; answer: ImageAnswer } | { ok: false; problem: NoImageExplanation };

const SAFETY_REASONS = new Set(['SAFETY', 'IMAGE_SAFETY']);
const PROHIBITED_REASONS = new Set(['PROHIBITED_CONTENT', 'IMAGE_PROHIBITED_CONTENT', 'BLOCKLIST', 'SPII']);
const RECITATION_REASONS = new Set(['RECITATION', 'IMAGE_RECITATION']);

function quote(text: string): string {
	const trimmed = text.trim();
	return trimmed.length > 500 ? `${trimmed.slice(0, 500)}…` : trimmed;
}

function explainFinishReason(reason: string, detail: string | undefined): NoImageExplanation {
	const google = detail ? ` Google said: "${quote(detail)}"` : '';
	if (SAFETY_REASONS.has(reason)) {
		return {
			reason,
			message: `No image: Google's safety filter stopped it (${reason})`,
			description: `The result was judged unsafe. Rephrase the prompt, avoid sensitive subjects, or try another input image.${google}`,
		};
	}
	if (PROHIBITED_REASONS.has(reason)) {
		return {
			reason,
			message: `No image: the request touches content Google prohibits (${reason})`,
			description: `Remove personal data, real people's likeness or prohibited subjects from the prompt or images.${google}`,
		};
	}
	if (RECITATION_REASONS.has(reason)) {
		return {
			reason,
			message: `No image: the result resembled protected content too closely (${reason})`,
			description: `Describe the result in your own words rather than naming a copyrighted work, brand or artist.${google}`,
		};
	}
	if (reason === 'NO_IMAGE') {
		return {
			reason,
			message: 'No image: the model decided not to produce one (NO_IMAGE)',
			description: `Ask for the image explicitly, e.g. "Edit this image so that …" or "Generate an image of …".${google}`,
		};
	}
	return {
		reason,
		message: `No image: the model stopped without one (${reason})`,
		description: `Run the item again; if it keeps failing, simplify the prompt or try another model.${google}`,
	};
}

/**
 * The bytes a base64 text of this length decodes to (each 4 characters are 3 bytes, a final 2 or
 * 3 are 1 or 2, padding counts for nothing), or -1 for a length no base64 text has.
 */
function decodedLength(text: string): number {
	let padding = 0;
	while (padding < text.length && text.charCodeAt(text.length - 1 - padding) === 0x3d /* = */) padding++;
	if (padding > 2 || text.length % 4 === 1) return -1;
	return Math.floor(((text.length - padding) * 3) / 4);
}

function isOutputImageType(mimeType: string): mimeType is OutputImageType {
	return (OUTPUT_IMAGE_TYPES as readonly string[]).includes(mimeType);
}

/**
 * Decodes an answer's image part and checks it the way input images are checked: non-empty,
 * valid base64, PNG, JPEG or WebP, and bytes that really are the type declared. Returns why not
 * otherwise (a few words, for the message).
 */
export function decodeAnswerImage(inline: InlineData): AnswerImage | { problem: string } {
	const declared = inline.mimeType.trim().toLowerCase().split(';')[0] ?? '';
	if (!isOutputImageType(declared)) return { problem: `data of type ${declared || 'unknown'}` };
	if (inline.data.length === 0) return { problem: `an empty ${formatName(declared)}` };
	// Node's decoder skips characters that are not base64 and stops at padding, so anything but
	// standard or URL-safe base64 decodes to fewer bytes than its length promises. Checking that is
	// free, where a pattern test walks the whole answer (about 2 ms per MB) before decoding it.
	const bytes = Buffer.from(inline.data, 'base64');
	if (bytes.length !== decodedLength(inline.data)) {
		return { problem: `${formatName(declared)} data that is not valid base64` };
	}
	const detected = sniffImageType(bytes.subarray(0, 512));
	if (detected !== declared) {
		return {
			problem: detected
				? `an image declared ${declared} whose bytes are a ${formatName(detected)}`
				: `${formatName(declared)} data whose bytes are not an image`,
		};
	}
	return { mimeType: declared, bytes };
}

export function readImageAnswer(response: GenerateContentResponse): AnswerReading {
	const blockReason = response.promptFeedback?.blockReason;
	if (blockReason && response.candidates.length === 0) {
		const detail = response.promptFeedback?.blockReasonMessage;
		return {
			ok: false,
			problem: {
				reason: blockReason,
				message: `Google blocked the prompt (${blockReason})`,
				description: `The prompt or an input image was refused before any image was made. Rephrase the prompt or use another image.${detail ? ` Google said: "${quote(detail)}"` : ''}`,
			},
		};
	}

	const images: AnswerImage[] = [];
	const unusable: string[] = [];
	const texts: string[] = [];
	const thoughts: string[] = [];
	// The last decodable interim image, kept for an answer whose only images are thought images.
	let lastThoughtImage: AnswerImage | undefined;
	let failedCandidate: { finishReason: string; finishMessage?: string } | undefined;
	for (const candidate of response.candidates) {
		const allParts = candidate.content?.parts ?? [];
		for (const part of allParts) {
			if (!part.thought) continue;
			if (part.text) thoughts.push(part.text);
			const decoded = part.inlineData && decodeAnswerImage(part.inlineData);
			if (decoded && !('problem' in decoded)) lastThoughtImage = decoded;
		}
		const parts = allParts.filter((part) => !part.thought);
		const candidateImages: AnswerImage[] = [];
		for (const part of parts) {
			if (!part.inlineData) continue;
			const decoded = decodeAnswerImage(part.inlineData);
			if ('problem' in decoded) unusable.push(decoded.problem);
			else candidateImages.push(decoded);
		}
		images.push(...candidateImages);
		texts.push(...parts.flatMap((part) => (part.text ? [part.text] : [])));
		const reason = candidate.finishReason;
		if (candidateImages.length === 0 && reason && reason !== 'STOP' && !failedCandidate) {
			failedCandidate = { finishReason: reason, finishMessage: candidate.finishMessage };
		}
	}
	const text = texts.join('\n').trim() || undefined;
	const thoughtText = thoughts.join('\n\n').trim() || undefined;
	// Never when a candidate stopped for a reason (a blocked final image is not replaced by its draft).
	const fromThoughtImage = images.length === 0 && unusable.length === 0 && !failedCandidate && lastThoughtImage !== undefined;
	if (fromThoughtImage && lastThoughtImage) images.push(lastThoughtImage);

	if (images.length > 0) {
		// The first candidate that gave an image is the one whose image comes first in the output.
		const modelTurn = response.candidates.find((candidate) =>
			candidate.content?.parts.some((part) => part.inlineData && !part.thought),
		)?.content ?? response.candidates[0]?.content;
		return {
			ok: true,
			answer: {
				images,
				text,
				...(thoughtText ? { thoughts: thoughtText } : {}),
				...(fromThoughtImage ? { fromThoughtImage: true } : {}),
				finishReason: response.candidates[0]?.finishReason,
				usageMetadata: response.usageMetadata,
				modelVersion: response.modelVersion,
				responseId: response.responseId,
				groundingMetadata: response.candidates.find((candidate) => candidate.groundingMetadata)?.groundingMetadata,
				...(modelTurn ? { modelTurn } : {}),
			},
		};
	}
	if (unusable.length > 0) {
		return {
			ok: false,
			problem: {
				reason: 'INVALID_IMAGE',
				message: `No image: Google's answer held ${unusable[0]} instead of a PNG, JPEG or WebP image`,
				description:
					'The answer could not be used as an image, so nothing was passed on. Run the item again; if it keeps happening, try another model, or check the gateway set as Base URL in the credential if you use one.',
				modelText: text,
			},
		};
	}
	if (failedCandidate) {
		const problem = explainFinishReason(failedCandidate.finishReason, failedCandidate.finishMessage ?? text);
		return { ok: false, problem: { ...problem, modelText: text } };
	}
	if (text) {
		return {
			ok: false,
			problem: {
				reason: 'TEXT_ONLY',
				message: `No image: the model answered with text only: "${quote(text)}"`,
				description:
					'The model explained instead of drawing. Rephrase the prompt as an instruction to change or create the image, or address what the model says.',
				modelText: text,
			},
		};
	}
	return {
		ok: false,
		problem: {
			reason: 'EMPTY_RESPONSE',
			message: 'No image: Google returned an empty answer',
			description: 'Run the item again; if it keeps happening, try another model.',
		},
	};
}
