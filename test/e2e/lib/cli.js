// @ts-check
'use strict';
/** n8n's command line in a home: import credentials/workflows, execute a workflow. */
const fs = require('node:fs');
const path = require('node:path');
const { run } = require('./proc');
const { n8nEnv, freePort } = require('./home');
const config = require('./config');

/** @typedef {import('./home').N8nHome} N8nHome */

/**
 * Runs `n8n <args>` with Node 24 in `home`.
 * @param {N8nHome} home
 * @param {string[]} args
 * @param {{ check?: boolean, timeout?: number, env?: Record<string, string> }} [options]
 */
async function runN8n(home, args, options = {}) {
	const env = n8nEnv(home, { N8N_RUNNERS_BROKER_PORT: String(await freePort()), ...options.env });
	return run(home.install.nodeBin, [home.install.n8nBin, ...args], {
		cwd: home.dir,
		env,
		check: options.check ?? true,
		timeout: options.timeout ?? config.TIMEOUTS.cli,
	});
}

/**
 * @typedef {object} CredentialInput
 * @property {string} id
 * @property {string} name
 * @property {string} type   e.g. 'nanoBananaAiStudioApi'
 * @property {Record<string, unknown>} data  plain values; n8n encrypts them on import
 */

/**
 * `n8n import:credentials --input=<file>`.
 * @param {N8nHome} home
 * @param {CredentialInput[]} credentials
 */
async function importCredentials(home, credentials) {
	const file = writeInput(home, 'credentials', credentials);
	try {
		await runN8n(home, ['import:credentials', `--input=${file}`]);
	} finally {
		fs.rmSync(file, { force: true }); // holds secrets in plain text
	}
}

/**
 * `n8n import:workflow --input=<file>`. Workflows need `nodes` and `connections`; give each an
 * `id` (≤ 21 chars) to execute it later.
 * @param {N8nHome} home
 * @param {object[]} workflows
 */
async function importWorkflows(home, workflows) {
	const file = writeInput(home, 'workflows', workflows);
	await runN8n(home, ['import:workflow', `--input=${file}`]);
}

/**
 * @param {N8nHome} home
 * @param {string} kind
 * @param {unknown} data
 */
function writeInput(home, kind, data) {
	const dir = path.join(home.dir, 'imports');
	fs.mkdirSync(dir, { recursive: true });
	const file = path.join(dir, `${kind}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.json`);
	fs.writeFileSync(file, JSON.stringify(data, null, 2), { mode: 0o600 });
	return file;
}

/**
 * @typedef {object} ExecutionResult
 * @property {boolean} success   exit code 0 and no `resultData.error`
 * @property {any} run           the IRun n8n printed ({ data: { resultData: { runData, error? } }, status, ... }), or undefined
 * @property {any} error         `run.data.resultData.error` when the workflow failed
 * @property {number | null} exitCode
 * @property {string} stdout
 * @property {string} stderr
 */

/**
 * `n8n execute --id=<id> --rawOutput`. Resolves (does not throw) when the workflow fails, so tests
 * can assert on errors; throws only when no run data could be found in the output.
 * @param {N8nHome} home
 * @param {string} workflowId
 * @param {{ timeout?: number, env?: Record<string, string> }} [options]
 * @returns {Promise<ExecutionResult>}
 */
async function executeWorkflow(home, workflowId, options = {}) {
	const res = await runN8n(home, ['execute', `--id=${workflowId}`, '--rawOutput'], { ...options, check: false });
	const runData = extractRunData(res.stdout) ?? extractRunData(`${res.stdout}\n${res.stderr}`);
	if (!runData) {
		throw Object.assign(
			new Error(
				`n8n execute --id=${workflowId} printed no run data (exit ${res.code}).\n--- stdout\n${res.stdout.slice(-4000)}\n--- stderr\n${res.stderr.slice(-4000)}`,
			),
			{ stdout: res.stdout, stderr: res.stderr, exitCode: res.code },
		);
	}
	const error = runData.data?.resultData?.error;
	return { success: res.code === 0 && !error, run: runData, error, exitCode: res.code, stdout: res.stdout, stderr: res.stderr };
}

/**
 * Finds the run data n8n prints as pretty JSON (`JSON.stringify(run, null, 2)`): the last
 * top-level `{ ... }` block (a line `{` to a line `}`) that parses and has `data.resultData`.
 * Log lines before or after it (and ANSI colours) are ignored.
 * @param {string} text
 * @returns {any}
 */
function extractRunData(text) {
	const lines = text.replace(/\x1b\[[0-9;]*m/g, '').split(/\r?\n/);
	const starts = [];
	const ends = [];
	for (let i = 0; i < lines.length; i++) {
		if (/^\{\s*$/.test(lines[i])) starts.push(i);
		else if (/^\}\s*$/.test(lines[i])) ends.push(i);
	}
	for (let s = starts.length - 1; s >= 0; s--) {
		for (const e of ends) {
			if (e <= starts[s]) continue;
			try {
				const parsed = JSON.parse(lines.slice(starts[s], e + 1).join('\n'));
				if (parsed?.data?.resultData) return parsed;
				break;
			} catch {
				/* not this end: try the next `}` line */
			}
		}
	}
	return undefined;
}

/**
 * Output items of a node's last run (main output `outputIndex`), from an ExecutionResult's run.
 * @param {any} runData
 * @param {string} nodeName
 * @param {number} [outputIndex]
 * @returns {any[]}
 */
function nodeOutput(runData, nodeName, outputIndex = 0) {
	const runs = runData?.data?.resultData?.runData?.[nodeName];
	if (!runs?.length) {
		const ran = Object.keys(runData?.data?.resultData?.runData ?? {});
		throw new Error(`Node "${nodeName}" did not run (nodes that ran: ${ran.join(', ') || 'none'})`);
	}
	const last = runs[runs.length - 1];
	if (last.error) throw Object.assign(new Error(`Node "${nodeName}" failed: ${last.error.message}`), { nodeError: last.error });
	return last.data?.main?.[outputIndex] ?? [];
}

module.exports = { runN8n, importCredentials, importWorkflows, executeWorkflow, extractRunData, nodeOutput };
