// @ts-check
'use strict';
/**
 * Shared set-up for *.e2e.test.js files. Under `npm run test:e2e` the tarball is built once and
 * passed in NANO_BANANA_E2E_TARBALL; a test file run on its own (`node --test test/e2e/x.e2e.test.js`)
 * builds and packs by itself.
 */
const fs = require('node:fs');
const { ensureN8n } = require('./install');
const { packPackage } = require('./pack');
const { createN8nHome } = require('./home');

/** @type {Promise<{ install: import('./install').N8nInstall, tarball: string }> | undefined} */
let prepared;

/** @param {(msg: string) => void} [log] */
function prepare(log = (msg) => process.stderr.write(`${msg}\n`)) {
	prepared ??= (async () => {
		const install = await ensureN8n({ log });
		const fromEnv = process.env.NANO_BANANA_E2E_TARBALL;
		const tarball = fromEnv && fs.existsSync(fromEnv) ? fromEnv : await packPackage({ log });
		return { install, tarball };
	})();
	return prepared;
}

/**
 * A fresh n8n home with the package installed; removed by the returned `dispose` unless
 * NANO_BANANA_E2E_KEEP=1.
 * @param {{ withPackage?: boolean }} [options]
 */
async function freshHome(options = {}) {
	const { install, tarball } = await prepare();
	const home = await createN8nHome({ install, tarball: options.withPackage === false ? undefined : tarball });
	const dispose = () => {
		if (process.env.NANO_BANANA_E2E_KEEP === '1') {
			process.stderr.write(`Kept n8n home ${home.dir}\n`);
		} else {
			fs.rmSync(home.dir, { recursive: true, force: true });
		}
	};
	return { home, dispose };
}

module.exports = { prepare, freshHome };
