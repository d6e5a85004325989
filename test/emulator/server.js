// @ts-check
'use strict';

/**
 * Local emulator of Google's Gemini API (AI Studio key), Vertex AI (service account) and the
 * OAuth token endpoint, for tests, the e2e launcher and benchmarks. Node built-ins only.
 * See README.md in this folder for the full behaviour.
 */

const http = require('http');
const { ApiError, errorInfo, retryInfo, durationString, gfeHtml, quotaError, directedError, VERTEX_429, DEFAULT_QUOTA_RETRY_S, DEFAULT_DAILY_RETRY_S, TYPE } = require('./errors');
const { findModel, visibleModels, MODELS, RETIRED_MODELS, geminiModelResource, vertexPublisherModelResource, paginate } = require('./models');
const { activeDirectives, parseSeconds, planDirectives } = require('./directives');
const { parseJsonBody, parseGenerateRequest } = require('./request');
const { generateContentBody, countTokensBody, readJpegInfo } = require('./response');
const { FileStore } = require('./files');
const { BatchStore, OUTCOMES } = require('./batch');
const { createServiceAccountKey, createAssertion, signJwt, TokenAuthority, OAuthError, CLOUD_PLATFORM } = require('./oauth');
const { readPngInfo, decodePng, encodePng } = require('./png');
const { metadataRoutes } = require('./metadata');
const { vertexApiKey, expressModeNeedsKey } = require('./vertex-keys');
const { StartQuotas } = require('./quota');

const JSON_TYPE = 'application/json; charset=UTF-8';
const GOOGLE_HEADERS = {
  vary: 'Origin, X-Origin, Referer',
  server: 'scaffolding on HTTPServer2',
  'x-xss-protection': '0',
  'x-frame-options': 'SAMEORIGIN',
  'x-content-type-options': 'nosniff',
};
const MAX_LOG = 1000;
const RPM_WINDOW_MS = 60_000;
const MAX_UPLOAD_BYTES = 2 * 1024 ** 3;

/**
 * @typedef {object} EmulatorOptions
 * @property {number} port 0 = random
 * @property {string} host
 * @property {string} apiKey the one accepted AI Studio key
 * @property {string} vertexApiKey the one accepted Vertex AI API key (express mode and project paths)
 * @property {number} latencyMs added to every generateContent
 * @property {number} maxInFlight concurrent generateContent accepted; more → 429
 * @property {number} rpm generateContent per sliding 60 s; more → 429 with RetryInfo
 * @property {number} startsPerSecond generateContent starts per clock second (fixed window, quota.js)
 * @property {number} startsPerMinute generateContent starts per clock minute (fixed window, quota.js)
 * @property {number} tokenTtlSeconds lifetime of issued access tokens
 * @property {number} maxRequestBytes request body limit (Gemini inline limit, 100 MB)
 * @property {number} vertexMaxInlineBytes per inline image on Vertex (7 MB)
 * @property {number} fileProcessingMs uploaded files stay PROCESSING this long
 * @property {boolean} thoughts Gemini 3 answers carry thought parts
 * @property {boolean} verbose one line per request on stderr
 * @property {number} batchPendingMs batch jobs stay PENDING this long
 * @property {number} batchRunMs then RUNNING this long
 * @property {string} batchOutcome how batch jobs end: SUCCEEDED, FAILED or EXPIRED
 * @property {number} dropDownloadsAfterBytes > 0: the first download of each file is cut after this many bytes
 * @property {number} downloadDurationMs > 0: every download is spread evenly over this long (20 pieces)
 * @property {number} dropBatchCreateAnswers the next N batch creates make their job, then drop the answer (socket destroyed)
 * @property {number} failBatchGets the next N batches.get answer 503 UNAVAILABLE
 * @property {number} batchListDelayMs a new job shows in batches.list only after this long (Google's lists lag)
 * @property {number} batchGetDurationMs > 0: a batches.get answer holding inline results is spread evenly over this long (20 pieces)
 * @property {number} batchAnswerBytes > 0: every image of a batch answer is padded to about this many bytes (a private PNG chunk), as 1K–4K images weigh
 * @property {number} dropUploadAnswers the next N resumable upload chunks are stored, then their answer dropped
 * @property {number} uploadChunkGranularity the x-goog-upload-chunk-granularity of new upload sessions
 * @property {number} refuseUploadsOverBytes > 0: a request to an upload URL with a bigger body → 413
 * @property {string[]} batchQuotaSpentModels batch creates for these ids answer 429 naming a per-day quota (the day's batch quota is spent)
 * @property {string[]} closedModels ids this project may not use (Google closed them to new projects): 404 NOT_FOUND, not listed
 * @property {string[]} retiredModels ids Google shut down: 404 NOT_FOUND, not listed (default: the -preview image ids and Imagen)
 */

/** @type {EmulatorOptions} */
const DEFAULTS = {
  port: 0,
  host: '127.0.0.1',
  apiKey: 'emulator-api-key',
  vertexApiKey: 'emulator-vertex-api-key',
  latencyMs: 0,
  maxInFlight: Infinity,
  rpm: Infinity,
  startsPerSecond: Infinity,
  startsPerMinute: Infinity,
  tokenTtlSeconds: 3600,
  maxRequestBytes: 100 * 1024 * 1024,
  vertexMaxInlineBytes: 7 * 1024 * 1024,
  fileProcessingMs: 0,
  thoughts: true,
  verbose: false,
  batchPendingMs: 0,
  batchRunMs: 1000,
  batchOutcome: 'SUCCEEDED',
  dropDownloadsAfterBytes: 0,
  downloadDurationMs: 0,
  dropBatchCreateAnswers: 0,
  failBatchGets: 0,
  batchListDelayMs: 0,
  batchAnswerBytes: 0,
  batchGetDurationMs: 0,
  dropUploadAnswers: 0,
  uploadChunkGranularity: 8 * 1024 * 1024,
  refuseUploadsOverBytes: 0,
  batchQuotaSpentModels: [],
  closedModels: [],
  retiredModels: RETIRED_MODELS,
};
const NUMBER_OPTIONS = ['latencyMs', 'maxInFlight', 'rpm', 'startsPerSecond', 'startsPerMinute', 'tokenTtlSeconds', 'maxRequestBytes', 'vertexMaxInlineBytes', 'fileProcessingMs',
  'batchPendingMs', 'batchRunMs', 'dropDownloadsAfterBytes', 'downloadDurationMs', 'dropBatchCreateAnswers', 'failBatchGets',
  'batchListDelayMs', 'batchAnswerBytes', 'batchGetDurationMs', 'dropUploadAnswers', 'uploadChunkGranularity', 'refuseUploadsOverBytes'];
