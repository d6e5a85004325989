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

module.exports = { ApiError, STATUS_BY_CODE, errorInfo, retryInfo, badRequest, durationString, gfeHtml, TYPE };
