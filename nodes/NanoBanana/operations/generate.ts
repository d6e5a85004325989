import { prepareImageItem, readItemParameters } from '../actions/item';
import { promptProperty } from '../description/operation';
import type { Operation } from './operation';

/** Generate: the prompt alone. */
export const generate: Operation = {
	value: 'generate',
	name: 'Generate Image',
	action: 'Generate an image',
	description: 'Create a new image from the prompt alone',
	subtitle: 'Generate',
	properties: [
		promptProperty(
			'e.g. A studio photo of a yellow ceramic mug on a white table, soft light',
			'The image to create, in plain words. Use an expression to vary it per item.',
		),
	],
	prepare: async (context, itemIndex, run) => await prepareImageItem(run, itemIndex, readItemParameters(context, itemIndex), []),
};
