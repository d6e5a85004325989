// @ts-check
'use strict';

/**
 * Gemini API Batch Mode: `models/{m}:batchGenerateContent` (inline requests or a JSONL file from
 * the Files API), `batches/{id}` get / list / cancel / delete, and the results (inline, or a
 * JSONL results file served by the download endpoint). Jobs live in memory for the emulator's
 * lifetime, so a client that restarts finds its job again.
 *
 * A job is PENDING for `batchPendingMs`, RUNNING until `batchRunMs` more have passed, then ends
 * in `batchOutcome` (SUCCEEDED by default; FAILED or EXPIRED on demand). Its answers are computed
 * when it succeeds, each request exactly as generateContent would answer it: prompt directives
 * shape answers (`finish:IMAGE_SAFETY`, `blocked`, …) and failure directives (`500`, `429`, …)
 * become that request's error (a `google.rpc.Status` with an RPC code).
 */

const crypto = require('crypto');
const { ApiError, directedError } = require('./errors');
const { parseGenerateRequest } = require('./request');
const { activeDirectives, planDirectives } = require('./directives');
const { generateContentBody, googleTime } = require('./response');
const { paginate } = require('./models');
const { crc32 } = require('./png');

const STATES = {
  pending: 'BATCH_STATE_PENDING',
  running: 'BATCH_STATE_RUNNING',
  succeeded: 'BATCH_STATE_SUCCEEDED',
  failed: 'BATCH_STATE_FAILED',
  cancelled: 'BATCH_STATE_CANCELLED',
  expired: 'BATCH_STATE_EXPIRED',
};
const OUTCOMES = ['SUCCEEDED', 'FAILED', 'EXPIRED'];
const BATCH_TYPE = 'type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch';
const OUTPUT_TYPE = 'type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput';

/** HTTP status → google.rpc.Code, as a batch result's `error.code` carries it. */
const RPC_CODE = /** @type {Record<number, number>} */ ({
  400: 3, 401: 16, 403: 7, 404: 5, 408: 4, 409: 10, 429: 8, 499: 1, 500: 13, 501: 12, 502: 14, 503: 14, 504: 4,
});

/**
 * @typedef {{key: string, request: any}} BatchRequest
 * @typedef {object} Job
 * @property {string} id
 * @property {string} displayName
 * @property {import('./models').ModelSpec} model
 * @property {string} version
 * @property {BatchRequest[]} requests
 * @property {'inline'|'file'} source
 * @property {number} createdAt
 * @property {number} pendingUntil
 * @property {number} runUntil
 * @property {string} outcome SUCCEEDED | FAILED | EXPIRED
 * @property {number | undefined} cancelledAt
 * @property {number | undefined} endedAt
 * @property {{ inlinedResponses?: any[], responsesFile?: string, failed: number, succeeded: number } | undefined} results
 */

/** Lower-case ids like Google's "batches/abc123". */
function newId() {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(crypto.randomBytes(16), (b) => alphabet[b % alphabet.length]).join('');
}

/** @param {ApiError} error */
function rpcStatus(error) {
  return { code: RPC_CODE[error.code] ?? 2, message: error.message, status: error.status };
}

class BatchStore {
  /**
   * @param {object} deps
   * @param {import('./files').FileStore} deps.files
   * @param {() => {batchPendingMs: number, batchRunMs: number, batchOutcome: string, thoughts: boolean, vertexMaxInlineBytes: number, batchListDelayMs?: number, batchAnswerBytes?: number}} deps.options
   * @param {Record<string, number>} deps.counters live counters object (batch* fields)
   */
  constructor({ files, options, counters }) {
    this.files = files;
    this.options = options;
    this.counters = counters;
    /** @type {Map<string, Job>} */
    this.jobs = new Map();
  }

  /**
   * `POST models/{m}:batchGenerateContent`.
   * @param {import('./models').ModelSpec} model
   * @param {string} version
   * @param {any} body camelCased JSON
   */
  create(model, version, body) {
    const batch = body?.batch;
    if (!batch || typeof batch !== 'object') throw new ApiError(400, 'Invalid JSON payload received. Missing "batch".');
    if (typeof batch.displayName !== 'string' || batch.displayName === '') {
      throw new ApiError(400, '* GenerateContentBatch.display_name: display_name is required.');
    }
    const input = batch.inputConfig ?? {};
    /** @type {BatchRequest[]} */
    let requests;
    /** @type {'inline'|'file'} */
    let source;
    if (typeof input.fileName === 'string') {
      source = 'file';
      requests = this.readRequestFile(input.fileName);
    } else if (Array.isArray(input.requests?.requests)) {
      source = 'inline';
      requests = input.requests.requests.map((/** @type {any} */ entry, /** @type {number} */ index) => ({
        key: typeof entry?.metadata?.key === 'string' ? entry.metadata.key : String(index),
        request: entry?.request,
      }));
    } else {
      throw new ApiError(400, '* GenerateContentBatch.input_config: either requests or file_name is required.');
    }
    if (requests.length === 0) throw new ApiError(400, '* GenerateContentBatch.input_config: the batch has no requests.');
    const now = Date.now();
    const opts = this.options();
    if (!OUTCOMES.includes(opts.batchOutcome)) throw new ApiError(500, `[emulator] batchOutcome must be one of ${OUTCOMES.join(', ')}`);
    /** @type {Job} */
    const job = {
      id: newId(),
      displayName: batch.displayName,
      model,
      version,
      requests,
      source,
      createdAt: now,
      pendingUntil: now + opts.batchPendingMs,
      runUntil: now + opts.batchPendingMs + opts.batchRunMs,
      outcome: opts.batchOutcome,
      cancelledAt: undefined,
      endedAt: undefined,
      results: undefined,
    };
    this.jobs.set(job.id, job);
    this.counters.batchCreates++;
    this.counters.batchRequests += requests.length;
    return this.operation(job);
  }

