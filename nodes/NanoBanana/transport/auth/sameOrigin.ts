import type { IHttpRequestOptions } from 'n8n-workflow';

import { Problem } from '../../shared/problem';

/**
 * A credential's secret goes only to the origin of its base URL. Requests are built from that
 * URL, but some URLs come from answers (an upload session, a file URI) and a redirect could
 * point anywhere; this check runs in the credential's `authenticate`, on every request.
 */

/** The URL a request goes to, joined the way n8n's HTTP client (axios) joins baseURL and url. */
export function requestUrl(options: IHttpRequestOptions): string {
	if (!options.baseURL || /^[a-z][a-z0-9+.-]*:/i.test(options.url)) return options.url;
	return `${options.baseURL.replace(/\/+$/, '')}/${options.url.replace(/^\/+/, '')}`;
}

function originOf(url: string): string | undefined {
	try {
		return new URL(url).origin;
	} catch {
		return undefined;
	}
}

/**
 * Returns the options with the secret's headers added, or throws when the request is for another
 * origin. Redirects are not followed: the answer to a request is read where it was sent.
 */
export function withCredentialHeaders(
	options: IHttpRequestOptions,
	allowedOrigin: string,
	headers: Record<string, string>,
	credentialName: string,
): IHttpRequestOptions {
	const target = originOf(requestUrl(options));
	if (target !== allowedOrigin) {
		throw new Problem(
			'INVALID_CREDENTIAL',
			`Not sent: the "${credentialName}" credential sends its secret only to ${allowedOrigin}, not to ${target ?? 'an invalid address'}`,
			'The credential is used only with the address its Base URL (or Location) names. If requests must go through a gateway, enter the gateway as Base URL.',
		);
	}
	return { ...options, headers: { ...(options.headers ?? {}), ...headers }, disableFollowRedirect: true };
}
