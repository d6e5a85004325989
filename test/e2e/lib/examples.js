// @ts-check
'use strict';
/**
 * The example workflows in `examples/` as the e2e suite sees them: reading them, checking their
 * shape without n8n (nodes, credentials, connections), and "stand-in" copies in which only the
 * nodes that need a third-party account or the internet are swapped for local ones:
 *
 *   Google Drive Trigger, Schedule Trigger  → Manual Trigger            (same name, id, position)
 *   Google Drive download                   → HTTP Request (file) to the local image server
 *   HTTP Request to https://example.com/…   → the same node, URL pointed at the local image server
 *   Slack, Google Drive upload              → No Operation             (same name, id, position)
 *
 * Node names stay, so the example's connections are kept as they are; every Nano Banana node is
 * kept byte for byte. The files themselves are never written: each copy is a deep copy in memory.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const config = require('./config');
const { createPng } = require('./png');

/** `NANO_BANANA_EXAMPLES_DIR` points the suite at other files (e.g. a broken copy, to see the checks fail). */
const EXAMPLES_DIR = process.env.NANO_BANANA_EXAMPLES_DIR
	? path.resolve(process.env.NANO_BANANA_EXAMPLES_DIR)
	: path.join(config.REPO_ROOT, 'examples');

/** The example files the suite knows how to run (a new file needs a decision here). */
const EXAMPLE_FILES = Object.freeze({
	batchToDrive: 'schedule-images-batch-to-drive.json',
	compose: 'compose-two-images.json',
	driveToSlack: 'drive-to-slack-background-swap.json',
	generate: 'generate-from-prompt.json',
	scheduleToDrive: 'schedule-url-list-to-drive.json',
	sumCost: 'sum-run-cost.json',
	webhook: 'webhook-upload-respond-image.json',
	editThenRefine: 'edit-then-refine.json',
	chatRefine: 'chat-refine-across-executions.json',
});

/** Credential ids the examples' Nano Banana nodes use, per credential type. */
const DEMO_CREDENTIAL_IDS = Object.freeze({
	[config.CREDENTIAL_TYPES.aiStudio]: 'nanoBananaAiStudioDemo',
	[config.CREDENTIAL_TYPES.vertexAi]: 'nanoBananaVertexAiDemo',
});
/** `authentication` parameter value → the credential type it needs. */
const AUTH_TO_CREDENTIAL = Object.freeze({
	aiStudio: config.CREDENTIAL_TYPES.aiStudio,
	vertexAi: config.CREDENTIAL_TYPES.vertexAi,
});

/** The placeholder host of the examples' image URLs. */
const PLACEHOLDER_ORIGIN = 'https://example.com';

const TYPES = Object.freeze({
	stickyNote: 'n8n-nodes-base.stickyNote',
	manualTrigger: 'n8n-nodes-base.manualTrigger',
	scheduleTrigger: 'n8n-nodes-base.scheduleTrigger',
	googleDriveTrigger: 'n8n-nodes-base.googleDriveTrigger',
	googleDrive: 'n8n-nodes-base.googleDrive',
	httpRequest: 'n8n-nodes-base.httpRequest',
	slack: 'n8n-nodes-base.slack',
	noOp: 'n8n-nodes-base.noOp',
	webhook: 'n8n-nodes-base.webhook',
	nanoBanana: config.NODE_TYPE,
});

/** `*.json` files in examples/, sorted. */
function exampleFileNames() {
	return fs
		.readdirSync(EXAMPLES_DIR)
		.filter((f) => f.endsWith('.json'))
		.sort();
}

/**
 * The parsed file (a fresh object every call: callers may change it).
 * @param {string} file  name in examples/
 * @returns {any}
 */
function loadExample(file) {
	return JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'));
}

/**
 * @param {any} workflow
 * @returns {any[]}
 */
function nanoBananaNodes(workflow) {
	return workflow.nodes.filter((/** @type {any} */ n) => n.type === TYPES.nanoBanana);
}

/**
 * Nodes that take part in the flow (not sticky notes).
 * @param {any} workflow
 * @returns {any[]}
 */
function flowNodes(workflow) {
	return workflow.nodes.filter((/** @type {any} */ n) => n.type !== TYPES.stickyNote);
}

/**
 * Every `main` connection as [from, outputIndex, to, inputIndex].
 * @param {any} workflow
 * @returns {Array<{ from: string, output: number, to: string, input: number }>}
 */
