import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import {
	formatBytes,
	formatName,
	isSupportedInputType,
	sniffImageType,
	type SupportedInputType,
} from './imageFormat';

/**
 * Reads the images an item carries and checks them before anything is sent: a bad input never
 * costs a request, and its error says how to fix it.
 */

export interface InputImage {
	field: string;
	fileName?: string;
	mimeType: SupportedInputType;
	bytes: Buffer;
}

export interface InputLimits {
	maxImages: number;
	maxBytesPerImage: number;
	/** e.g. "Vertex AI", for the size message. */
	backendLabel: string;
	modelId: string;
}

/** A problem with the item's input, worded for the user. */
export class InputProblem extends Error {
	constructor(
		message: string,
		readonly description: string,
	) {
		super(message);
	}
}

const SUPPORTED_LIST = 'PNG, JPEG, WebP, HEIC or HEIF';

export function parseFieldList(value: string): string[] {
	return value
		.split(',')
		.map((field) => field.trim())
		.filter((field) => field.length > 0);
}

export function checkImageCount(fields: string[], limits: InputLimits): void {
	if (fields.length === 0) {
		throw new InputProblem(
			'No input binary field is set',
			'Set "Input Binary Fields" to the name of the binary field holding the image, usually "data".',
		);
	}
	if (fields.length > limits.maxImages) {
		throw new InputProblem(
			`Too many images for ${limits.modelId}: ${fields.length} given, at most ${limits.maxImages}`,
			`Send fewer images in "Input Binary Fields", or choose a model that accepts more (the Gemini 3 image models take up to 14).`,
		);
	}
}

/** Judges the bytes, not the declared type: upstream nodes often mislabel files. */
export function checkImageBytes(
	bytes: Buffer,
	field: string,
	declaredMimeType: string | undefined,
	limits: InputLimits,
): SupportedInputType {
	const detected = sniffImageType(bytes);
	if (detected === undefined) {
		throw new InputProblem(
			`The binary field "${field}" is not an image${declaredMimeType ? ` (it says ${declaredMimeType}, but its content is not a picture)` : ''}`,
			`Pass an image file (${SUPPORTED_LIST}). If it comes from an HTTP Request node, set its Response Format to "File"; an error page or JSON saved as a file looks like this.`,
		);
	}
	if (!isSupportedInputType(detected)) {
		throw new InputProblem(
			`The image in "${field}" is a ${formatName(detected)}, which Gemini does not accept`,
			`Supported formats: ${SUPPORTED_LIST}. Convert it first, for example with n8n's "Edit Image" node (Options → Format: PNG or JPEG).`,
		);
	}
	if (bytes.length > limits.maxBytesPerImage) {
		throw new InputProblem(
			`The image in "${field}" is ${formatBytes(bytes.length)}, over the ${formatBytes(limits.maxBytesPerImage)} that ${limits.backendLabel} accepts per image`,
			`Make it smaller first (for example n8n's "Edit Image" node → Resize, or save it as JPEG).`,
		);
	}
	return detected;
}

function describeAvailable(binary: Record<string, IBinaryData> | undefined): string {
	const names = Object.keys(binary ?? {});
	return names.length > 0
		? `This item has the binary fields: ${names.map((name) => `"${name}"`).join(', ')}.`
		: 'This item has no binary data at all: the node before this one must output a file (e.g. Google Drive → Download, HTTP Request with Response Format "File", Read Files from Disk).';
}

export async function readInputImages(
	context: IExecuteFunctions,
	itemIndex: number,
	fields: string[],
	limits: InputLimits,
): Promise<InputImage[]> {
	checkImageCount(fields, limits);
	const binary = context.getInputData()[itemIndex]?.binary;
	const images: InputImage[] = [];
	for (const field of fields) {
		const metadata = binary?.[field];
		if (!metadata) {
			throw new InputProblem(
				`The input has no binary field "${field}"`,
				`${describeAvailable(binary)} Set "Input Binary Fields" to one of them.`,
			);
		}
		const bytes = await context.helpers.getBinaryDataBuffer(itemIndex, field);
		const mimeType = checkImageBytes(bytes, field, metadata.mimeType, limits);
		images.push({ field, fileName: metadata.fileName, mimeType, bytes });
	}
	return images;
}
