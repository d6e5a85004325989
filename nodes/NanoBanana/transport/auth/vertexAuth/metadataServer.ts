import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import { jsonInString } from '../../../shared/json';
import { Problem } from '../../../shared/problem';
import { checkedProjectId, checkedServiceUrl, DEFAULT_METADATA_SERVER_URL, quoted } from '../vertexSettings';
import { bearer, stringField, type PlainRequest, type VertexAuthMethod } from './method';

/**
 * The identity of the Google Cloud runtime n8n runs on (Compute Engine, GKE with Workload
 * Identity, Cloud Run), served by its metadata server: no key file at all. The token is stored on
 * the credential like the key file's token; the project, when the credential names none, too.
 */

const DEFAULT_ACCOUNT_GRANT_PATH = '/computeMetadata/v1/instance/service-accounts/default/token';
const PROJECT_PATH = '/computeMetadata/v1/project/project-id';
/** The metadata server is on the same machine or the node's link: it answers at once or never. */
const METADATA_TIMEOUT_MS = 10_000;

export function metadataServerOrigin(credentials: ICredentialDataDecryptedObject): string {
	const raw = stringField(credentials, 'metadataServerUrl') || DEFAULT_METADATA_SERVER_URL;
	const url = checkedServiceUrl(raw, 'Metadata Server URL');
	if (url.pathname !== '/' && url.pathname !== '') {
		throw new Problem(
			'INVALID_CREDENTIAL',
			`The Metadata Server URL ${quoted(raw)} has a path`,
			`Enter only the server's address, e.g. "${DEFAULT_METADATA_SERVER_URL}"; the node adds the paths itself.`,
		);
	}
	return url.origin;
}

interface MetadataAnswer {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
}

/**
 * The cause goes into the description, not the message: n8n rewrites a message that names a
 * network code ("ECONNREFUSED") into its own words and loses what we said.
 */
function unreachable(origin: string, cause: string): Problem {
	return new Problem(
		'INVALID_CREDENTIAL',
		`No token from the metadata server at ${origin}`,
		`It answered: ${cause}. This method uses the identity of the Google Cloud runtime n8n runs on (Compute Engine, GKE with Workload Identity, Cloud Run). ` +
			'If n8n runs there and N8N_SSRF_PROTECTION_ENABLED is on, add the metadata host to N8N_SSRF_ALLOWED_HOSTNAMES. ' +
			'Elsewhere choose "Service Account Key" or "Vertex AI API Key" as the authentication method.',
	);
}

async function askMetadataServer(request: PlainRequest, origin: string, path: string): Promise<unknown> {
	const options: IHttpRequestOptions = {
		method: 'GET',
		url: `${origin}${path}`,
		headers: { 'Metadata-Flavor': 'Google' },
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		disableFollowRedirect: true,
		timeout: METADATA_TIMEOUT_MS,
	};
	let answer: MetadataAnswer;
	try {
		answer = (await request(options)) as MetadataAnswer;
	} catch (error) {
		const code = (error as { code?: unknown; cause?: { code?: unknown } }).code ?? (error as { cause?: { code?: unknown } }).cause?.code;
		throw unreachable(origin, typeof code === 'string' ? `no connection (${code})` : 'no connection');
	}
	// Google's metadata server marks every answer; anything else (a proxy, a web server) is not it.
	const flavor = answer.headers?.['metadata-flavor'];
	if (answer.statusCode < 200 || answer.statusCode >= 300 || String(flavor) !== 'Google') {
		throw unreachable(origin, `HTTP ${answer.statusCode}${flavor === 'Google' ? '' : ', not a Google metadata server'}`);
	}
	return answer.body;
}

async function fetchToken(request: PlainRequest, origin: string): Promise<string> {
	const body = jsonInString(await askMetadataServer(request, origin, DEFAULT_ACCOUNT_GRANT_PATH));
	const token =
		typeof body === 'object' && body !== null ? (body as Record<string, unknown>).access_token : undefined;
	if (typeof token !== 'string' || token === '') {
		throw new Problem(
			'INVALID_CREDENTIAL',
			`The metadata server at ${origin} gave no access token`,
			'Check that a service account is attached to the runtime (Compute Engine: the VM\'s service account; GKE: Workload Identity; Cloud Run: the service identity) and that it has the "Vertex AI User" role.',
		);
	}
	return token;
}

async function fetchProject(request: PlainRequest, origin: string): Promise<string> {
	const body = await askMetadataServer(request, origin, PROJECT_PATH);
	const project = checkedProjectId(typeof body === 'string' ? body : '', `reported by the metadata server at ${origin}`);
	if (!project) {
		throw new Problem(
			'INVALID_CREDENTIAL',
			`The metadata server at ${origin} reported no project`,
			'Enter the Google Cloud project to bill in the credential\'s Project ID.',
		);
	}
	return project;
}

export const metadataServerAuth: VertexAuthMethod = {
	name: 'metadataServer',
	async preAuthenticate(request, credentials, settings) {
		const origin = metadataServerOrigin(credentials);
		const accessToken = await fetchToken(request, origin);
		// Stored beside the token, so the node builds its URLs without asking again.
		if (settings.projectId) return { accessToken };
		return { accessToken, metadataProjectId: await fetchProject(request, origin) };
	},
	headers: bearer,
	implicitProject: (credentials) =>
		checkedProjectId(credentials.metadataProjectId, 'stored from the metadata server'),
	lookUpProject: async (request, credentials) => await fetchProject(request, metadataServerOrigin(credentials)),
	projectOptional: false,
	missingProject: 'Enter the Google Cloud project to bill in the credential\'s Project ID.',
	secrets: (credentials) => [stringField(credentials, 'accessToken')],
};
