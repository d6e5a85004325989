import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { maxInputImages } from '../media/limits';
import { parseFieldList, readInputImages } from '../media/inputImages';
import { readItemParameters, runImageItem } from './item';
import type { RunContext } from './runContext';

/** Edit: the item's images (one, or several to compose) plus the prompt. */
export async function editItem(
	context: IExecuteFunctions,
	itemIndex: number,
	run: RunContext,
): Promise<INodeExecutionData> {
	const parameters = readItemParameters(context, itemIndex);
	const fields = parseFieldList(String(context.getNodeParameter('inputBinaryFields', itemIndex, 'data')));
	const images = await readInputImages(context, itemIndex, fields, {
		maxImages: maxInputImages(parameters.modelIds[0]),
		maxInlineBytes: run.backend.maxInlineImageBytes,
		maxUploadBytes: run.backend.maxUploadBytes,
		backendLabel: run.backend.label,
		modelId: parameters.modelIds[0],
	});
	return await runImageItem(context, itemIndex, run, parameters, images);
}
