import { createPublicKey, generateKeyPairSync, verify } from 'crypto';

import {
	CLOUD_PLATFORM_SCOPE,
	GOOGLE_TOKEN_URI,
	parseServiceAccountKey,
	ServiceAccountKeyError,
	signJwtAssertion,
	tokenRequestBody,
} from '../../../../nodes/NanoBanana/transport/auth/serviceAccount';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const keyFile = {
	type: 'service_account',
	project_id: 'my-project',
	private_key_id: 'kid-1',
	private_key: pem,
	client_email: 'bot@my-project.iam.gserviceaccount.com',
	token_uri: 'http://127.0.0.1:9/token',
};

function decode(segment: string): Record<string, unknown> {
	return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('service account key', () => {
	it('reads the fields of a JSON key file', () => {
		expect(parseServiceAccountKey(JSON.stringify(keyFile))).toEqual({
			clientEmail: keyFile.client_email,
			privateKey: pem,
			privateKeyId: 'kid-1',
			projectId: 'my-project',
			tokenUri: 'http://127.0.0.1:9/token',
		});
	});

	it("defaults to Google's token endpoint and repairs escaped line breaks", () => {
		const escaped = { ...keyFile, token_uri: undefined, private_key: pem.replace(/\n/g, '\\n') };
		const key = parseServiceAccountKey(JSON.stringify(escaped));
		expect(key.tokenUri).toBe(GOOGLE_TOKEN_URI);
		expect(key.privateKey).toBe(pem);
	});

	it('explains unusable input without echoing it', () => {
		expect(() => parseServiceAccountKey('AIzaSy-not-json')).toThrow(ServiceAccountKeyError);
		try {
			parseServiceAccountKey('{"private_key": "secret-value"}');
		} catch (error) {
			expect((error as Error).message).toContain('client_email');
			expect((error as Error).message).not.toContain('secret-value');
		}
	});
});

describe('signJwtAssertion', () => {
	it('produces an RS256 JWT with the claims Google checks, verifiable with the public key', () => {
		const key = parseServiceAccountKey(keyFile);
		const jwt = signJwtAssertion(key, 1_700_000_000);
		const [header, claims, signature] = jwt.split('.');
		expect(decode(header)).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'kid-1' });
		expect(decode(claims)).toEqual({
			iss: keyFile.client_email,
			scope: CLOUD_PLATFORM_SCOPE,
			aud: keyFile.token_uri,
			iat: 1_700_000_000,
			exp: 1_700_003_600,
		});
		const valid = verify('RSA-SHA256', Buffer.from(`${header}.${claims}`), createPublicKey(publicKey.export({ type: 'spki', format: 'pem' })), Buffer.from(signature, 'base64url'));
		expect(valid).toBe(true);
		const tampered = verify('RSA-SHA256', Buffer.from(`${header}.${claims}x`), publicKey.export({ type: 'spki', format: 'pem' }), Buffer.from(signature, 'base64url'));
		expect(tampered).toBe(false);
	});

	it('explains a private key that cannot sign', () => {
		const key = { ...parseServiceAccountKey(keyFile), privateKey: '-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----' };
		expect(() => signJwtAssertion(key, 0)).toThrow(ServiceAccountKeyError);
	});

	it('posts the assertion as the JWT-bearer grant', () => {
		const body = new URLSearchParams(tokenRequestBody('a.b.c'));
		expect(body.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
		expect(body.get('assertion')).toBe('a.b.c');
	});
});
