import type { INodeProperties } from 'n8n-workflow';

import { defaultModelOf } from '../shared/models';
import { operationProperty, showForOperation, type OperationDescription } from './operation';
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

const outputBinaryField: INodeProperties = {
	displayName: 'Output Binary Field',
	name: 'outputBinaryField',
	type: 'string',
	default: 'data',
	required: true,
	description:
		'Name of the binary field the result is written to. "data" works with Google Drive, Slack and email nodes as they are. Further images of the same answer go to data_1, data_2, ….',
};

/**
 * The node's parameters: authentication, the operation list, the model, then each operation's own
 * parameters (in list order), then what every operation shares.
 */
export function nodeProperties(operations: readonly OperationDescription[]): INodeProperties[] {
	return [
		authentication,
		operationProperty(operations),
		modelProperty(1),
		modelProperty(2),
		...operations.flatMap((operation) => showForOperation(operation.value, operation.properties)),
		outputBinaryField,
		optionsProperty,
	];
}
