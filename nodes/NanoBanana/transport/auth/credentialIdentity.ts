import { createHash } from 'crypto';

import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { AI_STUDIO_CREDENTIAL, AI_STUDIO_DEFAULT_BASE_URL, VERTEX_AI_CREDENTIAL, type CredentialType } from './backends';
import { parseServiceAccountKey } from './serviceAccount';
import { metadataServerOrigin } from './vertexAuth/metadataServer';
import { vertexAuthMethodName } from './vertexSettings';

/**
 * Who a credential speaks for, as one opaque string: a SHA-256 over the fields that pick the
 * account and the place requests go, never over a token (a token is empty until the first
 * exchange and changes every hour, so it would make two accounts look alike or one look like
 * many). Two credentials with the same identity may share answers, gates and batch jobs.
 *
 * Each credential type (and each way of authenticating within one) names its identity fields in
 * `IDENTITY_FIELDS`; a new authentication method adds its entry there.
 */

/** Ordered `[name, value]` pairs; the name keeps `a|bc` and `ab|c` apart. */
export type IdentityFields = Array<[string, string]>;

type IdentityReader = (credentials: ICredentialDataDecryptedObject) => IdentityFields;

function text(value: unknown): string {
	return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

function baseUrlOf(value: unknown, fallback: string): string {
	return (text(value) || fallback).replace(/\/+$/, '').toLowerCase();
}

/** Digest of a secret, so a secret is never kept, not even inside the identity's input. */
function digest(secret: string): string {
	return createHash('sha256').update(secret).digest('hex');
}

function aiStudioIdentity(credentials: ICredentialDataDecryptedObject): IdentityFields {
	return [
		['apiKey', digest(text(credentials.apiKey))],
		['baseUrl', baseUrlOf(credentials.baseUrl, AI_STUDIO_DEFAULT_BASE_URL)],
	];
}

/**
 * A service account is its email and key id. The key itself is included too (as a digest): a
 * pasted key that was damaged keeps the email and id of the good one, and must not be taken for
 * it. A key file that cannot be read at all is identified by its whole text.
 */
function vertexServiceAccountIdentity(credentials: ICredentialDataDecryptedObject): IdentityFields {
	const location = text(credentials.location) || 'global';
	const common: IdentityFields = [
		['location', location],
		['baseUrl', baseUrlOf(credentials.baseUrl, '')],
	];
	try {
		const key = parseServiceAccountKey(credentials.serviceAccountJson);
		return [
			['clientEmail', key.clientEmail],
			['privateKeyId', key.privateKeyId ?? ''],
			['privateKey', digest(key.privateKey)],
			['project', text(credentials.projectId) || key.projectId || ''],
			...common,
		];
	} catch {
		return [
			['unreadableKey', digest(text(credentials.serviceAccountJson))],
			['project', text(credentials.projectId)],
			...common,
		];
	}
}

/**
 * The runtime's identity is whatever its metadata server hands out: the server's address stands
 * for it. The project is the field's (an empty field means the runtime's own project).
 */
function vertexMetadataServerIdentity(credentials: ICredentialDataDecryptedObject): IdentityFields {
	return [
		['authMethod', 'metadataServer'],
		['metadataServer', metadataServerOrigin(credentials)],
		['project', text(credentials.projectId)],
		['location', text(credentials.location) || 'global'],
		['baseUrl', baseUrlOf(credentials.baseUrl, '')],
	];
}

/** A Vertex API key is its digest; the project decides express mode or a project's endpoint. */
function vertexApiKeyIdentity(credentials: ICredentialDataDecryptedObject): IdentityFields {
	return [
		['authMethod', 'apiKey'],
		['apiKey', digest(text(credentials.apiKey))],
		['project', text(credentials.projectId)],
		['location', text(credentials.location) || 'global'],
		['baseUrl', baseUrlOf(credentials.baseUrl, '')],
	];
}

const VERTEX_IDENTITY_FIELDS = {
	// Credentials saved before the method selector existed hash exactly as they did then.
	serviceAccountKey: vertexServiceAccountIdentity,
	metadataServer: vertexMetadataServerIdentity,
	apiKey: vertexApiKeyIdentity,
} satisfies Record<ReturnType<typeof vertexAuthMethodName>, IdentityReader>;

/** One reader per credential type the node uses: a new backend's type does not compile without one. */
const IDENTITY_FIELDS = {
	[AI_STUDIO_CREDENTIAL]: aiStudioIdentity,
	[VERTEX_AI_CREDENTIAL]: (credentials) => VERTEX_IDENTITY_FIELDS[vertexAuthMethodName(credentials)](credentials),
} satisfies Record<CredentialType, IdentityReader>;

function isCredentialType(type: string): type is CredentialType {
	return Object.prototype.hasOwnProperty.call(IDENTITY_FIELDS, type);
}

/** The fields `credentialIdentity` hashes; exported for tests and for readers that extend it. */
export function identityFields(credentialType: string, credentials: ICredentialDataDecryptedObject): IdentityFields {
	// A type name from outside the node (another node's credential) is still refused.
	if (!isCredentialType(credentialType)) throw new Error(`No credential identity is defined for the credential type "${credentialType}"`);
	const read: IdentityReader = IDENTITY_FIELDS[credentialType];
	return read(credentials);
}

/**
 * A stable, opaque identity for a credential: equal for the same account, endpoint and place,
 * different otherwise. Safe to keep in memory and to log: it cannot be turned back into a secret.
 */
export function credentialIdentity(credentialType: string, credentials: ICredentialDataDecryptedObject): string {
	const hash = createHash('sha256').update(credentialType);
	for (const [name, value] of identityFields(credentialType, credentials)) {
		hash.update(`\n${name}=${value.length}:${value}`);
	}
	return `cred-${hash.digest('hex').slice(0, 40)}`;
}
