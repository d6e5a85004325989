#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * `npm start`: a real n8n with this package installed, ready to click through.
 *
 *   1. npm run build + npm pack (the tarball users would install)
 *   2. the cached n8n + Node 24 (first run downloads n8n: a few minutes)
 *   3. the Google API emulator (test/emulator/cli.js), unless real Google credentials are given
 *   4. a fresh n8n home (.e2e/dev-home) with the tarball installed as a community package,
 *      two credentials and the workflows from examples/*.json plus demo workflows
 *   5. n8n on http://localhost:5678 (PORT overrides) with an owner login, printed at the end
 *
 * Flags:
 *   --headless     machine mode: progress on stderr, one JSON line on stdout once ready
 *   --port N       like PORT=N; 0 picks a free port
 *   --keep         keep the previous home (its executions, edits) instead of starting fresh
 *   --skip-build   pack the current dist/ without running the build
 * Environment:
 *   GEMINI_API_KEY                      the AI Studio credential uses Google instead of the emulator
 *   GOOGLE_APPLICATION_CREDENTIALS or   service-account key file: the Vertex credential uses Google
 *   VERTEX_SERVICE_ACCOUNT_FILE         (VERTEX_LOCATION sets its location, default global)
 *   NANO_BANANA_E2E_TARBALL             use this tarball instead of building one
 * Ctrl-C stops everything this started (n8n, emulator, image server).
 *
 * Programmatic: `const { startDevStack } = require('./test/e2e/start')`.
 */
const fs = require('node:fs');
const path = require('node:path');
const config = require('./lib/config');
const n8n = require('./lib/n8n');
const { startEmulator, emulatorAvailable } = require('./lib/emulator');
const { startImageServer } = require('./lib/image-server');
const { samplePng } = require('./lib/png');
const wf = require('./lib/workflows');

const CREDENTIAL_IDS = { aiStudio: 'nbAiStudioCred01', vertexAi: 'nbVertexAiCred01' };
const DEMO_IDS = { edit: 'nbDemoEditImage1', generate: 'nbDemoGenerate01' };

/**
 * @typedef {object} DevStack
 * @property {string} url
 * @property {{ email: string, password: string }} owner
 * @property {import('./lib/home').N8nHome} home
 * @property {import('./lib/emulator').RunningEmulator | undefined} emulator
 * @property {{ aiStudio: string, vertexAi: string }} backends  'emulator' | 'google' | 'none'
 * @property {{ id: string, name: string }[]} workflows
 * @property {{ id: string, name: string, type: string }[]} credentials
 * @property {string} imageUrl   the sample image the demo workflow downloads
 * @property {import('./lib/server').RunningN8n} n8n
 * @property {() => Promise<void>} stop
 */

/**
 * Starts the whole stack. Everything it started is stopped by `stop()` (also on failure).
 * @param {object} [options]
 * @param {number} [options.port]        default PORT or 5678; 0 = free port
 * @param {string} [options.tarball]     skip build+pack and install this tarball
 * @param {boolean} [options.skipBuild]
 * @param {string} [options.homeDir]     default: a fresh temp dir, removed by stop() (unless NANO_BANANA_E2E_KEEP=1)
 * @param {boolean} [options.keep]       reuse homeDir if it exists
 * @param {boolean} [options.useGoogle]  honour GEMINI_API_KEY / service-account env vars (default true)
 * @param {(msg: string) => void} [options.log]
 * @returns {Promise<DevStack>}
 */
