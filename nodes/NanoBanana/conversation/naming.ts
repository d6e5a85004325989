/**
 * Binary field names of the images a conversation must send back, and the limits every saved
 * conversation is held to. Names are made here from numbers only, and a saved conversation is
 * accepted only when each reference carries exactly the name its position gives: json can never
 * choose a field name (let alone a path, host or file name).
 *
 *   nanoBananaTurn{T}Input{I}    the I-th image the user sent in turn T
 *   nanoBananaTurn{T}Result{I}   the I-th image of the model's answer in turn T
 *   nanoBananaTurn{T}Thought{I}  the I-th thought image of that answer that came with a signature
 *
 * T counts user/model pairs from the conversation's start (1 = the Edit or Generate that began
 * it), I counts from 1 within its kind.
 */

export const FIELD_PREFIX = 'nanoBananaTurn';

export type ImageRole = 'Input' | 'Result' | 'Thought';

export function imageFieldName(turn: number, role: ImageRole, index: number): string {
	return `${FIELD_PREFIX}${turn}${role}${index}`;
}

/** Any name this scheme can produce (a quick test before the exact positional check). */
export const IMAGE_FIELD_PATTERN = /^nanoBananaTurn[1-9][0-9]{0,5}(Input|Result|Thought)[1-9][0-9]{0,2}$/;

/** Image types Google accepts as input (reference sheet): the only ones a conversation records. */
export const IMAGE_MIME_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/heic', 'image/heif'];

/** Limits of a saved conversation: far above real use, low enough that hostile json costs nothing. */
export const LIMITS = {
	/** Serialized json.nanoBanana.conversation (a string read from a Data Table, for instance). */
	jsonChars: 4_000_000,
	/** User/model pairs kept; Turns to Keep cannot go higher. */
	pairs: 50,
	/** Pairs dropped so far (only turn numbers grow with it). */
	droppedTurns: 100_000,
	/** Images per turn: Google takes at most 14 input images per request. */
	imagesPerTurn: 14,
	/** Parts of one model turn. */
	partsPerModelTurn: 32,
	/** Characters of one text (prompt or model text). */
	textChars: 100_000,
	/** Characters of one thoughtSignature (Google's run to a few thousand). */
	signatureChars: 65_536,
	/** Bytes of one referenced image (the Gemini API's inline request limit). */
	imageBytes: 100 * 1024 * 1024,
	/** Characters of the model id. */
	modelChars: 100,
} as const;

/** Standard or URL-safe base64, as proto3 JSON accepts for `bytes` fields such as thoughtSignature. */
export const BASE64_PATTERN = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** A bare model id as Google names them (gemini-nano-banana-2.1, or a versioned Vertex id with @): it goes into a URL path later, so no slash. */
export const MODEL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]*$/;

export const SHA256_PATTERN = /^[0-9a-f]{64}$/;
