import { checkFieldName, textList } from '../description/validate';
import { maxInputImages } from '../media/limits';
import { parseFieldList, readInputImages } from '../media/inputImages';
import { prepareImageItem, readItemParameters, type PrepareItem } from './item';

const INPUT_FIELDS = 'Input Binary Fields';
const asFieldList = textList();

/** Edit: the item's images (one, or several to compose) plus the prompt. */
export const prepareEdit: PrepareItem = async (context, itemIndex, run) => {
	const parameters = readItemParameters(context, itemIndex);
	const fields = parseFieldList(asFieldList(context.getNodeParameter('inputBinaryFields', itemIndex, 'data'), INPUT_FIELDS)).map(
		(field) => checkFieldName(field, INPUT_FIELDS),
	);
	const images = await readInputImages(context, itemIndex, fields, {
		maxImages: maxInputImages(parameters.modelIds[0]),
		maxInlineBytes: run.backend.maxInlineImageBytes,
		maxUploadBytes: run.backend.maxUploadBytes,
		backendLabel: run.backend.label,
		modelId: parameters.modelIds[0],
	});
	return await prepareImageItem(run, itemIndex, parameters, images);
};
