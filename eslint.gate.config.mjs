// The second half of `npm run lint` (after `n8n-node lint`): n8n's default config, exactly as
// `n8n-node lint` runs it on the same files, plus what this project holds its code to on top.
//
// Why two configs: package.json has `"n8n": { "strict": true }` (n8n Cloud support), and in
// strict mode `n8n-node lint` refuses to run unless eslint.config.mjs is, word for word, the
// default one it generates (`export default config` from '@n8n/node-cli/eslint'). So
// eslint.config.mjs stays that default and everything added lives here, run by
// `eslint -c eslint.gate.config.mjs --max-warnings 0`:
//   - zero warnings, not only zero errors;
//   - prefer-spread on the shipped TypeScript, as typescript-eslint's recommended set has it;
//   - no inline `eslint-disable` in the code that ships (package.json, nodes/, credentials/; one
//     exception below): n8n's scanner ignores inline config (allowInlineConfig: false), so a
//     comment there would only hide a finding that n8n's verification reports anyway; elsewhere
//     an unused directive is an error, so an exemption cannot outlive its reason;
//   - the community-node rules on the codex JSON files next to the code, which the default
//     config does not lint.
// Test files are linted by the default config too (it takes every .ts outside dist/) with
// n8n Cloud's rules; each test file names the Cloud rules it is exempt from in a first-line
// `eslint-disable` (tests run in Node, not in n8n: see README, "Lint").

import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import { config as n8nDefaultConfig } from '@n8n/node-cli/eslint';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const SHIPPED = ['package.json', 'nodes/**', 'credentials/**'];
const CODEX_JSON = ['nodes/**/*.json', 'credentials/**/*.json'];

export default defineConfig(
	// Local output that is not ours (git-ignored; `n8n-node lint` lints its .js files with no
	// rules, but e.g. Jest's coverage report carries `eslint-disable` comments).
	globalIgnores(['coverage/', '.e2e/', 'test-results/']),

	n8nDefaultConfig,

	{ linterOptions: { reportUnusedDisableDirectives: 'error' } },

	{ files: SHIPPED, linterOptions: { noInlineConfig: true } },

	// typescript-eslint's recommended set has it on; n8n's default turns it off.
	{ files: ['nodes/**/*.ts', 'credentials/**/*.ts'], rules: { 'prefer-spread': 'error' } },

	{
		files: CODEX_JSON,
		languageOptions: {
			parser: tseslint.parser,
			parserOptions: { extraFileExtensions: ['.json'] },
		},
		extends: [n8nCommunityNodesPlugin.configs.recommended],
	},

	// The one exception: the Vertex credential's `serviceAccountJson` holds a private key, so it is
	// a password field, but `credential-unnecessary-password` guesses secrecy from field names and
	// warns. The name is fixed (saved credentials use it), so the file carries one explained
	// `eslint-disable-next-line` for that rule, which `n8n-node lint` honours; it is honoured here
	// too for this file only (an unused one is an error). n8n's scanner ignores it and reports the
	// warning, which its verdict (errors only) does not count.
	{
		files: ['credentials/NanoBananaVertexAiApi.credentials.ts'],
		linterOptions: { noInlineConfig: false },
	},
);
