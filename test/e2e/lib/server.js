// @ts-check
'use strict';
/** `n8n start` in a home: spawn, wait until ready, create (or check) the owner login, stop. */
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const net = require('node:net');
const { spawn } = require('node:child_process');
const { tail, watchChild, stopGroup, waitUntil } = require('./proc');
const { n8nEnv, freePort } = require('./home');
const config = require('./config');

/** @typedef {import('./home').N8nHome} N8nHome */

/**
 * @typedef {object} RunningN8n
 * @property {string} url         e.g. http://localhost:5678
 * @property {number} port
 * @property {{ email: string, password: string, firstName: string, lastName: string }} owner
 * @property {string} logFile     n8n's stdout+stderr
 * @property {number | undefined} pid
 * @property {Promise<number | null>} exited  resolves with the exit code when n8n exits
 * @property {() => Promise<void>} stop
 */

/**
 * Starts `n8n start` (editor + REST API) and sets up the owner account.
 * @param {N8nHome} home
 * @param {object} [options]
 * @param {number} [options.port]   0 = any free port (default 5678)
 * @param {string} [options.host]   host used in the URL (default localhost)
 * @param {typeof config.OWNER} [options.owner]
 * @param {Record<string, string>} [options.env]
 * @param {boolean} [options.echo]  also copy n8n's output to this process's stdout
 * @param {(msg: string) => void} [options.log]
 * @returns {Promise<RunningN8n>}
 */
