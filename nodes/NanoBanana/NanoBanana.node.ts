import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { route } from './actions/router';
import { nodeProperties } from './description/properties';
import { searchModels } from './methods/listSearch';

export class NanoBanana implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Nano Banana',
		name: 'nanoBanana',
		icon: { light: 'file:nanoBanana.svg', dark: 'file:nanoBanana.dark.svg' },
		group: ['transform'],
		version: [1, 2],
		defaultVersion: 2,
		// The model arrives as a resource-locator object or, in some editor versions, as its value.
		subtitle:
			'={{ ($parameter["operation"] === "generate" ? "Generate" : "Edit") + ": " + (typeof $parameter["model"] === "object" ? $parameter["model"].value : $parameter["model"]) }}',
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
		properties: nodeProperties,
	};

	methods = {
		listSearch: { searchModels },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await route.call(this);
	}
}
