import {
	BASE64_PATTERN,
	IMAGE_FIELD_PATTERN,
	IMAGE_MIME_TYPES,
	LIMITS,
	MODEL_ID_PATTERN,
	SHA256_PATTERN,
	imageFieldName,
	type ImageRole,
} from './naming';
import {
	CONVERSATION_VERSION,
	type Conversation,
	type ConversationResult,
	type ImageReference,
	type ModelPart,
	type Turn,
} from './types';

/**
 * `json.nanoBanana.conversation` (or the same as a JSON string, e.g. from a Data Table) → a
 * Conversation, or what to fix. Every field is untrusted: it may have been edited by hand or by
 * an expression, or be hostile. Only known keys are read (own properties only, so `__proto__` and
 * friends are just unknown keys), every count and length is capped, and image references must
 * carry exactly the binary field name their position gives, so nothing here can pick a field,
 * path, host or file name.
 */

const WHERE = 'json.nanoBanana.conversation';
const MAX_REPORTED = 5;

type Json = Record<string, unknown>;

class Reader {
	readonly problems: string[] = [];

	fail(path: string, what: string): undefined {
		if (this.problems.length < MAX_REPORTED) this.problems.push(`${path}: ${what}`);
		return undefined;
	}

	object(value: unknown, path: string, keys: readonly string[]): Json | undefined {
		if (value === null || typeof value !== 'object' || Array.isArray(value)) return this.fail(path, 'must be an object');
		const unknown = Object.keys(value).filter((key) => !keys.includes(key));
		if (unknown.length > 0) this.fail(path, `has unknown field ${shown(unknown[0])} (allowed: ${keys.join(', ')})`);
		return value as Json;
	}

	/** An own property only: inherited names (`constructor`, `__proto__`) never count as present. */
	field(obj: Json, key: string): unknown {
		return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
	}

	string(value: unknown, path: string, max: number, pattern?: RegExp): string | undefined {
		if (typeof value !== 'string') return this.fail(path, 'must be text');
		if (value.length > max) return this.fail(path, `is longer than ${max} characters`);
		if (pattern && !pattern.test(value)) return this.fail(path, 'has characters that are not allowed');
		return value;
	}

	integer(value: unknown, path: string, max: number, min = 0): number | undefined {
		if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
			return this.fail(path, `must be a whole number from ${min} to ${max}`);
		}
		return value;
	}

	array(value: unknown, path: string, max: number): unknown[] | undefined {
		if (!Array.isArray(value)) return this.fail(path, 'must be a list');
		if (value.length > max) return this.fail(path, `has more than ${max} entries`);
		return value;
	}

	optionalTrue(value: unknown, path: string): true | undefined {
		if (value === undefined || value === true) return value;
		return this.fail(path, 'must be true or left out');
	}

	signature(value: unknown, path: string): string | undefined {
		if (value === undefined) return undefined;
		return this.string(value, path, LIMITS.signatureChars, BASE64_PATTERN);
	}
}

/** An untrusted key, shown safely in a message. */
function shown(key: string): string {
	return JSON.stringify(key.slice(0, 40).replace(/[^\x20-\x7e]/g, '?'));
}

function readImage(r: Reader, value: unknown, path: string, expectedField: string): ImageReference | undefined {
	const obj = r.object(value, path, ['field', 'sha256', 'mimeType', 'bytes']);
	if (!obj) return undefined;
	const field = r.string(r.field(obj, 'field'), `${path}.field`, 40, IMAGE_FIELD_PATTERN);
	if (field !== undefined && field !== expectedField) {
		r.fail(`${path}.field`, `must be "${expectedField}" (the name Nano Banana gives this image), not "${field}"`);
	}
	const sha256 = r.string(r.field(obj, 'sha256'), `${path}.sha256`, 64, SHA256_PATTERN);
	const mimeType = r.string(r.field(obj, 'mimeType'), `${path}.mimeType`, 20);
	if (mimeType !== undefined && !IMAGE_MIME_TYPES.includes(mimeType)) {
		r.fail(`${path}.mimeType`, `must be one of ${IMAGE_MIME_TYPES.join(', ')}`);
	}
	const bytes = r.integer(r.field(obj, 'bytes'), `${path}.bytes`, LIMITS.imageBytes, 1);
	if (field !== expectedField || sha256 === undefined || mimeType === undefined || bytes === undefined) return undefined;
	return { field, sha256, mimeType, bytes };
}

function readUserTurn(r: Reader, obj: Json, path: string, turn: number): Turn | undefined {
	r.object(obj, path, ['role', 'text', 'images']);
	const text = r.string(r.field(obj, 'text'), `${path}.text`, LIMITS.textChars);
	if (text !== undefined && text.trim() === '') r.fail(`${path}.text`, 'must not be empty');
	const list = r.array(r.field(obj, 'images'), `${path}.images`, LIMITS.imagesPerTurn);
	const images = (list ?? []).map((image, i) => readImage(r, image, `${path}.images[${i}]`, imageFieldName(turn, 'Input', i + 1)));
	if (text === undefined || list === undefined || images.some((image) => image === undefined)) return undefined;
	return { role: 'user', text, images: images as ImageReference[] };
}

