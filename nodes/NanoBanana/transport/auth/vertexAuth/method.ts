import type { ICredentialDataDecryptedObject, IDataObject, IHttpRequestHelper } from 'n8n-workflow';

import type { VertexAuthMethodName, VertexSettings } from '../vertexSettings';

/** n8n's plain (unauthenticated) HTTP helper. */
export type PlainRequest = IHttpRequestHelper['helpers']['httpRequest'];

/**
 * One way of proving who calls Vertex AI. The credential and the node know only this seam:
 * n8n's `preAuthentication` calls `preAuthenticate`, its `authenticate` adds `headers`, the node
 * builds URLs from `implicitProject` (the credential identity lives in `credentialIdentity.ts`).
 */
export interface VertexAuthMethod {
	readonly name: VertexAuthMethodName;
	/**
	 * Runs when the stored token is empty, after a 401 and in credential tests; n8n stores what it
	 * returns on the credential, so one token serves every item, execution and worker.
	 */
	preAuthenticate(
		request: PlainRequest,
		credentials: ICredentialDataDecryptedObject,
		settings: VertexSettings,
	): Promise<IDataObject>;
	/** Headers that prove identity on a request to Vertex (only ever sent to the base URL's origin). */
	headers(credentials: ICredentialDataDecryptedObject): Record<string, string>;
	/** The project when the Project ID field is empty; undefined when the method knows none yet. */
	implicitProject(credentials: ICredentialDataDecryptedObject): string | undefined;
	/** Looks the project up (one request) when `implicitProject` does not know it yet. */
	lookUpProject?(request: PlainRequest, credentials: ICredentialDataDecryptedObject): Promise<string>;
	/** Whether requests may go without a project (Vertex express mode). */
	readonly projectOptional: boolean;
	/** What to tell a user whose credential has no project at all. */
	readonly missingProject: string;
	/** Secret values to scrub from anything shown to the user. */
	secrets(credentials: ICredentialDataDecryptedObject): string[];
}

export function stringField(credentials: ICredentialDataDecryptedObject, key: string): string {
	const value = credentials[key];
	return typeof value === 'string' ? value.trim() : '';
}

export function bearer(credentials: ICredentialDataDecryptedObject): Record<string, string> {
	return { Authorization: `Bearer ${stringField(credentials, 'accessToken')}` };
}