const UNLIMITED_OPTIONS = ['maxInFlight', 'rpm', 'startsPerSecond', 'startsPerMinute'];
const FIXED_OPTIONS = ['port', 'host'];
const ID_LIST_OPTIONS = ['closedModels', 'retiredModels', 'batchQuotaSpentModels'];

/**
 * Validates a partial options object (JSON-friendly: null or "Infinity" mean unlimited).
 * @param {Record<string, unknown>} partial
 * @param {boolean} atStart port/host only allowed at start
 * @returns {Partial<EmulatorOptions>}
 */
function normalizeOptions(partial, atStart) {
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const [key, raw] of Object.entries(partial ?? {})) {
    if (raw === undefined) continue;
    if (!(key in DEFAULTS)) throw new TypeError(`Unknown emulator option "${key}"`);
    if (FIXED_OPTIONS.includes(key) && !atStart) throw new TypeError(`Option "${key}" can only be set at start`);
    let value = raw;
    if (UNLIMITED_OPTIONS.includes(key) && (raw === null || raw === 'Infinity')) value = Infinity;
    if (NUMBER_OPTIONS.includes(key) || key === 'port') {
      value = Number(value);
      if (Number.isNaN(value) || /** @type {number} */ (value) < 0) throw new TypeError(`Option "${key}" must be a number >= 0`);
    } else if (ID_LIST_OPTIONS.includes(key)) {
      value = modelIdList(key, value);
    } else if (key === 'batchOutcome' && !OUTCOMES.includes(String(value))) {
      throw new TypeError(`Option "batchOutcome" must be one of ${OUTCOMES.join(', ')}`);
    } else if (typeof value !== typeof DEFAULTS[/** @type {keyof EmulatorOptions} */ (key)]) {
      throw new TypeError(`Option "${key}" must be a ${typeof DEFAULTS[/** @type {keyof EmulatorOptions} */ (key)]}`);
    }
    out[key] = value;
  }
  return /** @type {Partial<EmulatorOptions>} */ (out);
}

/**
 * A list of model ids: an array of strings, or one comma-separated string (CLI); "models/" is dropped.
 * @param {string} key @param {unknown} value @returns {string[]}
 */
function modelIdList(key, value) {
  const items = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(items) || items.some((id) => typeof id !== 'string')) {
    throw new TypeError(`Option "${key}" must be a list of model ids`);
  }
  return items.map((id) => id.trim().replace(/^models\//, '')).filter(Boolean);
}

function newCounters() {
  return {
    requests: 0,
    generateContent: 0,
    countTokens: 0,
    inFlight: 0,
    maxInFlight: 0,
    maxConcurrentAttempts: 0,
    rejectedInFlight: 0,
    rateLimited: 0,
    tokenExchanges: 0,
    tokenErrors: 0,
    keyInHeader: 0,
    keyInQuery: 0,
    bearerRequests: 0,
    selfSignedJwtRequests: 0,
    vertexKeyInHeader: 0,
    vertexKeyInQuery: 0,
    metadataTokenRequests: 0,
    metadataProjectRequests: 0,
    metadataRefused: 0,
    uploads: 0,
    batchCreates: 0,
    batchRequests: 0,
    batchGets: 0,
    batchLists: 0,
    batchCancels: 0,
    batchDeletes: 0,
    /** Job resources sent with their inline results (batch.js). */
    inlineResultReads: 0,
    downloads: 0,
    /** @type {Record<string, number>} */
    byModel: {},
    /** @type {Record<string, number>} */
    byBackend: {},
    /** @type {Record<string, number>} */
    byStatus: {},
    /** @type {LogEntry[]} */
    log: [],
  };
}

/**
 * @typedef {{t: number, method: string, path: string, status: number, backend?: string, model?: string, expressMode?: boolean,
 *   prompt?: string, attempt?: number, directives?: string[], aborted?: boolean,
 *   thinkingConfig?: Record<string, unknown>, googleSearch?: {webSearch: boolean, imageSearch: boolean},
 *   conversation?: {modelTurns: number, modelImages: string[]}}} LogEntry
 */

/** @param {Record<string, number>} map @param {string | number} key */
function bump(map, key) {
  map[key] = (map[key] ?? 0) + 1;
}

/**
 * Resolves after ms, or early (without error) when the signal aborts.
 * @param {number} ms
 * @param {AbortSignal} signal
 */
function sleep(ms, signal) {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(undefined);
    };
    // A trickled answer sleeps once per chunk on one request's signal: no listener may stay behind.
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(undefined);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Reads a request body. Past `limit` it keeps draining (so the client can read our error)
 * but stops buffering.
 * @param {http.IncomingMessage} req
 * @param {number} limit
 * @returns {Promise<{body: Buffer, size: number, tooLarge: boolean}>}
 */
function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    req.on('data', (/** @type {Buffer} */ data) => {
      size += data.length;
      if (size <= limit) chunks.push(data);
    });
    req.on('end', () => resolve({ body: Buffer.concat(chunks), size, tooLarge: size > limit }));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('client aborted'));
    });
  });
}

/**
 * @typedef {object} Ctx
 * @property {http.IncomingMessage} req
 * @property {http.ServerResponse} res
 * @property {URL} url
 * @property {RegExpExecArray} params
 * @property {AbortSignal} signal aborts when the client goes away or the emulator closes
 * @property {Partial<LogEntry>} info extra fields for the request log
 */

