import type { INodeProperties } from 'n8n-workflow';

import { prepareImageItem, readItemParameters } from '../actions/item';
import { promptProperty } from '../description/operation';
import { checkFieldName, textList } from '../description/validate';
import { maxInputImages } from '../media/limits';
import { inlineImageBudget, parseFieldList, readInputImages } from '../media/inputImages';
import type { Operation } from './operation';

const INPUT_FIELDS = 'Input Binary Fields';
const asFieldList = textList();

const inputBinaryFields: INodeProperties = {
	displayName: INPUT_FIELDS,
	name: 'inputBinaryFields',
	type: 'string',
	default: 'data',
	required: true,
	placeholder: 'e.g. data or data, logo',
	hint: 'Several names, separated by commas, send several images in one request to combine them',
	description: 'Name of the binary field holding the image to edit',
};

/** Edit: the item's images (one, or several to compose) plus the prompt. */
export const edit: Operation = {
	value: 'edit',
	name: 'Edit Image',
	action: 'Edit an image',
	description: 'Change one or more input images as the prompt says',
	subtitle: 'Edit',
	properties: [
		promptProperty(
			'e.g. Replace the background with a sunny beach. Keep the product exactly as it is.',
			'What to change, in plain words. Use an expression to vary it per item.',
		),
		inputBinaryFields,
	],
	prepare: async (context, itemIndex, run) => {
		const parameters = readItemParameters(context, itemIndex);
		const fields = parseFieldList(asFieldList(context.getNodeParameter('inputBinaryFields', itemIndex, 'data'), INPUT_FIELDS)).map(
			(field) => checkFieldName(field, INPUT_FIELDS),
		);
		const images = await readInputImages(context, itemIndex, fields, {
			maxImages: maxInputImages(parameters.modelIds[0]),
			maxInlineBytes: run.backend.maxInlineImageBytes,
			maxInlineTotalBytes: inlineImageBudget(run.backend.maxInlineRequestBytes),
			maxUploadBytes: run.backend.maxUploadBytes,
			backendLabel: run.backend.label,
			modelId: parameters.modelIds[0],
		});
		return await prepareImageItem(run, itemIndex, parameters, images);
	},
};
