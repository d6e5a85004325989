#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * `npm run test:e2e`: prepares once what every e2e test needs, then runs test/e2e/*.e2e.test.js
 * with Node's own test runner, one file at a time.
 *
 *   1. the cached n8n + Node 24 (first run downloads n8n: a few minutes)
 *   2. npm run build + npm pack → one tarball shared by all test files
 *   3. node --test --test-concurrency=1 --test-timeout=<10 min> <files>
 *
 * The tests find the prepared pieces through environment variables:
 *   NANO_BANANA_E2E_TARBALL   path of the packed package
 *   NANO_BANANA_E2E_READY=1   n8n is installed (ensureN8n() is then a cheap marker check anyway)
 *
 * Usage: npm run test:e2e [-- [--skip-build] [--keep] [--update-screenshots] [node --test flags...] [test files...]]
 *   --skip-build          pack the current dist/ without building
 *   --keep                keep the n8n homes the tests create (NANO_BANANA_E2E_KEEP=1)
 *   --update-screenshots  the browser test copies visibly changed shots into docs/screenshots/
 *                         (NANO_BANANA_UPDATE_SCREENSHOTS=1; `npm run screenshots` does this)
 *   e.g. npm run test:e2e -- --test-name-pattern=smoke test/e2e/smoke.e2e.test.js
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const config = require('./lib/config');
const { ensureN8n } = require('./lib/install');
const { ensureN8n1, InstallUnavailableError } = require('./lib/install-n8n1');
const { packPackage } = require('./lib/pack');
const { childEnv } = require('./lib/proc');
const { UPDATE_FLAG } = require('./lib/screenshots');

const TEST_TIMEOUT_MS = Number(process.env.NANO_BANANA_E2E_TEST_TIMEOUT_MS || 10 * 60_000);

async function main() {
	const argv = process.argv.slice(2);
	const skipBuild = argv.includes('--skip-build');
	const keep = argv.includes('--keep');
	const updateScreenshots = argv.includes('--update-screenshots');
	const rest = argv.filter((a) => !['--skip-build', '--keep', '--update-screenshots'].includes(a));
	const files = rest.filter((a) => !a.startsWith('-'));
	const nodeFlags = rest.filter((a) => a.startsWith('-'));

	const started = Date.now();
	/** @param {string} msg */
	const log = (msg) => process.stdout.write(`[e2e ${((Date.now() - started) / 1000).toFixed(0)}s] ${msg}\n`);

	const install = await ensureN8n({ log });
	log(`n8n ${install.n8nVersion} on Node ${install.nodeVersion}: ${install.dir}`);
	const packDir = path.join(config.WORK_DIR, 'pack');
	fs.rmSync(packDir, { recursive: true, force: true });
	const tarball = await packPackage({ destDir: packDir, skipBuild, log });

	const testDir = __dirname;
	// The 1.x install is slow on a cold cache: do it here rather than inside a test's time limit.
	if (!files.length || files.some((f) => /compat-n8n1|examples\.e2e/.test(f))) {
		try {
			const n8n1 = await ensureN8n1({ log });
			log(`n8n ${n8n1.n8nVersion} (1.x line) ready: ${n8n1.dir}`);
		} catch (error) {
			if (!(error instanceof InstallUnavailableError)) throw error;
			log(`n8n 1.x could not be installed here (${error.message}); its compatibility tests will be skipped`);
		}
	}
	const testFiles = files.length
		? files.map((f) => path.resolve(f))
		: fs
				.readdirSync(testDir)
				.filter((f) => f.endsWith('.e2e.test.js'))
				.sort()
				.map((f) => path.join(testDir, f));
	if (!testFiles.length) throw new Error(`No *.e2e.test.js files in ${testDir}`);
	log(`Running ${testFiles.length} test file(s): ${testFiles.map((f) => path.relative(config.REPO_ROOT, f)).join(', ')}`);

	const args = ['--test', '--test-concurrency=1', `--test-timeout=${TEST_TIMEOUT_MS}`, ...nodeFlags, ...testFiles];
	const child = spawn(process.execPath, args, {
		cwd: config.REPO_ROOT,
		stdio: 'inherit',
		env: childEnv({
			NANO_BANANA_E2E_TARBALL: tarball,
			NANO_BANANA_E2E_READY: '1',
			...(keep ? { NANO_BANANA_E2E_KEEP: '1' } : {}),
			...(updateScreenshots ? { [UPDATE_FLAG]: '1' } : {}),
		}),
	});
	const forward = (/** @type {NodeJS.Signals} */ sig) => child.kill(sig);
	process.on('SIGINT', forward);
	process.on('SIGTERM', forward);
	const code = await new Promise((resolve) => child.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
	log(`e2e ${code === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
	process.exit(code);
}

main().catch((err) => {
	process.stderr.write(`\ne2e setup failed: ${err instanceof Error ? err.stack : String(err)}\n`);
	process.exit(1);
});
