import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { readOptions, type NanoBananaOptions } from '../description/options';
import { fieldName, text } from '../description/validate';
import type { InputImage } from '../media/inputImages';
import { Problem } from '../shared/problem';
import { checkModelSupport } from '../media/limits';
import { normalizeModelId } from '../transport/auth/backends';
import { RECOMMENDED_IMAGE_MODEL } from '../shared/models';
import { TransportError } from '../transport/http/client';
import { encodeGenerateContentRequest, type EncodedRequest } from '../transport/google/encode';
import type { NodeLog } from '../transport/http/log';
import type { ImageAnswer } from '../transport/google/response';
import { isTransient } from '../transport/failures/retry';
import { buildOutputItem } from './output';
import { carryConversation, sentImages, type ConversationTurn } from './turn';
import { IMAGE_FIELD_PATTERN, type Conversation } from '../conversation/index';
import { outputBinaryFieldName } from '../media/fileNames';
import { buildGenerateContentRequest, unsentImageOptions, type RequestImage } from './request';
import type { RequestContent } from '../transport/google/types';
import type { AnswerSource, GeneratedAnswer } from './answer';
import type { RunContext } from './runContext';
import type { RequestShape } from '../cost/estimate';

/** The parameters of one item that every operation reads. */
export interface ItemParameters {
	prompt: string;
	/** The chosen model first, then the fallback models in order. */
	modelIds: string[];
	outputBinaryField: string;
	options: NanoBananaOptions;
}

export function parseModelIds(value: string | undefined): string[] {
	return (value ?? '')
		.split(',')
		.map(normalizeModelId)
		.filter((id) => id.length > 0);
}

const asText = text();
const asFieldName = fieldName();

/** Reads and checks one item's parameters; a value the node cannot use fails before any request. */
export function readItemParameters(context: IExecuteFunctions, itemIndex: number): ItemParameters {
	const prompt = asText(context.getNodeParameter('prompt', itemIndex, ''), 'Prompt').trim();
	if (!prompt) {
		throw new Problem(
			'INVALID_INPUT',
			'The prompt is empty',
			'Write what the model should do in "Prompt". If the prompt is an expression, check that the field it reads exists on this item.',
		);
	}
	const modelId = normalizeModelId(asText(context.getNodeParameter('model', itemIndex, '', { extractValue: true }), 'Model'));
	if (!modelId) {
		throw new Problem('INVALID_INPUT', 'No model is selected', `Choose a model in "Model", e.g. ${RECOMMENDED_IMAGE_MODEL}.`);
	}
	const outputBinaryField =
		asFieldName(context.getNodeParameter('outputBinaryField', itemIndex, 'data'), 'Output Binary Field') || 'data';
	// The conversation's own fields are rewritten on every result (actions/turn.ts): an output there
	// would be replaced by an earlier image, and the paid result lost.
	if (IMAGE_FIELD_PATTERN.test(outputBinaryField)) {
		throw new Problem(
			'INVALID_PARAMETER',
			`"Output Binary Field" cannot be named "${outputBinaryField}"`,
			'Names "nanoBananaTurn…" hold the images of the item\'s conversation, which Nano Banana writes itself. Use another name, e.g. "data" or "image".',
		);
	}
	const options = readOptions(context.getNodeParameter('options', itemIndex, {}));
	const fallbacks = parseModelIds(options.fallbackModels).filter((id) => id !== modelId);
	return { prompt, modelIds: [modelId, ...new Set(fallbacks)], outputBinaryField, options };
}

/**
 * A fallback model is worth trying when the primary is missing (404) or stayed unavailable
 * through its retries (quotas are per model, so a daily quota counts too); not for a bad
 * request, key or permission, which fail on every model.
 */
export function shouldTryFallback(error: unknown): boolean {
	if (!(error instanceof TransportError)) return false;
	const { failure } = error;
	return (failure.kind === 'api' && failure.statusCode === 404) || isTransient(failure);
}

