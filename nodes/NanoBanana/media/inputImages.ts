import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import { MODEL_TABLE } from '../shared/modelTable';
import { namesAccepting } from '../shared/models';
import { Problem } from '../shared/problem';
import {
	formatBytes,
	formatName,
	isSupportedInputType,
	sniffImageType,
	type SupportedInputType,
} from '../transport/google/imageFormat';

/**
 * Reads the images an item carries and checks them before anything is sent: a bad input never
 * costs a request, and its error says how to fix it.
 */

/**
 * An input image: small ones carry their bytes (sent inline); big ones are uploaded through the
 * Files API from `open()`, which streams from n8n's binary store when the file is on disk.
 */
export interface InputImage {
	field: string;
	fileName?: string;
	mimeType: SupportedInputType;
	size: number;
	bytes?: Buffer;
	open?: () => Promise<unknown>;
}

export interface InputLimits {
	maxImages: number;
	/** Largest image sent inside the request. */
	maxInlineBytes: number;
	/** Largest total of the images sent inside one request (see `inlineImageBudget`); none when unset. */
	maxInlineTotalBytes?: number;
	/** Largest image uploaded through the Files API; absent where the backend has none. */
	maxUploadBytes?: number;
	/** e.g. "Vertex AI", for the size message. */
	backendLabel: string;
	modelId: string;
}

/** Bytes read from a stored file to tell its type. */
const SNIFF_BYTES = 4096;

/** Room a request keeps for what is not image data: the prompt, a conversation's text and signatures, the JSON. */
const NON_IMAGE_BYTES = 1024 * 1024;

/**
 * How many image bytes fit inline in one request of at most `maxRequestBytes`: base64 makes an
 * image 4/3 as long, and the rest of the request keeps 1 MB. Undefined when there is no such limit.
 */
export function inlineImageBudget(maxRequestBytes: number | undefined): number | undefined {
	return maxRequestBytes === undefined ? undefined : Math.floor(((maxRequestBytes - NON_IMAGE_BYTES) * 3) / 4);
}


const SUPPORTED_LIST = 'PNG, JPEG, WebP, HEIC or HEIF';

export function parseFieldList(value: string): string[] {
	return value
		.split(',')
		.map((field) => field.trim())
		.filter((field) => field.length > 0);
}

const MOST_INPUT_IMAGES = Math.max(...MODEL_TABLE.map((row) => row.limits?.maxInputImages ?? 0));

export function checkImageCount(fields: string[], limits: InputLimits): void {
	if (fields.length === 0) {
		throw new Problem(
			'INVALID_INPUT',
			'No input binary field is set',
			'Set "Input Binary Fields" to the name of the binary field holding the image, usually "data".',
		);
	}
	if (fields.length > limits.maxImages) {
		throw new Problem(
			'INVALID_INPUT',
			`Too many images for ${limits.modelId}: ${fields.length} given, at most ${limits.maxImages}`,
			`Send fewer images in "Input Binary Fields", or choose a model that accepts more (${namesAccepting((model) => model.maxInputImages === MOST_INPUT_IMAGES)} take up to ${MOST_INPUT_IMAGES}).`,
		);
	}
}

/** Judges the bytes, not the declared type: upstream nodes often mislabel files. */
export function checkImageBytes(head: Buffer, field: string, declaredMimeType: string | undefined): SupportedInputType {
	const detected = sniffImageType(head);
	if (detected === undefined) {
		throw new Problem(
			'INVALID_INPUT',
			`The binary field "${field}" is not an image${declaredMimeType ? ` (it says ${declaredMimeType}, but its content is not a picture)` : ''}`,
			`Pass an image file (${SUPPORTED_LIST}). If it comes from an HTTP Request node, set its Response Format to "File"; an error page or JSON saved as a file looks like this.`,
		);
	}
	if (!isSupportedInputType(detected)) {
		throw new Problem(
			'INVALID_INPUT',
			`The image in "${field}" is a ${formatName(detected)}, which Gemini does not accept`,
			`Supported formats: ${SUPPORTED_LIST}. Convert it first, for example with n8n's "Edit Image" node (Options → Format: PNG or JPEG).`,
		);
	}
	return detected;
}

function fitsInline(size: number, limits: InputLimits, inlineSoFar: number): boolean {
	return size <= limits.maxInlineBytes && (limits.maxInlineTotalBytes === undefined || inlineSoFar + size <= limits.maxInlineTotalBytes);
}

