#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * Checks a running `npm start -- --headless` from the JSON line it printed (CI runs it, .ci/run):
 * n8n answers, the owner login works, and n8n serves what a newcomer should find: the Nano Banana
 * node and both credential types, the two credentials, the demo workflows and every
 * examples/*.json under its own id.
 *
 * Usage: node test/e2e/check-start.js <file holding npm start's stdout>
 */
const fs = require('node:fs');
const path = require('node:path');
const config = require('./lib/config');
const { login, restJson } = require('./lib/server');
const { DEMO_IDS, CREDENTIAL_IDS } = require('./start');

async function main() {
	const file = process.argv[2];
	if (!file) throw new Error('usage: node test/e2e/check-start.js <file with npm start --headless output>');
	const line = fs.readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith('{'));
	if (!line) throw new Error(`${file} holds no JSON line: npm start did not get ready`);
	/** @type {{ url: string, email: string, password: string }} */
	const started = JSON.parse(line);
	const session = await login(started.url, { email: started.email, password: started.password });
	/** @param {string} route */
	const get = async (route) => {
		const body = await restJson(started.url, 'GET', route, { session });
		return /** @type {any[]} */ (Array.isArray(body) ? body : body.data);
	};

	const problems = [];
	const nodeTypes = (await get('/types/nodes.json')).map((t) => t.name);
	if (!nodeTypes.includes(config.NODE_TYPE)) problems.push(`n8n does not list the node ${config.NODE_TYPE}`);
	const credentialTypes = (await get('/types/credentials.json')).map((t) => t.name);
	for (const type of Object.values(config.CREDENTIAL_TYPES)) {
		if (!credentialTypes.includes(type)) problems.push(`n8n does not know the credential type ${type}`);
	}
	const credentials = await get('/rest/credentials');
	for (const id of Object.values(CREDENTIAL_IDS)) {
		if (!credentials.some((c) => c.id === id)) problems.push(`credential ${id} is missing`);
	}
	const workflows = new Map((await get('/rest/workflows')).map((w) => [w.id, w.name]));
	const examplesDir = path.join(config.REPO_ROOT, 'examples');
	const examples = fs
		.readdirSync(examplesDir)
		.filter((f) => f.endsWith('.json'))
		.map((f) => ({ file: f, id: JSON.parse(fs.readFileSync(path.join(examplesDir, f), 'utf8')).id }));
	for (const { file, id } of examples) if (!workflows.has(id)) problems.push(`examples/${file} (id ${id}) is not in n8n`);
	for (const id of Object.values(DEMO_IDS)) if (!workflows.has(id)) problems.push(`demo workflow ${id} is missing`);

	if (problems.length) throw new Error(`npm start is not what a newcomer should get:\n  ${problems.join('\n  ')}`);
	process.stdout.write(
		`npm start at ${started.url}: node ${config.NODE_TYPE} and ${Object.keys(config.CREDENTIAL_TYPES).length} credential types loaded, ` +
			`${credentials.length} credentials, ${workflows.size} workflows (${examples.length} examples, ${Object.keys(DEMO_IDS).length} demos)\n`,
	);
}

main().catch((err) => {
	process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
	process.exit(1);
});
