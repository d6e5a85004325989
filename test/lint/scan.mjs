#!/usr/bin/env node
// Runs n8n's community-package scanner (@n8n/scan-community-package) locally.
//
// n8n's CLI (`npx @n8n/scan-community-package <name>`) only scans a package
// that is already published (it checks npm provenance, downloads the attested
// source and the tarball). This script runs the same analyser on
//   (a) the repository sources: package.json + nodes/ + credentials/
//       (SOURCE_FILE_PATTERNS, exactly what n8n lints in the attested source);
//   (b) the unpacked `npm pack` tarball: compiled **/*.js + package.json
//       (what n8n lints in the published artifact). Needs `npm run build`.
//
// n8n's gate fails on ESLint errors only. This script is stricter: warnings
// from the same rule set count as findings too (pass --errors-only to get
// n8n's exact verdict).
//
// Usage: node test/lint/scan.mjs [--source] [--tarball] [--root DIR] [--errors-only] [--json]
//   --source / --tarball  run only that leg (default: both)
//   --root DIR            package directory to scan (default: this repository)
//   --json                print one JSON object instead of the human report
// Exit code: 0 no findings, 1 findings, 2 a leg could not run (e.g. dist/ missing;
// findings of the other leg are still printed).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCANNER_MODULE = '@n8n/scan-community-package/scanner/scanner.mjs';
export const TARBALL_FILE_PATTERNS = ['**/*.js', 'package.json'];

class SetupError extends Error {}

let workDir;
function getWorkDir() {
	// The scanner module creates a temp dir through `tmp` when it is imported
	// and never removes it; point TMPDIR at a private directory we do remove.
	workDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-scan-'));
	return workDir;
}

export function cleanup() {
	if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
	workDir = undefined;
}

let scannerPromise;
async function loadScanner() {
	scannerPromise ??= (async () => {
		const previousTmp = process.env.TMPDIR;
		process.env.TMPDIR = getWorkDir();
		try {
			const requireHere = createRequire(import.meta.url);
			const scannerPath = requireHere.resolve(SCANNER_MODULE);
			const scanner = await import(pathToFileURL(scannerPath).href);
			// The scanner's own copies of eslint and fast-glob, so the strict
			// (warnings) pass below lints exactly the files the scanner lints.
			const requireScanner = createRequire(scannerPath);
			const { ESLint } = requireScanner('eslint');
			const glob = requireScanner('fast-glob');
			return { ...scanner, ESLint, glob };
		} catch (error) {
			throw new SetupError(
				`Cannot load ${SCANNER_MODULE} (${error.message}). Run \`npm ci\` first.`,
			);
		} finally {
			if (previousTmp === undefined) delete process.env.TMPDIR;
			else process.env.TMPDIR = previousTmp;
		}
	})();
	return scannerPromise;
}

/**
 * Lints `dir` the way the scanner does (same flat config, same file list,
 * inline config ignored) and returns every message, warnings included.
 */
async function lintLikeScanner(scanner, dir, patterns) {
	const files = scanner.glob.sync(patterns, {
		cwd: dir,
		absolute: true,
		ignore: ['node_modules/**', '**/package-lock.json'],
	});
	if (files.length === 0) return { files: 0, problems: [] };
	const eslint = new scanner.ESLint({
		cwd: dir,
		allowInlineConfig: false,
		overrideConfigFile: true,
		overrideConfig: await scanner.buildScanConfig(),
	});
	const results = await eslint.lintFiles(files);
	const problems = [];
	for (const result of results) {
		for (const m of result.messages) {
			problems.push({
				file: path.relative(dir, result.filePath),
				line: m.line ?? 0,
				column: m.column ?? 0,
				severity: m.severity === 2 ? 'error' : 'warning',
				ruleId: m.ruleId ?? null,
				message: m.message,
			});
		}
	}
	return { files: files.length, problems };
}

/** One scanner leg: n8n's verdict (analyzePackage) plus the full message list. */
export async function scanDirectory(dir, patterns) {
	const scanner = await loadScanner();
	const verdict = await scanner.analyzePackage(dir, patterns);
	const { files, problems } = await lintLikeScanner(scanner, dir, patterns);
	return {
		dir,
		patterns,
		files,
		passed: verdict.passed,
		message: verdict.message ?? null,
		details: verdict.details ?? null,
		problems,
	};
}

export async function scanSources(root = REPO_ROOT) {
	const scanner = await loadScanner();
	return scanDirectory(root, scanner.SOURCE_FILE_PATTERNS);
}

function assertBuilt(root) {
	const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
	const entries = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])];
	const missing = entries.filter((entry) => !fs.existsSync(path.join(root, entry)));
	if (!fs.existsSync(path.join(root, 'dist')) || missing.length > 0) {
		throw new SetupError(
			[
				'dist/ is missing or incomplete, so the npm tarball cannot be checked.',
				...missing.map((entry) => `  not found: ${entry}`),
				'Run `npm run build` first (the tarball leg scans the compiled output),',
				'or run only the source leg: node test/lint/scan.mjs --source',
			].join('\n'),
		);
	}
	// A stale build would make the tarball leg scan old code and pass wrongly.
	const builtAt = Math.min(...entries.map((entry) => fs.statSync(path.join(root, entry)).mtimeMs));
	const newer = ['nodes', 'credentials']
		.filter((top) => fs.existsSync(path.join(root, top)))
		.flatMap((top) =>
			fs
				.readdirSync(path.join(root, top), { recursive: true, encoding: 'utf8' })
				.filter((f) => /\.(ts|json|svg|png)$/.test(f))
				.map((f) => path.join(top, f)),
		)
		.filter((file) => fs.statSync(path.join(root, file)).mtimeMs > builtAt);
	if (newer.length > 0) {
		throw new SetupError(
			[
				'dist/ is older than the sources, so the tarball would contain stale code:',
				...newer.slice(0, 5).map((file) => `  changed after the last build: ${file}`),
				...(newer.length > 5 ? [`  ... and ${newer.length - 5} more`] : []),
				'Run `npm run build` first.',
			].join('\n'),
		);
	}
}