class Emulator {
  /** @param {EmulatorOptions} options */
  constructor(options) {
    this.opts = options;
    this.counters = newCounters();
    this.url = '';
    /** @type {Map<string, number>} attempts per request key, for `xN` directives */
    this.attempts = new Map();
    /** @type {number[]} admission times inside the rpm window */
    this.window = [];
    this.quotas = new StartQuotas();
    /** @type {Set<import('net').Socket>} */
    this.sockets = new Set();
    this.files = new FileStore(() => this.url, () => this.opts.fileProcessingMs, () => this.opts.uploadChunkGranularity);
    /** @type {Set<string>} files whose first download was cut (`dropDownloadsAfterBytes`) */
    this.droppedDownloads = new Set();
    this.batches = new BatchStore({ files: this.files, options: () => this.opts, counters: this.counters });
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((error) => this.fail(res, error));
    });
    // Hung requests must wait for the client, not for Node's default timeouts.
    this.server.requestTimeout = 0;
    // Long keep-alive, like Google's front ends: with Node's 5 s default, a client whose event
    // loop was busy for a while can reuse a socket the server is closing (ECONNRESET).
    this.server.keepAliveTimeout = 30_000;
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    /** @type {Array<[string, RegExp, (ctx: Ctx) => Promise<void> | void]>} */
    this.routes = [
      ['GET', /^\/__emulator\/state$/, (ctx) => this.sendJson(ctx.res, 200, this.state())],
      ['POST', /^\/__emulator\/configure$/, (ctx) => this.controlConfigure(ctx)],
      ['POST', /^\/__emulator\/reset$/, (ctx) => { this.reset(); this.sendJson(ctx.res, 200, { ok: true }); }],
      ['GET', /^\/__emulator\/service-account\.json$/, (ctx) => this.sendJson(ctx.res, 200, this.serviceAccountKey)],
      ['POST', /^\/__emulator\/expire-tokens$/, (ctx) => { this.expireTokens(); this.sendJson(ctx.res, 200, { ok: true }); }],
      ['POST', /^\/__emulator\/access-token$/, (ctx) => this.sendJson(ctx.res, 200, this.issueAccessToken())],
      ['POST', /^\/token$/, (ctx) => this.tokenEndpoint(ctx)],
      ...metadataRoutes({
        counters: this.counters,
        project: () => /** @type {{project_id: string}} */ (this.serviceAccountKey).project_id,
        issueToken: () => this.issueAccessToken(),
      }),
      ['GET', /^\/(v1beta|v1)\/models$/, (ctx) => this.listGeminiModels(ctx)],
      ['GET', /^\/(v1beta|v1)\/models\/([^/:]+)$/, (ctx) => this.getGeminiModel(ctx)],
      ['POST', /^\/(v1beta|v1)\/models\/([^/:]+):([A-Za-z]+)$/, (ctx) => this.geminiModelMethod(ctx)],
      // @google/genai 3.x talks to the Gemini API on v1 by default, 2.x on v1beta: serve both.
      ['POST', /^\/upload\/(v1beta|v1)\/files$/, (ctx) => this.upload(ctx)],
      ['PUT', /^\/upload\/(v1beta|v1)\/files$/, (ctx) => this.upload(ctx)],
      ['GET', /^\/(v1beta|v1)\/files$/, (ctx) => this.withKey(ctx, () => this.files.list(ctx.url.searchParams))],
      ['GET', /^\/(v1beta|v1)\/files\/([a-z0-9-]+)$/, (ctx) => this.withKey(ctx, () => this.files.get(ctx.params[2]))],
      ['DELETE', /^\/(v1beta|v1)\/files\/([a-z0-9-]+)$/, (ctx) => this.withKey(ctx, () => this.files.delete(ctx.params[2]))],
      // Batch Mode (batch.js). The SDK downloads from /v1beta/files/…:download, the REST docs name /download/v1beta/….
      ['GET', /^(?:\/download)?\/(v1beta|v1)\/files\/([a-z0-9-]+):download$/, (ctx) => this.download(ctx)],
      ['GET', /^\/(v1beta|v1)\/batches$/, (ctx) => this.withKey(ctx, () => this.batches.list(ctx.url.searchParams))],
      ['GET', /^\/(v1beta|v1)\/batches\/([a-z0-9-]+)$/, (ctx) => this.getBatchRoute(ctx)],
      ['POST', /^\/(v1beta|v1)\/batches\/([a-z0-9-]+):cancel$/, (ctx) => this.withKey(ctx, () => this.batches.cancel(ctx.params[2]))],
      ['DELETE', /^\/(v1beta|v1)\/batches\/([a-z0-9-]+)$/, (ctx) => this.withKey(ctx, () => this.batches.delete(ctx.params[2]))],
      ['POST', /^\/(v1|v1beta1)\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/([^/]+)\/models\/([^/:]+):([A-Za-z]+)$/,
        (ctx) => this.vertexModelMethod(ctx)],
      ['GET', /^\/(v1|v1beta1)\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/([^/]+)\/models\/([^/:]+)$/,
        (ctx) => this.getVertexProjectModel(ctx)],
      ['POST', /^\/(v1|v1beta1)\/publishers\/([^/]+)\/models\/([^/:]+):([A-Za-z]+)$/, (ctx) => this.vertexExpressMethod(ctx)],
      ['GET', /^\/(v1|v1beta1)\/publishers\/google\/models$/, (ctx) => this.listVertexModels(ctx)],
      ['GET', /^\/(v1|v1beta1)\/publishers\/google\/models\/([^/:]+)$/, (ctx) => this.getVertexPublisherModel(ctx)],
    ];
  }

  async listen() {
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => resolve(undefined));
    });
    const address = /** @type {import('net').AddressInfo} */ (this.server.address());
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.url = `http://${host}:${address.port}`;
    this.serviceAccountKey = createServiceAccountKey(this.url);
    this.tokens = new TokenAuthority(this.serviceAccountKey, `${this.url}/token`);
  }

  get apiKey() {
    return this.opts.apiKey;
  }

  /** Current options (copy). */
  get options() {
    return { ...this.opts };
  }

  /** @param {Record<string, unknown>} partial */
  configure(partial) {
    Object.assign(this.opts, normalizeOptions(partial, false));
    return this.options;
  }

  /** Zeroes counters (in place: `counters` stays live) and forgets attempts and the rpm window. */
  reset() {
    const inFlight = this.counters.inFlight;
    Object.assign(this.counters, newCounters(), { inFlight, maxInFlight: inFlight });
    this.attempts.clear();
    this.window = [];
    this.quotas.reset();
  }

  state() {
    /** @type {Record<string, unknown>} */
    const options = { ...this.opts };
    for (const key of UNLIMITED_OPTIONS) if (options[key] === Infinity) options[key] = null;
    return { ...this.counters, options, files: this.files.files.size, batches: this.batches.jobs.size };
  }

  /** Mints an access token without a JWT (benchmarks, quick tests). */
  issueAccessToken(scopes = [CLOUD_PLATFORM]) {
    return this.requireTokens().issue(scopes, this.opts.tokenTtlSeconds);
  }

  /** Expires every issued access token: the next Vertex call with one gets a 401. */
  expireTokens() {
    this.requireTokens().expireAll();
  }

  requireTokens() {
    if (!this.tokens) throw new Error('Emulator not started');
    return this.tokens;
  }

  /** Stops listening and cuts every open connection, including hung requests. */
  close() {
    return new Promise((resolve) => {
      this.server.close(() => resolve(undefined));
      for (const socket of this.sockets) socket.destroy();
    });
  }

  // ---------------------------------------------------------------- plumbing

  /** @param {http.IncomingMessage} req @param {http.ServerResponse} res */
  async handle(req, res) {
    const url = new URL(req.url ?? '/', this.url);
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    /** @type {Ctx} */
    const ctx = { req, res, url, params: /** @type {any} */ (null), signal: controller.signal, info: {} };
    if (!url.pathname.startsWith('/__emulator/')) this.track(ctx);
    for (const [method, pattern, handler] of this.routes) {
      const params = pattern.exec(url.pathname);
      if (!params) continue;
      if (req.method !== method) continue;
      ctx.params = params;
      try {
        await handler(ctx);
      } catch (error) {
        this.fail(res, error);
      }
      return;
    }
    this.sendHtml(res, 404, gfeHtml(404, 'Not Found', `The requested URL <code>${escapeHtml(url.pathname)}</code> was not found on this server.`));
  }

  /** Counts the request and logs it once the response is over. @param {Ctx} ctx */
  track(ctx) {
    this.counters.requests++;
    const t = Date.now();
    ctx.res.on('close', () => {
      const done = ctx.res.writableFinished;
      const status = done ? ctx.res.statusCode : 0;
      bump(this.counters.byStatus, status);
      const query = new URLSearchParams(ctx.url.searchParams);
      if (query.has('key')) query.set('key', 'REDACTED');
      const search = query.toString();
      /** @type {LogEntry} */
      const entry = { t, method: ctx.req.method ?? '', path: ctx.url.pathname + (search ? `?${search}` : ''), status, ...ctx.info };
      if (!done) entry.aborted = true;
      this.counters.log.push(entry);
      if (this.counters.log.length > MAX_LOG) this.counters.log.splice(0, this.counters.log.length - MAX_LOG);
      if (this.opts.verbose) process.stderr.write(`[emulator] ${entry.method} ${entry.path} -> ${status} ${Date.now() - t}ms\n`);
    });
  }

  /** @param {http.ServerResponse} res @param {unknown} error */
  fail(res, error) {
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    if (error instanceof ApiError) {
      this.sendJson(res, error.code, error.toJSON(), error.headers);
    } else if (error instanceof OAuthError) {
      this.sendJson(res, 400, { error: error.error, error_description: error.message }, { 'cache-control': 'no-cache, no-store, max-age=0, must-revalidate', pragma: 'no-cache' });
    } else {
      // A bug in the emulator: say so plainly instead of imitating Google.
      const message = error instanceof Error ? error.stack ?? error.message : String(error);
      this.sendJson(res, 500, { error: { code: 500, message: `[emulator bug] ${message}`, status: 'INTERNAL' } });
    }
  }

  /**
   * @param {http.ServerResponse} res
   * @param {number} status
   * @param {unknown} body object (JSON), string, or Buffer
   * @param {Record<string, string>} [headers]
   */
  sendJson(res, status, body, headers = {}) {
    if (res.destroyed) return;
    const payload = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body, null, 2));
    res.writeHead(status, { 'content-type': JSON_TYPE, ...GOOGLE_HEADERS, 'content-length': payload.length, ...headers });
    res.end(payload);
  }

  /** @param {http.ServerResponse} res @param {number} status @param {string} html */
  sendHtml(res, status, html) {
    res.writeHead(status, { 'content-type': 'text/html; charset=UTF-8', 'content-length': Buffer.byteLength(html) });
    res.end(html);
  }

  /** @param {Ctx} ctx @param {number} limit */
  async body(ctx, limit) {
    const { body, tooLarge } = await readBody(ctx.req, limit);
    // Google's wording for oversized requests (the limit was 20 MB before January 2026).
    if (tooLarge) throw new ApiError(400, `Request payload size exceeds the limit: ${limit} bytes.`);
    return body;
  }

  // ---------------------------------------------------------------- control & OAuth

  /** @param {Ctx} ctx */
  async controlConfigure(ctx) {
    const body = await this.body(ctx, 1024 * 1024);
    let partial;
    try {
      partial = JSON.parse(body.toString('utf8') || '{}');
      this.configure(partial);
    } catch (error) {
      throw new ApiError(400, `[emulator] ${error instanceof Error ? error.message : String(error)}`);
    }
    this.sendJson(ctx.res, 200, this.state().options);
  }

  /** POST /token: the JWT-bearer grant of oauth2.googleapis.com. @param {Ctx} ctx */
  async tokenEndpoint(ctx) {
    const raw = (await this.body(ctx, 64 * 1024)).toString('utf8');
    const isJson = String(ctx.req.headers['content-type'] ?? '').includes('json');
    let form;
    try {
      form = isJson ? new URLSearchParams(JSON.parse(raw)) : new URLSearchParams(raw);
    } catch {
      form = new URLSearchParams();
    }
    try {
      const grant = this.requireTokens().exchange(form, this.opts.tokenTtlSeconds);
      this.counters.tokenExchanges++;
      this.sendJson(ctx.res, 200, grant, { 'cache-control': 'no-cache, no-store, max-age=0, must-revalidate', pragma: 'no-cache' });
    } catch (error) {
      this.counters.tokenErrors++;
      throw error;
    }
  }

  // ---------------------------------------------------------------- auth

  /**
   * AI Studio key from `x-goog-api-key` (preferred) or `?key=`.
   * @param {Ctx} ctx
   */
  requireApiKey(ctx) {
    const headerKey = ctx.req.headers['x-goog-api-key'];
    const queryKey = ctx.url.searchParams.get('key');
    if (headerKey !== undefined) this.counters.keyInHeader++;
    if (queryKey !== null) this.counters.keyInQuery++;
    const key = headerKey !== undefined ? String(headerKey) : queryKey;
    if (key === null || key === '') {
      throw new ApiError(403, "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.");
    }
    if (key !== this.opts.apiKey) {
      const message = 'API key not valid. Please pass a valid API key.';
      throw new ApiError(400, message, {
        details: [
          errorInfo('API_KEY_INVALID', 'googleapis.com', { service: 'generativelanguage.googleapis.com' }),
          { '@type': `${TYPE}LocalizedMessage`, locale: 'en-US', message },
        ],
      });
    }
  }

  /**
   * Vertex: `Authorization: Bearer <access token or self-signed JWT>` with cloud-platform scope.
   * @param {Ctx} ctx
   * @param {string} method RPC name for ErrorInfo metadata
   */
  requireBearer(ctx, method) {
    const authorization = ctx.req.headers.authorization;
    if (authorization !== undefined) this.counters.bearerRequests++;
    const result = this.requireTokens().authenticate(authorization);
    const metadata = { service: 'aiplatform.googleapis.com', method };
    if (!result.ok) {
      const hasKey = ctx.req.headers['x-goog-api-key'] !== undefined || ctx.url.searchParams.has('key');
      const message = result.reason === 'CREDENTIALS_MISSING'
        ? hasKey
          ? 'API keys are not supported by this API. Expected OAuth2 access token or other authentication credentials that assert a principal. See https://cloud.google.com/docs/authentication'
          : 'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.'
        : 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';
      throw new ApiError(401, message, {
        details: [errorInfo(result.reason, 'googleapis.com', metadata)],
        headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
      });
    }
    if (result.selfSigned) this.counters.selfSignedJwtRequests++;
    if (!result.grant.scopes.includes(CLOUD_PLATFORM)) {
      throw new ApiError(403, 'Request had insufficient authentication scopes.', {
        details: [errorInfo('ACCESS_TOKEN_SCOPE_INSUFFICIENT', 'googleapis.com', metadata)],
        headers: { 'www-authenticate': `Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="${CLOUD_PLATFORM}"` },
      });
    }
  }

  /**
   * @param {Ctx} ctx
   * @param {() => unknown} produce
   */
  withKey(ctx, produce) {
    this.requireApiKey(ctx);
    this.sendJson(ctx.res, 200, produce());
  }

  // ---------------------------------------------------------------- Gemini API

  /** @param {Ctx} ctx */
  listGeminiModels(ctx) {
    this.withKey(ctx, () => {
      const { page, nextPageToken } = paginate(visibleModels(this.opts).map(geminiModelResource), ctx.url.searchParams, { defaultSize: 50, maxSize: 1000 });
      return { models: page, ...(nextPageToken ? { nextPageToken } : {}) };
    });
  }

  /** @param {Ctx} ctx */
  getGeminiModel(ctx) {
    const [, version, id] = ctx.params;
    this.withKey(ctx, () => {
      const model = findModel(id, this.opts);
      if (!model) throw geminiModelNotFound(id, version, 'get');
      return geminiModelResource(model);
    });
  }

  /** @param {Ctx} ctx */
  async geminiModelMethod(ctx) {
    const [, version, id, method] = ctx.params;
    this.requireApiKey(ctx);
    if (method === 'batchGenerateContent') return this.createBatch(ctx, version, id);
    if (!['generateContent', 'streamGenerateContent', 'countTokens'].includes(method)) {
      throw geminiModelNotFound(id, version, method);
    }
    const model = findModel(id, this.opts);
    this.countCall(ctx, 'gemini', id, method);
    if (!model) throw geminiModelNotFound(id, version, method);
    await this.generate(ctx, { backend: 'gemini', version, model, method });
  }

  /** `POST models/{m}:batchGenerateContent` (batch.js). @param {Ctx} ctx @param {string} version @param {string} id */
  async createBatch(ctx, version, id) {
    const model = findModel(id, this.opts);
    if (!model) throw geminiModelNotFound(id, version, 'batchGenerateContent');
    const body = parseJsonBody(await this.body(ctx, this.opts.maxRequestBytes));
    Object.assign(ctx.info, { backend: 'gemini', model: id });
    if (this.opts.batchQuotaSpentModels.includes(model.id)) {
      throw quotaError({ backend: 'gemini', version, model }, { retryS: DEFAULT_DAILY_RETRY_S, daily: true, limit: 100 });
    }
    const operation = this.batches.create(model, version, body);
    // The job exists from here on, whatever happens to the answer (a client may give up on it).
    await sleep(this.opts.latencyMs, ctx.signal);
    if (this.opts.dropBatchCreateAnswers > 0) {
      this.opts.dropBatchCreateAnswers--;
      ctx.res.destroy();
      return;
    }
    this.sendJson(ctx.res, 200, operation);
  }

  /** `GET …/files/{id}:download?alt=media`: the file's bytes. @param {Ctx} ctx */
  download(ctx) {
    this.requireApiKey(ctx);
    const file = this.files.files.get(ctx.params[2]);
    if (!file) return this.files.get(ctx.params[2]);
    if (ctx.url.searchParams.get('alt') !== 'media') return this.sendJson(ctx.res, 200, this.files.resource(file));
    this.counters.downloads++;
    ctx.res.writeHead(200, { 'content-type': file.mimeType, ...GOOGLE_HEADERS, 'content-length': file.bytes.length });
    const cutAt = this.opts.dropDownloadsAfterBytes;
    if (cutAt > 0 && cutAt < file.bytes.length && !this.droppedDownloads.has(file.id)) {
      this.droppedDownloads.add(file.id);
      ctx.res.write(file.bytes.subarray(0, cutAt), () => ctx.res.destroy());
      return;
    }
    const duration = this.opts.downloadDurationMs;
    if (duration > 0) return this.trickle(ctx, file.bytes, duration);
    ctx.res.end(file.bytes);
  }

  /**
   * `GET batches/{id}`; a finished job with inline results arrives over `batchGetDurationMs`
   * when set (hundreds of images inside one resource take a while on a real line).
   * @param {Ctx} ctx
   */
  async getBatchRoute(ctx) {
    this.requireApiKey(ctx);
    const operation = this.getBatch(ctx.params[2]);
    const duration = this.opts.batchGetDurationMs;
    if (duration > 0 && operation.metadata?.output?.inlinedResponses) {
      const bytes = Buffer.from(JSON.stringify(operation));
      ctx.res.writeHead(200, { 'content-type': JSON_TYPE, ...GOOGLE_HEADERS, 'content-length': bytes.length });
      return await this.trickle(ctx, bytes, duration);
    }
    this.sendJson(ctx.res, 200, operation);
  }

  /** `batches.get`, or 503 while `failBatchGets` lasts. @param {string} id */
  getBatch(id) {
    if (this.opts.failBatchGets > 0) {
      this.opts.failBatchGets--;
      this.counters.batchGets++;
      throw new ApiError(503, 'The service is currently unavailable.');
    }
    return this.batches.get(id);
  }

  /**
   * Sends `bytes` in 20 even pieces spread over `durationMs` (a slow but healthy download).
   * @param {Ctx} ctx @param {Buffer} bytes @param {number} durationMs
   */
  async trickle(ctx, bytes, durationMs) {
    const pieces = 20;
    const size = Math.ceil(bytes.length / pieces);
    for (let i = 0; i < pieces && !ctx.res.destroyed; i++) {
      await sleep(durationMs / pieces, ctx.signal).catch(() => undefined);
      ctx.res.write(bytes.subarray(i * size, (i + 1) * size));
    }
    ctx.res.end();
  }

  /** @param {Ctx} ctx */
  async upload(ctx) {
    const uploadId = ctx.url.searchParams.get('upload_id');
    const body = await this.body(ctx, MAX_UPLOAD_BYTES);
    const version = ctx.params[1];
    if (uploadId) {
      const limit = this.opts.refuseUploadsOverBytes;
      if (limit > 0 && body.length > limit) throw new ApiError(413, `Request entity too large: ${body.length} bytes (at most ${limit}).`);
      const reply = this.files.continue(uploadId, ctx.req.headers, body);
      const command = String(ctx.req.headers['x-goog-upload-command'] ?? '').toLowerCase();
      if (command.includes('upload') && this.opts.dropUploadAnswers > 0) {
        // Stored, but the answer is lost: the client must ask (`query`) how much arrived.
        this.opts.dropUploadAnswers--;
        ctx.res.destroy();
        return;
      }
      return this.sendUploadReply(ctx, reply);
    }
    this.requireApiKey(ctx);
    const protocol = String(ctx.req.headers['x-goog-upload-protocol'] ?? '').toLowerCase();
    const command = String(ctx.req.headers['x-goog-upload-command'] ?? '').toLowerCase();
    const uploadType = ctx.url.searchParams.get('uploadType') ?? ctx.url.searchParams.get('upload_type');
    if (protocol === 'resumable' && command === 'start') return this.sendUploadReply(ctx, this.files.start(ctx.req.headers, body, version));
    if (protocol === 'multipart' || uploadType === 'multipart') return this.sendUploadReply(ctx, this.files.simpleUpload(ctx.req.headers, body, 'multipart', version));
    if (protocol === 'raw' || uploadType === 'media') return this.sendUploadReply(ctx, this.files.simpleUpload(ctx.req.headers, body, 'media', version));
    throw new ApiError(400, 'Upload requests need X-Goog-Upload-Protocol: resumable with X-Goog-Upload-Command: start, or uploadType=multipart|media.');
  }

  /** @param {Ctx} ctx @param {{status: number, body?: any, headers?: Record<string, string>}} reply */
  sendUploadReply(ctx, reply) {
    if (reply.body?.file) this.counters.uploads++;
    this.sendJson(ctx.res, reply.status, reply.body ?? '', reply.headers);
  }

  // ---------------------------------------------------------------- Vertex AI

  /**
   * Vertex AI auth: the emulator's Vertex API key (a key bound to the service account), else a
   * bearer token.
   * @param {Ctx} ctx @param {string} method
   */
  requireVertexCaller(ctx, method) {
    if (!vertexApiKey(ctx, this.opts.vertexApiKey, this.counters)) this.requireBearer(ctx, method);
  }

  /** Express mode: `/{v}/publishers/{p}/models/{m}:method`, no project, Vertex API keys only. @param {Ctx} ctx */
  async vertexExpressMethod(ctx) {
    const [, version, publisher, id, method] = ctx.params;
    if (!vertexApiKey(ctx, this.opts.vertexApiKey, this.counters)) throw expressModeNeedsKey();
    if (!['generateContent', 'streamGenerateContent', 'countTokens'].includes(method)) {
      throw new ApiError(404, `Method ${method} is not supported for publishers/${publisher}/models/${id}.`);
    }
    this.countCall(ctx, 'vertex', id, method);
    ctx.info.expressMode = true;
    const model = publisher === 'google' ? findModel(id, this.opts) : undefined;
    if (!model) throw new ApiError(404, `Publisher Model \`publishers/${publisher}/models/${id}\` was not found or your project does not have access to it.`);
    await this.generate(ctx, { backend: 'vertex', version, model, method });
  }

  /** @param {Ctx} ctx */
  async vertexModelMethod(ctx) {
    const [, version, project, location, publisher, id, method] = ctx.params;
    this.requireVertexCaller(ctx, `google.cloud.aiplatform.${version}.PredictionService.${capitalize(method)}`);
    this.checkProject(project, location, publisher, id);
    if (!['generateContent', 'streamGenerateContent', 'countTokens'].includes(method)) {
      throw new ApiError(404, `Method ${method} is not supported for publishers/${publisher}/models/${id}.`);
    }
    this.countCall(ctx, 'vertex', id, method);
    const model = this.vertexModel(project, location, publisher, id);
    await this.generate(ctx, { backend: 'vertex', version, model, method });
  }

  /** @param {Ctx} ctx */
  getVertexProjectModel(ctx) {
    const [, version, project, location, publisher, id] = ctx.params;
    this.requireVertexCaller(ctx, `google.cloud.aiplatform.${version}.ModelGardenService.GetPublisherModel`);
    this.checkProject(project, location, publisher, id);
    const model = this.vertexModel(project, location, publisher, id);
    this.sendJson(ctx.res, 200, {
      ...vertexPublisherModelResource(model),
      name: `projects/${project}/locations/${location}/publishers/google/models/${model.id}`,
    });
  }

  /** @param {Ctx} ctx */
  listVertexModels(ctx) {
    this.requireBearer(ctx, `google.cloud.aiplatform.${ctx.params[1]}.ModelGardenService.ListPublisherModels`);
    const { page, nextPageToken } = paginate(visibleModels(this.opts).map(vertexPublisherModelResource), ctx.url.searchParams, { defaultSize: 100, maxSize: 1000 });
    this.sendJson(ctx.res, 200, { publisherModels: page, ...(nextPageToken ? { nextPageToken } : {}) });
  }

  /** @param {Ctx} ctx */
  getVertexPublisherModel(ctx) {
    this.requireBearer(ctx, `google.cloud.aiplatform.${ctx.params[1]}.ModelGardenService.GetPublisherModel`);
    const model = findModel(ctx.params[2], this.opts);
    if (!model) throw new ApiError(404, `Publisher Model \`publishers/google/models/${ctx.params[2]}\` not found.`);
    this.sendJson(ctx.res, 200, vertexPublisherModelResource(model));
  }

  /**
   * The service account only has IAM rights on its own project.
   * @param {string} project @param {string} location @param {string} publisher @param {string} id
   */
  checkProject(project, location, publisher, id) {
    const key = /** @type {{project_id: string}} */ (this.serviceAccountKey);
    if (project === key.project_id) return;
    const resource = `projects/${project}/locations/${location}/publishers/${publisher}/models/${id}`;
    throw new ApiError(403, `Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/${resource}' (or it may not exist).`, {
      details: [errorInfo('IAM_PERMISSION_DENIED', 'aiplatform.googleapis.com', { permission: 'aiplatform.endpoints.predict', resource })],
    });
  }

  /** @param {string} project @param {string} location @param {string} publisher @param {string} id */
  vertexModel(project, location, publisher, id) {
    const model = publisher === 'google' ? findModel(id, this.opts) : undefined;
    // Gemini 3 image models are served from the global endpoint only.
    if (!model || (model.globalOnly && location !== 'global')) {
      throw new ApiError(404, `Publisher Model \`projects/${project}/locations/${location}/publishers/${publisher}/models/${id}\` was not found or your project does not have access to it. Please ensure you are using a valid model version. For more information, see: https://cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versions`);
    }
    return model;
  }

  // ---------------------------------------------------------------- generateContent

  /** @param {Ctx} ctx @param {'gemini'|'vertex'} backend @param {string} modelId @param {string} method */
  countCall(ctx, backend, modelId, method) {
    if (method === 'countTokens') this.counters.countTokens++;
    else this.counters.generateContent++;
    bump(this.counters.byBackend, backend);
    bump(this.counters.byModel, modelId.replace(/^models\//, ''));
    Object.assign(ctx.info, { backend, model: modelId });
  }

  /**
   * Shared by both backends: parse, admit (rpm / in-flight), apply directives and latency, answer.
   * @param {Ctx} ctx
   * @param {{backend: 'gemini'|'vertex', version: string, model: import('./models').ModelSpec, method: string}} call
   */
  async generate(ctx, { backend, version, model, method }) {
    const raw = await this.body(ctx, this.opts.maxRequestBytes);
    const parsed = parseGenerateRequest({
      backend,
      version,
      model,
      body: parseJsonBody(raw),
      limits: { vertexMaxInlineBytes: this.opts.vertexMaxInlineBytes },
      resolveFile: (uri) => this.files.resolve(uri),
    });
    ctx.info.prompt = parsed.prompt;
    // What reached the server, for tests ("thinking level high was sent", "image search was on").
    if (parsed.thinkingConfig) ctx.info.thinkingConfig = parsed.thinkingConfig;
    if (parsed.googleSearch) ctx.info.googleSearch = parsed.googleSearch;
    if (parsed.modelTurns > 0) ctx.info.conversation = { modelTurns: parsed.modelTurns, modelImages: parsed.modelImages };
    if (method === 'countTokens') return this.sendJson(ctx.res, 200, countTokensBody(parsed));
    this.admit(ctx, parsed);
    const attempt = (this.attempts.get(parsed.key) ?? 0) + 1;
    this.attempts.set(parsed.key, attempt);
    const active = activeDirectives(parsed.directives, attempt);
    Object.assign(ctx.info, { attempt, directives: active.map((d) => d.raw) });
    const plan = planDirectives(active);
    await sleep(this.opts.latencyMs + plan.slowMs, ctx.signal);
    if (ctx.signal.aborted) return;
    if (plan.failure) return this.failAsDirected(ctx, plan.failure, parsed);
    const body = generateContentBody(parsed, plan.shape, { thoughts: this.opts.thoughts });
    if (method === 'streamGenerateContent') return this.sendStream(ctx, body);
    this.sendJson(ctx.res, 200, body);
  }

  /**
   * Rate limits, checked before any work. Rejected requests never count as in flight.
   * @param {Ctx} ctx
   * @param {import('./request').ParsedRequest} parsed
   */
  admit(ctx, parsed) {
    const now = Date.now();
    const counters = this.counters;
    counters.maxConcurrentAttempts = Math.max(counters.maxConcurrentAttempts, counters.inFlight + 1);
    while (this.window.length > 0 && this.window[0] <= now - RPM_WINDOW_MS) this.window.shift();
    if (this.window.length >= this.opts.rpm) {
      counters.rateLimited++;
      const waitS = Math.max(1, Math.ceil((this.window[0] + RPM_WINDOW_MS - now) / 1000));
      throw quotaError(parsed, { retryS: waitS, daily: false, limit: this.opts.rpm });
    }
    const quotaRefusal = this.quotas.refusal(now, this.opts, parsed);
    if (quotaRefusal) {
      counters.rateLimited++;
      throw quotaRefusal;
    }
    if (counters.inFlight >= this.opts.maxInFlight) {
      counters.rejectedInFlight++;
      throw new ApiError(429, parsed.backend === 'vertex' ? VERTEX_429 : 'Resource has been exhausted (e.g. check quota).', {
        details: [retryInfo(durationString(DEFAULT_QUOTA_RETRY_S))],
      });
    }
    this.window.push(now);
    this.quotas.record(now, this.opts);
    counters.inFlight++;
    counters.maxInFlight = Math.max(counters.maxInFlight, counters.inFlight);
    ctx.res.once('close', () => {
      counters.inFlight--;
    });
  }

  /**
   * @param {Ctx} ctx
   * @param {import('./directives').Directive} directive
   * @param {import('./request').ParsedRequest} parsed
   */
  failAsDirected(ctx, directive, parsed) {
    const { res } = ctx;
    switch (directive.kind) {
      case 'hang':
        return; // the response closes when the client gives up or the emulator closes
      case 'drop': {
        const body = Buffer.from(JSON.stringify(generateContentBody(parsed, {}, { thoughts: false })));
        res.writeHead(200, { 'content-type': JSON_TYPE, ...GOOGLE_HEADERS, 'content-length': body.length });
        res.write(body.subarray(0, Math.floor(body.length / 3)), () => res.destroy());
        return;
      }
      case 'malformed': {
        const body = JSON.stringify(generateContentBody(parsed, {}, { thoughts: false }));
        return this.sendJson(res, 200, body.slice(0, Math.floor(body.length / 2)));
      }
      case 'no-candidates': {
        // A 2xx JSON without the answer: usage and ids only, as a broken gateway might pass on.
        const { usageMetadata, modelVersion, responseId } = generateContentBody(parsed, {}, { thoughts: false });
        return this.sendJson(res, 200, JSON.stringify({ usageMetadata, modelVersion, responseId }));
      }
      case '502-html':
        return this.sendHtml(res, 502, gfeHtml(502, 'Server Error', 'The server encountered a temporary error and could not complete your request.<p>Please try again in 30 seconds.'));
      case 'retry-after': {
        const seconds = parseSeconds(directive.arg, 1);
        const error = quotaError(parsed, { retryS: seconds, daily: false, limit: 10 });
        error.details = [];
        error.headers = { 'retry-after': String(seconds) };
        throw error;
      }
      case '429':
        throw quotaError(parsed, { retryS: parseSeconds(directive.arg, DEFAULT_QUOTA_RETRY_S), daily: false, limit: 10 });
      case '429-daily':
        throw quotaError(parsed, { retryS: parseSeconds(directive.arg, DEFAULT_DAILY_RETRY_S), daily: true, limit: 100 });
      default:
        throw directedError(Number(directive.kind), parsed);
    }
  }

  /**
   * streamGenerateContent: SSE with `?alt=sse` (what the SDK asks for), else a JSON array.
   * @param {Ctx} ctx @param {object} body
   */
  sendStream(ctx, body) {
    if (ctx.url.searchParams.get('alt') === 'sse') {
      ctx.res.writeHead(200, { 'content-type': 'text/event-stream', ...GOOGLE_HEADERS });
      ctx.res.end(`data: ${JSON.stringify(body)}\r\n\r\n`);
      return;
    }
    this.sendJson(ctx.res, 200, [body]);
  }
}

/** @param {string} id @param {string} version @param {string} method */
function geminiModelNotFound(id, version, method) {
  const name = id.startsWith('models/') ? id : `models/${id}`;
  return new ApiError(404, `${name} is not found for API version ${version}, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`);
}

/** @param {string} s */
const capitalize = (s) => s.charAt(0).toUpperCase() + s.slice(1);

/** @param {string} s */
const escapeHtml = (s) => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Starts an emulator. `port: 0` picks a free port; see README.md for all options.
 * @param {Partial<EmulatorOptions>} [options]
 */
async function startEmulator(options = {}) {
  const emulator = new Emulator({ ...DEFAULTS, ...normalizeOptions(/** @type {Record<string, unknown>} */ (options), true) });
  await emulator.listen();
  return emulator;
}

module.exports = {
  startEmulator,
  readPngInfo,
  readJpegInfo,
  decodePng,
  encodePng,
  createAssertion,
  signJwt,
  MODELS,
  RETIRED_MODELS,
  DEFAULTS,
};