async function startDevStack(options = {}) {
	const log = options.log ?? (() => {});
	/** @type {(() => Promise<void>)[]} */
	const cleanups = [];
	const stop = async () => {
		for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => {});
	};
	try {
		const port = options.port ?? envPort();
		if (port !== 0 && (await n8n.isListening(port))) {
			throw new Error(`Port ${port} is already in use (another n8n?). Stop it or choose another port: PORT=5679 npm start`);
		}
		const tarball =
			options.tarball ??
			(process.env.NANO_BANANA_E2E_TARBALL && fs.existsSync(process.env.NANO_BANANA_E2E_TARBALL)
				? process.env.NANO_BANANA_E2E_TARBALL
				: await n8n.packPackage({ skipBuild: options.skipBuild, log }));

		const install = await n8n.ensureN8n({ log });

		// Backends: real Google when asked for through the environment, else the emulator.
		const useGoogle = options.useGoogle ?? true;
		const geminiKey = useGoogle ? process.env.GEMINI_API_KEY : undefined;
		const saFile = useGoogle
			? process.env.VERTEX_SERVICE_ACCOUNT_FILE || process.env.GOOGLE_APPLICATION_CREDENTIALS
			: undefined;
		/** @type {import('./lib/emulator').RunningEmulator | undefined} */
		let emulator;
		if ((!geminiKey || !saFile) && emulatorAvailable()) {
			emulator = await startEmulator({ log });
			cleanups.push(() => /** @type {any} */ (emulator).stop());
		} else if (!geminiKey || !saFile) {
			log('WARNING: test/emulator/cli.js is missing: credentials without a Google backend point nowhere');
		}
		const backends = {
			aiStudio: geminiKey ? 'google' : emulator ? 'emulator' : 'none',
			vertexAi: saFile ? 'google' : emulator ? 'emulator' : 'none',
		};
		const credentials = [
			wf.aiStudioCredential({
				id: CREDENTIAL_IDS.aiStudio,
				name: `Nano Banana AI Studio (${backends.aiStudio === 'google' ? 'Google' : 'emulator'})`,
				apiKey: geminiKey ?? emulator?.apiKey ?? 'no-emulator',
				baseUrl: geminiKey ? undefined : emulator?.url ?? 'http://127.0.0.1:9',
			}),
			wf.vertexCredential({
				id: CREDENTIAL_IDS.vertexAi,
				name: `Nano Banana Vertex AI (${backends.vertexAi === 'google' ? 'Google' : 'emulator'})`,
				serviceAccountJson: saFile
					? fs.readFileSync(saFile, 'utf8')
					: emulator
						? fs.readFileSync(emulator.serviceAccountFile, 'utf8')
						: '{}',
				location: saFile ? process.env.VERTEX_LOCATION || 'global' : 'global',
				baseUrl: saFile ? undefined : emulator?.url ?? 'http://127.0.0.1:9',
			}),
		];

		const images = await startImageServer({ '/sample.png': { body: samplePng(), type: 'image/png' } });
		cleanups.push(() => images.close());
		const imageUrl = `${images.url}/sample.png`;

		const home = await n8n.createN8nHome({ install, tarball, dir: options.homeDir, keep: options.keep, log });
		if (!options.homeDir && process.env.NANO_BANANA_E2E_KEEP !== '1') {
			cleanups.push(async () => fs.rmSync(home.dir, { recursive: true, force: true })); // runs after n8n stopped
		}
		const workflows = [...demoWorkflows(imageUrl), ...exampleWorkflows(log)];
		log(`Importing ${credentials.length} credentials and ${workflows.length} workflows`);
		await n8n.importCredentials(home, credentials);
		await n8n.importWorkflows(home, workflows);

		const server = await n8n.startN8n(home, { port, log });
		cleanups.push(() => server.stop());
		return {
			url: server.url,
			owner: server.owner,
			home,
			emulator,
			backends,
			workflows: workflows.map(({ id, name }) => ({ id, name })),
			credentials: credentials.map(({ id, name, type }) => ({ id, name, type })),
			imageUrl,
			n8n: server,
			stop,
		};
	} catch (err) {
		await stop();
		throw err;
	}
}

function envPort() {
	const p = process.env.PORT;
	return p !== undefined && p !== '' ? Number(p) : config.DEFAULT_PORT;
}

/**
 * Demo workflows: edit a downloaded image (AI Studio), generate one (Vertex AI).
 * @param {string} imageUrl
 */
function demoWorkflows(imageUrl) {
	const aiStudio = { id: CREDENTIAL_IDS.aiStudio, name: 'Nano Banana AI Studio' };
	const vertexAi = { id: CREDENTIAL_IDS.vertexAi, name: 'Nano Banana Vertex AI' };
	return [
		wf.linearWorkflow({
			id: DEMO_IDS.edit,
			name: 'Demo: edit an image with Nano Banana (AI Studio)',
			nodes: [
				wf.manualTrigger(),
				wf.httpDownloadNode(imageUrl),
				wf.nanoBananaNode({
					credential: aiStudio,
					operation: 'edit',
					prompt: 'Turn this landscape into a watercolor painting and make the sun look like a banana',
					options: { aspectRatio: '16:9' },
				}),
			],
		}),
		wf.linearWorkflow({
			id: DEMO_IDS.generate,
			name: 'Demo: generate an image with Nano Banana (Vertex AI)',
			nodes: [
				wf.manualTrigger(),
				wf.nanoBananaNode({
					authentication: 'vertexAi',
					credential: vertexAi,
					operation: 'generate',
					prompt: 'A ripe banana wearing sunglasses on a beach at sunset, photo-realistic',
					options: { aspectRatio: '1:1' },
				}),
			],
		}),
	];
}

/**
 * examples/*.json under their own ids (a re-import replaces instead of duplicating), with their
 * Nano Banana credentials pointed at the ones imported here.
 * @param {(msg: string) => void} log
 */
