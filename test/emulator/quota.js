// @ts-check
'use strict';

/**
 * Fixed-window start quotas, the way Google counts requests per minute: at most N generateContent
 * starts per window (windows aligned to the clock: each second, each minute); beyond that, 429
 * RESOURCE_EXHAUSTED with RetryInfo = the time left in the window (fractional seconds, like
 * Google's "45.8s").
 * - per minute: the 429 also names the quota (QuotaFailure `GenerateRequestsPerMinutePerProjectPerModel…`),
 *   as Google's do;
 * - per second: RetryInfo only. Google has no per-second quota; this mode is a fast stand-in for
 *   a rate limit that a client must recognise without a quota name (refusals while few requests
 *   are in flight).
 * Options `startsPerSecond` / `startsPerMinute` (Infinity = off); both may be on at once.
 */

const { ApiError, retryInfo, durationString, quotaError, VERTEX_429 } = require('./errors');

const WINDOWS = /** @type {const} */ ([
  ['startsPerSecond', 1000],
  ['startsPerMinute', 60_000],
]);

class StartQuotas {
  constructor() {
    /** @type {Map<string, {window: number, used: number}>} */
    this.used = new Map();
  }

  reset() {
    this.used.clear();
  }

  /**
   * The refusal for a start at `now`, or undefined when every quota has room. Does not count
   * the start: call `record` once the request is admitted.
   * @param {number} now epoch ms
   * @param {{startsPerSecond: number, startsPerMinute: number}} limits
   * @param {{backend: string, model: {id: string}}} parsed
   * @returns {ApiError | undefined}
   */
  refusal(now, limits, parsed) {
    for (const [option, windowMs] of WINDOWS) {
      const limit = limits[option];
      if (!(limit < Infinity)) continue;
      const window = Math.floor(now / windowMs);
      const entry = this.used.get(option);
      const used = entry && entry.window === window ? entry.used : 0;
      if (used < limit) continue;
      const retryS = Math.max(0.001, ((window + 1) * windowMs - now) / 1000);
      if (windowMs === 60_000) return quotaError(parsed, { retryS, daily: false, limit });
      return new ApiError(429, parsed.backend === 'vertex' ? VERTEX_429 : 'Resource has been exhausted (e.g. check quota).', {
        details: [retryInfo(durationString(retryS))],
      });
    }
    return undefined;
  }

  /** Counts an admitted start. @param {number} now @param {{startsPerSecond: number, startsPerMinute: number}} limits */
  record(now, limits) {
    for (const [option, windowMs] of WINDOWS) {
      if (!(limits[option] < Infinity)) continue;
      const window = Math.floor(now / windowMs);
      const entry = this.used.get(option);
      this.used.set(option, { window, used: entry && entry.window === window ? entry.used + 1 : 1 });
    }
  }
}

module.exports = { StartQuotas };
