import type { INodeProperties } from 'n8n-workflow';

import { defaultModelOf } from '../shared/models';
import { optionsProperty } from './optionFields';

/**
 * The model a node uses when none is saved. n8n does not save a parameter left at its default, so
 * each node version keeps its own (the model table's `defaultOfNodeVersions`): a saved version 1
 * node keeps sending Nano Banana (no silent change of model or price); version 2 (new nodes) uses
 * Google's recommended model.
 */
export const DEFAULT_MODEL_BY_VERSION = {
	1: defaultModelOf(1),
	2: defaultModelOf(2),
} as const;
/** The default of the newest version. */
export const DEFAULT_MODEL = DEFAULT_MODEL_BY_VERSION[2];

const authentication: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	options: [
		{ name: 'Google AI Studio API Key', value: 'aiStudio' },
		{ name: 'Vertex AI', value: 'vertexAi' },
	],
	default: 'aiStudio',
};

const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Edit Image',
			value: 'edit',
			action: 'Edit an image',
			description: 'Change one or more input images as the prompt says',
		},
		{
			name: 'Generate Image',
			value: 'generate',
			action: 'Generate an image',
			description: 'Create a new image from the prompt alone',
		},
	],
	default: 'edit',
};

function modelProperty(version: 1 | 2): INodeProperties {
	const example = DEFAULT_MODEL_BY_VERSION[version];
	return {
		displayName: 'Model',
		name: 'model',
		type: 'resourceLocator',
		default: { mode: 'list', value: example },
		required: true,
		description: 'The Gemini image model ("Nano Banana") to use',
		// One property per node version, so each keeps its own default model.
		displayOptions: { show: { '@version': version === 1 ? [1] : [{ _cnd: { gte: 2 } }] } },
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchModels', searchable: true },
			},
			{
				displayName: 'ID',
				name: 'id',
				type: 'string',
				placeholder: `e.g. ${DEFAULT_MODEL_BY_VERSION[2]}`,
				validation: [
					{
						type: 'regex',
						properties: {
							regex: '^(models/|publishers/google/models/)?[a-z0-9][a-z0-9.@_-]*$',
							errorMessage: `Enter a model id such as ${DEFAULT_MODEL_BY_VERSION[2]}`,
						},
					},
				],
			},
		],
	};
}

const editPrompt: INodeProperties = {
	displayName: 'Prompt',
	name: 'prompt',
	type: 'string',
	typeOptions: { rows: 4 },
	default: '',
	required: true,
	placeholder: 'e.g. Replace the background with a sunny beach. Keep the product exactly as it is.',
	description: 'What to change, in plain words. Use an expression to vary it per item.',
	displayOptions: { show: { operation: ['edit'] } },
};

const generatePrompt: INodeProperties = {
	...editPrompt,
	placeholder: 'e.g. A studio photo of a yellow ceramic mug on a white table, soft light',
	description: 'The image to create, in plain words. Use an expression to vary it per item.',
	displayOptions: { show: { operation: ['generate'] } },
};

const inputBinaryFields: INodeProperties = {
	displayName: 'Input Binary Fields',
	name: 'inputBinaryFields',
	type: 'string',
	default: 'data',
	required: true,
	placeholder: 'e.g. data or data, logo',
	hint: 'Several names, separated by commas, send several images in one request to combine them',
	description: 'Name of the binary field holding the image to edit',
	displayOptions: { show: { operation: ['edit'] } },
};

const outputBinaryField: INodeProperties = {
	displayName: 'Output Binary Field',
	name: 'outputBinaryField',
	type: 'string',
	default: 'data',
	required: true,
	description:
		'Name of the binary field the result is written to. "data" works with Google Drive, Slack and email nodes as they are. Further images of the same answer go to data_1, data_2, ….',
};

export const nodeProperties: INodeProperties[] = [
	authentication,
	operation,
	modelProperty(1),
	modelProperty(2),
	editPrompt,
	generatePrompt,
	inputBinaryFields,
	outputBinaryField,
	optionsProperty,
];
