// @ts-check
'use strict';
/**
 * One place for every pinned version, path and default of the e2e/dev harness.
 * Everything else in test/e2e reads from here.
 */
const os = require('node:os');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** n8n release the package is tested against (2.41.3 does not install from the registry). */
const N8N_VERSION = process.env.NANO_BANANA_N8N_VERSION || '2.41.1';
/** Node release n8n runs on (n8n 2.36+ needs Node >= 24; this machine ships Node 20). */
const NODE_VERSION = process.env.NANO_BANANA_NODE_VERSION || '24.9.0';

const PACKAGE_NAME = 'n8n-nodes-gemini-nano-banana';
const NODE_TYPE = `${PACKAGE_NAME}.nanoBanana`;
const CREDENTIAL_TYPES = {
	aiStudio: 'nanoBananaAiStudioApi',
	vertexAi: 'nanoBananaVertexAiApi',
};

const CACHE_ROOT = path.join(
	process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'),
	PACKAGE_NAME,
);
/**
 * Cache root of the n8n 1.x compatibility install (install-n8n1.js): the same as the 2.x one unless
 * NANO_BANANA_N8N1_CACHE_HOME names another (.ci/run installs 2.x cold and may keep 1.x shared).
 */
const N8N1_CACHE_ROOT = process.env.NANO_BANANA_N8N1_CACHE_HOME
	? path.join(process.env.NANO_BANANA_N8N1_CACHE_HOME, PACKAGE_NAME)
	: CACHE_ROOT;
/** Where `npm install --ignore-scripts node@<v> n8n@<v>` goes; reused across runs. */
const N8N_INSTALL_DIR = path.join(CACHE_ROOT, `n8n-${N8N_VERSION}`);

/** Scratch space inside the repo (git-ignored: `.e2e/`). */
const WORK_DIR = path.join(REPO_ROOT, '.e2e');

/** Fixed dev key: homes are throw-away, and a fixed key lets a kept home restart. */
const ENCRYPTION_KEY = 'nano-banana-e2e-encryption-key-not-secret';

/** Owner account created on every started n8n (a browser test logs in with it). */
const OWNER = {
	email: 'owner@nano-banana.test',
	password: 'NanoBanana-e2e-1',
	firstName: 'Nano',
	lastName: 'Banana',
};

const DEFAULT_PORT = 5678;

/** Timeouts (ms). */
const TIMEOUTS = {
	install: 30 * 60_000,
	sqliteRebuild: 10 * 60_000,
	build: 5 * 60_000,
	cli: 3 * 60_000,
	startup: 3 * 60_000,
	emulatorStartup: 30_000,
};

module.exports = {
	REPO_ROOT,
	N8N_VERSION,
	NODE_VERSION,
	PACKAGE_NAME,
	NODE_TYPE,
	CREDENTIAL_TYPES,
	CACHE_ROOT,
	N8N1_CACHE_ROOT,
	N8N_INSTALL_DIR,
	WORK_DIR,
	ENCRYPTION_KEY,
	OWNER,
	DEFAULT_PORT,
	TIMEOUTS,
};
