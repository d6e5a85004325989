import type { IBinaryKeyData, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { outputBinaryFieldName, outputFileName, safeFileStem } from '../media/fileNames';
import type { ImageAnswer } from '../transport/google/response';
import type { GroundingMetadata } from '../transport/google/types';
import type { ItemCost } from '../cost/itemCost';

export interface OutputSettings {
	outputBinaryField: string;
	modelId: string;
	attempts: number;
	/** The answer was shared with an identical request instead of asked for anew. */
	shared: boolean;
	includeModelText: boolean;
	/** Include Thought Summaries: the model's thought summaries go to `nanoBanana.thoughts`. */
	includeThoughts?: boolean;
	keepInputBinaries: boolean;
	customFileName?: string;
	/** File name of the first input image (edit). */
	inputFileName?: string;
	/** The batch job that answered (Batch Mode). */
	batchJob?: string;
	/** Fields the operation adds to `json.nanoBanana` (see `OperationExtras`); the summary's own win. */
	extraJson?: IDataObject;
	/** What Google billed for the answer (see cost/itemCost.ts). */
	cost?: ItemCost;
}

/**
 * A grounded answer's searches and sources. Google's terms require showing the sources and the
 * search suggestions (`searchEntryPoint`, HTML) with the grounded image.
 */
function groundingSummary(metadata: GroundingMetadata): IDataObject {
	const grounding: IDataObject = {};
	if (metadata.webSearchQueries) grounding.webSearchQueries = metadata.webSearchQueries;
	if (metadata.imageSearchQueries) grounding.imageSearchQueries = metadata.imageSearchQueries;
	grounding.sources = metadata.sources.map((source) => ({ ...source }));
	if (metadata.searchEntryPoint) grounding.searchEntryPoint = metadata.searchEntryPoint;
	return grounding;
}

/** What the answer says about itself, kept under `json.nanoBanana` so upstream json stays intact. */
export function answerSummary(answer: ImageAnswer, settings: OutputSettings): IDataObject {
	const summary: IDataObject = {
		model: settings.modelId,
		imageCount: answer.images.length,
		attempts: settings.attempts,
	};
	if (settings.shared) summary.sharedAnswer = true;
	if (settings.batchJob) summary.batchJob = settings.batchJob;
	if (answer.modelVersion) summary.modelVersion = answer.modelVersion;
	if (answer.responseId) summary.responseId = answer.responseId;
	if (answer.finishReason) summary.finishReason = answer.finishReason;
	if (answer.usageMetadata) {
		summary.usage = Object.fromEntries(
			Object.entries(answer.usageMetadata).filter(([, value]) => value !== undefined),
		) as IDataObject;
	}
	if (settings.cost) summary.cost = { ...settings.cost };
	if (settings.includeModelText && answer.text) summary.text = answer.text;
	if (settings.includeThoughts && answer.thoughts) summary.thoughts = answer.thoughts;
	// Only interim thought images came back; the last one is the result.
	if (answer.fromThoughtImage) summary.resultFromThoughtImage = true;
	if (answer.groundingMetadata) summary.grounding = groundingSummary(answer.groundingMetadata);
	return summary;
}

/**
 * The output item for one input item: its json with the summary added, the result images as
 * binary (`data`, `data_1`, …), and `pairedItem` pointing at the input.
 */
export async function buildOutputItem(
	context: IExecuteFunctions,
	itemIndex: number,
	answer: ImageAnswer,
	settings: OutputSettings,
): Promise<INodeExecutionData> {
	const input = context.getInputData()[itemIndex];
	const binary: IBinaryKeyData = settings.keepInputBinaries ? { ...(input?.binary ?? {}) } : {};
	// Google's responseId names generated files only when something usable is left of it.
	const generatedId =
		safeFileStem(answer.responseId, false)?.slice(0, 16) ?? `${Date.now().toString(36)}-${itemIndex + 1}`;
	for (const [imageIndex, image] of answer.images.entries()) {
		const fileName = outputFileName({
			mimeType: image.mimeType,
			imageIndex,
			custom: settings.customFileName,
			inputFileName: settings.inputFileName,
			generatedId,
		});
		binary[outputBinaryFieldName(settings.outputBinaryField, imageIndex)] =
			await context.helpers.prepareBinaryData(image.bytes, fileName, image.mimeType);
	}
	return {
		json: { ...(input?.json ?? {}), nanoBanana: { ...settings.extraJson, ...answerSummary(answer, settings) } },
		binary,
		pairedItem: { item: itemIndex },
	};
}