async function startN8n(home, options = {}) {
	const log = options.log ?? (() => {});
	const port = options.port === 0 ? await freePort() : options.port ?? config.DEFAULT_PORT;
	const host = options.host ?? 'localhost';
	const owner = options.owner ?? config.OWNER;
	const url = `http://${host}:${port}`;
	if (await isListening(port)) {
		throw new Error(`Port ${port} is already in use (another n8n?). Stop it or choose another port (PORT=...).`);
	}
	const logFile = path.join(home.dir, `n8n-${port}.log`);
	const out = fs.openSync(logFile, 'a');
	const env = n8nEnv(home, {
		N8N_PORT: String(port),
		N8N_HOST: host,
		N8N_EDITOR_BASE_URL: url,
		N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		...options.env,
	});
	log(`Starting n8n ${home.install.n8nVersion} on ${url} (log: ${logFile})`);
	const child = spawn(home.install.nodeBin, [home.install.n8nBin, 'start'], {
		cwd: home.dir,
		env,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const { exited } = watchChild(child);
	for (const stream of [child.stdout, child.stderr]) {
		stream.on('data', (d) => {
			fs.writeSync(out, d);
			if (options.echo) process.stdout.write(d);
		});
	}
	let stopped = false;
	const stop = async () => {
		if (stopped) return exited.then(() => undefined);
		stopped = true;
		await stopGroup(child.pid, exited, 'SIGTERM', 20_000);
		try {
			fs.closeSync(out);
		} catch {
			/* closed */
		}
	};

	try {
		await waitReady(url, exited, logFile);
		await ensureOwner(url, owner);
	} catch (err) {
		await stop();
		throw err;
	}
	return { url, port, owner, logFile, pid: child.pid, exited, stop };
}

/**
 * Polls `/healthz/readiness` (database up and migrated) until 200.
 * @param {string} url
 * @param {Promise<number | null>} exited
 * @param {string} logFile
 */
async function waitReady(url, exited, logFile) {
	let exitCode;
	exited.then((code) => (exitCode = code));
	await waitUntil(
		async () => {
			const res = await fetch(`${url}/healthz/readiness`, { signal: AbortSignal.timeout(2000) });
			if (!res.ok) return false;
			// The REST API comes up with the server; check it answers too.
			const settings = await fetch(`${url}/rest/settings`, { signal: AbortSignal.timeout(5000) });
			return settings.ok;
		},
		{
			timeoutMs: config.TIMEOUTS.startup,
			intervalMs: 500,
			gone: () => exitCode !== undefined,
			onGone: () => new Error(`n8n exited (code ${exitCode}) before it was ready:\n${tail(readSafe(logFile))}`),
			onTimeout: () =>
				new Error(`n8n was not ready at ${url} within ${config.TIMEOUTS.startup} ms:\n${tail(readSafe(logFile))}`),
		},
	);
}

/** @param {string} file */
function readSafe(file) {
	try {
		return fs.readFileSync(file, 'utf8');
	} catch {
		return '';
	}
}

/**
 * Creates the owner (POST /rest/owner/setup) on a fresh instance; on an instance that already has
 * one, checks the login works.
 * @param {string} url
 * @param {typeof config.OWNER} owner
 */
async function ensureOwner(url, owner) {
	const settings = await restJson(url, 'GET', '/rest/settings');
	const needsSetup = settings?.data?.userManagement?.showSetupOnFirstLoad;
	if (needsSetup !== false) {
		const res = await fetch(`${url}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'browser-id': browserId() },
			body: JSON.stringify({
				email: owner.email,
				firstName: owner.firstName,
				lastName: owner.lastName,
				password: owner.password,
			}),
		});
		if (!res.ok && needsSetup === true) {
			throw new Error(`Owner setup failed: HTTP ${res.status} ${await res.text()}`);
		}
	}
	await login(url, owner);
}

/**
 * Logs in like the editor does; returns the auth cookie and the browser id it is bound to.
 * @param {string} url
 * @param {{ email: string, password: string }} user
 * @returns {Promise<{ cookie: string, browserId: string, user: any }>}
 */
async function login(url, user) {
	const id = browserId();
	const res = await fetch(`${url}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'browser-id': id },
		body: JSON.stringify({ emailOrLdapLoginId: user.email, password: user.password }),
	});
	const body = await res.text();
	if (!res.ok) throw new Error(`Login as ${user.email} failed: HTTP ${res.status} ${body}`);
	const cookie = (res.headers.getSetCookie?.() ?? [res.headers.get('set-cookie') ?? ''])
		.map((c) => c.split(';')[0])
		.filter((c) => c.startsWith('n8n-auth='))
		.join('; ');
	if (!cookie) throw new Error('Login answered without an n8n-auth cookie');
	return { cookie, browserId: id, user: JSON.parse(body).data };
}

/**
 * A REST call; with `session` from login(), authenticated.
 * @param {string} url
 * @param {string} method
 * @param {string} route
 * @param {{ body?: unknown, session?: { cookie: string, browserId: string } }} [options]
 */
async function restJson(url, method, route, options = {}) {
	/** @type {Record<string, string>} */
	const headers = { accept: 'application/json' };
	if (options.body !== undefined) headers['content-type'] = 'application/json';
	if (options.session) {
		headers.cookie = options.session.cookie;
		headers['browser-id'] = options.session.browserId;
	}
	const res = await fetch(`${url}${route}`, {
		method,
		headers,
		body: options.body === undefined ? undefined : JSON.stringify(options.body),
	});
	const text = await res.text();
	if (!res.ok) throw new Error(`${method} ${route}: HTTP ${res.status} ${text.slice(0, 500)}`);
	return text ? JSON.parse(text) : undefined;
}

function browserId() {
	return crypto.randomUUID();
}

/**
 * Whether something accepts TCP connections on the port (IPv4 or IPv6 loopback).
 * @param {number} port
 * @returns {Promise<boolean>}
 */
async function isListening(port) {
	const probe = (/** @type {string} */ host) =>
		new Promise((resolve) => {
			const socket = net.createConnection({ host, port });
			socket.setTimeout(1000);
			socket.once('connect', () => {
				socket.destroy();
				resolve(true);
			});
			socket.once('timeout', () => {
				socket.destroy();
				resolve(false);
			});
			socket.once('error', () => resolve(false));
		});
	return (await probe('127.0.0.1')) || (await probe('::1'));
}

module.exports = { startN8n, ensureOwner, login, restJson, isListening };