function mainConnections(workflow) {
	/** @type {Array<{ from: string, output: number, to: string, input: number }>} */
	const out = [];
	for (const [from, byType] of Object.entries(workflow.connections ?? {})) {
		(/** @type {any} */ (byType).main ?? []).forEach((/** @type {any[] | null} */ targets, /** @type {number} */ output) => {
			for (const t of targets ?? []) out.push({ from, output, to: t.node, input: t.index });
		});
	}
	return out;
}

/**
 * Shape problems of an example, as readable sentences (empty when fine): no stable workflow id,
 * connections to or from unknown nodes, flow nodes the trigger never reaches, more or fewer than
 * one trigger, Nano Banana nodes whose credential does not match their authentication
 * or is not the demo credential id, no sticky note.
 * @param {any} workflow
 * @returns {string[]}
 */
function shapeProblems(workflow) {
	/** @type {string[]} */
	const problems = [];
	if (typeof workflow.id !== 'string' || !/^[A-Za-z0-9]{16}$/.test(workflow.id)) {
		problems.push(`no stable "id" (16 letters and digits, like n8n's own): n8n import:workflow --input=<file> fails without one`);
	}
	const names = new Set(workflow.nodes.map((/** @type {any} */ n) => n.name));
	if (names.size !== workflow.nodes.length) problems.push('two nodes share a name');
	const connections = mainConnections(workflow);
	for (const c of connections) {
		if (!names.has(c.from)) problems.push(`a connection starts at "${c.from}", which is not a node`);
		if (!names.has(c.to)) problems.push(`"${c.from}" connects to "${c.to}", which is not a node`);
	}
	const flow = flowNodes(workflow);
	const hasInput = new Set(connections.map((c) => c.to));
	const starts = flow.filter((n) => !hasInput.has(n.name));
	if (starts.length !== 1) {
		problems.push(`expected one trigger (a node nothing connects to), found ${starts.length}: ${starts.map((n) => n.name).join(', ')}`);
	}
	const reached = new Set(starts.map((n) => n.name));
	for (let grew = true; grew; ) {
		grew = false;
		for (const c of connections) {
			if (reached.has(c.from) && !reached.has(c.to)) {
				reached.add(c.to);
				grew = true;
			}
		}
	}
	for (const n of flow) if (!reached.has(n.name)) problems.push(`"${n.name}" is not connected to the trigger`);
	const nano = nanoBananaNodes(workflow);
	if (!nano.length) problems.push(`no node of type ${TYPES.nanoBanana}`);
	for (const n of nano) {
		const auth = n.parameters?.authentication ?? 'aiStudio';
		const credType = /** @type {Record<string, string>} */ (AUTH_TO_CREDENTIAL)[auth];
		const creds = Object.keys(n.credentials ?? {});
		if (!credType) problems.push(`"${n.name}": unknown authentication "${auth}"`);
		else if (creds.length !== 1 || creds[0] !== credType) {
			problems.push(`"${n.name}": authentication "${auth}" needs credential type ${credType}, the node has ${creds.join(', ') || 'none'}`);
		} else if (n.credentials[credType].id !== DEMO_CREDENTIAL_IDS[credType]) {
			problems.push(`"${n.name}": credential id "${n.credentials[credType].id}", expected "${DEMO_CREDENTIAL_IDS[credType]}"`);
		}
	}
	if (!workflow.nodes.some((/** @type {any} */ n) => n.type === TYPES.stickyNote)) problems.push('no sticky note saying what to set');
	return problems;
}

/** @param {Buffer} bytes */
const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');

/**
 * A small PNG whose pixels follow from `key` (a URL path): each served path has its own bytes
 * and so its own sha256 in the emulator's metadata.
 * @param {string} key
 */
function imageFor(key) {
	const h = crypto.createHash('sha256').update(key).digest();
	return createPng(48 + (h[0] % 16), 36 + (h[1] % 12), (x, y) => [(h[2] + x * 3) % 256, (h[3] + y * 5) % 256, h[4]], {
		Description: `nano-banana examples e2e: ${key}`,
	});
}

/**
 * Every `https://example.com/…` URL written in the example files (node parameters and code).
 * @returns {string[]}
 */
function placeholderUrls() {
	const urls = new Set();
	for (const file of exampleFileNames()) {
		const text = fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8');
		for (const m of text.matchAll(/https:\/\/example\.com\/[A-Za-z0-9._~\/-]+/g)) urls.add(m[0]);
	}
	return [...urls];
}

/** Where the Google Drive download stand-in fetches "the new photo" from (the stickies' `mug.jpg`). */
const DRIVE_STAND_IN_PATH = '/drive/mug.jpg';

