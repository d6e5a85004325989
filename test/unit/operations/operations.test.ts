import type { INodeProperties } from 'n8n-workflow';

import { NanoBanana } from '../../../nodes/NanoBanana/NanoBanana.node';
import { operationProperty, operationSubtitle, showForOperation, type OperationDescription } from '../../../nodes/NanoBanana/description/operation';
import { nodeProperties } from '../../../nodes/NanoBanana/description/properties';
import { OPERATIONS } from '../../../nodes/NanoBanana/operations';

/** Issue 23 point 1: an operation is a module, and one list feeds the description, subtitle and router. */

const upscale: OperationDescription = {
	value: 'upscale',
	name: 'Upscale Image',
	action: 'Upscale an image',
	description: 'Make the image larger',
	subtitle: 'Upscale',
	properties: [{ displayName: 'Note', name: 'note', type: 'string', default: '', displayOptions: { show: { '@version': [2] } } }],
};

describe('the list of operations', () => {
	it('has Refine Image (issue 25), which refuses Batch Mode as a capability and owns Turns to Keep', () => {
		const refine = OPERATIONS.find((operation) => operation.value === 'refine');
		expect(refine).toMatchObject({ name: 'Refine Image', subtitle: 'Refine' });
		expect(refine?.batchModeRefusal).toEqual(expect.stringContaining('Batch Mode'));
		expect(OPERATIONS.filter((operation) => operation.batchModeRefusal !== undefined).map((operation) => operation.value)).toEqual(['refine']);
		const options = new NanoBanana().description.properties.find((property) => property.name === 'options')?.options ?? [];
		const turnsToKeep = options.find((option) => option.name === 'turnsToKeep') as INodeProperties | undefined;
		expect(turnsToKeep?.displayOptions).toEqual({ show: { '/operation': ['refine'] } });
		expect(turnsToKeep?.default).toBe(5);
	});

	it('gives the node its Operation list (first = default) and each operation its own parameters, shown for it only', () => {
		const { properties } = new NanoBanana().description;
		const operation = properties.find((property) => property.name === 'operation');
		expect(operation?.options).toEqual(OPERATIONS.map(({ name, value, action, description }) => ({ name, value, action, description })));
		expect(operation?.default).toBe('edit');
		const prompts = properties.filter((property) => property.name === 'prompt');
		expect(prompts.map((prompt) => prompt.displayOptions?.show?.operation)).toEqual([['edit'], ['generate'], ['refine']]);
		expect(properties.filter((property) => property.name === 'inputBinaryFields').map((property) => property.displayOptions)).toEqual([
			{ show: { operation: ['edit'] } },
			{ show: { operation: ['refine'] } },
		]);
	});

	it('adding an operation to the list adds its option, its parameters and its subtitle word', () => {
		const operations = [...OPERATIONS, upscale];
		const properties = nodeProperties(operations);
		expect(operationProperty(operations).options?.map((option) => (option as { value: string }).value)).toEqual(['edit', 'generate', 'refine', 'upscale']);
		// The operation's own condition is kept beside the one the list adds.
		expect(properties.find((property) => property.name === 'note')?.displayOptions).toEqual({ show: { '@version': [2], operation: ['upscale'] } });
		expect(operationSubtitle(operations)).toContain('$parameter["operation"] === "upscale" ? "Upscale"');
	});

	it('keeps the saved subtitle expression for Edit and Generate, Refine added before the default', () => {
		expect(new NanoBanana().description.subtitle).toBe(
			'={{ ($parameter["operation"] === "generate" ? "Generate" : $parameter["operation"] === "refine" ? "Refine" : "Edit") + ": " + (typeof $parameter["model"] === "object" ? $parameter["model"].value : $parameter["model"]) }}',
		);
	});

	it('showForOperation leaves other display conditions as they were', () => {
		const property: INodeProperties = { displayName: 'X', name: 'x', type: 'string', default: '', displayOptions: { hide: { a: [1] } } };
		expect(showForOperation('edit', [property])[0].displayOptions).toEqual({ hide: { a: [1] }, show: { operation: ['edit'] } });
	});
});
