// @ts-check
'use strict';
/**
 * Many items, each with its own prompt and image, from core nodes only (no Code node, no network):
 * Set (raw JSON: `{ items: [{ prompt, imageBase64, ... }] }`) → Split Out (`items`) → Convert to
 * File (binary `data`). Convert to File leaves the item's json empty, so a downstream node reads
 * the prompt through the paired-item chain: `PROMPT_EXPRESSION`.
 */
const crypto = require('node:crypto');

const SPLIT_NODE = 'Items';

/**
 * The item's prompt, for the Nano Banana node's "Prompt" parameter.
 * @param {string} [prefix] as given to itemsWithImagesNodes
 */
function promptExpression(prefix = '') {
	return `={{ $('${prefix}${SPLIT_NODE}').item.json.prompt }}`;
}
const PROMPT_EXPRESSION = promptExpression();

/**
 * @param {Array<{ prompt: string, image: Buffer, [key: string]: unknown }>} items
 * @param {{ mimeType?: string, prefix?: string }} [options]  prefix: put before every node name (several lists in one workflow)
 */
function itemsWithImagesNodes(items, options = {}) {
	const prefix = options.prefix ?? '';
	const payload = {
		items: items.map(({ image, ...rest }) => ({ ...rest, imageBase64: image.toString('base64') })),
	};
	return [
		{
			name: `${prefix}Item list`,
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			parameters: { mode: 'raw', jsonOutput: JSON.stringify(payload), options: {} },
		},
		{
			name: `${prefix}${SPLIT_NODE}`,
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			parameters: { fieldToSplitOut: 'items', include: 'noOtherFields', options: {} },
		},
		{
			name: `${prefix}To image files`,
			type: 'n8n-nodes-base.convertToFile',
			typeVersion: 1.1,
			parameters: {
				operation: 'toBinary',
				sourceProperty: 'imageBase64',
				binaryPropertyName: 'data',
				options: { fileName: 'input.png', mimeType: options.mimeType ?? 'image/png' },
			},
		},
	];
}

/**
 * One trigger feeding several chains (branches), each laid out on its own row. n8n's v1 execution
 * order runs the branches one after the other, top to bottom.
 * @param {{ id: string, name: string, trigger: any, branches: any[][], settings?: object }} spec
 */
function fanOutWorkflow({ id, name, trigger, branches, settings }) {
	/** @type {Record<string, any>} */
	const connections = { [trigger.name]: { main: [branches.map((chain) => ({ node: chain[0].name, type: 'main', index: 0 }))] } };
	const nodes = [{ id: crypto.randomUUID(), position: [0, 0], parameters: {}, ...trigger }];
	branches.forEach((chain, row) => {
		chain.forEach((node, i) => {
			nodes.push({ id: crypto.randomUUID(), position: [(i + 1) * 260, row * 200], parameters: {}, ...node });
			if (i < chain.length - 1) connections[node.name] = { main: [[{ node: chain[i + 1].name, type: 'main', index: 0 }]] };
		});
	});
	return { id, name, active: false, nodes, connections, settings: { executionOrder: 'v1', ...settings }, pinData: {} };
}

/** @param {Buffer} bytes */
const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');

module.exports = { itemsWithImagesNodes, promptExpression, PROMPT_EXPRESSION, SPLIT_NODE, fanOutWorkflow, sha256 };