/**
 * The files the local image server serves: one image per placeholder URL path of the examples and
 * one for the Drive stand-in. PNG bytes whatever the extension (the server says image/png).
 * @returns {Record<string, { body: Buffer, type: string }>}
 */
function imageServerFiles() {
	/** @type {Record<string, { body: Buffer, type: string }>} */
	const files = {};
	for (const p of [...placeholderUrls().map((u) => new URL(u).pathname), DRIVE_STAND_IN_PATH]) {
		files[p] = { body: imageFor(p), type: 'image/png' };
	}
	return files;
}

/**
 * A placeholder URL's local counterpart.
 * @param {string} url
 * @param {string} serverUrl
 */
function localUrl(url, serverUrl) {
	if (!url.startsWith(`${PLACEHOLDER_ORIGIN}/`)) throw new Error(`not a placeholder URL: ${url}`);
	return `${serverUrl}${url.slice(PLACEHOLDER_ORIGIN.length)}`;
}

/**
 * The node's `url` parameter pointed at the local image server: a literal placeholder URL is
 * rewritten; an expression (`={{ $json.url }}`) keeps its value but has the placeholder origin
 * replaced when it is evaluated.
 * @param {string} url
 * @param {string} serverUrl
 */
function localUrlParameter(url, serverUrl) {
	if (typeof url !== 'string') throw new Error(`URL parameter is not a string: ${JSON.stringify(url)}`);
	const expr = /^=\{\{([\s\S]*)\}\}\s*$/.exec(url);
	if (expr) return `={{ String(${expr[1].trim()}).replace(${JSON.stringify(PLACEHOLDER_ORIGIN)}, ${JSON.stringify(serverUrl)}) }}`;
	return localUrl(url, serverUrl);
}

/**
 * A node that keeps `node`'s place (name, id, position) with another type.
 * @param {any} node
 * @param {string} type
 * @param {number} typeVersion
 * @param {Record<string, unknown>} parameters
 */
function replacement(node, type, typeVersion, parameters) {
	return { id: node.id, name: node.name, type, typeVersion, position: node.position, parameters };
}

/**
 * Swaps the one-or-more nodes of `type` in `workflow` (in place) with `make(node)`; throws when the
 * example has no such node (the stand-in plan no longer fits the file).
 * @param {any} workflow
 * @param {string} type
 * @param {(node: any) => any} make
 * @param {{ where?: (node: any) => boolean, what: string }} describe
 */
function swapNodes(workflow, type, make, describe) {
	const where = describe.where ?? (() => true);
	let count = 0;
	workflow.nodes = workflow.nodes.map((/** @type {any} */ n) => {
		if (n.type !== type || !where(n)) return n;
		count++;
		return make(n);
	});
	if (!count) throw new Error(`"${workflow.name}": no ${describe.what} (${type}) to swap for a local stand-in`);
	return count;
}

/**
 * A deep copy of an example under a new id and name, inactive.
 * @param {any} example
 * @param {string} id
 */
function copyOf(example, id) {
	const copy = structuredClone(example);
	copy.id = id;
	copy.name = `${example.name} [e2e stand-ins]`;
	copy.active = false;
	return copy;
}

/** Ids of the stand-in copies (n8n accepts up to 21 characters). */
const STAND_IN_IDS = Object.freeze({
	compose: 'exComposeStandIn',
	driveToSlack: 'exDriveSlackStIn',
	scheduleToDrive: 'exScheduleDriveS',
	batchToDrive: 'exBatchDriveStIn',
	editThenRefine: 'exEditRefineStIn',
});

/**
 * compose-two-images (and edit-then-refine, with its own id): the HTTP Request nodes download
 * from the local image server.
 * @param {any} example
 * @param {string} serverUrl
 * @param {string} [id]
 */
function composeStandIn(example, serverUrl, id = STAND_IN_IDS.compose) {
	const copy = copyOf(example, id);
	swapNodes(
		copy,
		TYPES.httpRequest,
		(n) => ({ ...n, parameters: { ...n.parameters, url: localUrlParameter(n.parameters.url, serverUrl) } }),
		{ what: 'HTTP Request download' },
	);
	return copy;
}

/**
 * drive-to-slack-background-swap: Drive trigger → Manual Trigger, Drive download → HTTP Request
 * (file, into the binary field the Drive node would fill), Slack → No Operation.
 * @param {any} example
 * @param {string} serverUrl
 */
