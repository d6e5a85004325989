// @ts-check
'use strict';

/**
 * Google API error bodies: {"error":{"code","message","status","details"?}}.
 * Google leaves `details` out when there are none, so do we: clients must cope with both.
 */

/** Canonical google.rpc.Code names for the HTTP codes Google's front ends return. */
const STATUS_BY_CODE = /** @type {Record<number, string>} */ ({
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  408: 'DEADLINE_EXCEEDED',
  409: 'ABORTED',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
});

const TYPE = 'type.googleapis.com/google.rpc.';

class ApiError extends Error {
  /**
   * @param {number} code HTTP status
   * @param {string} message
   * @param {{status?: string, details?: object[], headers?: Record<string, string>}} [extra]
   */
  constructor(code, message, extra = {}) {
    super(message);
    this.code = code;
    this.status = extra.status ?? STATUS_BY_CODE[code] ?? 'UNKNOWN';
    this.details = extra.details ?? [];
    this.headers = extra.headers ?? {};
  }

  toJSON() {
    /** @type {{code: number, message: string, status: string, details?: object[]}} */
    const error = { code: this.code, message: this.message, status: this.status };
    if (this.details.length > 0) error.details = this.details;
    return { error };
  }
}

/** @param {string} reason @param {string} domain @param {Record<string, string>} metadata */
const errorInfo = (reason, domain, metadata) => ({ '@type': `${TYPE}ErrorInfo`, reason, domain, metadata });

/** @param {string} retryDelay e.g. "26s" */
const retryInfo = (retryDelay) => ({ '@type': `${TYPE}RetryInfo`, retryDelay });

/** @param {string} field @param {string} description */
const badRequest = (field, description) => ({
  '@type': `${TYPE}BadRequest`,
  fieldViolations: [{ field, description }],
});

/**
 * Seconds as a protobuf Duration string ("26s", "2.5s").
 * @param {number} seconds
 */
function durationString(seconds) {
  return `${Number(seconds.toFixed(3))}s`;
}

/**
 * The HTML page Google's front end (GFE) serves for unknown URLs and gateway failures:
 * clients must not assume every error body is JSON.
 * @param {number} code
 * @param {string} title
 * @param {string} text
 */
function gfeHtml(code, title, text) {
  return (
    '<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n' +
    `  <title>Error ${code} (${title})!!1</title>\n` +
    `  <p><b>${code}.</b> <ins>That\u2019s an error.</ins>\n  <p>${text} <ins>That\u2019s all we know.</ins>\n`
  );
}

const DEFAULT_QUOTA_RETRY_S = 1;
const DEFAULT_DAILY_RETRY_S = 52000;
const VERTEX_429 =
  'Resource exhausted. Please try again later. Please refer to https://cloud.google.com/vertex-ai/generative-ai/docs/error-code-429 for more details.';

/**
 * RESOURCE_EXHAUSTED as Google sends it for quota: Help, QuotaFailure and RetryInfo details.
 * (Vertex's real 429 often carries no details; the emulator includes them on both backends.)
 * @param {{backend: string, version: string, model: {id: string}}} parsed
 * @param {{retryS: number, daily: boolean, limit: number}} quota
 */
function quotaError(parsed, { retryS, daily, limit }) {
  const model = parsed.model.id;
  const metric = 'generativelanguage.googleapis.com/generate_content_free_tier_requests';
  const period = daily ? 'Day' : 'Minute';
  const retryDelay = durationString(retryS);
  const message = parsed.backend === 'vertex'
    ? VERTEX_429
    : 'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current usage, head to: https://ai.dev/rate-limit. \n' +
      `* Quota exceeded for metric: ${metric}, limit: ${limit}, model: ${model}\nPlease retry in ${retryDelay}.`;
  return new ApiError(429, message, {
    details: [
      { '@type': `${TYPE}Help`, links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] },
      {
        '@type': `${TYPE}QuotaFailure`,
        violations: [{
          quotaMetric: metric,
          quotaId: `GenerateRequestsPer${period}PerProjectPerModel-FreeTier`,
          quotaDimensions: { location: 'global', model },
          quotaValue: String(limit),
          description: `Quota exceeded for generate_content_free_tier_requests per ${period.toLowerCase()} per project per model.`,
        }],
      },
      retryInfo(retryDelay),
    ],
  });
}

/**
 * Errors asked for by a numeric directive, worded per backend.
 * @param {number} code @param {{backend: string, version: string, model: {id: string}}} parsed
 */
function directedError(code, parsed) {
  const vertex = parsed.backend === 'vertex';
  /** @type {Record<number, string>} */
  const messages = {
    400: 'Request contains an invalid argument.',
    401: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    403: 'The caller does not have permission',
    404: vertex
      ? `Publisher Model \`publishers/google/models/${parsed.model.id}\` was not found or your project does not have access to it.`
      : `models/${parsed.model.id} is not found for API version ${parsed.version}, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
    408: 'Request timed out.',
    499: 'The operation was cancelled.',
    500: vertex
      ? 'Internal error encountered.'
      : 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
    502: 'Bad Gateway: the upstream model server did not answer properly.',
    503: 'The model is overloaded. Please try again later.',
    504: 'Deadline expired before operation could complete.',
  };
  return new ApiError(code, messages[code] ?? `Error ${code}`);
}

module.exports = {
  ApiError,
  STATUS_BY_CODE,
  errorInfo,
  retryInfo,
  badRequest,
  durationString,
  gfeHtml,
  quotaError,
  directedError,
  VERTEX_429,
  DEFAULT_QUOTA_RETRY_S,
  DEFAULT_DAILY_RETRY_S,
  TYPE,
};
