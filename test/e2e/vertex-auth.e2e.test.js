// @ts-check
'use strict';
/**
 * Issue 10 in a real n8n: Vertex AI through each of the three ways to authenticate (a key file
 * saved before the method selector existed, the runtime's metadata server, a Vertex API key in
 * express mode), 5 items each; Google Search grounding and a JPEG answer on Vertex; n8n's
 * credential test for each method; and (issue 9 defect 6) a location that would send the token
 * elsewhere, refused by the credential test before any request.
 */
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');

const n8n = require('./lib/n8n');
const wf = require('./lib/workflows');
const { itemsWithImagesNodes, PROMPT_EXPRESSION } = require('./lib/items');
const { samplePng } = require('./lib/png');
const { freshHome } = require('./lib/fixture');
const { startEmulator } = require('./lib/emulator');
const config = require('./lib/config');

const VERTEX = config.CREDENTIAL_TYPES.vertexAi;

describe('Vertex AI without a key file, grounding and JPEG output, in a real n8n', () => {
	/** @type {import('./lib/home').N8nHome} */
	let home;
	/** @type {() => void} */
	let dispose = () => {};
	/** @type {import('./lib/emulator').RunningEmulator | undefined} */
	let emulator;
	/** @type {string} */
	let vertexApiKey;
	/** @type {string} */
	let serviceAccountJson;

	const keyFile = { id: 'vxOldKeyFile0001', name: 'Vertex key file, saved before authMethod existed' };
	const runtime = { id: 'vxMetadata000001', name: 'Vertex runtime identity (metadata server)' };
	const apiKey = { id: 'vxApiKeyExpress1', name: 'Vertex API key (express mode)' };
	const badLocation = { id: 'vxBadLocation001', name: 'Vertex with a location that hides a host' };

	/** @param {string} route @param {string} [method] */
	async function emulatorCall(route, method = 'GET') {
		const res = await fetch(`${emulator?.url}${route}`, { method });
		return /** @type {any} */ (await res.json());
	}
	const state = () => emulatorCall('/__emulator/state');
	const resetEmulator = () => emulatorCall('/__emulator/reset', 'POST');

	/** Credential data as n8n stores it. @type {Record<string, Record<string, unknown>>} */
	const data = {};

	before(async () => {
		emulator = await startEmulator();
		({ home, dispose } = await freshHome());
		serviceAccountJson = fs.readFileSync(emulator.serviceAccountFile, 'utf8');
		vertexApiKey = (await state()).options.vertexApiKey;
		// Exactly the fields a credential saved by the previous release holds: no authMethod.
		data[keyFile.id] = { serviceAccountJson, location: 'global', baseUrl: emulator.url };
		data[runtime.id] = { authMethod: 'metadataServer', metadataServerUrl: emulator.url, location: 'global', baseUrl: emulator.url };
		data[apiKey.id] = { authMethod: 'apiKey', apiKey: vertexApiKey, location: 'global', baseUrl: emulator.url };
		data[badLocation.id] = { serviceAccountJson, location: 'evil.example/x#', baseUrl: '' };
		await n8n.importCredentials(
			home,
			[keyFile, runtime, apiKey, badLocation].map((credential) => ({ ...credential, type: VERTEX, data: data[credential.id] })),
		);
	});

	after(async () => {
		await emulator?.stop();
		dispose();
	});

	/**
	 * Runs 5 items (each its own prompt and image) through a Vertex edit; returns the node's items.
	 * @param {string} id @param {{ id: string, name: string }} credential @param {Record<string, unknown>} [options] @param {string} [model]
	 */
	async function runFive(id, credential, options = {}, model) {
		const items = [0, 1, 2, 3, 4].map((n) => ({ prompt: `${id} item ${n}`, n, image: samplePng(8 + n, 8) }));
		const workflow = wf.linearWorkflow({
			id,
			name: `Vertex ${credential.name}`,
			nodes: [
				wf.manualTrigger(),
				...itemsWithImagesNodes(items),
				wf.nanoBananaNode({ credential, authentication: 'vertexAi', operation: 'edit', prompt: PROMPT_EXPRESSION, options, model }),
			],
		});
		await n8n.importWorkflows(home, [workflow]);
		await resetEmulator();
		const result = await n8n.executeWorkflow(home, workflow.id);
		assert.equal(result.success, true, `execution failed: ${JSON.stringify(result.error)}`);
		const output = n8n.nodeOutput(result.run, 'Nano Banana');
		assert.equal(output.length, 5);
		assert.deepEqual(output.map((item) => item.pairedItem), [0, 1, 2, 3, 4].map((item) => ({ item })));
		return output;
	}

	it('a key-file credential saved before the method selector existed still works', async () => {
		const output = await runFive('vxOldKeyFileRun1', keyFile);
		const counters = await state();
		assert.equal(counters.tokenExchanges, 1, 'one token exchange for 5 items');
		assert.equal(counters.bearerRequests, 5);
		assert.equal(output[0].binary?.data?.mimeType, 'image/png');
	});

	it('the runtime identity: one metadata token fetch for 5 items, the project from the metadata server', async () => {
		await runFive('vxMetadataRun001', runtime);
		const counters = await state();
		assert.equal(counters.metadataTokenRequests, 1, 'one token fetch for 5 items');
		assert.equal(counters.metadataRefused, 0, 'every metadata request carried Metadata-Flavor: Google');
		assert.equal(counters.tokenExchanges, 0);
		const calls = counters.log.filter((/** @type {any} */ entry) => entry.backend === 'vertex');
		assert.equal(calls.length, 5);
		for (const call of calls) assert.match(call.path, /^\/v1\/projects\/emulator-project\/locations\/global\//);
	});

	it('a Vertex API key: express mode, the key in x-goog-api-key and never in a URL', async () => {
		await runFive('vxApiKeyRun00001', apiKey);
		const counters = await state();
		assert.equal(counters.vertexKeyInHeader, 5);
		assert.equal(counters.vertexKeyInQuery, 0);
		assert.equal(counters.bearerRequests + counters.tokenExchanges + counters.metadataTokenRequests, 0);
		for (const entry of counters.log) {
			assert.ok(!entry.path.includes('key='), `no key in ${entry.path}`);
			assert.ok(!entry.path.includes(vertexApiKey), `no key in ${entry.path}`);
		}
		const calls = counters.log.filter((/** @type {any} */ entry) => entry.backend === 'vertex');
		assert.equal(calls.length, 5);
		for (const call of calls) {
			assert.equal(call.expressMode, true);
			assert.match(call.path, /^\/v1\/publishers\/google\/models\/gemini-2\.5-flash-image:generateContent$/);
		}
	});

	it('grounding metadata in the output, and a JPEG back as image/jpeg with a .jpg name', async () => {
		const output = await runFive(
			'vxGroundedJpeg01',
			apiKey,
			{ googleSearch: true, outputFormat: 'image/jpeg', compressionQuality: 60 },
			'gemini-3.1-flash-image',
		);
		for (const item of output) {
			const binary = item.binary?.data;
			assert.equal(binary?.mimeType, 'image/jpeg');
			assert.match(String(binary?.fileName), /\.jpg$/);
			const bytes = n8n.readBinary(home, binary);
			assert.deepEqual([...bytes.subarray(0, 3)], [0xff, 0xd8, 0xff], 'the file is a JPEG');
			const grounding = /** @type {any} */ (item.json.nanoBanana).grounding;
			assert.ok(grounding, 'json.nanoBanana.grounding');
			assert.equal(grounding.webSearchQueries.length, 1);
			assert.match(grounding.sources[0].uri, /^https:\/\//);
			assert.match(grounding.searchEntryPoint, /<div/);
		}
	});

	it("n8n's credential test passes for each method in a new project (gemini-2.5-flash-image closed to it); a location hiding a host fails before any request", async () => {
		const server = await n8n.startN8n(home, { port: 0 });
		// Issue 24 point 6: a project created since September 2026 gets 404 for gemini-2.5-flash-image.
		const closed = await fetch(`${emulator?.url}/__emulator/configure`, { method: 'POST', body: JSON.stringify({ closedModels: ['gemini-2.5-flash-image'] }) });
		assert.equal(closed.status, 200);
		try {
			const session = await n8n.login(server.url, server.owner);
			/** @param {{ id: string, name: string }} credential */
			const test = async (credential) =>
				await n8n.restJson(server.url, 'POST', '/rest/credentials/test', {
					session,
					body: { credentials: { ...credential, type: VERTEX, data: data[credential.id] } },
				});
			for (const credential of [keyFile, runtime, apiKey]) {
				await resetEmulator();
				const answer = await test(credential);
				assert.equal(answer.data.status, 'OK', `${credential.name}: ${JSON.stringify(answer)}`);
				const counters = await state();
				assert.equal(counters.countTokens, 1, `${credential.name}: one free countTokens call`);
			}
			await resetEmulator();
			const refused = await test(badLocation);
			assert.equal(refused.data.status, 'Error');
			assert.match(refused.data.message, /location "evil\.example\/x#" .* is not a Google Cloud location/);
			assert.equal((await state()).requests, 0, 'nothing was sent, not even the token exchange');
		} finally {
			await fetch(`${emulator?.url}/__emulator/configure`, { method: 'POST', body: JSON.stringify({ closedModels: [] }) });
			await server.stop();
		}
	});
});
