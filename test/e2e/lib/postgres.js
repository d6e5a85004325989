// @ts-check
'use strict';
/**
 * A throw-away PostgreSQL for n8n's queue mode (n8n only warns about SQLite there, but
 * PostgreSQL is what it supports): Debian's server binaries (`/usr/lib/postgresql/<v>/bin`),
 * `initdb` into a temp dir, trust auth, loopback only, fsync off. When this process runs as root
 * the server runs as the `postgres` system user (PostgreSQL refuses to run as root).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { run, tail, watchChild, stopGroup, waitUntil } = require('./proc');
const { freePort } = require('./home');

/** No PostgreSQL server binaries here. */
class PostgresUnavailableError extends Error {}

/** Directory with initdb and postgres (newest Debian version first, then PATH). */
function findBinDir() {
	const root = '/usr/lib/postgresql';
	try {
		const versions = fs
			.readdirSync(root)
			.filter((v) => /^\d+$/.test(v))
			.sort((a, b) => Number(b) - Number(a));
		for (const version of versions) {
			const dir = path.join(root, version, 'bin');
			if (fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'postgres'))) return dir;
		}
	} catch {
		/* not Debian's layout */
	}
	for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
		if (fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'postgres'))) return dir;
	}
	return undefined;
}

function postgresAvailable() {
	return findBinDir() !== undefined;
}

/**
 * @typedef {object} RunningPostgres
 * @property {string} host
 * @property {number} port
 * @property {string} user
 * @property {string} database
 * @property {Record<string, string>} n8nEnv  DB_* variables for n8n
 * @property {string} logFile
 * @property {(sql: string) => Promise<string>} query  psql -At; rows as text
 * @property {() => Promise<void>} stop
 */

/**
 * @param {{ log?: (msg: string) => void }} [options]
 * @returns {Promise<RunningPostgres>}
 */
async function startPostgres(options = {}) {
	const log = options.log ?? (() => {});
	const binDir = findBinDir();
	if (!binDir) throw new PostgresUnavailableError('PostgreSQL server binaries (initdb, postgres) not found');
	const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
	const systemUser = 'postgres';
	/** @param {string} bin @param {string[]} args */
	const command = (bin, args) =>
		asRoot ? { cmd: 'runuser', args: ['-u', systemUser, '--', path.join(binDir, bin), ...args] } : { cmd: path.join(binDir, bin), args };

	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nano-banana-pg-'));
	const dataDir = path.join(dir, 'data');
	const socketDir = path.join(dir, 'sock');
	fs.mkdirSync(socketDir);
	const logFile = path.join(dir, 'postgres.log');
	if (asRoot) {
		fs.chmodSync(dir, 0o755);
		for (const p of [dir, socketDir]) await run('chown', [`${systemUser}:`, p]);
	}
	const user = 'n8n';
	const database = 'n8n';
	const init = command('initdb', ['-D', dataDir, '-U', user, '--auth=trust', '--encoding=UTF8', '--no-sync']);
	await run(init.cmd, init.args, { cwd: dir, timeout: 120_000 });

	const host = '127.0.0.1';
	const port = await freePort();
	const serverArgs = [
		'-D', dataDir,
		'-h', host,
		'-p', String(port),
		'-k', socketDir,
		'-c', 'fsync=off',
		'-c', 'synchronous_commit=off',
		'-c', 'full_page_writes=off',
		'-c', 'max_connections=100',
	];
	const server = command('postgres', serverArgs);
	const out = fs.openSync(logFile, 'a');
	const child = spawn(server.cmd, server.args, { cwd: dir, detached: true, stdio: ['ignore', out, out] });
	const { exited, exitCode } = watchChild(child);
	/** @param {string} sql @param {string} [db] */
	const query = async (sql, db = database) => {
		const psql = command('psql', ['-h', host, '-p', String(port), '-U', user, '-d', db, '-At', '-v', 'ON_ERROR_STOP=1', '-c', sql]);
		return (await run(psql.cmd, psql.args, { timeout: 60_000 })).stdout;
	};
	const stop = async () => {
		// SIGINT: PostgreSQL's "fast shutdown" (disconnect clients, no waiting for them).
		if (exitCode() === undefined) await stopGroup(child.pid, exited, 'SIGINT', 15_000);
		try {
			fs.closeSync(out);
		} catch {
			/* closed */
		}
		fs.rmSync(dir, { recursive: true, force: true });
	};

	await waitUntil(async () => (await query('select 1', 'postgres'), true), {
		timeoutMs: 60_000,
		gone: () => exitCode() !== undefined,
		onGone: () => {
			const text = fs.readFileSync(logFile, 'utf8');
			fs.rmSync(dir, { recursive: true, force: true });
			return new Error(`postgres exited (${exitCode()}) before accepting connections:\n${tail(text)}`);
		},
		onTimeout: async () => {
			await stop();
			return new Error('postgres did not accept connections within 60 s');
		},
	});
	await query(`create database ${database}`, 'postgres');
	log(`PostgreSQL (${binDir}) on ${host}:${port}, database "${database}"`);
	return {
		host,
		port,
		user,
		database,
		logFile,
		n8nEnv: {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: host,
			DB_POSTGRESDB_PORT: String(port),
			DB_POSTGRESDB_DATABASE: database,
			DB_POSTGRESDB_USER: user,
			DB_POSTGRESDB_PASSWORD: '',
		},
		query,
		stop,
	};
}

module.exports = { startPostgres, postgresAvailable, PostgresUnavailableError };