async function answerWithFallbacks(
	run: RunContext,
	modelIds: string[],
	request: EncodedRequest,
	deadlineAt: number,
	log: NodeLog,
	shape?: RequestShape,
): Promise<GeneratedAnswer & { modelId: string }> {
	let lastError: unknown;
	for (const [index, modelId] of modelIds.entries()) {
		if (index > 0) log.info(`falling back from ${modelIds[index - 1]} to ${modelId}`, { model: modelId });
		try {
			return { ...(await run.generate(modelId, request, deadlineAt, log, shape)), modelId };
		} catch (error) {
			if (error instanceof TransportError) error.modelId = modelId;
			lastError = error;
		}
		if (!shouldTryFallback(lastError) || Date.now() >= deadlineAt) break;
	}
	throw lastError;
}

/** Inline images as they are; big ones uploaded through the Files API first. */
async function requestImages(run: RunContext, images: InputImage[], deadlineAt: number, log: NodeLog): Promise<RequestImage[]> {
	const result: RequestImage[] = [];
	for (const image of images) {
		if (image.bytes) {
			result.push({ mimeType: image.mimeType, bytes: image.bytes });
		} else if (image.open) {
			const file = await run.upload(
				{ mimeType: image.mimeType, size: image.size, displayName: image.fileName ?? image.field, open: image.open },
				deadlineAt,
				log,
			);
			result.push({ mimeType: file.mimeType, fileUri: file.fileUri });
		}
	}
	return result;
}

/** One item's request, encoded and ready to send, and what its output item needs to know. */
export interface PreparedItem {
	parameters: ItemParameters;
	/** The encoded generateContent request (see `encode.ts`). */
	request: EncodedRequest;
	/** File name of the first input image (edit). */
	inputFileName?: string;
	/** End of the item's time budget, counted from when its preparation began. */
	deadlineAt: number;
	/** What the operation adds to the output item's `json.nanoBanana`, from the answer. */
	extraJson?: (answer: ImageAnswer) => IDataObject;
	/** What its cost estimate rests on (spending caps). */
	shape?: RequestShape;
	/** The item's turn of its conversation: the output carries the conversation on (actions/turn.ts). */
	turn?: ConversationTurn;
}

/** What an operation adds to the request and the output beyond the item's prompt and images. */
export interface OperationExtras {
	/** Earlier `user` / `model` turns, sent before the item's prompt and images. */
	history?: RequestContent[];
	/** The conversation `history` continues (Refine, as sent after trimming); the output appends this turn to it. */
	conversation?: Conversation;
	extraJson?: PreparedItem['extraJson'];
}

/** Images an earlier turn sends back (Refine): they are billed as input like the item's own. */
function historyImages(history: readonly RequestContent[] | undefined): number {
	return (history ?? []).reduce((count, turn) => count + turn.parts.filter((part) => part.inlineData || part.fileData).length, 0);
}

/** Text an earlier turn sends back (Refine): billed as input on every turn, like the prompt. */
function historyChars(history: readonly RequestContent[] | undefined): number {
	return (history ?? []).reduce((chars, turn) => chars + turn.parts.reduce((sum, part) => sum + (part.text?.length ?? 0), 0), 0);
}

/** Reads an item's parameters and images, checks them and builds its request (edit or generate). */
export type PrepareItem = (context: IExecuteFunctions, itemIndex: number, run: RunContext) => Promise<PreparedItem>;