function run(command, args, options) {
	const result = spawnSync(command, args, { encoding: 'utf8', ...options });
	if (result.status !== 0) {
		throw new SetupError(
			`\`${command} ${args.join(' ')}\` failed (exit ${result.status}):\n${result.stderr || result.stdout}`,
		);
	}
	return result.stdout;
}

export async function scanTarball(root = REPO_ROOT) {
	assertBuilt(root);
	const packDir = fs.mkdtempSync(path.join(getWorkDir(), 'pack-'));
	// --ignore-scripts: the package has no lifecycle scripts (n8n forbids
	// them), this only guarantees nothing runs while packing.
	const out = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], {
		cwd: root,
	});
	const packed = JSON.parse(out.slice(out.indexOf('[')));
	const tarball = path.join(packDir, packed[0].filename);
	const unpacked = path.join(packDir, 'package');
	fs.mkdirSync(unpacked);
	run('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);
	const result = await scanDirectory(unpacked, TARBALL_FILE_PATTERNS);
	return {
		...result,
		tarball: packed[0].filename,
		tarballFiles: packed[0].files.map((f) => f.path),
	};
}

function parseArgs(argv) {
	const options = { source: false, tarball: false, root: REPO_ROOT, errorsOnly: false, json: false };
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--source') options.source = true;
		else if (arg === '--tarball') options.tarball = true;
		else if (arg === '--errors-only') options.errorsOnly = true;
		else if (arg === '--json') options.json = true;
		else if (arg === '--root') options.root = path.resolve(argv[++i] ?? '');
		else throw new SetupError(`Unknown argument: ${arg}`);
	}
	if (!options.source && !options.tarball) options.source = options.tarball = true;
	return options;
}

function countFindings(leg, errorsOnly) {
	const errors = leg.problems.filter((p) => p.severity === 'error').length;
	const warnings = errorsOnly ? 0 : leg.problems.length - errors;
	// analyzePackage's verdict is authoritative for errors (it may also fail
	// without lint messages, e.g. "Analysis failed: ...").
	return (leg.passed ? 0 : Math.max(1, errors)) + warnings;
}

function report(label, leg, errorsOnly) {
	const lines = [`\n== n8n scanner: ${label} (${leg.files} files, ${leg.patterns.join(' ')})`];
	if (!leg.passed) {
		lines.push(`n8n verdict: FAIL (${leg.message})`);
		// stylish output with absolute paths; show them relative to the scanned dir
		if (leg.details) lines.push(leg.details.split(`${leg.dir}${path.sep}`).join('').trimEnd());
		else if (leg.message) lines.push(leg.message);
	} else {
		lines.push('n8n verdict: pass');
	}
	const warnings = leg.problems.filter((p) => p.severity === 'warning');
	if (warnings.length > 0) {
		lines.push(
			`${warnings.length} warning(s)${errorsOnly ? ' (not counted: --errors-only)' : ' (counted as findings)'}:`,
		);
		for (const w of warnings) {
			lines.push(`  ${w.file}:${w.line}:${w.column}  warning  ${w.message}  ${w.ruleId ?? ''}`);
		}
	}
	return lines.join('\n');
}

async function main() {
	let options = { json: false };
	const output = {};
	const setupErrors = [];
	const legs = [
		['source', 'repository sources', (o) => scanSources(o.root)],
		['tarball', 'npm pack tarball', (o) => scanTarball(o.root)],
	];
	try {
		options = parseArgs(process.argv.slice(2));
		for (const [key, label, scan] of legs) {
			if (!options[key]) continue;
			try {
				output[key] = await scan(options);
				if (!options.json) {
					const name = output[key].tarball ? `${label} ${output[key].tarball}` : label;
					console.log(report(name, output[key], options.errorsOnly));
				}
			} catch (error) {
				if (!(error instanceof SetupError)) throw error;
				setupErrors.push(`${label}: ${error.message}`);
				if (!options.json) console.error(`\n== n8n scanner: ${label}: could not run\n${error.message}`);
			}
		}
	} catch (error) {
		setupErrors.push(error instanceof SetupError ? error.message : (error?.stack ?? String(error)));
		if (!options.json) console.error(`\nn8n scanner could not run:\n${setupErrors.at(-1)}`);
	} finally {
		cleanup();
	}

	const findings = Object.values(output).reduce(
		(sum, leg) => sum + countFindings(leg, options.errorsOnly),
		0,
	);
	if (options.json) {
		process.stdout.write(`${JSON.stringify({ findings, setupErrors, ...output }, null, 2)}\n`);
	} else if (findings > 0) {
		console.log(
			`\nn8n scanner: ${findings} finding(s). Fix them before publishing; n8n's verification runs this scanner.`,
		);
	} else if (setupErrors.length === 0) {
		console.log('\nn8n scanner: no findings.');
	}
	if (setupErrors.length > 0) return 2;
	return findings === 0 ? 0 : 1;
}

const invokedDirectly =
	process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url;
if (invokedDirectly) {
	process.exitCode = await main();
}
