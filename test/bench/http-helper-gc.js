// @ts-check
'use strict';
/**
 * How much of one HTTP request's short-lived data n8n's own HTTP helper pushes into V8's old
 * generation (issue 24, point 10): every node that calls Google goes through it
 * (`httpRequestWithAuthentication` ends in `@n8n/backend-network`'s `httpRequest`, axios with new
 * agents per request). Old-generation bytes stay until a full collection, so they show in a
 * 1000-item run's peak RSS whatever the node does with its answers.
 *
 *   node test/bench/http-helper-gc.js [--requests 1000] [--repeat 3]
 *
 * Runs, in the cached n8n install's Node with a 32 MB semi-space (as n8n's own young generation
 * grows to) and 200 MB of live data held first (as n8n holds after its start, so no full
 * collection interrupts): N requests, 8 at a time, to a local server answering a Gemini-shaped
 * JSON body (an 18 KB base64 image) after 20 ms, once through Node's `http` and once through
 * n8n's helper with the options this node passes. Prints the bytes V8 promoted (`--trace-gc-nvp`)
 * while the requests ran. A script, not a test: nothing here runs in CI.
 */
const path = require('node:path');
const { spawn } = require('node:child_process');
const config = require('../e2e/lib/config');

const SEMI_SPACE_MB = 32;

/** The child: one series of requests through `via`, between two marker lines. */
async function child(/** @type {string} */ via, /** @type {number} */ count) {
	const http = require('node:http');
	const crypto = require('node:crypto');
	const ballast = Array.from({ length: 200 }, () => Array.from({ length: 12_500 }, (_, i) => ({ i, s: `x${i}` })));
	const answer = JSON.stringify({
		candidates: [{ content: { role: 'model', parts: [{ text: 'Here is your edited image.' }, { inlineData: { mimeType: 'image/png', data: crypto.randomBytes(13_600).toString('base64') } }] }, finishReason: 'STOP' }],
		usageMetadata: { promptTokenCount: 1111, candidatesTokenCount: 1297, totalTokenCount: 2408 },
	});
	const server = http.createServer((req, res) => {
		req.resume();
		req.on('end', () => setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(answer), 20));
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
	const address = server.address();
	const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/v1beta/models/m:generateContent`;
	const body = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Replace the background' }, { inlineData: { mimeType: 'image/png', data: crypto.randomBytes(3172).toString('base64') } }] }] });
	const execution = new AbortController();
	const { httpRequest } = require(path.join(config.N8N_INSTALL_DIR, 'node_modules', '@n8n', 'backend-network', 'dist', 'http', 'axios', 'request.js'));
	/** @returns {Promise<any>} */
	const viaNode = () =>
		new Promise((resolve, reject) => {
			const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
				const chunks = /** @type {Buffer[]} */ ([]);
				res.on('data', (chunk) => chunks.push(chunk));
				res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
			});
			req.on('error', reject);
			req.end(body);
		});
	const viaN8n = async () => {
		const own = new AbortController();
		const stop = () => own.abort();
		execution.signal.addEventListener('abort', stop, { once: true });
		try {
			const options = { method: 'POST', url, body: Buffer.from(body), headers: { 'content-type': 'application/json' }, json: true, returnFullResponse: true, ignoreHttpStatusErrors: { ignore: true, except: [401] }, timeout: 300_000, abortSignal: own.signal };
			return (await httpRequest(options)).body;
		} finally {
			execution.signal.removeEventListener('abort', stop);
		}
	};
	const send = via === 'node' ? viaNode : viaN8n;
	let next = 0;
	console.log(`MARK start ${Math.round(performance.now())}`);
	await Promise.all(
		Array.from({ length: 8 }, async () => {
			while (next++ < count) Buffer.from((await send()).candidates[0].content.parts[1].inlineData.data, 'base64');
		}),
	);
	console.log(`MARK end ${Math.round(performance.now())} ${ballast.length}`);
	server.close();
}

/** Bytes promoted by scavenges between the two markers of one child's `--trace-gc-nvp` output. */
function promotedBetweenMarks(/** @type {string} */ output) {
	const [start, end] = ['start', 'end'].map((mark) => Number(new RegExp(`^MARK ${mark} (\\d+)`, 'm').exec(output)?.[1]));
	let promoted = 0;
	let scavenges = 0;
	let full = 0;
	for (const line of output.split('\n')) {
		const at = Number(/^\[[^\]]+\]\s+(\d+) ms:/.exec(line)?.[1]);
		if (!(at >= start && at <= end)) continue;
		const kind = /\bgc=(\w+)/.exec(line)?.[1];
		if (kind === 's') {
			scavenges++;
			promoted += Number(/\bpromoted=(\d+)/.exec(line)?.[1] ?? 0);
		} else if (kind) full++;
	}
	return { promotedMb: promoted / 1e6, scavenges, full, ms: end - start };
}

async function main() {
	const argv = process.argv.slice(2);
	const value = (/** @type {string} */ flag, /** @type {number} */ fallback) => (argv.includes(flag) ? Number(argv[argv.indexOf(flag) + 1]) : fallback);
	const count = value('--requests', 1000);
	const repeat = value('--repeat', 3);
	// The e2e harness's n8n and its Node 24 (installed on first use, as the other benches do).
	const { nodeBin } = await require('../e2e/lib/n8n').ensureN8n({ log: (/** @type {string} */ line) => process.stderr.write(`${line}\n`) });
	for (let run = 1; run <= repeat; run++) {
		for (const via of ['node', 'n8n']) {
			const output = await new Promise((resolve, reject) => {
				const proc = spawn(nodeBin, [`--max-semi-space-size=${SEMI_SPACE_MB}`, '--trace-gc-nvp', __filename, '--child', via, String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
				let text = '';
				proc.stdout.on('data', (chunk) => (text += chunk));
				proc.on('error', reject);
				proc.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`child exited ${code}`))));
			});
			const r = promotedBetweenMarks(/** @type {string} */ (output));
			const label = via === 'node' ? "Node's http.request" : "n8n's httpRequest helper";
			console.log(`run ${run}, ${label}: ${count} requests in ${r.ms} ms, ${r.scavenges} young collections promoted ${r.promotedMb.toFixed(1)} MB (${((r.promotedMb * 1000) / count).toFixed(1)} KB per request), ${r.full} full`);
		}
	}
}

if (process.argv[2] === '--child') {
	child(process.argv[3], Number(process.argv[4])).catch((error) => {
		console.error(error);
		process.exit(1);
	});
} else {
	main().catch((error) => {
		process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
		process.exit(1);
	});
}
