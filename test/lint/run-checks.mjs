#!/usr/bin/env node
// Runs both lint gates on one package directory and prints the findings as
// JSON. Used by checks-fail.test.ts: Jest (CommonJS through ts-jest) cannot
// import ESLint's ESM flat config, the ESM community-nodes plugin or the
// scanner's .mjs module in-process, so the test calls this in a child process.
//
//   node test/lint/run-checks.mjs DIR
//
// DIR must contain package.json, eslint.config.mjs, nodes/, credentials/ and a
// node_modules (a symlink to this repository's is enough).
// Output: { eslint: Problem[], scanner: { passed, message, problems: Problem[] } }
// with Problem = { file, line, column, severity, ruleId, message }, file
// relative to DIR.

import path from 'node:path';
import { createRequire } from 'node:module';

import { cleanup, scanSources } from './scan.mjs';

const dir = path.resolve(process.argv[2] ?? '');
if (!process.argv[2]) {
	console.error('usage: node test/lint/run-checks.mjs DIR');
	process.exit(2);
}

// Resolve ESLint from the directory under test, as `npx eslint` there would.
const { ESLint } = createRequire(path.join(dir, 'package.json'))('eslint');

async function runEslint() {
	const eslint = new ESLint({ cwd: dir });
	const results = await eslint.lintFiles(['.']);
	return results.flatMap((result) =>
		result.messages.map((m) => ({
			file: path.relative(dir, result.filePath),
			line: m.line ?? 0,
			column: m.column ?? 0,
			severity: m.severity === 2 ? 'error' : 'warning',
			ruleId: m.ruleId ?? null,
			message: m.message,
		})),
	);
}

let eslintProblems;
let scan;
try {
	[eslintProblems, scan] = await Promise.all([runEslint(), scanSources(dir)]);
} finally {
	cleanup();
}
process.stdout.write(
	`${JSON.stringify({
		eslint: eslintProblems,
		scanner: { passed: scan.passed, message: scan.message, problems: scan.problems },
	})}\n`,
);
