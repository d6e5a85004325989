import type { GenerateContentResponse, InlineData, UsageMetadata } from './types';

/**
 * Reads a generateContent answer: the images in it, or why there are none. An answer without an
 * image is never a success.
 */

export interface ImageAnswer {
	images: InlineData[];
	/** The model's non-thought text, joined. */
	text?: string;
	finishReason?: string;
	usageMetadata?: UsageMetadata;
	modelVersion?: string;
	responseId?: string;
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

	const images: InlineData[] = [];
	const texts: string[] = [];
	let failedCandidate: { finishReason: string; finishMessage?: string } | undefined;
	for (const candidate of response.candidates) {
		const parts = (candidate.content?.parts ?? []).filter((part) => !part.thought);
		const candidateImages = parts.flatMap((part) =>
			part.inlineData && part.inlineData.mimeType.startsWith('image/') ? [part.inlineData] : [],
		);
		images.push(...candidateImages);
		texts.push(...parts.flatMap((part) => (part.text ? [part.text] : [])));
		const reason = candidate.finishReason;
		if (candidateImages.length === 0 && reason && reason !== 'STOP' && !failedCandidate) {
			failedCandidate = { finishReason: reason, finishMessage: candidate.finishMessage };
		}
	}
	const text = texts.join('\n').trim() || undefined;

	if (images.length > 0) {
		return {
			ok: true,
			answer: {
				images,
				text,
				finishReason: response.candidates[0]?.finishReason,
				usageMetadata: response.usageMetadata,
				modelVersion: response.modelVersion,
				responseId: response.responseId,
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