/** Builds and encodes an item's request; big images are uploaded through the Files API first. */
export async function prepareImageItem(
	run: RunContext,
	itemIndex: number,
	parameters: ItemParameters,
	images: InputImage[],
	extras: OperationExtras = {},
): Promise<PreparedItem> {
	const deadlineAt = Date.now() + run.itemTimeBudgetMs;
	const { prompt, options } = parameters;
	const log = run.log.with({ itemIndex });
	// The prompt's length, never its text: prompts may hold personal data.
	log.debug(`${images.length} image(s), prompt of ${prompt.length} characters`, {
		promptLength: prompt.length,
		images: images.length,
	});
	// Batch Mode sends each item to its first model only: fallbacks it never uses are not checked.
	checkModelSupport(run.firstModelOnly ? parameters.modelIds.slice(0, 1) : parameters.modelIds, options, images.length);
	const unsent = unsentImageOptions(options, run.backend.imageOptions);
	if (unsent.length > 0) log.debug(`not sent, ${run.backend.label} does not take it: ${unsent.join(', ')}`, { unsent: unsent.join(', ') });
	const inputFileName = images[0]?.fileName;
	const shape: RequestShape = {
		promptChars: prompt.length + (options.systemInstruction?.length ?? 0) + historyChars(extras.history),
		inputImages: images.length + historyImages(extras.history),
		imageSize: options.imageSize,
		images: options.numberOfImages ?? 1,
	};
	// The images sent inline are what a later Refine sends back (hashed now, carried from the input
	// item by the output); with one sent through the Files API the turn is recorded as its prompt alone.
	const turn: ConversationTurn = { ...(extras.conversation ? { previous: extras.conversation } : {}), prompt, images: sentImages(images) };
	const request = encodeGenerateContentRequest(
		buildGenerateContentRequest({
			prompt,
			images: await requestImages(run, images, deadlineAt, log),
			options,
			accepts: run.backend.imageOptions,
			history: extras.history,
		}),
	);
	// From here only the encoded body is needed: let go of the raw image bytes while the request
	// is out, so an image in flight costs its encoded size, not that plus its bytes.
	images.splice(0);
	return { parameters, request, inputFileName, deadlineAt, shape, turn, ...(extras.extraJson ? { extraJson: extras.extraJson } : {}) };
}

/** Turns the images Google made for an item into its output item. */
export async function finishImageItem(
	context: IExecuteFunctions,
	itemIndex: number,
	prepared: Pick<PreparedItem, 'parameters' | 'inputFileName' | 'extraJson' | 'turn'>,
	answer: ImageAnswer,
	source: AnswerSource,
): Promise<INodeExecutionData> {
	const { outputBinaryField, options } = prepared.parameters;
	const item = await buildOutputItem(context, itemIndex, answer, {
		outputBinaryField,
		...source,
		includeModelText: options.includeModelText ?? true,
		includeThoughts: options.includeThoughts ?? false,
		keepInputBinaries: options.keepInputBinaries ?? false,
		customFileName: options.outputFileName,
		inputFileName: prepared.inputFileName,
		extraJson: prepared.extraJson?.(answer),
	});
	if (prepared.turn) await carryConversation(context, itemIndex, item, prepared.turn, source.modelId, answer, outputBinaryField);
	return item;
}

/**
 * Sends one item's prompt and images to Google and turns the answer into the output item. Both
 * operations end here; they differ only in how they prepare the request.
 */
export async function runImageItem(
	context: IExecuteFunctions,
	itemIndex: number,
	run: RunContext,
	prepare: PrepareItem,
	/** Called once Google has answered: the item's place in the pool may go to the next one. */
	answered: () => void = () => {},
): Promise<INodeExecutionData> {
	const prepared = await prepare(context, itemIndex, run);
	const log = run.log.with({ itemIndex });
	const { answer, attempts, shared, modelId, cost, keptAs } = await answerWithFallbacks(
		run,
		prepared.parameters.modelIds,
		prepared.request,
		prepared.deadlineAt,
		log,
		prepared.shape,
	);
	answered();
	if (shared) {
		log.debug(`answer shared with an identical request (responseId ${answer.responseId ?? 'none'})`, {
			model: modelId,
			responseId: answer.responseId,
			shared,
		});
	}
	const output = await finishImageItem(context, itemIndex, prepared, answer, { modelId, attempts, shared, cost });
	// The output's binaries hold the images now: the answer store reads them from there.
	const binaries = answer.images.map((_, index) => output.binary?.[outputBinaryFieldName(prepared.parameters.outputBinaryField, index)]);
	if (keptAs && binaries.every((binary) => binary !== undefined)) keptAs(binaries as IBinaryData[]);
	return output;
}
