// ESLint flat config for this n8n community package.
//
// What is linted: the code that ships (nodes/ and credentials/, TypeScript plus
// any JSON such as codex files) and package.json. Everything else (tests, docs,
// examples, build output, root tooling scripts) is ignored.
//
// Rule sets, in the spirit of n8n's own `n8n-node lint` and of the
// `@n8n/scan-community-package` gate n8n runs before verifying a package:
//   - @n8n/eslint-plugin-community-nodes `recommended` (the variant WITH n8n
//     Cloud rules: no-restricted-globals, no-restricted-imports);
//   - eslint-plugin-n8n-nodes-base `community` (package.json), `credentials`
//     (credentials/**/*.ts) and `nodes` (nodes/**/*.ts). That plugin only ships
//     eslintrc-style configs, so its `rules` objects are spread into flat
//     config blocks here and the plugin object is registered by hand;
//   - typescript-eslint `recommended` for the TypeScript sources.
//
// The TypeScript parser is used without type information (no `project`), so
// `npm run lint` needs neither a build nor a tsc pass. package.json is parsed
// by the same parser (TypeScript understands JSON), which is what both plugins'
// package.json rules expect (they walk an ObjectExpression).
//
// Inline `eslint-disable` comments are switched off for the shipped code: the
// n8n scanner ignores them (allowInlineConfig: false), so a disabled rule here
// would only hide a finding that n8n's verification will report anyway.

import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const TS_SOURCES = ['nodes/**/*.ts', 'credentials/**/*.ts'];
const JSON_SOURCES = ['package.json', 'nodes/**/*.json', 'credentials/**/*.json'];

export default defineConfig(
	globalIgnores([
		'dist/',
		'node_modules/',
		'coverage/',
		'test/',
		'docs/',
		'examples/',
		'.e2e/',
		'test-results/',
		'.ci/',
		// root-level tooling (gulpfile.js, index.js, jest.config.js, this file)
		'*.js',
		'*.cjs',
		'*.mjs',
		'**/*.d.ts',
	]),

	// Parser and inline-config policy for everything that ships.
	{
		files: [...TS_SOURCES, ...JSON_SOURCES],
		languageOptions: {
			parser: tseslint.parser,
			parserOptions: {
				ecmaVersion: 'latest',
				sourceType: 'module',
				extraFileExtensions: ['.json'],
			},
		},
		linterOptions: {
			noInlineConfig: true,
			reportUnusedDisableDirectives: 'error',
		},
		plugins: { 'n8n-nodes-base': n8nNodesBase },
	},

	// General TypeScript hygiene (as `n8n-node lint` does).
	{
		files: TS_SOURCES,
		extends: [tseslint.configs.recommended],
		rules: {
			'no-console': 'error',
		},
	},

	// n8n community-node rules, including the n8n Cloud ones. Several rules
	// (no-runtime-dependencies, no-forbidden-lifecycle-scripts, no-dead-files,
	// node-registration-complete, valid-peer-dependencies, ...) are anchored on
	// package.json, so it is in the file list too.
	{
		files: [...TS_SOURCES, ...JSON_SOURCES],
		extends: [n8nCommunityNodesPlugin.configs.recommended],
	},

	// eslint-plugin-n8n-nodes-base: package.json
	{
		files: ['package.json'],
		rules: { ...n8nNodesBase.configs.community.rules },
	},

	// eslint-plugin-n8n-nodes-base: credentials
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// n8n turns these off for community packages: a community credential's
			// documentationUrl is a full URL, and the community plugin's
			// credential-password-field rule is the more accurate password check.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},

	// The Vertex credential's `serviceAccountJson` holds a private key, so it is a password field;
	// the rule guesses secrecy from field names and misses it. The name is fixed by the public
	// interface (workflows and docs use it).
	{
		files: ['credentials/NanoBananaVertexAiApi.credentials.ts'],
		rules: { '@n8n/community-nodes/credential-unnecessary-password': 'off' },
	},

	// eslint-plugin-n8n-nodes-base: nodes
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// Same exceptions as n8n's own community-node lint config:
			// inputs/outputs may use the NodeConnectionTypes enum instead of 'main',
			// and a maxValue that mirrors a real API limit is legitimate.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
);