function driveToSlackStandIn(example, serverUrl) {
	const copy = copyOf(example, STAND_IN_IDS.driveToSlack);
	swapNodes(copy, TYPES.googleDriveTrigger, (n) => replacement(n, TYPES.manualTrigger, 1, {}), { what: 'Google Drive Trigger' });
	swapNodes(
		copy,
		TYPES.googleDrive,
		(n) =>
			replacement(n, TYPES.httpRequest, 4.2, {
				url: `${serverUrl}${DRIVE_STAND_IN_PATH}`,
				options: {
					response: {
						response: { responseFormat: 'file', outputPropertyName: n.parameters?.options?.binaryPropertyName ?? 'data' },
					},
				},
			}),
		{ what: 'Google Drive download', where: (n) => n.parameters?.operation === 'download' },
	);
	swapNodes(copy, TYPES.slack, (n) => replacement(n, TYPES.noOp, 1, {}), { what: 'Slack node' });
	return copy;
}

/**
 * schedule-url-list-to-drive and schedule-images-batch-to-drive (pass its id): Schedule Trigger →
 * Manual Trigger, the HTTP download reads the placeholder URLs (from the Code node, unchanged) off
 * the local image server, Drive upload → No Operation.
 * @param {any} example
 * @param {string} serverUrl
 * @param {string} [id]
 */
function scheduleToDriveStandIn(example, serverUrl, id = STAND_IN_IDS.scheduleToDrive) {
	const copy = copyOf(example, id);
	swapNodes(copy, TYPES.scheduleTrigger, (n) => replacement(n, TYPES.manualTrigger, 1, {}), { what: 'Schedule Trigger' });
	swapNodes(
		copy,
		TYPES.httpRequest,
		(n) => ({ ...n, parameters: { ...n.parameters, url: localUrlParameter(n.parameters.url, serverUrl) } }),
		{ what: 'HTTP Request download' },
	);
	swapNodes(copy, TYPES.googleDrive, (n) => replacement(n, TYPES.noOp, 1, {}), {
		what: 'Google Drive upload',
		where: (n) => (n.parameters?.operation ?? 'upload') === 'upload',
	});
	return copy;
}

/**
 * Names of the No Operation nodes a stand-in copy put where the example has `type`.
 * @param {any} example
 * @param {string} type
 */
function standInNames(example, type) {
	return example.nodes.filter((/** @type {any} */ n) => n.type === type).map((/** @type {any} */ n) => n.name);
}

/**
 * Parameters of `node` that n8n itself would drop when it loads the node: names its version does
 * not have, or that its display options hide with the node's other values (n8n-workflow's
 * `NodeHelpers.getNodeParameters`, defaults included, from the n8n being tested). Paths like
 * `options.channelId`; nested collections are followed, resource locators and lists are not.
 * @param {any} node
 * @param {any} description  the node type's description for the node's version
 * @param {any} nodeHelpers  `require('<n8n install>/node_modules/n8n-workflow').NodeHelpers`
 * @returns {string[]}
 */
function droppedParameters(node, description, nodeHelpers) {
	const kept = nodeHelpers.getNodeParameters(description.properties, node.parameters ?? {}, true, false, { ...node }, description);
	/** @type {string[]} */
	const dropped = [];
	const walk = (/** @type {any} */ given, /** @type {any} */ resolved, /** @type {string} */ prefix) => {
		for (const [key, value] of Object.entries(given ?? {})) {
			if (!resolved || typeof resolved !== 'object' || !(key in resolved)) dropped.push(`${prefix}${key}`);
			else if (value && typeof value === 'object' && !Array.isArray(value) && !value.__rl) walk(value, resolved[key], `${prefix}${key}.`);
		}
	};
	walk(node.parameters, kept, '');
	return dropped;
}

/**
 * The string literals of a JavaScript snippet that are placeholder URLs, in order (the Code node
 * of the schedule example lists its image URLs this way).
 * @param {string} code
 */
function placeholderUrlsIn(code) {
	return [...code.matchAll(/['"`](https:\/\/example\.com\/[^'"`\s]+)['"`]/g)].map((m) => m[1]);
}

module.exports = {
	EXAMPLES_DIR,
	EXAMPLE_FILES,
	DEMO_CREDENTIAL_IDS,
	AUTH_TO_CREDENTIAL,
	PLACEHOLDER_ORIGIN,
	TYPES,
	STAND_IN_IDS,
	DRIVE_STAND_IN_PATH,
	exampleFileNames,
	loadExample,
	nanoBananaNodes,
	flowNodes,
	mainConnections,
	shapeProblems,
	imageFor,
	imageServerFiles,
	placeholderUrls,
	placeholderUrlsIn,
	localUrl,
	localUrlParameter,
	composeStandIn,
	driveToSlackStandIn,
	scheduleToDriveStandIn,
	standInNames,
	droppedParameters,
	sha256,
};
