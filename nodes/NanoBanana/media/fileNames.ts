import { extensionFor } from '../transport/google/imageFormat';

/**
 * Names for the files the node writes, so downstream Drive/Slack nodes get sensible names:
 * `photo.jpg` → `photo-edited.png`; generated images `generated-<id>.png`; further images of the
 * same answer get `-2`, `-3`, ….
 */

/** Longest name stem kept; file systems take 255 bytes, and room is left for suffix and extension. */
const MAX_STEM_LENGTH = 120;

/** C0 controls, DEL and C1 controls: U+0000–U+001F and U+007F–U+009F. */
function isControlCharacter(code: number): boolean {
	return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
}

// A char-code scan rather than a regex: n8n's lint (no-control-regex) refuses control characters
// in regular expressions.
function withoutControlCharacters(text: string): string {
	let kept = '';
	for (let i = 0; i < text.length; i++) {
		if (!isControlCharacter(text.charCodeAt(i))) kept += text[i];
	}
	return kept;
}

/**
 * A name from an expression, an upstream file or Google's responseId is untrusted: only its last
 * path segment is kept, and control characters, characters file systems refuse, `..` and leading
 * or trailing dots and spaces are removed, so it can never name another directory or a hidden
 * file. Undefined when nothing usable is left.
 */
export function safeFileStem(name: string | undefined, dropExtension: boolean): string | undefined {
	if (!name) return undefined;
	const printable = withoutControlCharacters(name);
	let base = printable.split(/[\\/]/).pop() ?? '';
	if (dropExtension) {
		const dot = base.lastIndexOf('.');
		if (dot > 0) base = base.slice(0, dot);
	}
	const cleaned = base
		.replace(/[<>:"|?*]/g, '')
		.replace(/\.{2,}/g, '.')
		.replace(/^[.\s]+|[.\s]+$/g, '')
		.slice(0, MAX_STEM_LENGTH)
		.replace(/[.\s]+$/, '');
	return cleaned || undefined;
}

function withIndex(name: string, imageIndex: number): string {
	return imageIndex === 0 ? name : `${name}-${imageIndex + 1}`;
}

export interface FileNameInput {
	mimeType: string;
	imageIndex: number;
	/** The user's "Output File Name" option, if set. */
	custom?: string;
	/** The first input image's file name (edit). */
	inputFileName?: string;
	/** A short id for generated images (the answer's responseId or the item number). */
	generatedId: string;
}

export function outputFileName({ mimeType, imageIndex, custom, inputFileName, generatedId }: FileNameInput): string {
	const extension = extensionFor(mimeType);
	const trimmed = custom?.trim();
	const customStem = trimmed ? safeFileStem(trimmed, /\.[a-z0-9]{2,5}$/i.test(trimmed)) : undefined;
	const inputStem = safeFileStem(inputFileName, true);
	const stem =
		customStem ?? (inputStem ? `${inputStem}-edited` : `generated-${safeFileStem(generatedId, false) ?? 'image'}`);
	return `${withIndex(stem, imageIndex)}.${extension}`;
}

/** Binary field names for the images of one answer: `data`, `data_1`, `data_2`, …. */
export function outputBinaryFieldName(field: string, imageIndex: number): string {
	return imageIndex === 0 ? field : `${field}_${imageIndex}`;
}
