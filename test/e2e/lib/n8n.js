// @ts-check
'use strict';
/**
 * The n8n side of the e2e harness in one import:
 *   ensureN8n()                          cached n8n + Node 24 install           (install.js)
 *   packPackage()                        npm run build + npm pack → .tgz        (pack.js)
 *   createN8nHome({ install, tarball })  fresh N8N_USER_FOLDER with the package (home.js)
 *   importCredentials / importWorkflows / executeWorkflow / nodeOutput          (cli.js)
 *   startN8n(home, { port })             n8n start + owner login → { url, stop } (server.js)
 *   readBinary(home, binary)             bytes of an output binary              (home.js)
 */
const { ensureN8n } = require('./install');
const { packPackage } = require('./pack');
const { createN8nHome, installTarball, n8nEnv, readBinary, binaryPath, freePort } = require('./home');
const { runN8n, importCredentials, importWorkflows, executeWorkflow, extractRunData, nodeOutput } = require('./cli');
const { startN8n, login, restJson, isListening } = require('./server');

module.exports = {
	ensureN8n,
	packPackage,
	createN8nHome,
	installTarball,
	n8nEnv,
	readBinary,
	binaryPath,
	freePort,
	runN8n,
	importCredentials,
	importWorkflows,
	executeWorkflow,
	extractRunData,
	nodeOutput,
	startN8n,
	login,
	restJson,
	isListening,
};
