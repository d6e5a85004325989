import type { ICredentialDataDecryptedObject, IDataObject, IHttpRequestOptions } from 'n8n-workflow';

import { CREDENTIAL_TEST_MODEL } from '../../shared/models';
import { vertexBackend } from './backends';
import { withCredentialHeaders } from './sameOrigin';
import { vertexAuthMethod, type PlainRequest } from './vertexAuth';
import { readVertexSettings } from './vertexSettings';

/**
 * What the "Google Vertex AI API" credential does, behind n8n's two hooks. The auth method
 * modules (`vertexAuth/`) differ; these steps are the same for all of them.
 */

/**
 * The credential test names no URL of its own: `authenticateVertex` replaces it with a free
 * countTokens call built by the node's endpoint code after n8n's `preAuthentication` has run, so
 * the test reaches exactly what the node will reach (the metadata server's project included).
 */
export const VERTEX_CREDENTIAL_TEST_URL = 'nano-banana:vertex-credential-test';

/** `preAuthentication`: checks every field, then gets what the method needs (a token). */
export async function preAuthenticateVertex(
	request: PlainRequest,
	credentials: ICredentialDataDecryptedObject,
): Promise<IDataObject> {
	const settings = readVertexSettings(credentials);
	return await vertexAuthMethod(settings.authMethod).preAuthenticate(request, credentials, settings);
}

/** `authenticate`: the method's headers, on requests to the base URL's origin only. */
export function authenticateVertex(
	credentials: ICredentialDataDecryptedObject,
	options: IHttpRequestOptions,
): IHttpRequestOptions {
	const settings = readVertexSettings(credentials);
	const headers = vertexAuthMethod(settings.authMethod).headers(credentials);
	const request: IHttpRequestOptions =
		options.url === VERTEX_CREDENTIAL_TEST_URL
			? {
					method: 'POST',
					url: vertexBackend(credentials).countTokensUrl(CREDENTIAL_TEST_MODEL),
					body: { contents: [{ role: 'user', parts: [{ text: 'Credential test' }] }] },
					json: true,
					timeout: options.timeout,
				}
			: options;
	return withCredentialHeaders(request, settings.origin, headers, 'Google Vertex AI API');
}
