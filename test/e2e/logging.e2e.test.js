// @ts-check
'use strict';
/**
 * What the node writes to n8n's log, in a real n8n run with N8N_LOG_LEVEL=debug: per request the
 * item index, model, attempt, HTTP status, Google's responseId and modelVersion, latency and
 * token counts; retries at info; and never the prompt, the image bytes, the API key, the access
 * token or any field of the service-account key.
 *
 * n8n writes its log here to a file (JSON lines, N8N_LOG_OUTPUT=file), which the checks read.
 * `n8n execute --rawOutput` prints the run data through the same logger: that one line is n8n
 * showing the workflow's own items (the Set node's item holds the input image as base64), so it
 * is taken out before the checks for forbidden content, and read as the run.
 */
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const n8n = require('./lib/n8n');
const wf = require('./lib/workflows');
const { samplePng } = require('./lib/png');
const { freshHome } = require('./lib/fixture');
const { startEmulator } = require('./lib/emulator');

/**
 * @typedef {{ level: string, message: string, metadata?: Record<string, unknown> }} LogLine
 */

/** @param {string} file @returns {LogLine[]} */
function readLogFile(file) {
	return fs
		.readFileSync(file, 'utf8')
		.split('\n')
		.filter((line) => line.trim())
		.map((line) => JSON.parse(line));
}

/** The line `n8n execute --rawOutput` prints the run as. @param {LogLine} line */
const isRunData = (line) => line.metadata?.file === 'base-command.js' && line.message.startsWith('{');

