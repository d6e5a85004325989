/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code, run by Node, not n8n (README: Lint) */
/// <reference types="jest" />
/**
 * Proves the lint gates bite: copies the package sources into temp dirs, breaks
 * n8n rules in one copy and checks that both our ESLint config (`new ESLint`)
 * and n8n's scanner (`analyzePackage` from @n8n/scan-community-package) report
 * each violation, while the untouched copy does not.
 *
 * Violations introduced:
 *   - a runtime `dependencies` entry in package.json  -> no-runtime-dependencies
 *   - a `setTimeout` call in a node source file       -> no-restricted-globals
 *   - a credential whose `apiKey` is not a password   -> credential-password-field
 *
 * ESLint's flat config, the community-nodes plugin and the scanner are ESM and
 * cannot be loaded inside Jest's CommonJS runtime, so both checks run in one
 * child process per copy (test/lint/run-checks.mjs), which calls the ESLint
 * API and analyzePackage directly and prints JSON.
 *
 * Usually 10-30 s; the timeouts below are only guards for a loaded machine.
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
	for (const entry of ['package.json', 'eslint.config.mjs', 'nodes', 'credentials']) {
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

function runChecks(dir: string): Promise<Checks> {
	return new Promise((resolve, reject) => {
		execFile(
			process.execPath,
			[RUNNER, dir],
			{ cwd: REPO, maxBuffer: 32 * 1024 * 1024, timeout: 110_000 },
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
	const dirs: string[] = [];

	beforeAll(async () => {
		const cleanDir = copyPackage('original');
		const brokenDir = copyPackage('broken');
		dirs.push(cleanDir, brokenDir);

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
		fs.writeFileSync(
			nodePath,
			`${prefix}export const lintProbeTimer = setTimeout(() => undefined, 1);\n`,
		);

		// 3. a credential with a plain-text apiKey, next to a correct one
		fs.writeFileSync(path.join(brokenDir, PROBE_CREDENTIAL), credentialSource('LintProbeApi', false));
		fs.writeFileSync(
			path.join(brokenDir, PROBE_CREDENTIAL_OK),
			credentialSource('LintProbeOkApi', true),
		);

		[original, broken] = await Promise.all([runChecks(cleanDir), runChecks(brokenDir)]);
	}, 120_000);

	afterAll(() => {
		for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
	});

	describe.each([
		['ESLint (eslint.config.mjs)', (c: Checks) => c.eslint],
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
					!p.file.startsWith('credentials/LintProbe'),
			);
			expect(unexpected).toEqual([]);
		});
	});

	it('the scanner verdict fails on the broken copy', () => {
		expect(broken.scanner.passed).toBe(false);
	});
});
