/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test code, run by Node, not n8n (README: Lint) */
import { secretsOf } from '../../../../nodes/NanoBanana/actions/runContext';
import { redactedSnippet, redactSecrets, urlSecrets } from '../../../../nodes/NanoBanana/transport/http/redact';

describe('redactSecrets', () => {
	it('removes keys, tokens and private keys', () => {
		const text =
			'key AIzaSyA1234567890abcdefghijklmnopqrstuv url https://x/y?key=abc123&alt=json token ya29.a0AfH6SM-xyz header Bearer abc.def-ghi ' +
			'-----BEGIN PRIVATE KEY-----\nMIIEv\n-----END PRIVATE KEY----- custom s3cr3t-value-1';
		const redacted = redactSecrets(text, ['s3cr3t-value-1']);
		for (const secret of ['AIzaSyA1234567890', 'abc123', 'ya29.a0AfH6SM', 'abc.def-ghi', 'MIIEv', 's3cr3t-value-1']) {
			expect(redacted).not.toContain(secret);
		}
		expect(redacted).toContain('?key=[redacted]&alt=json');
		expect(redacted).toContain('Bearer [redacted]');
	});

	it('removes every known secret, however short', () => {
		expect(redactSecrets('the key q7Zp was refused', ['q7Zp'])).toBe('the key [redacted] was refused');
		expect(redactSecrets('x', [''])).toBe('x');
	});

	it('removes a key pasted with a trailing newline in the trimmed form it is sent in', () => {
		const pasted = 'q7Zp-custom-key\n';
		expect(redactSecrets('header x-goog-api-key: q7Zp-custom-key refused', [pasted])).toBe('header x-goog-api-key: [redacted] refused');
		expect(redactSecrets('the key q7Zp-custom-key', secretsOf('aiStudio', { apiKey: ` ${pasted}` }))).toBe('the key [redacted]');
	});

	it('removes known secrets in their JSON-escaped and URL-encoded spellings', () => {
		const secret = 'line1\nli"ne2 &/';
		const text = `json ${JSON.stringify({ k: secret })} url ?token=${encodeURIComponent(secret)}`;
		const redacted = redactSecrets(text, [secret]);
		expect(redacted).not.toContain('line1');
		expect(redacted).not.toContain('ne2');
	});

	it('removes the password of a URL with a login (a proxy in the base URL)', () => {
		const text = 'connect ECONNREFUSED https://bob:hunter2@proxy.example:8443/v1beta/models';
		expect(redactSecrets(text)).toBe('connect ECONNREFUSED https://bob:[redacted]@proxy.example:8443/v1beta/models');
	});
});

describe('redactedSnippet', () => {
	it('redacts before it shortens: a key crossing the cut leaves nothing of itself', () => {
		const key = 'AIzaSyA1234567890abcdefghijklmnopqrstuv';
		const body = `${'x'.repeat(110)}${key} and more`;
		const snippet = redactedSnippet(body, [], 120);
		expect(snippet).not.toContain('AIza');
		expect(snippet.length).toBeLessThanOrEqual(121);
	});

	it('a custom secret crossing the cut leaves nothing of itself', () => {
		const secret = 'my-private-proxy-token-0123456789';
		const snippet = redactedSnippet(`${'y'.repeat(100)}${secret}`, [secret], 120);
		expect(snippet).not.toContain('my-private');
		expect(snippet).toContain('[redacted]');
	});

	it('keeps short text whole', () => {
		expect(redactedSnippet('<html>Bad gateway</html>', [], 120)).toBe('<html>Bad gateway</html>');
	});
});

describe('secrets of a credential', () => {
	it('include the password written into the base URL, encoded and decoded', () => {
		expect(urlSecrets('https://bob:p%40ss@proxy.example/')).toEqual(['p%40ss', 'p@ss']);
		expect(urlSecrets('https://proxy.example/')).toEqual([]);
		expect(urlSecrets('not a url @')).toEqual([]);
		expect(secretsOf('aiStudio', { apiKey: 'AIzaKey', baseUrl: 'https://bob:pw1@proxy.example' })).toEqual(['AIzaKey', 'pw1']);
		expect(secretsOf('vertexAi', { accessToken: 'ya29.t', baseUrl: 'https://bob:pw2@proxy.example' })).toContain('pw2');
	});
});