function readModelTurn(r: Reader, obj: Json, path: string, turn: number): Turn | undefined {
	r.object(obj, path, ['role', 'parts']);
	const list = r.array(r.field(obj, 'parts'), `${path}.parts`, LIMITS.partsPerModelTurn);
	if (list === undefined) return undefined;
	if (list.length === 0) return r.fail(`${path}.parts`, 'must not be empty');
	const counts: Record<ImageRole, number> = { Input: 0, Result: 0, Thought: 0 };
	const parts: Array<ModelPart | undefined> = list.map((value, p) => {
		const where = `${path}.parts[${p}]`;
		const part = r.object(value, where, ['text', 'image', 'thought', 'thoughtSignature']);
		if (!part) return undefined;
		const thought = r.optionalTrue(r.field(part, 'thought'), `${where}.thought`);
		const thoughtSignature = r.signature(r.field(part, 'thoughtSignature'), `${where}.thoughtSignature`);
		const flags = { ...(thought ? { thought } : {}), ...(thoughtSignature !== undefined ? { thoughtSignature } : {}) };
		const hasText = r.field(part, 'text') !== undefined;
		if (hasText === (r.field(part, 'image') !== undefined)) return r.fail(where, 'must hold either text or image');
		if (hasText) {
			const text = r.string(r.field(part, 'text'), `${where}.text`, LIMITS.textChars);
			if (text === '') return r.fail(`${where}.text`, 'must not be empty');
			return text === undefined ? undefined : { text, ...flags };
		}
		const role: ImageRole = thought ? 'Thought' : 'Result';
		counts[role]++;
		const image = readImage(r, r.field(part, 'image'), `${where}.image`, imageFieldName(turn, role, counts[role]));
		return image && { image, ...flags };
	});
	if (parts.some((part) => part === undefined)) return undefined;
	if (counts.Result === 0) return r.fail(`${path}.parts`, 'has no image: a turn to continue from ends with a result image');
	return { role: 'model', parts: parts as ModelPart[] };
}

function readConversation(r: Reader, value: unknown): Conversation | undefined {
	const obj = r.object(value, WHERE, ['version', 'model', 'droppedTurns', 'turns']);
	if (!obj) return undefined;
	const version = r.field(obj, 'version');
	if (version !== CONVERSATION_VERSION) {
		return r.fail(`${WHERE}.version`, `must be ${CONVERSATION_VERSION} (this node reads conversations of version ${CONVERSATION_VERSION}; got ${shown(String(version))})`);
	}
	const model = r.string(r.field(obj, 'model'), `${WHERE}.model`, LIMITS.modelChars, MODEL_ID_PATTERN);
	const droppedTurns = r.integer(r.field(obj, 'droppedTurns'), `${WHERE}.droppedTurns`, LIMITS.droppedTurns);
	const list = r.array(r.field(obj, 'turns'), `${WHERE}.turns`, LIMITS.pairs * 2);
	if (list === undefined || droppedTurns === undefined) return undefined;
	if (list.length === 0 || list.length % 2 !== 0) {
		return r.fail(`${WHERE}.turns`, 'must hold whole user/model pairs (user first, model last)');
	}
	const turns = list.map((value, t) => {
		const path = `${WHERE}.turns[${t}]`;
		const turn = droppedTurns + Math.floor(t / 2) + 1;
		const expected = t % 2 === 0 ? 'user' : 'model';
		const entry = r.object(value, path, ['role', 'text', 'images', 'parts']);
		if (!entry) return undefined;
		if (r.field(entry, 'role') !== expected) return r.fail(`${path}.role`, `must be "${expected}" (turns alternate user, model)`);
		return expected === 'user' ? readUserTurn(r, entry, path, turn) : readModelTurn(r, entry, path, turn);
	});
	if (model === undefined || turns.some((turn) => turn === undefined)) return undefined;
	return { version: CONVERSATION_VERSION, model, droppedTurns, turns: turns as Turn[] };
}

export function parseConversation(value: unknown): ConversationResult<Conversation> {
	if (value === undefined || value === null) {
		return {
			ok: false,
			problem: {
				message: `The item has no conversation to continue (${WHERE} is missing)`,
				description:
					'Refine Image continues a result of Nano Banana (Edit Image, Generate Image or Refine Image). Connect it to such a node, directly or through nodes that keep the item\'s json and binaries (Set with "Include Other Input Fields", IF, Merge, Wait), or restore the saved conversation and its images into the item first.',
			},
		};
	}
	let input: unknown = value;
	if (typeof value === 'string') {
		if (value.length > LIMITS.jsonChars) return invalid([`${WHERE}: is longer than ${LIMITS.jsonChars} characters`]);
		try {
			input = JSON.parse(value) as unknown;
		} catch {
			return invalid([`${WHERE}: is text but not valid JSON`]);
		}
	}
	const r = new Reader();
	const conversation = readConversation(r, input);
	if (conversation && r.problems.length === 0) return { ok: true, value: conversation };
	return invalid(r.problems.length > 0 ? r.problems : [`${WHERE}: cannot be read`]);
}

function invalid(problems: string[]): ConversationResult<Conversation> {
	return {
		ok: false,
		problem: {
			message: 'The conversation saved with this item cannot be continued: it was changed or is damaged',
			description: `${problems.join('; ')}. Pass on the item exactly as Nano Banana produced it (json.nanoBanana.conversation and its nanoBananaTurn… binary fields); a conversation cannot be edited by hand.`,
		},
	};
}
