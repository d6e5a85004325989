// @ts-check
'use strict';
/**
 * Many executions at once against one quota: a started n8n (`n8n start`) serves a published
 * webhook workflow (Webhook → Read/Write Files from Disk → Nano Banana), and E calls arrive
 * together, each naming its own K images. The emulator admits R request starts per second.
 * Every execution's stored run data is read back over the REST API and every output image is
 * checked against its own input, as in the other cases.
 */
const os = require('node:os');
const path = require('node:path');
const n8n = require('../../e2e/lib/n8n');
const bw = require('./workflows');
const { verifyOutputs, nodeRun } = require('./verify');

const HOOK_PATH = 'nano-banana-bench-batch';

/** @param {any} home @param {string} text */
function parseFlatted(home, text) {
	const flatted = require(path.join(home.install.dir, 'node_modules', 'flatted'));
	return flatted.parse(text);
}

/** @param {string} url @param {string} method */
async function waitForWebhook(url, method) {
	const deadline = Date.now() + 30_000;
	while (Date.now() < deadline) {
		const res = await fetch(`${url}/webhook/${HOOK_PATH}`, { method: method === 'GET' ? 'POST' : 'GET' });
		const text = await res.text();
		if (res.status !== 404 || text.includes(`${method} request`)) return;
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error(`webhook ${HOOK_PATH} not registered within 30 s`);
}

/**
 * @param {object} o
 * @param {import('../../e2e/lib/home').N8nHome} o.home
 * @param {{ url: string, pid?: number }} o.emulator
 * @param {{ id: string, name: string }} o.credential
 * @param {import('./images').ImageSet} o.images   executions × itemsEach images
 * @param {(msg: string) => void} o.log
 * @param {{ executions: number, itemsEach: number, perSecond: number, concurrency: number }} o.settings
 * @param {number} o.latencyMs
 * @param {(url: string, route: string, body?: unknown) => Promise<any>} o.control
 */
async function runWebhookScenario({ home, emulator, credential, images, log, settings, latencyMs, control }) {
	const { executions, itemsEach, perSecond, concurrency } = settings;
	log(`8. ${executions} webhook executions × ${itemsEach} items arriving together, ${perSecond} request starts per second, ${latencyMs} ms`);
	const workflowId = bw.idFor('webhooks');
	await n8n.importWorkflows(home, [
		bw.webhookWorkflow({ id: workflowId, name: 'Bench: webhook executions', path: HOOK_PATH, credential, maxConcurrency: concurrency }),
	]);
	const server = await n8n.startN8n(home, { port: 0, log });
	try {
		const session = await n8n.login(server.url, server.owner);
		const stored = await n8n.restJson(server.url, 'GET', `/rest/workflows/${workflowId}`, { session });
		await n8n.restJson(server.url, 'POST', `/rest/workflows/${workflowId}/activate`, { session, body: { versionId: stored.data.versionId } });
		await waitForWebhook(server.url, 'POST');

		// One call per execution, each with its own images (hard links to the set's files).
		const fs = require('node:fs');
		const groups = [];
		for (let e = 0; e < executions; e++) {
			const dir = path.join(images.dir, `call-${String(e + 1).padStart(2, '0')}`);
			fs.rmSync(dir, { recursive: true, force: true });
			fs.mkdirSync(dir);
			for (const f of images.files.slice(e * itemsEach, (e + 1) * itemsEach)) fs.linkSync(f.file, path.join(dir, f.name));
			groups.push(`${dir.split(path.sep).join('/')}/*.png`);
		}

		await control(emulator.url, 'configure', { latencyMs, maxInFlight: null, rpm: null, startsPerSecond: perSecond, startsPerMinute: null });
		await control(emulator.url, 'reset', {});
		const load = os.loadavg();
		const started = Date.now();
		const answers = await Promise.all(
			groups.map(async (glob) => {
				const res = await fetch(`${server.url}/webhook/${HOOK_PATH}`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ glob }),
				});
				return { status: res.status, ms: Date.now() - started, text: res.ok ? '' : (await res.text()).slice(0, 300) };
			}),
		);
		const wallMs = Date.now() - started;
		const state = await control(emulator.url, 'state');

		// Read every execution back and check each output image against its own input.
		const list = await n8n.restJson(server.url, 'GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=100`, { session });
		const summaries = list?.data?.results ?? list?.data ?? [];
		let matched = 0;
		let outputItems = 0;
		let attempts = 0;
		/** @type {string[]} */
		const problems = [];
		const nodeWindows = [];
		const shaByFileName = new Map(images.files.map((f) => [f.name, f.sha256]));
		for (const summary of summaries) {
			const detail = await n8n.restJson(server.url, 'GET', `/rest/executions/${summary.id}`, { session });
			const run = { data: parseFlatted(home, detail.data.data) };
			const v = verifyOutputs(home, run, { chain: [bw.NAMES.ours, bw.NAMES.read], shaByFileName });
			matched += v.matched;
			outputItems += v.outputItems;
			problems.push(...v.problems.slice(0, 2));
			const r = nodeRun(run, bw.NAMES.ours);
			if (r?.startTime) nodeWindows.push({ start: r.startTime, end: r.startTime + (r.executionTime ?? 0) });
			for (const item of r?.data?.main?.[0] ?? []) attempts += item?.json?.nanoBanana?.attempts ?? 0;
		}
		const first = Math.min(...nodeWindows.map((w) => w.start));
		const last = Math.max(...nodeWindows.map((w) => w.end));
		const items = executions * itemsEach;
		const result = {
			key: 'webhooks:ours',
			executions,
			items,
			calls: answers.map((a) => ({ status: a.status, ms: a.ms })),
			failedCalls: answers.filter((a) => a.status !== 200).map((a) => `${a.status} ${a.text}`),
			wallMs,
			nodeSpanMs: nodeWindows.length ? last - first : undefined,
			idealMs: (items / perSecond) * 1000,
			storedExecutions: summaries.length,
			statuses: summaries.map((/** @type {any} */ s) => s.status),
			matched,
			outputItems,
			attempts,
			problems: problems.slice(0, 5),
			loadAvg: load,
			loadAvg1: load[0],
			emulator: {
				generateContent: state.generateContent,
				accepted: state.generateContent - state.rejectedInFlight - state.rateLimited,
				rateLimited: state.rateLimited,
				maxInFlight: state.maxInFlight,
			},
		};
		log(
			`webhooks: ${answers.filter((a) => a.status === 200).length}/${executions} calls answered 200 in ${(wallMs / 1000).toFixed(2)} s ` +
				`(ideal ${(result.idealMs / 1000).toFixed(1)} s), ${matched}/${items} images right, ` +
				`emulator ${result.emulator.accepted} answered / ${result.emulator.generateContent} calls (${state.rateLimited} refused), load ${load[0].toFixed(1)}`,
		);
		return [result];
	} finally {
		await server.stop();
	}
}

module.exports = { runWebhookScenario };
