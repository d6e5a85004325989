import type { INodeProperties } from 'n8n-workflow';

/**
 * What the node description needs of an operation: its entry in the "Operation" list, its word in
 * the subtitle, and the parameters it owns. The operations themselves are modules in
 * `operations/`; the node builds its description and router from their one list.
 */
export interface OperationDescription {
	/** The saved value of the "Operation" parameter; never renamed (saved workflows hold it). */
	value: string;
	/** As listed, e.g. "Edit Image". */
	name: string;
	/** n8n's action text, e.g. "Edit an image". */
	action: string;
	description: string;
	/** Its word in the node's subtitle, e.g. "Edit". */
	subtitle: string;
	/** Its own parameters, in the order shown; each is shown for this operation only. */
	properties: INodeProperties[];
}

/**
 * Shows the parameters for one operation only, keeping any display conditions they already
 * have (n8n's own `updateDisplayOptions`, in small): an operation writes its condition once.
 */
export function showForOperation(operation: string, properties: INodeProperties[]): INodeProperties[] {
	return properties.map((property) => ({
		...property,
		displayOptions: {
			...property.displayOptions,
			show: { ...property.displayOptions?.show, operation: [operation] },
		},
	}));
}

/** The "Operation" parameter: the operations in their list's order, the first one the default. */
export function operationProperty(operations: readonly OperationDescription[]): INodeProperties {
	const firstOperation = operations[0].value;
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: operations.map(({ name, value, action, description }) => ({ name, value, action, description })),
		default: firstOperation,
	};
}

/**
 * The node's subtitle, "Edit: gemini-…". An unknown or missing operation reads as the first
 * (the default). The model arrives as a resource-locator object or, in some editor versions, as
 * its value.
 */
export function operationSubtitle(operations: readonly OperationDescription[]): string {
	const [first, ...others] = operations;
	const word = others.reduceRight(
		(otherwise, operation) => `$parameter["operation"] === ${JSON.stringify(operation.value)} ? ${JSON.stringify(operation.subtitle)} : ${otherwise}`,
		JSON.stringify(first.subtitle),
	);
	return `={{ (${word}) + ": " + (typeof $parameter["model"] === "object" ? $parameter["model"].value : $parameter["model"]) }}`;
}

/** The shared prompt field; each operation says what its prompt is for. */
export function promptProperty(placeholder: string, description: string): INodeProperties {
	return {
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder,
		description,
	};
}