  /**
   * Reads an uploaded JSONL input file: one `{"key", "request"}` per line.
   * @param {string} fileName `files/{id}`
   */
  readRequestFile(fileName) {
    const id = /^files\/([a-z0-9-]+)$/.exec(fileName)?.[1];
    const file = id ? this.files.files.get(id) : undefined;
    if (!file) throw new ApiError(404, `File ${fileName} not found.`);
    /** @type {BatchRequest[]} */
    const requests = [];
    let start = 0;
    let lineNumber = 0;
    while (start < file.bytes.length) {
      let end = file.bytes.indexOf(0x0a, start);
      if (end === -1) end = file.bytes.length;
      lineNumber++;
      const line = file.bytes.subarray(start, end).toString('utf8').trim();
      start = end + 1;
      if (!line) continue;
      let parsed;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new ApiError(400, `Invalid JSONL in ${fileName}: line ${lineNumber} is not JSON.`);
      }
      if (typeof parsed?.key !== 'string' || typeof parsed?.request !== 'object') {
        throw new ApiError(400, `Invalid JSONL in ${fileName}: line ${lineNumber} needs "key" and "request".`);
      }
      requests.push({ key: parsed.key, request: parsed.request });
    }
    return requests;
  }

  /** @param {string} id */
  job(id) {
    const job = this.jobs.get(id);
    if (!job) throw new ApiError(404, `Batch batches/${id} not found.`);
    return job;
  }

  /** @param {string} id */
  get(id) {
    this.counters.batchGets++;
    return this.operation(this.job(id));
  }

  /** @param {URLSearchParams} query */
  list(query) {
    this.counters.batchLists++;
    // Google's lists lag behind: a new job shows only after `batchListDelayMs`.
    const listedBefore = Date.now() - (this.options().batchListDelayMs ?? 0);
    const all = [...this.jobs.values()]
      .filter((job) => job.createdAt <= listedBefore)
      .sort((a, b) => b.createdAt - a.createdAt)
      .map((job) => this.operation(job));
    const { page, nextPageToken } = paginate(all, query, { defaultSize: 10, maxSize: 100 });
    return { ...(page.length ? { operations: page } : {}), ...(nextPageToken ? { nextPageToken } : {}) };
  }

  /** @param {string} id */
  cancel(id) {
    const job = this.job(id);
    this.counters.batchCancels++;
    if (!this.finished(job)) {
      job.cancelledAt = Date.now();
      job.endedAt = job.cancelledAt;
    }
    return {};
  }

  /** @param {string} id */
  delete(id) {
    this.job(id);
    this.counters.batchDeletes++;
    this.jobs.delete(id);
    return {};
  }

  /** @param {Job} job */
  finished(job) {
    return job.cancelledAt !== undefined || Date.now() >= job.runUntil;
  }

  /** @param {Job} job */
  state(job) {
    if (job.cancelledAt !== undefined) return STATES.cancelled;
    const now = Date.now();
    if (now < job.pendingUntil) return STATES.pending;
    if (now < job.runUntil) return STATES.running;
    return job.outcome === 'FAILED' ? STATES.failed : job.outcome === 'EXPIRED' ? STATES.expired : STATES.succeeded;
  }

  /**
   * Answers every request of a job that succeeded, once.
   * @param {Job} job
   */
  complete(job) {
    if (job.results) return job.results;
    let succeeded = 0;
    let failed = 0;
    const padTo = this.options().batchAnswerBytes ?? 0;
    const answers = job.requests.map(({ key, request }) => {
      const answer = padTo > 0 ? padImages(this.answer(job, request), padTo) : this.answer(job, request);
      if (answer.error) failed++;
      else succeeded++;
      return { key, ...answer };
    });
    /** @type {NonNullable<Job['results']>} */
    const results = { succeeded, failed };
    if (job.source === 'inline') {
      results.inlinedResponses = answers.map(({ key, ...answer }) => ({ ...answer, metadata: { key } }));
    } else {
      // Line by line into one Buffer: results of hundreds of big images pass V8's string limit.
      const lines = Buffer.concat(answers.map((answer) => Buffer.from(`${JSON.stringify(answer)}\n`)));
      const file = this.files.store(lines, 'application/jsonl', `batch-${job.id}-results`, job.version);
      results.responsesFile = `files/${file.id}`;
    }
    job.results = results;
    job.requests = [];
    return results;
  }

  /**
   * One request's answer, as generateContent would give it; failures become its `error`.
   * @param {Job} job
   * @param {any} request
   */
  answer(job, request) {
    const opts = this.options();
    try {
      const parsed = parseGenerateRequest({
        backend: 'gemini',
        version: job.version,
        model: job.model,
        body: request,
        limits: { vertexMaxInlineBytes: opts.vertexMaxInlineBytes },
        resolveFile: (/** @type {string} */ uri) => this.files.resolve(uri),
      });
      const plan = planDirectives(activeDirectives(parsed.directives, 1));
      if (plan.failure) {
        const code = Number(plan.failure.kind);
        throw Number.isInteger(code) ? directedError(code, parsed) : new ApiError(500, 'Internal error encountered.');
      }
      return { response: generateContentBody(parsed, plan.shape, { thoughts: opts.thoughts }) };
    } catch (error) {
      if (error instanceof ApiError) return { error: rpcStatus(error) };
      throw error;
    }
  }

  /**
   * The operation resource, as get/list/create return it.
   * @param {Job} job
   */
  operation(job) {
    const state = this.state(job);
    const name = `batches/${job.id}`;
    const done = state !== STATES.pending && state !== STATES.running;
    if (done && job.endedAt === undefined) job.endedAt = job.cancelledAt ?? job.runUntil;
    const total = job.results ? job.results.succeeded + job.results.failed : job.requests.length;
    /** @type {Record<string, any>} */
    const metadata = {
      '@type': BATCH_TYPE,
      model: `models/${job.model.id}`,
      displayName: job.displayName,
      createTime: googleTime(job.createdAt),
      updateTime: googleTime(job.endedAt ?? Math.max(job.createdAt, Math.min(Date.now(), job.runUntil))),
      ...(done ? { endTime: googleTime(job.endedAt) } : {}),
      batchStats: { requestCount: String(total), pendingRequestCount: String(total) },
      state,
      name,
    };
    /** @type {Record<string, any>} */
    const operation = { name, metadata };
    if (state === STATES.succeeded) {
      const results = this.complete(job);
      metadata.batchStats = {
        requestCount: String(total),
        successfulRequestCount: String(results.succeeded),
        ...(results.failed ? { failedRequestCount: String(results.failed) } : {}),
      };
      const output = results.inlinedResponses
        ? { inlinedResponses: { inlinedResponses: results.inlinedResponses } }
        : { responsesFile: results.responsesFile };
      // How often a finished job's inline results went out (get and list): each costs their size.
      if (results.inlinedResponses) this.counters.inlineResultReads++;
      metadata.output = output;
      operation.done = true;
      operation.response = { '@type': OUTPUT_TYPE, ...output };
    } else if (done) {
      operation.done = true;
      operation.error = state === STATES.cancelled
        ? { code: 1, message: 'The batch was cancelled.' }
        : state === STATES.expired
          ? { code: 4, message: 'The batch expired before all requests were processed.' }
          : { code: 13, message: 'The batch failed: internal error encountered.' };
    }
    return operation;
  }
}

/** Zero bytes for padding chunks (their content does not matter; base64 is as long either way). */
let padding = Buffer.alloc(0);

/**
 * Pads every PNG of an answer to about `bytes` with a private ancillary chunk (`nbPd`, which
 * decoders skip) before IEND, so a batch's results weigh what Google's 1K–4K images do.
 * @param {any} answer @param {number} bytes
 */
function padImages(answer, bytes) {
  for (const candidate of answer.response?.candidates ?? []) {
    for (const part of candidate.content?.parts ?? []) {
      if (part.inlineData?.mimeType !== 'image/png') continue;
      const png = Buffer.from(part.inlineData.data, 'base64');
      const extra = bytes - png.length - 12;
      if (extra <= 0) continue;
      if (padding.length < extra) padding = Buffer.alloc(extra);
      const head = Buffer.alloc(8);
      head.writeUInt32BE(extra, 0);
      head.write('nbPd', 4, 'latin1');
      const data = padding.subarray(0, extra);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
      const iend = png.length - 12;
      part.inlineData.data = Buffer.concat([png.subarray(0, iend), head, data, crc, png.subarray(iend)]).toString('base64');
    }
  }
  return answer;
}

module.exports = { BatchStore, STATES, OUTCOMES };
