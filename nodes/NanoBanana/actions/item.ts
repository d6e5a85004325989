import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { NanoBananaOptions } from '../description/options';
import { InputProblem, type InputImage } from '../media/inputImages';
import { normalizeModelId } from '../transport/backends';
import { readImageAnswer } from '../transport/response';
import { NoImageError } from './errors';
import { buildOutputItem } from './output';
import { buildGenerateContentRequest } from './request';
import type { RunContext } from './runContext';

/** The parameters of one item that every operation reads. */
export interface ItemParameters {
	prompt: string;
	modelId: string;
	outputBinaryField: string;
	options: NanoBananaOptions;
}

export function readItemParameters(context: IExecuteFunctions, itemIndex: number): ItemParameters {
	const prompt = String(context.getNodeParameter('prompt', itemIndex, '') ?? '').trim();
	if (!prompt) {
		throw new InputProblem(
			'The prompt is empty',
			'Write what the model should do in "Prompt". If the prompt is an expression, check that the field it reads exists on this item.',
		);
	}
	const model = String(context.getNodeParameter('model', itemIndex, '', { extractValue: true }) ?? '');
	const modelId = normalizeModelId(model);
	if (!modelId) {
		throw new InputProblem('No model is selected', 'Choose a model in "Model", e.g. gemini-2.5-flash-image.');
	}
	const outputBinaryField = String(context.getNodeParameter('outputBinaryField', itemIndex, 'data')).trim() || 'data';
	const options = context.getNodeParameter('options', itemIndex, {}) as NanoBananaOptions;
	return { prompt, modelId, outputBinaryField, options };
}

/**
 * Sends one item's prompt and images to Google and turns the answer into the output item. Both
 * operations end here; they differ only in the images they pass.
 */
export async function runImageItem(
	context: IExecuteFunctions,
	itemIndex: number,
	run: RunContext,
	parameters: ItemParameters,
	images: InputImage[],
): Promise<INodeExecutionData> {
	const { prompt, modelId, outputBinaryField, options } = parameters;
	const body = buildGenerateContentRequest({ prompt, images, options });
	const { response, attempts } = await run.generate(modelId, body);
	const reading = readImageAnswer(response);
	if (!reading.ok) throw new NoImageError(reading.problem);
	return await buildOutputItem(context, itemIndex, reading.answer, {
		outputBinaryField,
		modelId,
		attempts,
		includeModelText: options.includeModelText ?? true,
		keepInputBinaries: options.keepInputBinaries ?? false,
		customFileName: options.outputFileName,
		inputFileName: images[0]?.fileName,
	});
}
