// @ts-check
'use strict';
/**
 * The benchmark's workflows. Every one starts the same way (Manual Trigger → a 3 s Wait while n8n's
 * task runner starts → Read/Write Files from Disk reading a glob of PNGs into binary `data`) and ends
 * with the contender under test:
 *   - this package's node (edit, AI Studio credential, Max Concurrency N);
 *   - n8n's built-in Google Gemini node, Image → Edit Image (typeVersion 1.2, the default the
 *     editor adds in n8n 2.41), credential googlePalmApi with its host on the emulator;
 *   - the hand-built chain public templates use: Code (base64 inlineData body) → HTTP Request
 *     (POST generateContent, x-goog-api-key header, default options) → Code (base64 → binary);
 *   - a No Operation node, for the memory baseline.
 */
const crypto = require('node:crypto');
const wf = require('../../e2e/lib/workflows');

const MODEL = 'gemini-2.5-flash-image';
/** How long each bench workflow waits before reading its files (see settleNode). */
const SETTLE_SECONDS = 3;
const PROMPT = 'Replace the background with a plain white studio backdrop; keep the product exactly as it is';

/** Node names, used to read each node's run data. */
const NAMES = {
	read: 'Read images',
	ours: 'Nano Banana',
	builtin: 'Google Gemini',
	httpBuild: 'Build Gemini request',
	httpCall: 'Gemini generateContent',
	httpConvert: 'Base64 to image',
	noop: 'No Operation',
	items: 'Image URLs',
	fetch: 'Fetch image',
};

/** @param {string} glob */
function readFilesNode(glob) {
	return {
		name: NAMES.read,
		type: 'n8n-nodes-base.readWriteFile',
		typeVersion: 1.1,
		parameters: { operation: 'read', fileSelector: glob, options: {} },
	};
}

/**
 * @param {object} spec
 * @param {string} spec.id
 * @param {string} spec.name
 * @param {string} spec.glob
 * @param {any[]} spec.nodes   the nodes after the reader
 */
function benchWorkflow({ id, name, glob, nodes }) {
	return wf.linearWorkflow({ id, name, nodes: [wf.manualTrigger(), settleNode(), readFilesNode(glob), ...nodes] });
}

/**
 * Every case is a fresh `n8n execute`, which starts its task runner (a second Node process) as it
 * starts the workflow; the runner's start-up takes most of a CPU for about a second. A running n8n
 * started its runner long before, so the workflow first waits for that to pass: the contenders are
 * measured against n8n at work, not n8n booting.
 */
function settleNode() {
	return {
		name: 'Let n8n settle',
		type: 'n8n-nodes-base.wait',
		typeVersion: 1.1,
		webhookId: crypto.randomUUID(),
		parameters: { resume: 'timeInterval', amount: SETTLE_SECONDS, unit: 'seconds' },
	};
}

/**
 * @param {{ id: string, name: string }} credential
 * @param {number} maxConcurrency
 * @param {Record<string, unknown>} [options]   other options (e.g. requestsPerMinute)
 */
function oursNode(credential, maxConcurrency, options = {}) {
	return wf.nanoBananaNode({ name: NAMES.ours, credential, prompt: PROMPT, model: MODEL, options: { maxConcurrency, ...options } });
}

/**
 * Webhook (POST, answers when the last node is done) → Read/Write Files from Disk (the glob the
 * caller posts) → this package's node: one execution per call, as when uploads arrive together.
 * @param {{ id: string, name: string, path: string, credential: { id: string, name: string }, maxConcurrency: number }} spec
 */
