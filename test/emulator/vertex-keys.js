// @ts-check
'use strict';

/**
 * Vertex AI API keys: express-mode keys (requests without a project, at
 * `/v1/publishers/google/models/{m}:generateContent`) and keys bound to a service account (the
 * usual project path). The key comes in `x-goog-api-key` or `?key=`; either is counted.
 */

const { ApiError, errorInfo } = require('./errors');

/**
 * Returns true when the request carries the emulator's Vertex API key. Any other key (an AI
 * Studio key, say) is not a Vertex key: the caller then asks for OAuth, and Vertex's answer to a
 * foreign key is "API keys are not supported by this API".
 * @param {{req: import('http').IncomingMessage, url: URL}} ctx
 * @param {string} expected
 * @param {{vertexKeyInHeader: number, vertexKeyInQuery: number}} counters
 */
function vertexApiKey(ctx, expected, counters) {
  const header = ctx.req.headers['x-goog-api-key'];
  const query = ctx.url.searchParams.get('key');
  if (header !== undefined) counters.vertexKeyInHeader++;
  if (query !== null) counters.vertexKeyInQuery++;
  const key = header !== undefined ? String(header) : query;
  return key !== null && key === expected;
}

/** Express mode takes only Vertex API keys. */
function expressModeNeedsKey() {
  return new ApiError(401, 'API keys are not supported by this API. Expected OAuth2 access token or other authentication credentials that assert a principal. See https://cloud.google.com/docs/authentication', {
    details: [errorInfo('CREDENTIALS_MISSING', 'googleapis.com', { service: 'aiplatform.googleapis.com' })],
  });
}

module.exports = { vertexApiKey, expressModeNeedsKey };
