// @ts-check
'use strict';
/** Builders for the workflow and credential JSON the harness imports into n8n. */
const crypto = require('node:crypto');
const config = require('./config');

/**
 * A chain of nodes, each feeding the next, laid out left to right.
 * @param {{ id: string, name: string, nodes: any[], settings?: object }} spec
 */
function linearWorkflow({ id, name, nodes, settings }) {
	/** @type {Record<string, any>} */
	const connections = {};
	nodes.forEach((node, i) => {
		node.id ??= crypto.randomUUID();
		node.position ??= [i * 260, 0];
		node.parameters ??= {};
		if (i < nodes.length - 1) {
			connections[node.name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
		}
	});
	return { id, name, active: false, nodes, connections, settings: { executionOrder: 'v1', ...settings }, pinData: {} };
}

/** @param {string} [name] */
function manualTrigger(name = 'When clicking ‘Execute workflow’') {
	return { name, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} };
}

/**
 * Two core nodes producing one item with an image in binary field `binaryField`, no network or
 * file access needed: Set (base64 text) → Convert to File (Move Base64 String to File).
 * @param {Buffer} image
 * @param {{ fileName?: string, mimeType?: string, binaryField?: string }} [options]
 */
function inlineImageNodes(image, options = {}) {
	const { fileName = 'sample.png', mimeType = 'image/png', binaryField = 'data' } = options;
	return [
		{
			name: 'Sample image (base64)',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			parameters: {
				mode: 'manual',
				assignments: {
					assignments: [{ id: crypto.randomUUID(), name: 'imageBase64', value: image.toString('base64'), type: 'string' }],
				},
				options: {},
			},
		},
		{
			name: 'To image file',
			type: 'n8n-nodes-base.convertToFile',
			typeVersion: 1.1,
			parameters: {
				operation: 'toBinary',
				sourceProperty: 'imageBase64',
				binaryPropertyName: binaryField,
				options: { fileName, mimeType },
			},
		},
	];
}

/**
 * HTTP Request node downloading a file into binary field `data`.
 * @param {string} url
 * @param {string} [name]
 */
function httpDownloadNode(url, name = 'Download sample image') {
	return {
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		parameters: {
			url,
			options: { response: { response: { responseFormat: 'file', outputPropertyName: 'data' } } },
		},
	};
}

/**
 * The package's node, as it appears in workflow JSON (interface fixed with the node's authors).
 * @param {object} spec
 * @param {'aiStudio' | 'vertexAi'} [spec.authentication]
 * @param {{ id: string, name: string }} spec.credential
 * @param {'edit' | 'generate' | 'refine'} [spec.operation]
 * @param {string} spec.prompt
 * @param {string | null} [spec.model]  null: none saved (the node version's default applies)
 * @param {number} [spec.typeVersion]  default 1
 * @param {string} [spec.inputBinaryFields]
 * @param {string} [spec.outputBinaryField]
 * @param {Record<string, unknown>} [spec.options]
 * @param {string} [spec.name]
 */
function nanoBananaNode(spec) {
	const authentication = spec.authentication ?? 'aiStudio';
	const operation = spec.operation ?? 'edit';
	/** @type {Record<string, unknown>} */
	const parameters = {
		authentication,
		operation,
		prompt: spec.prompt,
	};
	// null: no model saved, as n8n stores a node left at its version's default model.
	if (spec.model !== null) parameters.model = { __rl: true, mode: 'id', value: spec.model ?? 'gemini-2.5-flash-image' };
	if (operation === 'edit' || operation === 'refine') parameters.inputBinaryFields = spec.inputBinaryFields ?? 'data';
	parameters.outputBinaryField = spec.outputBinaryField ?? 'data';
	parameters.options = spec.options ?? {};
	return {
		name: spec.name ?? 'Nano Banana',
		type: config.NODE_TYPE,
		typeVersion: spec.typeVersion ?? 1,
		parameters,
		credentials: { [config.CREDENTIAL_TYPES[authentication]]: spec.credential },
	};
}

/**
 * @param {object} spec
 * @param {string} spec.id
 * @param {string} spec.apiKey
 * @param {string} [spec.baseUrl]  omit for Google's real endpoint
 * @param {string} [spec.name]
 */
function aiStudioCredential({ id, apiKey, baseUrl, name = 'Nano Banana AI Studio' }) {
	/** @type {Record<string, unknown>} */
	const data = { apiKey };
	if (baseUrl) data.baseUrl = baseUrl;
	return { id, name, type: config.CREDENTIAL_TYPES.aiStudio, data };
}

/**
 * @param {object} spec
 * @param {string} spec.id
 * @param {string} spec.serviceAccountJson  contents of the key file
 * @param {string} [spec.location]
 * @param {string} [spec.projectId]
 * @param {string} [spec.baseUrl]
 * @param {string} [spec.name]
 */
function vertexCredential({ id, serviceAccountJson, location = 'global', projectId, baseUrl, name = 'Nano Banana Vertex AI' }) {
	/** @type {Record<string, unknown>} */
	const data = { serviceAccountJson, location };
	if (projectId) data.projectId = projectId;
	if (baseUrl) data.baseUrl = baseUrl;
	return { id, name, type: config.CREDENTIAL_TYPES.vertexAi, data };
}

module.exports = {
	linearWorkflow,
	manualTrigger,
	inlineImageNodes,
	httpDownloadNode,
	nanoBananaNode,
	aiStudioCredential,
	vertexCredential,
};
