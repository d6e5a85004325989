import { DEFAULT_JPEG_QUALITY } from '../description/defaults';
import type { NanoBananaOptions } from '../description/options';
import { AI_STUDIO_IMAGE_OPTIONS, type ImageOptionSupport } from '../transport/auth/backends';
import type { Content, GenerateContentRequest, GenerationConfig, ImageConfig, RequestContent, RequestPart, ThinkingConfig } from '../transport/google/types';

/** An input image: its bytes to send inline, or the URI of a copy uploaded through the Files API. */
export type RequestImage = { mimeType: string; bytes: Buffer } | { mimeType: string; fileUri: string };

/** One item's request, before it is put into Google's shape. */
export interface ImageRequestInput {
	prompt: string;
	/** Input images, in the order the user listed their fields (edit); none for generate. */
	images: RequestImage[];
	options: Pick<
		NanoBananaOptions,
		| 'aspectRatio'
		| 'imageSize'
		| 'temperature'
		| 'seed'
		| 'systemInstruction'
		| 'numberOfImages'
		| 'googleSearch'
		| 'googleImageSearch'
		| 'thinkingLevel'
		| 'includeThoughts'
		| 'outputFormat'
		| 'compressionQuality'
		| 'personGeneration'
	>;
	/** The image options the backend takes (`Backend.imageOptions`); the others are left out. */
	accepts?: ImageOptionSupport;
	/**
	 * Earlier turns of a conversation (`user` and `model`), sent before the new user turn. None
	 * today: Edit and Generate send one user turn.
	 */
	history?: RequestContent[];
}

/**
 * A model turn from an answer (`ImageAnswer.modelTurn`) as a request turn: every part as Google
 * sent it, thought flag and signature included; only base64 images become bytes again.
 */
export function requestTurnFrom(turn: Content): RequestContent {
	return {
		role: turn.role ?? 'model',
		parts: turn.parts.map(({ inlineData, ...rest }) =>
			inlineData ? { ...rest, inlineData: { mimeType: inlineData.mimeType, data: Buffer.from(inlineData.data, 'base64') } } : rest,
		),
	};
}

/**
 * The options set that the backend does not take, by the names users see: they are left out of
 * the request (they are shown only where they apply; a value left over from switching the
 * credential stays saved) and the item's log says so.
 */
export function unsentImageOptions(options: ImageRequestInput['options'], accepts: ImageOptionSupport): string[] {
	const unsent: string[] = [];
	if (options.outputFormat && !accepts.outputFormat) unsent.push('Output Format');
	if (options.personGeneration && !accepts.personGeneration) unsent.push('People in Images');
	return unsent;
}

/**
 * Builds the generateContent body. Only what the user set is sent: an absent aspect ratio lets the
 * model keep the input's shape, an absent size keeps the model's default.
 */
export function buildGenerateContentRequest({ prompt, images, options, accepts = AI_STUDIO_IMAGE_OPTIONS, history = [] }: ImageRequestInput): GenerateContentRequest {
	const parts: RequestPart[] = images.map((image) =>
		'bytes' in image
			? { inlineData: { mimeType: image.mimeType, data: image.bytes } }
			: { fileData: { mimeType: image.mimeType, fileUri: image.fileUri } },
	);
	parts.push({ text: prompt });

	const imageConfig: ImageConfig = {};
	if (options.aspectRatio) imageConfig.aspectRatio = options.aspectRatio;
	if (options.imageSize) imageConfig.imageSize = options.imageSize;
	if (accepts.outputFormat && options.outputFormat) {
		imageConfig.imageOutputOptions =
			options.outputFormat === 'image/jpeg'
				? { mimeType: 'image/jpeg', compressionQuality: options.compressionQuality ?? DEFAULT_JPEG_QUALITY }
				: { mimeType: options.outputFormat };
	}
	if (accepts.personGeneration && options.personGeneration) imageConfig.personGeneration = options.personGeneration;

	const generationConfig: GenerationConfig = { responseModalities: ['TEXT', 'IMAGE'] };
	if (Object.keys(imageConfig).length > 0) generationConfig.imageConfig = imageConfig;
	if (options.temperature !== undefined) generationConfig.temperature = options.temperature;
	if (options.seed !== undefined) generationConfig.seed = options.seed;
	if (options.numberOfImages !== undefined && options.numberOfImages > 1) {
		generationConfig.candidateCount = options.numberOfImages;
	}

	const thinkingConfig: ThinkingConfig = {};
	// Google's enum name, as @google/genai sends it (ThinkingLevel.HIGH = 'HIGH').
	if (options.thinkingLevel) thinkingConfig.thinkingLevel = options.thinkingLevel.toUpperCase();
	if (options.includeThoughts) thinkingConfig.includeThoughts = true;
	if (Object.keys(thinkingConfig).length > 0) generationConfig.thinkingConfig = thinkingConfig;

	const request: GenerateContentRequest = { contents: [...history, { role: 'user', parts }], generationConfig };
	const systemInstruction = options.systemInstruction?.trim();
	if (systemInstruction) request.systemInstruction = { parts: [{ text: systemInstruction }] };
	if (options.googleSearch) {
		request.tools = [
			options.googleImageSearch
				? { googleSearch: { searchTypes: { webSearch: {}, imageSearch: {} } } }
				: { googleSearch: {} },
		];
	}
	return request;
}
