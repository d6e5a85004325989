import type { INodeProperties } from 'n8n-workflow';

import { optionsProperty } from './optionFields';

export const DEFAULT_MODEL = 'gemini-2.5-flash-image';

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

const model: INodeProperties = {
	displayName: 'Model',
	name: 'model',
	type: 'resourceLocator',
	default: { mode: 'list', value: DEFAULT_MODEL },
	required: true,
	description: 'The Gemini image model ("Nano Banana") to use',
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
			placeholder: 'e.g. gemini-2.5-flash-image',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: '^(models/|publishers/google/models/)?[a-z0-9][a-z0-9.@_-]*$',
						errorMessage: 'Enter a model id such as gemini-2.5-flash-image',
					},
				},
			],
		},
	],
};

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
	model,
	editPrompt,
	generatePrompt,
	inputBinaryFields,
	outputBinaryField,
	optionsProperty,
];
