import { extensionFor } from './imageFormat';

/**
 * Names for the files the node writes, so downstream Drive/Slack nodes get sensible names:
 * `photo.jpg` → `photo-edited.png`; generated images `generated-<id>.png`; further images of the
 * same answer get `-2`, `-3`, ….
 */

function stem(fileName: string): string {
	const base = fileName.split(/[\\/]/).pop() ?? fileName;
	const dot = base.lastIndexOf('.');
	return dot > 0 ? base.slice(0, dot) : base;
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
	if (custom && custom.trim()) {
		const name = custom.trim();
		const hasExtension = /\.[a-z0-9]{2,5}$/i.test(name);
		return `${withIndex(hasExtension ? stem(name) : name, imageIndex)}.${extension}`;
	}
	if (inputFileName) return `${withIndex(`${stem(inputFileName)}-edited`, imageIndex)}.${extension}`;
	return `${withIndex(`generated-${generatedId}`, imageIndex)}.${extension}`;
}

/** Binary field names for the images of one answer: `data`, `data_1`, `data_2`, …. */
export function outputBinaryFieldName(field: string, imageIndex: number): string {
	return imageIndex === 0 ? field : `${field}_${imageIndex}`;
}
