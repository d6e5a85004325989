// @ts-check
'use strict';
/** Builds the package and packs it into a tarball, exactly what `npm publish` would ship. */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { run, withProgress } = require('./proc');
const config = require('./config');

/**
 * Runs `npm run build` then `npm pack --pack-destination <dest>` in the repo.
 * @param {{ destDir?: string, skipBuild?: boolean, log?: (msg: string) => void }} [options]
 * @returns {Promise<string>} absolute path of the .tgz
 */
async function packPackage(options = {}) {
	const log = options.log ?? (() => {});
	const destDir = options.destDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'nano-banana-pack-'));
	fs.mkdirSync(destDir, { recursive: true });
	const cwd = config.REPO_ROOT;
	if (!options.skipBuild) {
		log('Building the package (npm run build)');
		if (!fs.existsSync(path.join(cwd, 'node_modules'))) {
			throw new Error(`No node_modules in ${cwd}: run \`npm install\` first`);
		}
		await withProgress(log, (secs) => `  ...still building (${secs} s)`, () => run('npm', ['run', 'build'], { cwd, timeout: config.TIMEOUTS.build }));
	}
	const res = await run('npm', ['pack', '--json', '--pack-destination', destDir], {
		cwd,
		timeout: config.TIMEOUTS.build,
	});
	const filename = parsePackJson(res.stdout);
	const tarball = path.resolve(destDir, path.basename(filename));
	if (!fs.existsSync(tarball)) throw new Error(`npm pack reported ${filename} but ${tarball} does not exist`);
	log(`Packed ${tarball}`);
	return tarball;
}

/**
 * `npm pack --json` prints a JSON array (possibly after other output).
 * @param {string} stdout
 * @returns {string}
 */
function parsePackJson(stdout) {
	const start = stdout.indexOf('[');
	const parsed = JSON.parse(stdout.slice(start));
	const filename = parsed?.[0]?.filename;
	if (typeof filename !== 'string') throw new Error(`Unexpected npm pack output: ${stdout.slice(0, 500)}`);
	return filename;
}

module.exports = { packPackage };