describe("logging: request ids in n8n's log, no secrets, prompts or media", () => {
	/** @type {import('./lib/home').N8nHome} */
	let home;
	/** @type {() => void} */
	let dispose = () => {};
	/** @type {import('./lib/emulator').RunningEmulator | undefined} */
	let emulator;
	/** @type {Record<string, string>} */
	let serviceAccount;
	const aiStudio = { id: 'logAiStudio00001', name: 'Log AI Studio (emulator)' };
	const vertex = { id: 'logVertex0000001', name: 'Log Vertex (emulator)' };

	before(async () => {
		emulator = await startEmulator();
		({ home, dispose } = await freshHome());
		serviceAccount = JSON.parse(fs.readFileSync(emulator.serviceAccountFile, 'utf8'));
		await n8n.importCredentials(home, [
			wf.aiStudioCredential({ ...aiStudio, apiKey: emulator.apiKey, baseUrl: emulator.url }),
			wf.vertexCredential({ ...vertex, serviceAccountJson: JSON.stringify(serviceAccount), baseUrl: emulator.url }),
		]);
	});

	after(async () => {
		await emulator?.stop();
		dispose();
	});

	/**
	 * Runs a one-image workflow with debug logging; returns the node's output item, its image and
	 * the log lines (without the run data).
	 * @param {{ id: string, authentication: 'aiStudio' | 'vertexAi', credential: { id: string, name: string }, prompt: string, image: Buffer }} spec
	 */
	async function runLogged(spec) {
		const workflow = wf.linearWorkflow({
			id: spec.id,
			name: `Logging ${spec.authentication}`,
			nodes: [
				wf.manualTrigger(),
				...wf.inlineImageNodes(spec.image),
				wf.nanoBananaNode({ credential: spec.credential, authentication: spec.authentication, operation: 'edit', prompt: spec.prompt }),
			],
		});
		await n8n.importWorkflows(home, [workflow]);
		const logFile = path.join(home.dir, `n8n-${spec.id}.log`);
		const result = await n8n.runN8n(home, ['execute', `--id=${workflow.id}`, '--rawOutput'], {
			check: false,
			env: { N8N_LOG_LEVEL: 'debug', N8N_LOG_OUTPUT: 'file', N8N_LOG_FILE_LOCATION: logFile },
		});
		const all = readLogFile(logFile);
		const runLine = all.find(isRunData);
		assert.ok(runLine, `n8n logged the run (exit ${result.code}); stderr: ${result.stderr.slice(-2000)}`);
		const run = JSON.parse(runLine.message);
		assert.equal(run.status, 'success', `execution failed: ${JSON.stringify(run.data?.resultData?.error)}`);
		const [item] = n8n.nodeOutput(run, 'Nano Banana');
		const output = n8n.readBinary(home, item.binary.data);
		return { item, output, lines: all.filter((line) => !isRunData(line)) };
	}

	/**
	 * @param {LogLine[]} lines
	 * @param {Array<[string, string]>} forbidden  [what, text]
	 */
	function assertNoneOf(lines, forbidden) {
		const text = JSON.stringify(lines);
		for (const [what, value] of forbidden) {
			assert.ok(value.length >= 8, `${what} is long enough to search for`);
			assert.ok(!text.includes(value), `the log holds ${what}`);
		}
	}

	it('AI Studio: the response id and request facts at debug, a retry at info; no prompt, key or image', async () => {
		const input = samplePng();
		const secretWords = `confidential-brief-${crypto.randomUUID()}`;
		const { item, output, lines } = await runLogged({
			id: 'logAiStudioWf001',
			authentication: 'aiStudio',
			credential: aiStudio,
			prompt: `${secretWords} make the sky purple [[emulate:503x1]]`,
			image: input,
		});
		const { responseId, modelVersion } = item.json.nanoBanana;
		assert.ok(responseId, 'the output names the response id');

		const ours = lines.filter((line) => line.message.startsWith('Nano Banana'));
		const answered = ours.find((line) => line.level === 'debug' && line.metadata?.responseId === responseId);
		assert.ok(answered, `a debug line carries responseId ${responseId}; ours: ${JSON.stringify(ours.map((l) => l.message))}`);
		assert.match(answered.message, new RegExp(`^Nano Banana item 0 gemini-2\\.5-flash-image: generateContent answered 200 in \\d+ ms \\(attempt 2, responseId ${responseId}\\)$`));
		assert.equal(answered.metadata?.itemIndex, 0);
		assert.equal(answered.metadata?.model, 'gemini-2.5-flash-image');
		assert.equal(answered.metadata?.attempt, 2);
		assert.equal(answered.metadata?.status, 200);
		assert.equal(answered.metadata?.modelVersion, modelVersion);
		assert.equal(typeof answered.metadata?.latencyMs, 'number');
		assert.equal(typeof answered.metadata?.totalTokens, 'number');

		const retry = ours.find((line) => line.level === 'info' && /retrying generateContent in \d+ ms after 503 UNAVAILABLE/.test(line.message));
		assert.ok(retry, 'the retry is logged at info with its delay');
		const started = ours.find((line) => line.metadata?.promptLength !== undefined);
		assert.ok(started, 'the prompt length is logged');

		assertNoneOf(lines, [
			['the prompt', secretWords],
			['the API key', emulator?.apiKey ?? ''],
			['the input image', input.toString('base64').slice(0, 40)],
			['the output image', output.toString('base64').slice(0, 40)],
			['the output image (middle)', output.toString('base64').slice(200, 240)],
		]);
	});

	it('Vertex AI: the response id is logged; no access token or service-account field', async () => {
		const secretWords = `private-vertex-brief-${crypto.randomUUID()}`;
		const { item, lines } = await runLogged({
			id: 'logVertexWf00001',
			authentication: 'vertexAi',
			credential: vertex,
			prompt: `${secretWords} turn it into a watercolour`,
			image: samplePng(),
		});
		const { responseId } = item.json.nanoBanana;
		assert.ok(
			lines.some((line) => line.level === 'debug' && line.metadata?.responseId === responseId),
			`a debug line carries responseId ${responseId}`,
		);
		const keyBody = serviceAccount.private_key.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
		assertNoneOf(lines, [
			['the prompt', secretWords],
			['the private key', keyBody.slice(0, 40)],
			['the private key (middle)', keyBody.slice(400, 440)],
			['the private key id', serviceAccount.private_key_id],
			['the client email', serviceAccount.client_email],
			['the client id', serviceAccount.client_id ?? 'no-client-id-in-key'],
		]);
		assert.ok(!/ya29\.[0-9A-Za-z_-]{8,}/.test(JSON.stringify(lines)), 'the log holds an access token');
	});
});
