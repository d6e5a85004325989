/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code, run by Node, not n8n (README: Lint) */
/// <reference types="jest" />
/**
 * Proves the lint gates of `npm run lint` bite: copies the package sources into temp dirs,
 * breaks n8n rules in one copy and checks that `n8n-node lint` (n8n's own tool, strict mode,
 * default eslint.config.mjs), our gate (eslint.gate.config.mjs through `new ESLint`) and n8n's
 * scanner (`analyzePackage` from @n8n/scan-community-package) each report each violation, while
 * the untouched copy passes.
 *
 * Violations introduced:
 *   - a runtime `dependencies` entry in package.json  -> no-runtime-dependencies
 *   - a `setTimeout` call in a node source file       -> no-restricted-globals
 *   - a credential whose `apiKey` is not a password   -> credential-password-field
 *   - a `setInterval` hidden behind an inline `eslint-disable-next-line` in the node file: only
 *     the gate and the scanner see through it (the reason the gate exists)
 * A third copy edits eslint.config.mjs: `n8n-node lint` then refuses to run (strict mode).
 *
 * ESLint's flat config, the community-nodes plugin and the scanner are ESM and
 * cannot be loaded inside Jest's CommonJS runtime, so the checks run in one
 * child process per copy (test/lint/run-checks.mjs), which runs `n8n-node lint`, calls the
 * ESLint API and analyzePackage directly and prints JSON.
 *
 * Usually 30-80 s; the timeouts below are only guards for a loaded machine.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');
const RUNNER = path.join(__dirname, 'run-checks.mjs');

interface Problem {
	file: string;
	line: number;
	column: number;
	severity: 'error' | 'warning';
	ruleId: string | null;
	message: string;
}

interface Checks {
	n8nNodeLint: { exitCode: number; output: string; problems: Problem[] };
	eslint: Problem[];
	scanner: { passed: boolean; message: string | null; problems: Problem[] };
}

const RULE = {
	runtimeDeps: '@n8n/community-nodes/no-runtime-dependencies',
	globals: '@n8n/community-nodes/no-restricted-globals',
	password: '@n8n/community-nodes/credential-password-field',
};

const PROBE_CREDENTIAL = 'credentials/LintProbeApi.credentials.ts';
const PROBE_CREDENTIAL_OK = 'credentials/LintProbeOkApi.credentials.ts';

function credentialSource(className: string, apiKeyIsPassword: boolean): string {
	const name = className.charAt(0).toLowerCase() + className.slice(1);
	return `import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class ${className} implements ICredentialType {
	name = '${name}';

	displayName = 'Lint Probe API';

	documentationUrl = 'https://github.com/nano-banana-n8n/n8n-nodes-gemini-nano-banana#readme';

	icon = {
		light: 'file:nanoBananaAiStudio.svg',
		dark: 'file:nanoBananaAiStudio.dark.svg',
	} as const;

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',${apiKeyIsPassword ? '\n\t\t\ttypeOptions: { password: true },' : ''}
			default: '',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { 'x-goog-api-key': '={{$credentials.apiKey}}' } },
	};

	test: ICredentialTestRequest = {
		request: { baseURL: 'https://generativelanguage.googleapis.com', url: '/v1beta/models' },
	};
}
`;
}

function copyPackage(label: string): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), `nano-banana-lint-${label}-`));
	for (const entry of ['package.json', 'eslint.config.mjs', 'eslint.gate.config.mjs', 'nodes', 'credentials']) {
		fs.cpSync(path.join(REPO, entry), path.join(dir, entry), { recursive: true });
	}
	// Plugins and the scanner resolve from the copy; reuse the repo's install.
	fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
	return dir;
}

function listFiles(dir: string, ext: string): string[] {
	return fs
		.readdirSync(dir, { recursive: true, encoding: 'utf8' })
		.filter((f) => f.endsWith(ext))
		.sort();
}

/** The node file to put a setTimeout into: the main node file if it exists. */
function pickNodeFile(dir: string): string {
	const nodeTs = listFiles(path.join(dir, 'nodes'), '.ts').map((f) => path.join('nodes', f));
	return (
		nodeTs.find((f) => f.endsWith('.node.ts')) ??
		nodeTs[0] ??
		path.join('nodes', 'NanoBanana', 'LintProbe.ts')
	);
}

