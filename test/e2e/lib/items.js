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
/** The prompt of the item, for the Nano Banana node's "Prompt" parameter. */
const PROMPT_EXPRESSION = `={{ $('${SPLIT_NODE}').item.json.prompt }}`;

/**
 * @param {Array<{ prompt: string, image: Buffer, [key: string]: unknown }>} items
 * @param {{ mimeType?: string }} [options]
 */
function itemsWithImagesNodes(items, options = {}) {
	const payload = {
		items: items.map(({ image, ...rest }) => ({ ...rest, imageBase64: image.toString('base64') })),
	};
	return [
		{
			name: 'Item list',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			parameters: { mode: 'raw', jsonOutput: JSON.stringify(payload), options: {} },
		},
		{
			name: SPLIT_NODE,
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			parameters: { fieldToSplitOut: 'items', include: 'noOtherFields', options: {} },
		},
		{
			name: 'To image files',
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

/** @param {Buffer} bytes */
const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');

module.exports = { itemsWithImagesNodes, PROMPT_EXPRESSION, SPLIT_NODE, sha256 };
