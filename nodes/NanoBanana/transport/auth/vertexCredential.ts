import type { IAuthenticateRuleResponseCode, ICredentialDataDecryptedObject, IDataObject, IHttpRequestOptions } from 'n8n-workflow';

import { RECOMMENDED_IMAGE_MODEL } from '../../shared/models';
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
/**
 * The model the test counts tokens on: Google's recommended image model, the one a new project
 * can use (gemini-2.5-flash-image, tested before, answers 404 to projects created since
 * September 2026). It follows the catalogue when Google recommends another. n8n's credential test
 * sends one request, so there is no second model to fall back on.
 */
export const VERTEX_CREDENTIAL_TEST_MODEL = RECOMMENDED_IMAGE_MODEL;

/**
 * A 404 to the test means the model was not found where the credential points (a region that does
 * not serve it): said in those words, since the key or token was not what failed.
 */
export const VERTEX_CREDENTIAL_TEST_RULES: IAuthenticateRuleResponseCode[] = [
	{
		type: 'responseCode',
		properties: {
			value: 404,
			message: `Google did not find ${VERTEX_CREDENTIAL_TEST_MODEL}, the model the test counts tokens on, at this Location. Set Location to global, which serves every image model; if you only use models this location serves, save the credential anyway.`,
		},
	},
];

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
					url: vertexBackend(credentials).countTokensUrl(VERTEX_CREDENTIAL_TEST_MODEL),
					body: { contents: [{ role: 'user', parts: [{ text: 'Credential test' }] }] },
					json: true,
					timeout: options.timeout,
				}
			: options;
	return withCredentialHeaders(request, settings.origin, headers, 'Google Vertex AI API');
}
