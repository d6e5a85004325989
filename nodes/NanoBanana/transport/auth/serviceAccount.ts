import { createSign } from 'crypto';

import { jsonInString } from '../../shared/json';

/**
 * Google Cloud service-account keys and the OAuth 2.0 JWT-bearer exchange (RFC 7523) that turns
 * one into an access token. Shared by the Vertex credential (token exchange) and the node (project
 * id, endpoint), so both read the key file the same way.
 */

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Google accepts assertions valid for at most an hour. */
const ASSERTION_LIFETIME_SECONDS = 3600;

export interface ServiceAccountKey {
	clientEmail: string;
	privateKey: string;
	privateKeyId?: string;
	projectId?: string;
	tokenUri: string;
}

/** Thrown for a key file that cannot be used; its message says what to paste instead. */
export class ServiceAccountKeyError extends Error {}

export function parseServiceAccountKey(json: unknown): ServiceAccountKey {
	const parsed = jsonInString(json);
	if (parsed === undefined) {
		throw new ServiceAccountKeyError(
			'The service account key is not valid JSON. Paste the whole contents of the JSON key file downloaded from Google Cloud (IAM & Admin → Service Accounts → Keys → Add key → JSON).',
		);
	}
	const record = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
	const text = (key: string) => (typeof record[key] === 'string' ? (record[key] as string) : undefined);
	const clientEmail = text('client_email');
	const privateKey = text('private_key');
	if (!clientEmail || !privateKey) {
		throw new ServiceAccountKeyError(
			'The service account key has no "client_email" or "private_key". Paste the JSON key file of a service account (type "service_account"), not an OAuth client or API key.',
		);
	}
	return {
		clientEmail,
		// Keys pasted through some UIs arrive with literal "\n" sequences instead of line breaks.
		privateKey: privateKey.includes('\\n') ? privateKey.replace(/\\n/g, '\n') : privateKey,
		privateKeyId: text('private_key_id'),
		projectId: text('project_id'),
		tokenUri: text('token_uri') || GOOGLE_TOKEN_URI,
	};
}

function base64Url(input: string | Buffer): string {
	return Buffer.from(input).toString('base64url');
}

function rsaSign(input: string, privateKey: string): Buffer | undefined {
	try {
		return createSign('RSA-SHA256').update(input).sign(privateKey);
	} catch {
		return undefined;
	}
}

/** The signed RS256 assertion posted to the key's token endpoint. */
export function signJwtAssertion(key: ServiceAccountKey, nowSeconds: number): string {
	const header: Record<string, string> = { alg: 'RS256', typ: 'JWT' };
	if (key.privateKeyId) header.kid = key.privateKeyId;
	const claims = {
		iss: key.clientEmail,
		scope: CLOUD_PLATFORM_SCOPE,
		aud: key.tokenUri,
		iat: nowSeconds,
		exp: nowSeconds + ASSERTION_LIFETIME_SECONDS,
	};
	const signingInput = `${base64Url(JSON.stringify(header))}.${base64Url(JSON.stringify(claims))}`;
	const signature = rsaSign(signingInput, key.privateKey);
	if (!signature) {
		throw new ServiceAccountKeyError(
			'The "private_key" in the service account key could not be used to sign. Download a new JSON key for the service account and paste it whole.',
		);
	}
	return `${signingInput}.${base64Url(signature)}`;
}

export function tokenRequestBody(assertion: string): string {
	return new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion }).toString();
}