function webhookWorkflow({ id, name, path: hookPath, credential, maxConcurrency }) {
	const webhook = {
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		webhookId: crypto.createHash('sha256').update(hookPath).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5'),
		parameters: { httpMethod: 'POST', path: hookPath, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
	};
	const read = { ...readFilesNode('={{ $json.body.glob }}') };
	return wf.linearWorkflow({ id, name, nodes: [webhook, read, oursNode(credential, maxConcurrency)] });
}

/** @param {{ id: string, name: string }} credential */
function builtinNode(credential) {
	return {
		name: NAMES.builtin,
		type: '@n8n/n8n-nodes-langchain.googleGemini',
		typeVersion: 1.2,
		parameters: {
			resource: 'image',
			operation: 'edit',
			modelId: { __rl: true, mode: 'id', value: `models/${MODEL}` },
			prompt: PROMPT,
			images: { values: [{ binaryPropertyName: 'data' }] },
			options: {},
		},
		credentials: { googlePalmApi: credential },
	};
}

/** Code node (JavaScript, run once for all items). @param {string} name @param {string} jsCode */
function codeNode(name, jsCode) {
	return {
		name,
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		parameters: { mode: 'runOnceForAllItems', language: 'javaScript', jsCode },
	};
}

/**
 * The template-style chain. The HTTP Request node keeps its default options (no batching, no
 * retry): that is how the public templates ship it.
 * @param {{ url: string, apiKey: string }} emulator
 */
function httpChainNodes(emulator) {
	const build = `// Turn each image into a Gemini generateContent body (base64 inlineData), as the templates do.
const items = $input.all();
const out = [];
for (let i = 0; i < items.length; i++) {
  const buffer = await this.helpers.getBinaryDataBuffer(i, 'data');
  out.push({
    json: {
      fileName: items[i].binary.data.fileName,
      requestBody: {
        contents: [{ parts: [
          { text: ${JSON.stringify(PROMPT)} },
          { inline_data: { mime_type: items[i].binary.data.mimeType, data: buffer.toString('base64') } },
        ] }],
        generationConfig: { responseModalities: ['TEXT', 'IMAGE'] },
      },
    },
    pairedItem: { item: i },
  });
}
return out;`;
	const convert = `// Take the image part of each answer and hand it on as a binary file.
const items = $input.all();
const out = [];
for (let i = 0; i < items.length; i++) {
  const parts = items[i].json.candidates?.[0]?.content?.parts ?? [];
  const image = parts.find((p) => (p.inlineData || p.inline_data) && !p.thought);
  if (!image) throw new Error('No image in the answer for item ' + i);
  const inline = image.inlineData ?? image.inline_data;
  out.push({
    json: { text: parts.filter((p) => p.text && !p.thought).map((p) => p.text).join('\\n') },
    binary: { data: { data: inline.data, mimeType: inline.mimeType ?? inline.mime_type, fileName: 'edited.png', fileExtension: 'png' } },
    pairedItem: { item: i },
  });
}
return out;`;
	return [
		codeNode(NAMES.httpBuild, build),
		{
			name: NAMES.httpCall,
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			parameters: {
				method: 'POST',
				url: `${emulator.url}/v1beta/models/${MODEL}:generateContent`,
				sendHeaders: true,
				headerParameters: { parameters: [{ name: 'x-goog-api-key', value: emulator.apiKey }] },
				sendBody: true,
				specifyBody: 'json',
				jsonBody: '={{ JSON.stringify($json.requestBody) }}',
				options: {},
			},
		},
		codeNode(NAMES.httpConvert, convert),
	];
}

/**
 * Issue 24's memory measure: Manual Trigger → (settle) → a Code node making one item per image URL
 * (`{ url, fileName }`) → HTTP Request fetching each PNG into binary `data` → the contender. The
 * images come from a local server (`test/e2e/lib/image-server.js`), not from disk.
 * @param {{ id: string, name: string, urls: string[], nodes: any[] }} spec
 */
function httpItemsWorkflow({ id, name, urls, nodes }) {
	const list = urls.map((url) => ({ url, fileName: url.slice(url.lastIndexOf('/') + 1) }));
	const items = codeNode(NAMES.items, `return ${JSON.stringify(list)}.map((json) => ({ json }));`);
	const fetch = {
		name: NAMES.fetch,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		parameters: {
			url: '={{ $json.url }}',
			options: { response: { response: { responseFormat: 'file', outputPropertyName: 'data' } } },
		},
	};
	return wf.linearWorkflow({ id, name, nodes: [wf.manualTrigger(), settleNode(), items, fetch, ...nodes] });
}

function noopNode() {
	return { name: NAMES.noop, type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} };
}

/** Short, stable workflow ids (n8n takes up to 21 characters). @param {string} key */
function idFor(key) {
	return `bench${crypto.createHash('sha256').update(key).digest('hex').slice(0, 11)}`;
}

module.exports = { MODEL, PROMPT, NAMES, benchWorkflow, httpItemsWorkflow, webhookWorkflow, oursNode, builtinNode, httpChainNodes, noopNode, idFor };