/**
 * The environment for the lint processes, without Jest's NODE_ENV=test: eslint-plugin-n8n-nodes-base
 * reads it and then takes every file for a node file (e.g. "Rename file to NanoBanana.node.ts").
 */
function lintEnv(): NodeJS.ProcessEnv {
	const env = { ...process.env };
	delete env.NODE_ENV;
	return env;
}

function runChecks(dir: string): Promise<Checks> {
	return new Promise((resolve, reject) => {
		execFile(
			process.execPath,
			[RUNNER, dir],
			{ cwd: REPO, env: lintEnv(), maxBuffer: 32 * 1024 * 1024, timeout: 230_000 },
			(error, stdout, stderr) => {
				if (error) {
					reject(new Error(`run-checks.mjs failed for ${dir}: ${error.message}\n${stderr}`));
					return;
				}
				try {
					resolve(JSON.parse(stdout) as Checks);
				} catch (parseError) {
					reject(new Error(`run-checks.mjs printed no JSON: ${String(parseError)}\n${stdout}\n${stderr}`));
				}
			},
		);
	});
}

/** `n8n-node lint` alone, as a user runs it in the package directory. */
function runN8nNodeLint(dir: string): Promise<{ exitCode: number; output: string }> {
	return new Promise((resolve) => {
		execFile(
			path.join(dir, 'node_modules', '.bin', 'n8n-node'),
			['lint'],
			{ cwd: dir, env: lintEnv(), timeout: 230_000 },
			(error, stdout, stderr) => {
				const exitCode = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
				resolve({ exitCode, output: `${stdout}${stderr}` });
			},
		);
	});
}

const has = (problems: Problem[], ruleId: string, file: string, line?: number) =>
	problems.some(
		(p) => p.ruleId === ruleId && p.file === file && (line === undefined || p.line === line),
	);

const count = (problems: Problem[], ruleId: string, file: string) =>
	problems.filter((p) => p.ruleId === ruleId && p.file === file).length;