/**
 * Whether the image goes inline or through the Files API; too big for both is an error. An image
 * goes inline while it fits beside the images already inline (`inlineSoFar` bytes) in one request.
 */
export function deliveryFor(size: number, field: string, limits: InputLimits, inlineSoFar = 0): 'inline' | 'upload' {
	if (fitsInline(size, limits, inlineSoFar)) return 'inline';
	if (limits.maxUploadBytes !== undefined && size <= limits.maxUploadBytes) return 'upload';
	if (size <= limits.maxInlineBytes) {
		throw new Problem(
			'INVALID_INPUT',
			`The images up to "${field}" are ${formatBytes(inlineSoFar + size)} together, over the ${formatBytes(limits.maxInlineTotalBytes ?? 0)} that ${limits.backendLabel} takes in one request`,
			'Send fewer images per item, or make them smaller first (for example n8n\'s "Edit Image" node → Resize, or save them as JPEG).',
		);
	}
	const limit = limits.maxUploadBytes ?? limits.maxInlineBytes;
	throw new Problem(
		'INVALID_INPUT',
		`The image in "${field}" is ${formatBytes(size)}, over the ${formatBytes(limit)} that ${limits.backendLabel} accepts per image`,
		`Make it smaller first (for example n8n's "Edit Image" node → Resize, or save it as JPEG)${limits.maxUploadBytes === undefined ? ', or use a Google AI Studio API key: the Gemini API takes bigger images through its Files API' : ''}.`,
	);
}

async function firstBytes(stream: unknown): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let length = 0;
	for await (const chunk of stream as AsyncIterable<Buffer>) {
		chunks.push(chunk);
		length += chunk.length;
		if (length >= SNIFF_BYTES) break; // leaving the loop closes the stream
	}
	return Buffer.concat(chunks).subarray(0, SNIFF_BYTES);
}

/**
 * A file n8n keeps on disk (or in S3) that is too big to send inline, measured and sniffed without
 * loading it; undefined when it fits inline.
 */
async function storedUpload(
	context: IExecuteFunctions,
	field: string,
	metadata: IBinaryData,
	limits: InputLimits,
	inlineSoFar: number,
): Promise<InputImage | undefined> {
	const id = metadata.id as string;
	const { fileSize } = await context.helpers.getBinaryMetadata(id);
	// Small enough to go inline: read once, like any other image, and checked from those bytes.
	if (deliveryFor(fileSize, field, limits, inlineSoFar) === 'inline') return undefined;
	const mimeType = checkImageBytes(await firstBytes(await context.helpers.getBinaryStream(id, SNIFF_BYTES)), field, metadata.mimeType);
	return { field, fileName: metadata.fileName, mimeType, size: fileSize, open: async () => await context.helpers.getBinaryStream(id) };
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
	let inlineSoFar = 0;
	for (const field of fields) {
		// Own fields only: `constructor` must not find Object's constructor.
		const metadata = binary && Object.prototype.hasOwnProperty.call(binary, field) ? binary[field] : undefined;
		if (!metadata) {
			throw new Problem(
				'INVALID_INPUT',
				`The input has no binary field "${field}"`,
				`${describeAvailable(binary)} Set "Input Binary Fields" to one of them.`,
			);
		}
		// A stored file whose recorded size already says "inline" is simply read; others are
		// measured and sniffed first, so a big one is never loaded whole.
		const knownInline = typeof metadata.bytes === 'number' && fitsInline(metadata.bytes, limits, inlineSoFar);
		const upload = metadata.id && !knownInline ? await storedUpload(context, field, metadata, limits, inlineSoFar) : undefined;
		if (upload) {
			images.push(upload);
			continue;
		}
		const bytes = await context.helpers.getBinaryDataBuffer(itemIndex, field);
		const mimeType = checkImageBytes(bytes, field, metadata.mimeType);
		const delivery = deliveryFor(bytes.length, field, limits, inlineSoFar);
		if (delivery === 'inline') inlineSoFar += bytes.length;
		images.push({
			field,
			fileName: metadata.fileName,
			mimeType,
			size: bytes.length,
			...(delivery === 'inline' ? { bytes } : { open: async () => bytes }),
		});
	}
	return images;
}
