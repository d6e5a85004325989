import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { Problem } from '../../shared/problem';

/**
 * The Vertex credential's fields, checked. Location and project id end up in the host name and
 * the path of every request, and the request carries a cloud-platform token or an API key: an
 * unchecked value could send that secret to another host (`evil.example/x#` as location) or
 * collapse the path (`..` as project). Everything is checked before any request, in the node and
 * in the credential's own authentication step.
 */

export const VERTEX_AUTH_METHODS = ['serviceAccountKey', 'metadataServer', 'apiKey'] as const;
export type VertexAuthMethodName = (typeof VERTEX_AUTH_METHODS)[number];

export const DEFAULT_METADATA_SERVER_URL = 'http://metadata.google.internal';

const VERTEX_CREDENTIAL_NAME = 'Google Vertex AI API';
const CREDENTIAL = `the "${VERTEX_CREDENTIAL_NAME}" credential`;

/** Google Cloud regions: `us-central1`, `europe-west4`, `northamerica-northeast2`, … */
const REGION = /^[a-z]{2,}-[a-z]+[0-9]{1,2}$/;
/**
 * Google's project-id syntax (6–30 characters: lower-case letters, digits, hyphens; a letter
 * first; no hyphen last), optionally domain-scoped (`example.com:my-project`), or a project number.
 */
const PROJECT_ID = /^(?:[a-z][a-z0-9.-]{0,61}[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const PROJECT_NUMBER = /^[0-9]{6,20}$/;

/**
 * A user's value quoted in a message: one line, not too long. Each C0 control character or DEL
 * becomes a space (a char-code scan: n8n's lint refuses control characters in a regex).
 */
export function quoted(value: string): string {
	let oneLine = '';
	for (let i = 0; i < value.length; i++) {
		const code = value.charCodeAt(i);
		oneLine += code <= 0x1f || code === 0x7f ? ' ' : value[i];
	}
	return `"${oneLine.length > 60 ? `${oneLine.slice(0, 60)}…` : oneLine}"`;
}

function text(value: unknown): string {
	return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

/** Credentials saved before the selector existed have no `authMethod`: they hold a key file. */
export function vertexAuthMethodName(credentials: ICredentialDataDecryptedObject): VertexAuthMethodName {
	const raw = text(credentials.authMethod);
	if (raw === '') return 'serviceAccountKey';
	const known = VERTEX_AUTH_METHODS.find((name) => name === raw);
	if (known) return known;
	throw new Problem(
		'INVALID_CREDENTIAL',
		`The authentication method ${quoted(raw)} in ${CREDENTIAL} is not one this node knows`,
		'Open the credential and choose "Service Account Key", "Google Cloud Runtime Identity" or "Vertex AI API Key".',
	);
}

export function vertexLocation(raw: unknown): string {
	const location = text(raw);
	if (location === '') return 'global';
	if (location === 'global' || location === 'us' || location === 'eu' || REGION.test(location)) return location;
	throw new Problem(
		'INVALID_CREDENTIAL',
		`The location ${quoted(location)} in ${CREDENTIAL} is not a Google Cloud location`,
		'Enter "global", a multi-region ("us" or "eu") or a region such as "us-central1" or "europe-west4": lower case, nothing else.',
	);
}

/** A checked project id, or undefined when the field is empty. `source` says where it came from. */
export function checkedProjectId(raw: unknown, source: string): string | undefined {
	const project = text(raw);
	if (project === '') return undefined;
	if (PROJECT_ID.test(project) || PROJECT_NUMBER.test(project)) return project;
	throw new Problem(
		'INVALID_CREDENTIAL',
		`The project id ${quoted(project)} ${source} is not a Google Cloud project id`,
		'A project id has 6 to 30 characters (lower-case letters, digits and hyphens, starting with a letter), e.g. "my-project-123"; a project number has only digits. Copy it from the project picker in the Google Cloud Console.',
	);
}

/**
 * An http(s) URL without user name, password, query or fragment, trailing slashes removed. The
 * credential's secret goes to its origin, so nothing may hide another host in it.
 */
export function checkedServiceUrl(raw: string, field: string, credentialName = VERTEX_CREDENTIAL_NAME): URL {
	let url: URL | undefined;
	try {
		url = new URL(raw);
	} catch {
		url = undefined;
	}
	if (
		!url ||
		(url.protocol !== 'https:' && url.protocol !== 'http:') ||
		url.username !== '' ||
		url.password !== '' ||
		url.search !== '' ||
		url.hash !== '' ||
		raw.includes('#') ||
		raw.includes('?')
	) {
		throw new Problem(
			'INVALID_CREDENTIAL',
			`The ${field} in the "${credentialName}" credential is not a plain http(s) address`,
			`Enter an address such as "https://aiplatform.googleapis.com": no user name or password, no "?" or "#". Leave ${field} empty for Google's own endpoint.`,
		);
	}
	url.pathname = url.pathname.replace(/\/+$/, '');
	return url;
}

/** Vertex's host for a location: `global`, a multi-region (`us`, `eu`) or a region. */
export function vertexHost(location: string): string {
	if (location === 'global') return 'https://aiplatform.googleapis.com';
	if (location === 'us' || location === 'eu') return `https://aiplatform.${location}.rep.googleapis.com`;
	return `https://${location}-aiplatform.googleapis.com`;
}

export interface VertexSettings {
	authMethod: VertexAuthMethodName;
	location: string;
	/** The Project ID field; undefined when empty (the auth method may know one). */
	projectId?: string;
	/** Without trailing slash. */
	baseUrl: string;
	/** The only origin the credential's secret is sent to. */
	origin: string;
}

export function readVertexSettings(credentials: ICredentialDataDecryptedObject): VertexSettings {
	const authMethod = vertexAuthMethodName(credentials);
	const location = vertexLocation(credentials.location);
	const projectId = checkedProjectId(credentials.projectId, `in ${CREDENTIAL}`);
	const customBase = text(credentials.baseUrl);
	const base = checkedServiceUrl(customBase || vertexHost(location), 'Base URL');
	const baseUrl = `${base.origin}${base.pathname === '/' ? '' : base.pathname}`;
	return { authMethod, location, projectId, baseUrl, origin: base.origin };
}
