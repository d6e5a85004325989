/**
 * What a Nano Banana result carries forward in `json.nanoBanana.conversation` so that Refine Image
 * can continue it as Google's chat does (reference sheet, "Conversations"): the model, and each
 * turn with the model's parts exactly as received. Images are never in json: each is a reference
 * to a binary field of the same item (named by `naming.ts`) with the sha256 of its bytes, checked
 * before anything is sent.
 *
 * Versioned: a reader refuses a version it does not know instead of guessing.
 */
export const CONVERSATION_VERSION = 1;

/** An image the conversation needs again, held by the item as a binary field. */
export interface ImageReference {
	/** The binary field holding it; always a name from `naming.ts`, never chosen by input. */
	field: string;
	/** Hex sha256 of the bytes: a changed or swapped image is refused before any call. */
	sha256: string;
	/** One of the image types Google accepts (image/png, image/jpeg, image/webp, image/heic, image/heif). */
	mimeType: string;
	/** Size in bytes, so limits can be checked before the binaries are read. */
	bytes: number;
}

/** What the user sent in one turn: the prompt and the images sent with it (images first on the wire). */
export interface UserTurn {
	role: 'user';
	text: string;
	images: ImageReference[];
}

/** A model part as Google sent it: text, or an image (by reference); thought flag and signature kept verbatim. */
export interface ModelTextPart {
	text: string;
	thought?: true;
	thoughtSignature?: string;
}

export interface ModelImagePart {
	image: ImageReference;
	thought?: true;
	thoughtSignature?: string;
}

export type ModelPart = ModelTextPart | ModelImagePart;

/** Google's answer: its parts in order (positions matter to Google), thought parts without a signature left out. */
export interface ModelTurn {
	role: 'model';
	parts: ModelPart[];
}

export type Turn = UserTurn | ModelTurn;

/** `json.nanoBanana.conversation`. */
export interface Conversation {
	version: typeof CONVERSATION_VERSION;
	/** The model every turn was made with; signatures belong to it. Bare id, e.g. gemini-nano-banana-2.1. */
	model: string;
	/**
	 * Earlier user/model pairs left out by Turns to Keep or the image limit. Turn numbers in binary
	 * field names count from the conversation's start, so they stay the same when old turns go.
	 */
	droppedTurns: number;
	/** Alternating user, model, user, model…: whole pairs, oldest first, always ending with a model turn. */
	turns: Turn[];
}

/**
 * A problem in plain words: `message` says what went wrong, `description` what to do. Returned as
 * data so the caller wraps it in its own error class (Continue On Fail, error items).
 */
export interface ConversationProblem {
	message: string;
	description: string;
}

export type ConversationResult<T> = { ok: true; value: T } | { ok: false; problem: ConversationProblem };
