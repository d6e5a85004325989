import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { route } from './actions/router';
import { operationSubtitle } from './description/operation';
import { nodeProperties } from './description/properties';
import { searchModels } from './methods/listSearch';
import { OPERATIONS } from './operations';

export class NanoBanana implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Nano Banana',
		name: 'nanoBanana',
		icon: { light: 'file:nanoBanana.svg', dark: 'file:nanoBanana.dark.svg' },
		group: ['transform'],
		version: [1, 2],
		defaultVersion: 2,
		subtitle: operationSubtitle(OPERATIONS),
		description: 'Edit and generate images with Google Gemini image models (Nano Banana)',
		defaults: { name: 'Nano Banana' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'nanoBananaAiStudioApi',
				required: true,
				displayOptions: { show: { authentication: ['aiStudio'] } },
			},
			{
				name: 'nanoBananaVertexAiApi',
				required: true,
				displayOptions: { show: { authentication: ['vertexAi'] } },
			},
		],
		properties: nodeProperties(OPERATIONS),
	};

	methods = {
		listSearch: { searchModels },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await route.call(this, OPERATIONS);
	}
}
