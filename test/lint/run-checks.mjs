#!/usr/bin/env node
// Runs the lint gates of `npm run lint` on one package directory and prints the findings as
// JSON. Used by checks-fail.test.ts: Jest (CommonJS through ts-jest) cannot import ESLint's ESM
// flat config, the ESM community-nodes plugin or the scanner's .mjs module in-process, so the
// test calls this in a child process.
//
//   node test/lint/run-checks.mjs DIR
//
// DIR must contain package.json, eslint.config.mjs, eslint.gate.config.mjs, nodes/,
// credentials/ and a node_modules (a symlink to this repository's is enough).
// Output: {
//   n8nNodeLint: { exitCode, output, problems: Problem[] },   `n8n-node lint` as a user runs it
//   eslint: Problem[],                                        eslint.gate.config.mjs
//   scanner: { passed, message, problems: Problem[] },        n8n's community-package scanner
// }
// with Problem = { file, line, column, severity, ruleId, message }, file relative to DIR.

import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

import { cleanup, scanSources } from './scan.mjs';

const dir = path.resolve(process.argv[2] ?? '');
if (!process.argv[2]) {
	console.error('usage: node test/lint/run-checks.mjs DIR');
	process.exit(2);
}

// Resolve ESLint from the directory under test, as `npx eslint` there would.
const { ESLint } = createRequire(path.join(dir, 'package.json'))('eslint');

async function runEslint() {
	const eslint = new ESLint({ cwd: dir, overrideConfigFile: path.join(dir, 'eslint.gate.config.mjs') });
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

// ESLint's "stylish" report, as `n8n-node lint` prints it: a line with the absolute file path,
// then one indented line per problem ending in the rule id.
const PROBLEM_LINE = /^\s+(\d+):(\d+)\s+(error|warning)\s+(.*?)\s{2,}(\S+)$/;

function parseStylish(output) {
	const problems = [];
	let file;
	for (const line of output.split(/\r?\n/)) {
		if (path.isAbsolute(line.trim()) && line.trim().startsWith(dir)) {
			file = path.relative(dir, line.trim());
			continue;
		}
		const match = PROBLEM_LINE.exec(line);
		if (file && match) {
			const [, lineNo, column, severity, message, ruleId] = match;
			problems.push({ file, line: Number(lineNo), column: Number(column), severity, ruleId, message });
		}
	}
	return problems;
}

/** `n8n-node lint` from the directory's own node_modules, in that directory. */
function runN8nNodeLint() {
	const bin = path.join(dir, 'node_modules', '.bin', 'n8n-node');
	return new Promise((resolve) => {
		execFile(bin, ['lint'], { cwd: dir, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
			// ESC [ … m: the colour codes n8n-node asks ESLint for (FORCE_COLOR=1).
			const output = `${stdout}${stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
			const exitCode = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
			resolve({ exitCode, output, problems: parseStylish(output) });
		});
	});
}

let n8nNodeLint;
let eslintProblems;
let scan;
try {
	[n8nNodeLint, eslintProblems, scan] = await Promise.all([runN8nNodeLint(), runEslint(), scanSources(dir)]);
} finally {
	cleanup();
}
process.stdout.write(
	`${JSON.stringify({
		n8nNodeLint,
		eslint: eslintProblems,
		scanner: { passed: scan.passed, message: scan.message, problems: scan.problems },
	})}\n`,
);
