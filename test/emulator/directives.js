// @ts-check
'use strict';

/**
 * Failure shapes on demand: `[[emulate:KIND]]` inside prompt text, several allowed (or
 * comma-separated in one marker). A trailing `xN` (`503x2`) limits a kind to the first N
 * attempts of an identical request. Directives are stripped before the prompt is used.
 */

const { ApiError } = require('./errors');

const MARKER = /\[\[emulate:([^\]]*)\]\]/g;

/** Kinds that end the request with an HTTP error or a broken transport. */
const FAILURE_KINDS = new Set([
  '400', '401', '403', '404', '408', '429', '499', '500', '502', '503', '504',
  '429-daily', 'retry-after', '502-html', 'hang', 'drop', 'malformed', 'no-candidates',
]);

/** Kinds that shape a 200 answer (or add delay). */
const SHAPE_KINDS = new Set(['blocked', 'finish', 'refusal', 'no-image', 'multi', 'mime', 'slow', 'thought-only']);

/**
 * @typedef {object} Directive
 * @property {string} kind e.g. "503", "finish"
 * @property {string | undefined} arg text after the first ":" e.g. "IMAGE_SAFETY", "2.5s"
 * @property {number} times apply on attempts 1..times only (Infinity = always)
 * @property {string} raw
 */

/**
 * @param {string} text one marker's content, e.g. "503x2" or "finish:IMAGE_SAFETY"
 * @returns {Directive}
 */
function parseOne(text) {
  const raw = text.trim();
  const limited = /^(.*?)x(\d+)$/.exec(raw);
  const body = limited ? limited[1] : raw;
  const colon = body.indexOf(':');
  const kind = (colon === -1 ? body : body.slice(0, colon)).toLowerCase();
  const arg = colon === -1 ? undefined : body.slice(colon + 1);
  if (!FAILURE_KINDS.has(kind) && !SHAPE_KINDS.has(kind)) {
    // Loud on typos: a silently ignored directive would make a test pass for the wrong reason.
    throw new ApiError(400, `[emulator] Unknown directive "[[emulate:${raw}]]".`);
  }
  return { kind, arg, times: limited ? Number(limited[2]) : Infinity, raw };
}

/**
 * @param {string} text
 * @returns {{directives: Directive[], text: string}} directives found and the text without them
 */
function extractDirectives(text) {
  /** @type {Directive[]} */
  const directives = [];
  const stripped = text.replace(MARKER, (_match, inner) => {
    for (const part of String(inner).split(',')) if (part.trim()) directives.push(parseOne(part));
    return '';
  });
  return { directives, text: stripped.replace(/[ \t]{2,}/g, ' ').trim() };
}

/**
 * Directives that apply to this attempt (1-based).
 * @param {Directive[]} directives
 * @param {number} attempt
 */
function activeDirectives(directives, attempt) {
  return directives.filter((d) => attempt <= d.times);
}

/**
 * Parses "2.5s", "2.5" or "52000s" into seconds.
 * @param {string | undefined} arg
 * @param {number} fallback
 */
function parseSeconds(arg, fallback) {
  if (arg === undefined || arg === '') return fallback;
  const value = Number(arg.replace(/s$/, ''));
  if (!Number.isFinite(value) || value < 0) throw new ApiError(400, `[emulator] Bad duration "${arg}".`);
  return value;
}

/**
 * Turns active directives into: extra latency, at most one failure, and the answer's shape.
 * @param {import('./directives').Directive[]} active
 */
function planDirectives(active) {
  /** @type {{slowMs: number, failure: import('./directives').Directive | null, shape: import('./response').Shape}} */
  const plan = { slowMs: 0, failure: null, shape: {} };
  for (const d of active) {
    const arg = d.arg?.trim();
    switch (d.kind) {
      case 'slow':
        plan.slowMs += parseMillis(arg);
        break;
      case 'blocked':
        plan.shape.blocked = (arg || 'SAFETY').toUpperCase();
        break;
      case 'finish':
        plan.shape.finish = (arg || 'IMAGE_SAFETY').toUpperCase();
        break;
      case 'refusal':
        plan.shape.refusal = true;
        break;
      case 'no-image':
        plan.shape.noImage = true;
        break;
      case 'multi':
        plan.shape.multi = Math.max(1, Math.min(16, Number(arg ?? 2) || 2));
        break;
      case 'thought-only':
        plan.shape.thoughtOnly = Math.max(1, Math.min(4, Number(arg ?? 2) || 2));
        break;
      case 'mime':
        if (!arg) throw new ApiError(400, '[emulator] mime directive needs a type, e.g. [[emulate:mime:image/jpeg]].');
        plan.shape.mime = arg;
        break;
      default:
        plan.failure ??= d;
    }
  }
  return plan;
}

/** "500", "500ms", "2s", "2.5s" → milliseconds. @param {string | undefined} arg */
function parseMillis(arg) {
  const match = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(arg ?? '');
  if (!match) throw new ApiError(400, `[emulator] Bad slow duration "${arg}" (use e.g. slow:500 or slow:2s).`);
  return Number(match[1]) * (match[2] === 's' ? 1000 : 1);
}

module.exports = { extractDirectives, activeDirectives, parseSeconds, planDirectives, FAILURE_KINDS, SHAPE_KINDS };
