import type { INodeProperties } from 'n8n-workflow';

import { NanoBanana } from '../../../nodes/NanoBanana/NanoBanana.node';
import { operationProperty, operationSubtitle, showForOperation, type OperationDescription } from '../../../nodes/NanoBanana/description/operation';
import { nodeProperties } from '../../../nodes/NanoBanana/description/properties';
import { OPERATIONS } from '../../../nodes/NanoBanana/operations';

/** Issue 23 point 1: an operation is a module, and one list feeds the description, subtitle and router. */

const refine: OperationDescription = {
	value: 'refine',
	name: 'Refine Image',
	action: 'Refine an image',
	description: 'Change the last result again',
	subtitle: 'Refine',
	properties: [{ displayName: 'Note', name: 'note', type: 'string', default: '', displayOptions: { show: { '@version': [2] } } }],
};

describe('the list of operations', () => {
	it('gives the node its Operation list (first = default) and each operation its own parameters, shown for it only', () => {
		const { properties } = new NanoBanana().description;
		const operation = properties.find((property) => property.name === 'operation');
		expect(operation?.options).toEqual(OPERATIONS.map(({ name, value, action, description }) => ({ name, value, action, description })));
		expect(operation?.default).toBe('edit');
		const prompts = properties.filter((property) => property.name === 'prompt');
		expect(prompts.map((prompt) => prompt.displayOptions?.show?.operation)).toEqual([['edit'], ['generate']]);
		expect(properties.find((property) => property.name === 'inputBinaryFields')?.displayOptions).toEqual({ show: { operation: ['edit'] } });
	});

	it('adding an operation to the list adds its option, its parameters and its subtitle word', () => {
		const operations = [...OPERATIONS, refine];
		const properties = nodeProperties(operations);
		expect(operationProperty(operations).options?.map((option) => (option as { value: string }).value)).toEqual(['edit', 'generate', 'refine']);
		// The operation's own condition is kept beside the one the list adds.
		expect(properties.find((property) => property.name === 'note')?.displayOptions).toEqual({ show: { '@version': [2], operation: ['refine'] } });
		expect(operationSubtitle(operations)).toContain('$parameter["operation"] === "refine" ? "Refine"');
	});

	it('keeps the saved subtitle expression for Edit and Generate', () => {
		expect(new NanoBanana().description.subtitle).toBe(
			'={{ ($parameter["operation"] === "generate" ? "Generate" : "Edit") + ": " + (typeof $parameter["model"] === "object" ? $parameter["model"].value : $parameter["model"]) }}',
		);
	});

	it('showForOperation leaves other display conditions as they were', () => {
		const property: INodeProperties = { displayName: 'X', name: 'x', type: 'string', default: '', displayOptions: { hide: { a: [1] } } };
		expect(showForOperation('edit', [property])[0].displayOptions).toEqual({ hide: { a: [1] }, show: { operation: ['edit'] } });
	});
});
