import { credentialIdentity, identityFields } from '../../../../nodes/NanoBanana/transport/auth/credentialIdentity';

const AI_STUDIO = 'nanoBananaAiStudioApi';
const VERTEX = 'nanoBananaVertexAiApi';

const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';
const keyFile = {
	type: 'service_account',
	project_id: 'my-project',
	private_key_id: 'kid-1',
	private_key: PEM,
	client_email: 'bot@my-project.iam.gserviceaccount.com',
};

function vertex(overrides: Record<string, unknown> = {}, key: Record<string, unknown> = {}) {
	return {
		serviceAccountJson: JSON.stringify({ ...keyFile, ...key }),
		location: 'global',
		projectId: '',
		baseUrl: '',
		accessToken: '',
		...overrides,
	};
}

describe('credentialIdentity', () => {
	it('is the same for the same AI Studio key and base URL, whatever the formatting', () => {
		const a = credentialIdentity(AI_STUDIO, { apiKey: 'AIzaKey-1', baseUrl: '' });
		expect(credentialIdentity(AI_STUDIO, { apiKey: ' AIzaKey-1 ', baseUrl: 'https://generativelanguage.googleapis.com/' })).toBe(a);
		expect(a).toMatch(/^cred-[0-9a-f]{40}$/);
	});

	it('differs for another AI Studio key or another base URL', () => {
		const a = credentialIdentity(AI_STUDIO, { apiKey: 'AIzaKey-1', baseUrl: '' });
		expect(credentialIdentity(AI_STUDIO, { apiKey: 'AIzaKey-2', baseUrl: '' })).not.toBe(a);
		expect(credentialIdentity(AI_STUDIO, { apiKey: 'AIzaKey-1', baseUrl: 'http://127.0.0.1:1234' })).not.toBe(a);
	});

	it('never contains a secret, only a digest', () => {
		const identity = credentialIdentity(AI_STUDIO, { apiKey: 'AIzaSecretValue', baseUrl: '' });
		expect(identity).not.toContain('AIzaSecretValue');
		for (const [, value] of identityFields(VERTEX, vertex())) expect(value).not.toContain('PRIVATE KEY');
	});

	it('ignores the Vertex access token: a new credential and one with a token are the same account', () => {
		const fresh = credentialIdentity(VERTEX, vertex({ accessToken: '' }));
		expect(credentialIdentity(VERTEX, vertex({ accessToken: 'ya29.some-token' }))).toBe(fresh);
	});

	it('tells Vertex service accounts apart by email, key id, key, project, location and base URL', () => {
		const base = credentialIdentity(VERTEX, vertex());
		const variants = [
			vertex({}, { client_email: 'other@my-project.iam.gserviceaccount.com' }),
			vertex({}, { private_key_id: 'kid-2' }),
			// A damaged paste of the same key keeps its email and id; it is still not the same credential.
			vertex({}, { private_key: PEM.replace('MIIE', 'XXXX') }),
			vertex({ projectId: 'another-project' }),
			vertex({}, { project_id: 'third-project' }),
			vertex({ location: 'us-central1' }),
			vertex({ baseUrl: 'http://127.0.0.1:1234' }),
			vertex({ serviceAccountJson: '{ not json' }),
		];
		const identities = variants.map((credentials) => credentialIdentity(VERTEX, credentials));
		expect(new Set([base, ...identities]).size).toBe(variants.length + 1);
	});

	it('treats a project given in the credential like the same project in the key file', () => {
		expect(credentialIdentity(VERTEX, vertex({ projectId: 'my-project' }))).toBe(credentialIdentity(VERTEX, vertex()));
	});

	it('keeps AI Studio and Vertex apart even when their fields look alike', () => {
		expect(credentialIdentity(AI_STUDIO, { apiKey: '', baseUrl: '' })).not.toBe(
			credentialIdentity(VERTEX, { serviceAccountJson: '', baseUrl: '' }),
		);
	});

	it('refuses a credential type it has no identity for, instead of guessing', () => {
		expect(() => credentialIdentity('someOtherApi', { apiKey: 'x' })).toThrow(/No credential identity/);
		expect(() => credentialIdentity('__proto__', {})).toThrow(/No credential identity/);
	});
});
