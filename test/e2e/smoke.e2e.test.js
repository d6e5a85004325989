// @ts-check
'use strict';
/**
 * Smoke test of the whole chain: the packed package installed into a real n8n as a community
 * package, an AI Studio credential pointed at the emulator, a workflow executed with
 * `n8n execute`, and the editor's owner login.
 */
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const config = require('./lib/config');
const n8n = require('./lib/n8n');
const wf = require('./lib/workflows');
const { samplePng, isPng } = require('./lib/png');
const { freshHome } = require('./lib/fixture');
const { startEmulator } = require('./lib/emulator');
const { readPngInfo } = require('../emulator/server');

describe('smoke: package in a real n8n', () => {
	/** @type {import('./lib/home').N8nHome} */
	let home;
	/** @type {() => void} */
	let dispose = () => {};
	/** @type {import('./lib/emulator').RunningEmulator | undefined} */
	let emulator;
	const credential = { id: 'smokeAiStudio001', name: 'Smoke AI Studio (emulator)' };

	before(async () => {
		emulator = await startEmulator();
		({ home, dispose } = await freshHome());
		await n8n.importCredentials(home, [
			wf.aiStudioCredential({ ...credential, apiKey: emulator.apiKey, baseUrl: emulator.url }),
		]);
	});

	after(async () => {
		await emulator?.stop();
		dispose();
	});

	it('installs the tarball as a community package', () => {
		const dir = path.join(home.nodesDir, 'node_modules', config.PACKAGE_NAME);
		const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
		for (const file of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
			assert.ok(fs.existsSync(path.join(dir, file)), `${file} is in the installed package`);
		}
		assert.ok(!fs.existsSync(path.join(dir, 'node_modules', 'n8n-workflow')), 'peer n8n-workflow is not bundled');
	});

	it('edits an image through the emulator with `n8n execute`', async () => {
		const input = samplePng();
		const prompt = `smoke test ${crypto.randomUUID()}: paint the sky purple`;
		const workflow = wf.linearWorkflow({
			id: 'smokeEditImage01',
			name: 'Smoke: edit image',
			nodes: [
				wf.manualTrigger(),
				...wf.inlineImageNodes(input),
				wf.nanoBananaNode({ credential, operation: 'edit', prompt }),
			],
		});
		await n8n.importWorkflows(home, [workflow]);

		const result = await n8n.executeWorkflow(home, workflow.id);
		assert.equal(result.success, true, `execution failed: ${JSON.stringify(result.error)}`);

		const items = n8n.nodeOutput(result.run, 'Nano Banana');
		assert.equal(items.length, 1);
		const [item] = items;
		assert.deepEqual(item.pairedItem, { item: 0 });
		const binary = item.binary?.data;
		assert.ok(binary, `binary "data" in ${JSON.stringify(Object.keys(item.binary ?? {}))}`);
		assert.equal(binary.mimeType, 'image/png');

		const bytes = n8n.readBinary(home, binary);
		assert.ok(isPng(bytes), 'output is a PNG');
		const info = readPngInfo(bytes);
		assert.ok(info.meta, 'PNG carries the emulator metadata');
		assert.equal(info.meta.prompt, prompt);
		assert.equal(info.meta.backend, 'gemini');
		assert.deepEqual(
			info.meta.inputs,
			[crypto.createHash('sha256').update(input).digest('hex')],
			'the emulator received exactly the input image',
		);
	});

	it('serves the editor and lets the owner log in', async () => {
		const server = await n8n.startN8n(home, { port: 0 });
		try {
			const session = await n8n.login(server.url, server.owner);
			assert.equal(session.user.email, config.OWNER.email);
			const res = await fetch(`${server.url}/types/nodes.json`, {
				headers: { cookie: session.cookie, 'browser-id': session.browserId },
			});
			assert.equal(res.status, 200);
			const types = /** @type {{ name: string }[]} */ (await res.json());
			assert.ok(
				types.some((t) => t.name === config.NODE_TYPE),
				`${config.NODE_TYPE} is among the editor's node types`,
			);
			const page = await fetch(`${server.url}/signin`);
			assert.equal(page.status, 200);
			assert.match(await page.text(), /<div id="app"/);
		} finally {
			await server.stop();
		}
	});
});
