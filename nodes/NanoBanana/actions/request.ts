import type { NanoBananaOptions } from '../description/options';
import type { GenerateContentRequest, GenerationConfig, ImageConfig, RequestPart } from '../transport/types';

/** An input image: its bytes to send inline, or the URI of a copy uploaded through the Files API. */
export type RequestImage = { mimeType: string; bytes: Buffer } | { mimeType: string; fileUri: string };

/** One item's request, before it is put into Google's shape. */
export interface ImageRequestInput {
	prompt: string;
	/** Input images, in the order the user listed their fields (edit); none for generate. */
	images: RequestImage[];
	options: Pick<
		NanoBananaOptions,
		'aspectRatio' | 'imageSize' | 'temperature' | 'seed' | 'systemInstruction' | 'numberOfImages'
	>;
}

/**
 * Builds the generateContent body. Only what the user set is sent: an absent aspect ratio lets the
 * model keep the input's shape, an absent size keeps the model's default.
 */
export function buildGenerateContentRequest({ prompt, images, options }: ImageRequestInput): GenerateContentRequest {
	const parts: RequestPart[] = images.map((image) =>
		'bytes' in image
			? { inlineData: { mimeType: image.mimeType, data: image.bytes } }
			: { fileData: { mimeType: image.mimeType, fileUri: image.fileUri } },
	);
	parts.push({ text: prompt });

	const imageConfig: ImageConfig = {};
	if (options.aspectRatio) imageConfig.aspectRatio = options.aspectRatio;
	if (options.imageSize) imageConfig.imageSize = options.imageSize;

	const generationConfig: GenerationConfig = { responseModalities: ['TEXT', 'IMAGE'] };
	if (Object.keys(imageConfig).length > 0) generationConfig.imageConfig = imageConfig;
	if (options.temperature !== undefined) generationConfig.temperature = options.temperature;
	if (options.seed !== undefined) generationConfig.seed = options.seed;
	if (options.numberOfImages !== undefined && options.numberOfImages > 1) {
		generationConfig.candidateCount = options.numberOfImages;
	}

	const request: GenerateContentRequest = { contents: [{ role: 'user', parts }], generationConfig };
	const systemInstruction = options.systemInstruction?.trim();
	if (systemInstruction) request.systemInstruction = { parts: [{ text: systemInstruction }] };
	return request;
}
