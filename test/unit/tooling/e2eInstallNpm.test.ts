/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @typescript-eslint/no-require-imports -- test code, run by Node, not n8n (README: Lint) */
/**
 * The e2e launcher's n8n installers run child npm commands. Started through `npm start` or
 * `npm run test:e2e`, the launcher's environment carries npm's whole configuration
 * (`npm_config_ignore_scripts=true` from this project's .npmrc among it); a child
 * `npm rebuild sqlite3` that inherited it skipped the build and n8n could not open its database.
 * These tests run the real rebuild command the installers build against a stand-in sqlite3
 * package whose install script leaves a mark.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

interface Command {
	command: string;
	args: string[];
	cwd: string;
	env: NodeJS.ProcessEnv;
}
const { sqliteRebuildCommand } = require('../../e2e/lib/install') as {
	sqliteRebuildCommand: (o: { dir: string; nodeBin: string; nodedir?: string }) => Command;
};
const { run, childEnv } = require('../../e2e/lib/proc') as {
	run: (
		command: string,
		args: string[],
		options: { cwd: string; env: NodeJS.ProcessEnv; check: boolean; timeout: number },
	) => Promise<{ code: number | null; stdout: string; stderr: string }>;
	childEnv: (extra?: Record<string, string | undefined>, base?: NodeJS.ProcessEnv) => NodeJS.ProcessEnv;
};

const MARK = 'install-script-ran.json';

/** A dir shaped like the n8n install: package.json + node_modules/sqlite3 with an install script. */
function standInInstall(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nano-banana-rebuild-'));
	fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'n8n-runtime', private: true, dependencies: { sqlite3: '5.1.7' } }));
	const pkg = path.join(dir, 'node_modules', 'sqlite3');
	fs.mkdirSync(pkg, { recursive: true });
	const script = `require('fs').writeFileSync(${JSON.stringify(MARK)}, JSON.stringify({ fromSource: process.env.npm_config_build_from_source ?? null }))`;
	fs.writeFileSync(
		path.join(pkg, 'package.json'),
		JSON.stringify({ name: 'sqlite3', version: '5.1.7', scripts: { install: `node -e ${JSON.stringify(script)}` } }),
	);
	return dir;
}

async function rebuildIn(dir: string) {
	const cmd = sqliteRebuildCommand({ dir, nodeBin: process.execPath });
	const res = await run(cmd.command, cmd.args, { cwd: cmd.cwd, env: cmd.env, check: false, timeout: 120_000 });
	const mark = path.join(dir, 'node_modules', 'sqlite3', MARK);
	return { res, cmd, ran: fs.existsSync(mark), mark };
}

describe('e2e installers: child npm commands ignore the npm configuration around the launcher', () => {
	const saved = { ...process.env };
	const dirs: string[] = [];
	afterEach(() => {
		for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
		Object.assign(process.env, saved);
		for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
	});

	it('with npm_config_ignore_scripts=true in the environment (as under `npm start`), the sqlite3 rebuild still runs its install script', async () => {
		process.env.npm_config_ignore_scripts = 'true';
		process.env.npm_lifecycle_event = 'start';
		const dir = standInInstall();
		dirs.push(dir);
		const { res, cmd, ran, mark } = await rebuildIn(dir);
		expect({ code: res.code, output: ran ? '' : res.stdout + res.stderr }).toEqual({ code: 0, output: '' });
		expect(ran).toBe(true);
		expect(JSON.parse(fs.readFileSync(mark, 'utf8'))).toEqual({ fromSource: 'true' });
		expect(cmd.env.npm_config_ignore_scripts).toBeUndefined();
		expect(cmd.env.npm_lifecycle_event).toBeUndefined();
	}, 120_000);

	it('a user .npmrc with ignore-scripts=true does not stop the rebuild either (scripts are asked for explicitly)', async () => {
		const dir = standInInstall();
		dirs.push(dir);
		const npmrc = path.join(dir, 'user.npmrc');
		fs.writeFileSync(npmrc, 'ignore-scripts=true\n');
		process.env.npm_config_userconfig = npmrc;
		const { res, cmd, ran } = await rebuildIn(dir);
		expect(cmd.env.npm_config_userconfig).toBe(npmrc); // which .npmrc to read is kept
		expect({ code: res.code, ran }).toEqual({ code: 0, ran: true });
	}, 120_000);

	it('childEnv drops what npm exported (settings and lifecycle variables) but keeps how to reach the registry', () => {
		const env = childEnv(
			{ EXTRA: '1', HOME: undefined },
			{
				PATH: '/bin',
				HOME: '/root',
				npm_config_ignore_scripts: 'true',
				npm_config_nodedir: '/usr',
				npm_config_omit: 'dev',
				npm_lifecycle_event: 'start',
				npm_package_name: 'n8n-nodes-gemini-nano-banana',
				npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js',
				npm_config_registry: 'https://registry.example/',
				npm_config_https_proxy: 'http://proxy:3128',
				npm_config_cafile: '/etc/ca.pem',
				npm_config_cache: '/tmp/npm-cache',
			},
		);
		expect(env).toEqual({
			PATH: '/bin',
			EXTRA: '1',
			npm_config_registry: 'https://registry.example/',
			npm_config_https_proxy: 'http://proxy:3128',
			npm_config_cafile: '/etc/ca.pem',
			npm_config_cache: '/tmp/npm-cache',
		});
	});
});
