// @ts-check
'use strict';
/**
 * A throw-away Redis for n8n's queue mode: Debian's `redis-server` (installed with apt-get when
 * missing and we may), on a free loopback port, no persistence (no RDB snapshots, no AOF), its
 * working dir a temp dir removed on stop.
 */
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { run, childEnv, tail, watchChild, stopGroup, waitUntil } = require('./proc');
const { freePort } = require('./home');

/** Redis could not be provided on this machine (no binary and no way to install it). */
class RedisUnavailableError extends Error {}

/** @param {string} name */
function which(name) {
	for (const dir of (process.env.PATH ?? '').split(path.delimiter).concat(['/usr/bin', '/usr/sbin', '/usr/local/bin'])) {
		const candidate = path.join(dir, name);
		try {
			fs.accessSync(candidate, fs.constants.X_OK);
			return candidate;
		} catch {
			/* not here */
		}
	}
	return undefined;
}

/**
 * Path of `redis-server`; installs Debian's package (`apt-get update && apt-get install -y
 * redis-server`) when it is missing and this process runs as root.
 * @param {{ log?: (msg: string) => void }} [options]
 */
async function ensureRedisServer(options = {}) {
	const log = options.log ?? (() => {});
	const found = which('redis-server');
	if (found) return found;
	if (typeof process.getuid !== 'function' || process.getuid() !== 0 || !which('apt-get')) {
		throw new RedisUnavailableError('redis-server is not installed and cannot be installed here (needs root and apt-get): apt-get install -y redis-server');
	}
	log('Installing redis-server (apt-get)');
	// Debian's maintainer scripts must not start a system-wide redis on 6379 on our behalf: policy-rc.d
	// exit 101 tells invoke-rc.d "not allowed", for the duration of the install only.
	const policy = '/usr/sbin/policy-rc.d';
	const ownPolicy = !fs.existsSync(policy);
	if (ownPolicy) fs.writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
	const env = childEnv({ DEBIAN_FRONTEND: 'noninteractive' });
	try {
		await run('apt-get', ['update'], { env, timeout: 5 * 60_000 });
		await run('apt-get', ['install', '-y', '--no-install-recommends', 'redis-server'], { env, timeout: 10 * 60_000 });
	} catch (error) {
		throw new RedisUnavailableError(`apt-get install redis-server failed: ${error instanceof Error ? error.message : String(error)}`);
	} finally {
		if (ownPolicy) fs.rmSync(policy, { force: true });
	}
	const installed = which('redis-server');
	if (!installed) throw new RedisUnavailableError('apt-get installed redis-server but no redis-server binary is on PATH');
	return installed;
}

/**
 * @typedef {object} RunningRedis
 * @property {string} host
 * @property {number} port
 * @property {number | undefined} pid
 * @property {string} logFile
 * @property {(...args: string[]) => Promise<unknown>} command  one command, RESP-decoded reply
 * @property {() => Promise<void>} stop
 */

/**
 * Starts `redis-server` on 127.0.0.1:<free port> with persistence off and waits for PING.
 * @param {{ log?: (msg: string) => void }} [options]
 * @returns {Promise<RunningRedis>}
 */
async function startRedis(options = {}) {
	const log = options.log ?? (() => {});
	const bin = await ensureRedisServer(options);
	const host = '127.0.0.1';
	const port = await freePort();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nano-banana-redis-'));
	const logFile = path.join(dir, 'redis.log');
	const args = [
		'--port', String(port),
		'--bind', host,
		'--save', '',
		'--appendonly', 'no',
		'--dir', dir,
		'--daemonize', 'no',
		'--protected-mode', 'yes',
		'--logfile', logFile,
	];
	const child = spawn(bin, args, { cwd: dir, detached: true, stdio: 'ignore' });
	const { exited, exitCode } = watchChild(child);
	const command = (/** @type {string[]} */ ...parts) => redisCommand(host, port, parts);
	const stop = async () => {
		if (exitCode() === undefined) await stopGroup(child.pid, exited, 'SIGTERM', 5000);
		fs.rmSync(dir, { recursive: true, force: true });
	};
	await waitUntil(async () => (await command('PING')) === 'PONG', {
		timeoutMs: 20_000,
		intervalMs: 100,
		gone: () => exitCode() !== undefined,
		onGone: () => {
			const text = readSafe(logFile);
			fs.rmSync(dir, { recursive: true, force: true });
			return new Error(`redis-server exited (${exitCode()}) before answering PING:\n${tail(text)}`);
		},
		onTimeout: async () => {
			await stop();
			return new Error(`redis-server did not answer PING on ${host}:${port} within 20 s`);
		},
	});
	log(`redis-server on ${host}:${port} (no persistence)`);
	return { host, port, pid: child.pid, logFile, command, stop };
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
 * Sends one command over RESP and decodes the reply (enough for PING, KEYS, INFO, LLEN...).
 * @param {string} host
 * @param {number} port
 * @param {string[]} parts
 * @returns {Promise<unknown>}
 */
function redisCommand(host, port, parts) {
	return new Promise((resolve, reject) => {
		const socket = net.createConnection({ host, port });
		socket.setTimeout(5000);
		let buffer = Buffer.alloc(0);
		socket.on('connect', () => {
			socket.write(`*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('')}`);
		});
		socket.on('data', (data) => {
			buffer = Buffer.concat([buffer, data]);
			const parsed = parseResp(buffer, 0);
			if (!parsed) return;
			socket.end();
			if (parsed.value instanceof Error) reject(parsed.value);
			else resolve(parsed.value);
		});
		socket.on('timeout', () => {
			socket.destroy();
			reject(new Error(`redis ${parts[0]}: no reply within 5 s`));
		});
		socket.on('error', reject);
	});
}

/**
 * @param {Buffer} buf
 * @param {number} at
 * @returns {{ value: unknown, end: number } | undefined} undefined while incomplete
 */
function parseResp(buf, at) {
	const lineEnd = buf.indexOf('\r\n', at);
	if (lineEnd < 0) return undefined;
	const type = String.fromCharCode(buf[at]);
	const line = buf.toString('utf8', at + 1, lineEnd);
	const next = lineEnd + 2;
	switch (type) {
		case '+':
			return { value: line, end: next };
		case '-':
			return { value: new Error(line), end: next };
		case ':':
			return { value: Number(line), end: next };
		case '$': {
			const length = Number(line);
			if (length < 0) return { value: null, end: next };
			if (buf.length < next + length + 2) return undefined;
			return { value: buf.toString('utf8', next, next + length), end: next + length + 2 };
		}
		case '*': {
			const count = Number(line);
			if (count < 0) return { value: null, end: next };
			const values = [];
			let cursor = next;
			for (let i = 0; i < count; i++) {
				const item = parseResp(buf, cursor);
				if (!item) return undefined;
				values.push(item.value);
				cursor = item.end;
			}
			return { value: values, end: cursor };
		}
		default:
			throw new Error(`Unexpected RESP type "${type}"`);
	}
}

module.exports = { startRedis, ensureRedisServer, RedisUnavailableError };
