/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test code, run by Node, not n8n (README: Lint) */
import { credentialIdentity } from '../../../../nodes/NanoBanana/transport/auth/credentialIdentity';

const VERTEX = 'nanoBananaVertexAiApi';
const key = JSON.stringify({ client_email: 'a@b.iam', private_key: 'k', private_key_id: 'id1', project_id: 'key-project' });

describe('credential identity of each Vertex auth method', () => {
	it('a credential saved before the selector existed keeps its identity', () => {
		const old = { serviceAccountJson: key, location: 'global', projectId: '', baseUrl: '', accessToken: 'ya29.a' };
		expect(credentialIdentity(VERTEX, old)).toBe(
			credentialIdentity(VERTEX, { ...old, authMethod: 'serviceAccountKey', accessToken: 'ya29.b' }),
		);
	});

	it('metadata server: the server address and project, never the token', () => {
		const runtime = { authMethod: 'metadataServer', metadataServerUrl: 'http://metadata.google.internal', location: 'global' };
		const id = credentialIdentity(VERTEX, { ...runtime, accessToken: 'ya29.one' });
		expect(credentialIdentity(VERTEX, { ...runtime, accessToken: 'ya29.two' })).toBe(id);
		expect(credentialIdentity(VERTEX, { ...runtime, metadataServerUrl: '' })).toBe(id);
		expect(credentialIdentity(VERTEX, { ...runtime, metadataServerUrl: 'http://127.0.0.1:8080' })).not.toBe(id);
		expect(credentialIdentity(VERTEX, { ...runtime, projectId: 'other-project' })).not.toBe(id);
		// Not the same as a key file or an API key with otherwise equal fields.
		expect(credentialIdentity(VERTEX, { ...runtime, authMethod: 'apiKey', apiKey: '' })).not.toBe(id);
	});

	it('API key: a digest of the key, so two keys never share', () => {
		const a = credentialIdentity(VERTEX, { authMethod: 'apiKey', apiKey: 'AQ.first-key-1234567890', location: 'global' });
		const b = credentialIdentity(VERTEX, { authMethod: 'apiKey', apiKey: 'AQ.second-key-1234567890', location: 'global' });
		expect(a).not.toBe(b);
		expect(a).not.toContain('first-key');
		expect(credentialIdentity(VERTEX, { authMethod: 'apiKey', apiKey: 'AQ.first-key-1234567890', location: 'global', projectId: 'bound-project' })).not.toBe(a);
	});
});
