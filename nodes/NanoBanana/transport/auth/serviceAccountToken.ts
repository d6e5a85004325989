import { parseServiceAccountKey, signJwtAssertion, tokenRequestBody } from './serviceAccount';
import type { PlainRequest } from './vertexAuth/method';

function field(body: unknown, key: string): string | undefined {
	if (typeof body !== 'object' || body === null) return undefined;
	const value = (body as Record<string, unknown>)[key];
	return typeof value === 'string' ? value : undefined;
}

/**
 * Exchanges a signed JWT assertion for an access token at the key's `token_uri`, through n8n's
 * HTTP helper (redirects not followed). Failures come back as plain-language errors that never contain the key.
 */
export async function exchangeServiceAccountToken(
	request: PlainRequest,
	serviceAccountJson: unknown,
): Promise<string> {
	const key = parseServiceAccountKey(serviceAccountJson);
	const assertion = signJwtAssertion(key, Math.floor(Date.now() / 1000));
	const response = (await request({
		method: 'POST',
		url: key.tokenUri,
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		body: tokenRequestBody(assertion),
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		disableFollowRedirect: true,
	})) as { statusCode: number; body: unknown };
	const token = field(response.body, 'access_token');
	if (response.statusCode >= 200 && response.statusCode < 300 && token) return token;

	const googleError = field(response.body, 'error') ?? `HTTP ${response.statusCode}`;
	const detail = field(response.body, 'error_description');
	throw new Error(
		`Google did not issue an access token for ${key.clientEmail} (${googleError}${detail ? `: ${detail}` : ''}). ` +
			'Check that the service account and this key still exist and are enabled (Google Cloud Console → IAM & Admin → Service Accounts), and that the machine clock is right.',
	);
}
