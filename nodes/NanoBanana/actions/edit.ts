import { maxInputImages } from '../media/limits';
import { parseFieldList, readInputImages } from '../media/inputImages';
import { prepareImageItem, readItemParameters, type PrepareItem } from './item';

/** Edit: the item's images (one, or several to compose) plus the prompt. */
export const prepareEdit: PrepareItem = async (context, itemIndex, run) => {
	const parameters = readItemParameters(context, itemIndex);
	const fields = parseFieldList(String(context.getNodeParameter('inputBinaryFields', itemIndex, 'data')));
	const images = await readInputImages(context, itemIndex, fields, {
		maxImages: maxInputImages(parameters.modelIds[0]),
		maxInlineBytes: run.backend.maxInlineImageBytes,
		maxUploadBytes: run.backend.maxUploadBytes,
		backendLabel: run.backend.label,
		modelId: parameters.modelIds[0],
	});
	return await prepareImageItem(run, itemIndex, parameters, images);
};