describe('lint gates catch broken n8n rules', () => {
	let original: Checks;
	let broken: Checks;
	let nodeFile: string;
	let timerLine: number;
	let hiddenTimerLine: number;
	let strictViolation: { exitCode: number; output: string };
	const dirs: string[] = [];

	beforeAll(async () => {
		const cleanDir = copyPackage('original');
		const brokenDir = copyPackage('broken');
		const editedConfigDir = copyPackage('edited-config');
		dirs.push(cleanDir, brokenDir, editedConfigDir);

		// 1. a runtime dependency
		const pkgPath = path.join(brokenDir, 'package.json');
		const pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8'));
		pkg.dependencies = { ...(pkg.dependencies ?? {}), 'left-pad': '1.3.0' };
		fs.writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);

		// 2. a setTimeout in a node file (appended, so its line is known)
		nodeFile = pickNodeFile(brokenDir);
		const nodePath = path.join(brokenDir, nodeFile);
		fs.mkdirSync(path.dirname(nodePath), { recursive: true });
		const before = fs.existsSync(nodePath) ? fs.readFileSync(nodePath, 'utf8') : '';
		const prefix = before === '' || before.endsWith('\n') ? before : `${before}\n`;
		timerLine = prefix.split('\n').length;
		hiddenTimerLine = timerLine + 2;
		fs.writeFileSync(
			nodePath,
			`${prefix}export const lintProbeTimer = setTimeout(() => undefined, 1);\n` +
				'// eslint-disable-next-line @n8n/community-nodes/no-restricted-globals\n' +
				'export const lintProbeHiddenTimer = setInterval(() => undefined, 1);\n',
		);

		// 3. a credential with a plain-text apiKey, next to a correct one
		fs.writeFileSync(path.join(brokenDir, PROBE_CREDENTIAL), credentialSource('LintProbeApi', false));
		fs.writeFileSync(
			path.join(brokenDir, PROBE_CREDENTIAL_OK),
			credentialSource('LintProbeOkApi', true),
		);

		// 4. an eslint.config.mjs that is not n8n's default one (here: test files ignored)
		const configPath = path.join(editedConfigDir, 'eslint.config.mjs');
		fs.writeFileSync(
			configPath,
			fs.readFileSync(configPath, 'utf8').replace('export default config;', "export default [...config, { ignores: ['test/'] }];"),
		);

		[original, broken, strictViolation] = await Promise.all([
			runChecks(cleanDir),
			runChecks(brokenDir),
			runN8nNodeLint(editedConfigDir),
		]);
	}, 240_000);

	afterAll(() => {
		for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
	});

	describe.each([
		['n8n-node lint (default eslint.config.mjs)', (c: Checks) => c.n8nNodeLint.problems],
		['ESLint (eslint.gate.config.mjs)', (c: Checks) => c.eslint],
		['n8n scanner (analyzePackage)', (c: Checks) => c.scanner.problems],
	])('%s', (_name, problemsOf) => {
		it('reports a runtime dependency in package.json', () => {
			expect(has(problemsOf(broken), RULE.runtimeDeps, 'package.json')).toBe(true);
			expect(has(problemsOf(original), RULE.runtimeDeps, 'package.json')).toBe(false);
		});

		it('reports setTimeout in a node file', () => {
			expect(has(problemsOf(broken), RULE.globals, nodeFile, timerLine)).toBe(true);
			expect(count(problemsOf(broken), RULE.globals, nodeFile)).toBeGreaterThan(
				count(problemsOf(original), RULE.globals, nodeFile),
			);
		});

		it('reports a credential apiKey without typeOptions.password', () => {
			expect(has(problemsOf(broken), RULE.password, PROBE_CREDENTIAL)).toBe(true);
			expect(has(problemsOf(broken), RULE.password, PROBE_CREDENTIAL_OK)).toBe(false);
		});

		it('reports nothing new that is unrelated to the three violations', () => {
			const introduced = new Set([RULE.runtimeDeps, RULE.globals, RULE.password]);
			const key = (p: Problem) => `${p.file}|${p.ruleId}|${p.line}|${p.message}`;
			const baseline = new Set(problemsOf(original).map(key));
			const unexpected = problemsOf(broken).filter(
				(p) =>
					!baseline.has(key(p)) &&
					!introduced.has(p.ruleId ?? '') &&
					// the probe credentials are new files; only the password rule is asserted on them
					!p.file.startsWith('credentials/LintProbe') &&
					// the hidden timer and its directive: asserted below, gate by gate
					!(p.file === nodeFile && p.line >= hiddenTimerLine - 1 && p.line <= hiddenTimerLine),
			);
			expect(unexpected).toEqual([]);
		});
	});

	it('the scanner verdict fails on the broken copy', () => {
		expect(broken.scanner.passed).toBe(false);
	});

	it('n8n-node lint and the gate pass the untouched copy; n8n-node lint fails the broken one', () => {
		expect(original.n8nNodeLint.output).toContain('n8n-node lint');
		expect(original.n8nNodeLint.problems).toEqual([]);
		expect(original.n8nNodeLint.exitCode).toBe(0);
		expect(original.eslint).toEqual([]);
		expect(broken.n8nNodeLint.exitCode).not.toBe(0);
	});

	it('an inline eslint-disable in shipped code hides a finding from n8n-node lint only', () => {
		expect(has(broken.n8nNodeLint.problems, RULE.globals, nodeFile, hiddenTimerLine)).toBe(false);
		expect(has(broken.eslint, RULE.globals, nodeFile, hiddenTimerLine)).toBe(true);
		expect(has(broken.scanner.problems, RULE.globals, nodeFile, hiddenTimerLine)).toBe(true);
	});

	it('npm run lint runs all three gates', () => {
		const { scripts } = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
		expect(scripts.lint).toMatch(/^n8n-node lint && eslint -c eslint\.gate\.config\.mjs --max-warnings 0 \. && node test\/lint\/scan\.mjs/);
	});

	it('n8n-node lint refuses an eslint.config.mjs that is not its default one', () => {
		expect(strictViolation.exitCode).not.toBe(0);
		expect(strictViolation.output).toContain('Strict mode violation');
	});
});
