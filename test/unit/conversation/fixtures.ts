// Shared builders for the conversation tests (not a test file itself).
import { createHash } from 'crypto';
import type { Part } from '../../../nodes/NanoBanana/transport/google/types';
import { appendTurn } from '../../../nodes/NanoBanana/conversation';
import type { Conversation, ConversationImage, TurnImage } from '../../../nodes/NanoBanana/conversation';

export const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** Distinct small "images" (the module never decodes them; only bytes and type matter). */
export const bytes = (label: string): Buffer => Buffer.from(`\x89PNG fake image ${label}`);

export const signature = (label: string): string => Buffer.from(`signature for ${label}`.repeat(8)).toString('base64');

/** An answer as Gemini 3 sends it: an unsigned thought, a signed text, a signed image. */
export function answer(label: string, extra: Part[] = []): Part[] {
	return [
		{ text: `**Planning** ${label}`, thought: true },
		{ text: `Here is ${label}.`, thoughtSignature: signature(`text ${label}`) },
		{ inlineData: { mimeType: 'image/png', data: bytes(label).toString('base64') }, thoughtSignature: signature(`image ${label}`) },
		...extra,
	];
}

export const input = (label: string): TurnImage => ({ mimeType: 'image/png', data: bytes(label) });

/** Edit → Refine × (n − 1): a conversation of n pairs, and every image it recorded by field. */
export function chain(n: number, model = 'gemini-nano-banana-2.1'): { conversation: Conversation; images: Map<string, TurnImage> } {
	let conversation: Conversation | undefined;
	const images = new Map<string, TurnImage>();
	for (let t = 1; t <= n; t++) {
		const request = { prompt: `instruction ${t}`, images: t === 1 ? [input('photo')] : [] };
		const next = appendTurn(conversation, model, request, answer(`result ${t}`));
		if (!next.ok) throw new Error(next.problem.description);
		conversation = next.value.conversation;
		for (const image of next.value.images) if (image.data) images.set(image.field, { mimeType: image.mimeType, data: image.data });
	}
	return { conversation: conversation as Conversation, images };
}

export const fields = (images: ConversationImage[]): string[] => images.map((image) => image.field);