function exampleWorkflows(log) {
	const dir = path.join(config.REPO_ROOT, 'examples');
	/** @type {any[]} */
	const out = [];
	let files = [];
	try {
		files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
	} catch {
		return out;
	}
	for (const file of files) {
		try {
			const workflow = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
			if (!Array.isArray(workflow.nodes) || typeof workflow.connections !== 'object') {
				log(`Skipping examples/${file}: not a workflow`);
				continue;
			}
			if (typeof workflow.id !== 'string' || !workflow.id) {
				log(`Skipping examples/${file}: it has no "id" (n8n import:workflow needs one)`);
				continue;
			}
			workflow.name ??= `Example: ${file.replace(/\.json$/, '')}`;
			workflow.active = false;
			for (const node of workflow.nodes) {
				if (!node.credentials) continue;
				for (const [key, type] of Object.entries(config.CREDENTIAL_TYPES)) {
					if (node.credentials[type]) {
						node.credentials[type] = { id: CREDENTIAL_IDS[/** @type {'aiStudio'|'vertexAi'} */ (key)], name: node.credentials[type].name ?? type };
					}
				}
			}
			out.push(workflow);
		} catch (err) {
			log(`Skipping examples/${file}: ${/** @type {Error} */ (err).message}`);
		}
	}
	return out;
}

// ------------------------------------------------------------------------------------ CLI

/** @param {string[]} argv */
function parseArgs(argv) {
	/** @type {{ headless: boolean, keep: boolean, skipBuild: boolean, port: number | undefined }} */
	const opts = { headless: false, keep: false, skipBuild: false, port: undefined };
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split(/=(.*)/s, 2);
		if (flag === '--headless') opts.headless = true;
		else if (flag === '--keep') opts.keep = true;
		else if (flag === '--skip-build') opts.skipBuild = true;
		else if (flag === '--port') opts.port = Number(inline ?? argv[++i]);
		else if (flag === '--help' || flag === '-h') {
			process.stdout.write(fs.readFileSync(__filename, 'utf8').split('*/')[0].replace(/^#!.*\n\/\/ @ts-check\n'use strict';\n/, ''));
			process.exit(0);
		} else throw new Error(`Unknown option ${argv[i]} (try --help)`);
	}
	if (opts.port !== undefined && !Number.isInteger(opts.port)) throw new Error('--port needs a number');
	return opts;
}

async function main() {
	const opts = parseArgs(process.argv.slice(2));
	const started = Date.now();
	const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)}s`;
	/** @param {string} msg */
	const log = (msg) => (opts.headless ? process.stderr : process.stdout).write(`[start ${elapsed()}] ${msg}\n`);
	log(`Nano Banana for n8n: dev instance (n8n ${config.N8N_VERSION} on Node ${config.NODE_VERSION})`);

	/** @type {DevStack | undefined} */
	let stack;
	let stopping = false;
	const shutdown = async (/** @type {string} */ why, code = 0) => {
		if (stopping) return;
		stopping = true;
		log(`${why}: stopping n8n and the emulator...`);
		await stack?.stop();
		process.exit(code);
	};
	process.on('SIGINT', () => void shutdown('Interrupted', 130));
	process.on('SIGTERM', () => void shutdown('Terminated', 143));

	stack = await startDevStack({
		port: opts.port,
		skipBuild: opts.skipBuild,
		homeDir: path.join(config.WORK_DIR, 'dev-home'),
		keep: opts.keep,
		log,
	});
	if (stopping) return;
	stack.n8n.exited.then((code) => void shutdown(`n8n exited (code ${code}, log: ${stack?.n8n.logFile})`, 1));

	if (opts.headless) {
		process.stdout.write(
			`${JSON.stringify({
				url: stack.url,
				email: stack.owner.email,
				password: stack.owner.password,
				home: stack.home.dir,
				logFile: stack.n8n.logFile,
				emulatorUrl: stack.emulator?.url,
				backends: stack.backends,
				workflows: stack.workflows,
				credentials: stack.credentials,
			})}\n`,
		);
		return;
	}
	const lines = [
		'',
		`n8n ${config.N8N_VERSION} is running with ${config.PACKAGE_NAME} installed (ready in ${elapsed()}).`,
		`  Log in as   ${stack.owner.email}`,
		`  Password    ${stack.owner.password}`,
		`  Backends    AI Studio: ${stack.backends.aiStudio}, Vertex AI: ${stack.backends.vertexAi}${stack.emulator ? ` (emulator ${stack.emulator.url})` : ''}`,
		'  Workflows:',
		...stack.workflows.map((w) => `    ${stack?.url}/workflow/${w.id}  ${w.name}`),
		`  n8n log     ${stack.n8n.logFile}`,
		'Press Ctrl-C to stop.',
		'',
		`Open ${stack.url}`,
		'',
	];
	process.stdout.write(lines.join('\n'));
}

if (require.main === module) {
	main().catch((err) => {
		process.stderr.write(`\nnpm start failed: ${err instanceof Error ? err.message : String(err)}\n`);
		process.exit(1);
	});
}

module.exports = { startDevStack, demoWorkflows, exampleWorkflows, CREDENTIAL_IDS, DEMO_IDS };
