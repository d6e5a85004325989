/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code, run by Node, not n8n (README: Lint) */
/**
 * Must be imported before anything from n8n-core is constructed: n8n's configuration classes read
 * these variables when the DI container first builds them. A fresh user folder per test file keeps
 * n8n's instance settings (and the binary-data folder) away from the developer's ~/.n8n.
 */
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

export const N8N_TEST_HOME = mkdtempSync(join(tmpdir(), 'nano-banana-n8n-'));

process.env.N8N_USER_FOLDER = N8N_TEST_HOME;
process.env.N8N_ENCRYPTION_KEY ??= 'nano-banana-node-tests';
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
