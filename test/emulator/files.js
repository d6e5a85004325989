// @ts-check
'use strict';

/**
 * Gemini Files API: resumable uploads (what @google/genai and n8n's Gemini node use),
 * single-request multipart/media uploads, get/list/delete, and fileUri resolution for
 * generateContent. Files live in memory for the emulator's lifetime.
 */

const crypto = require('crypto');
const { ApiError } = require('./errors');
const { paginate } = require('./models');
const { googleTime } = require('./response');

const CHUNK_GRANULARITY = 8 * 1024 * 1024;
const FILE_TTL_MS = 48 * 3600 * 1000;

/**
 * @typedef {object} StoredFile
 * @property {string} id
 * @property {string | undefined} displayName
 * @property {string} mimeType
 * @property {Buffer} bytes
 * @property {number} createdAt ms
 * @property {number} activeAt ms when PROCESSING turns ACTIVE
 * @property {string} version API version it was uploaded through (v1beta or v1), used in its uri
 */

/**
 * @typedef {object} UploadSession
 * @property {string | undefined} displayName
 * @property {string | undefined} mimeType
 * @property {number | undefined} declaredSize
 * @property {Buffer[]} chunks
 * @property {number} received
 * @property {StoredFile | null} file set once finalized
 * @property {string} version
 */

/** @typedef {{status: number, body?: any, headers?: Record<string, string>}} Reply */

/** Lower-case ids like Google's "files/abc123xyz789". */
function newId() {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(crypto.randomBytes(12), (b) => alphabet[b % alphabet.length]).join('');
}

class FileStore {
  /**
   * @param {() => string} baseUrl
   * @param {() => number} processingMs how long new files stay PROCESSING
   * @param {() => number} [granularity] chunk granularity of new upload sessions
   */
  constructor(baseUrl, processingMs, granularity = () => CHUNK_GRANULARITY) {
    this.baseUrl = baseUrl;
    this.processingMs = processingMs;
    this.granularity = granularity;
    /** @type {Map<string, StoredFile>} */
    this.files = new Map();
    /** @type {Map<string, UploadSession>} */
    this.sessions = new Map();
  }

  /**
   * `X-Goog-Upload-Command: start`: opens a session and hands back its URL.
   * @param {Record<string, string | string[] | undefined>} headers
   * @param {Buffer} body JSON `{file: {displayName, mimeType}}`, may be empty
   * @param {string} version
   * @returns {Reply}
   */
  start(headers, body, version) {
    const meta = parseMetadata(body);
    const declared = header(headers, 'x-goog-upload-header-content-length');
    const uploadId = crypto.randomBytes(24).toString('base64url');
    this.sessions.set(uploadId, {
      displayName: meta.displayName,
      mimeType: header(headers, 'x-goog-upload-header-content-type') ?? meta.mimeType,
      declaredSize: declared === undefined ? undefined : Number(declared),
      chunks: [],
      received: 0,
      file: null,
      version,
    });
    const uploadUrl = `${this.baseUrl()}/upload/${version}/files?upload_id=${uploadId}&upload_protocol=resumable`;
    return {
      status: 200,
      body: '',
      headers: {
        'x-goog-upload-url': uploadUrl,
        'x-goog-upload-status': 'active',
        'x-goog-upload-chunk-granularity': String(this.granularity()),
        'x-guploader-uploadid': uploadId,
      },
    };
  }

  /**
   * Requests to the upload URL: `upload`, `upload, finalize`, `finalize`, `query`, `cancel`.
   * @param {string} uploadId
   * @param {Record<string, string | string[] | undefined>} headers
   * @param {Buffer} body
   * @returns {Reply}
   */
  continue(uploadId, headers, body) {
    const session = this.sessions.get(uploadId);
    if (!session) throw new ApiError(404, 'Upload session not found or expired.');
    const commands = (header(headers, 'x-goog-upload-command') ?? '').split(',').map((c) => c.trim().toLowerCase());
    if (session.file) return this.finalReply(session.file);
    if (commands.includes('cancel')) {
      this.sessions.delete(uploadId);
      return { status: 200, body: '', headers: { 'x-goog-upload-status': 'cancelled' } };
    }
    if (commands.includes('query')) return activeReply(session);
    if (commands.includes('upload')) {
      const offset = Number(header(headers, 'x-goog-upload-offset'));
      if (offset !== session.received) {
        throw new ApiError(400, `Invalid X-Goog-Upload-Offset ${header(headers, 'x-goog-upload-offset')}: ${session.received} bytes received so far.`, {
          headers: { 'x-goog-upload-status': 'active' },
        });
      }
      session.chunks.push(body);
      session.received += body.length;
    }
    if (!commands.includes('finalize')) {
      if (!commands.includes('upload')) throw new ApiError(400, 'Missing or invalid X-Goog-Upload-Command.');
      return activeReply(session);
    }
    if (session.declaredSize !== undefined && session.declaredSize !== session.received) {
      throw new ApiError(400, `Upload size mismatch: declared ${session.declaredSize} bytes, received ${session.received}.`);
    }
    const contentType = header(headers, 'content-type');
    const mimeType = session.mimeType ?? (contentType && !contentType.startsWith('application/x-www-form') ? contentType : undefined);
    session.file = this.store(Buffer.concat(session.chunks), mimeType, session.displayName, session.version);
    return this.finalReply(session.file);
  }

  /**
   * Single-request upload: `uploadType=multipart` (JSON metadata part + bytes part) or
   * `uploadType=media` (bytes only).
   * @param {Record<string, string | string[] | undefined>} headers
   * @param {Buffer} body
   * @param {'multipart'|'media'} kind
   * @param {string} version
   * @returns {Reply}
   */
  simpleUpload(headers, body, kind, version) {
    const contentType = header(headers, 'content-type') ?? '';
    if (kind === 'media') return { status: 200, body: { file: this.resource(this.store(body, contentType, undefined, version)) } };
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
    if (!boundary) throw new ApiError(400, 'Multipart upload needs a multipart/related Content-Type with a boundary.');
    const [metaPart, dataPart] = splitMultipart(body, boundary);
    if (!metaPart || !dataPart) throw new ApiError(400, 'Multipart upload needs a metadata part and a media part.');
    const meta = parseMetadata(metaPart.body);
    const file = this.store(dataPart.body, meta.mimeType ?? dataPart.contentType, meta.displayName, version);
    return { status: 200, body: { file: this.resource(file) } };
  }

  /**
   * @param {Buffer} bytes
   * @param {string | undefined} mimeType
   * @param {string | undefined} displayName
   * @param {string} version
   */
  store(bytes, mimeType, displayName, version) {
    const now = Date.now();
    /** @type {StoredFile} */
    const file = {
      id: newId(),
      displayName,
      mimeType: (mimeType ?? 'application/octet-stream').split(';')[0].trim(),
      bytes,
      createdAt: now,
      activeAt: now + this.processingMs(),
      version,
    };
    this.files.set(file.id, file);
    return file;
  }

  /** @param {StoredFile} file @returns {Reply} */
  finalReply(file) {
    return { status: 200, body: { file: this.resource(file) }, headers: { 'x-goog-upload-status': 'final' } };
  }

  /** The `File` resource as the API returns it. @param {StoredFile} file */
  resource(file) {
    const hex = crypto.createHash('sha256').update(file.bytes).digest('hex');
    return {
      name: `files/${file.id}`,
      ...(file.displayName !== undefined ? { displayName: file.displayName } : {}),
      mimeType: file.mimeType,
      sizeBytes: String(file.bytes.length),
      createTime: googleTime(file.createdAt),
      updateTime: googleTime(file.createdAt),
      expirationTime: googleTime(file.createdAt + FILE_TTL_MS),
      // Google's sha256Hash is the base64 of the hex digest, not of the raw digest.
      sha256Hash: Buffer.from(hex).toString('base64'),
      uri: `${this.baseUrl()}/${file.version}/files/${file.id}`,
      state: Date.now() >= file.activeAt ? 'ACTIVE' : 'PROCESSING',
      source: 'UPLOADED',
    };
  }

  /** @param {string} id */
  get(id) {
    const file = this.files.get(id);
    if (!file) throw notFound(id);
    return this.resource(file);
  }

  /** @param {URLSearchParams} query */
  list(query) {
    const all = [...this.files.values()].sort((a, b) => b.createdAt - a.createdAt).map((f) => this.resource(f));
    const { page, nextPageToken } = paginate(all, query, { defaultSize: 10, maxSize: 100 });
    // An empty list comes back as {} from Google.
    return { ...(page.length ? { files: page } : {}), ...(nextPageToken ? { nextPageToken } : {}) };
  }

  /** @param {string} id */
  delete(id) {
    if (!this.files.delete(id)) throw notFound(id);
    return {};
  }

  /**
   * Looks up `fileData.fileUri` (full URI, Google's own host, or "files/<id>").
   * @param {string} uri
   */
  resolve(uri) {
    const id = /(?:^|\/)files\/([a-z0-9-]+)$/.exec(uri)?.[1] ?? uri;
    const file = this.files.get(id);
    if (!file) throw notFound(id);
    if (Date.now() < file.activeAt) {
      throw new ApiError(400, `The File ${id} is not in an ACTIVE state and usage is not allowed.`, { status: 'FAILED_PRECONDITION' });
    }
    return { bytes: file.bytes, mimeType: file.mimeType };
  }
}

/** Google answers 403 (not 404) for files that do not exist or belong to someone else. @param {string} id */
function notFound(id) {
  return new ApiError(403, `You do not have permission to access the File ${id} or it may not exist.`);
}

/** @param {UploadSession} session @returns {Reply} */
function activeReply(session) {
  return {
    status: 200,
    body: '',
    headers: { 'x-goog-upload-status': 'active', 'x-goog-upload-size-received': String(session.received) },
  };
}

/** @param {Record<string, string | string[] | undefined>} headers @param {string} name */
function header(headers, name) {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** @param {Buffer} body @returns {{displayName?: string, mimeType?: string}} */
function parseMetadata(body) {
  if (body.length === 0) return {};
  let json;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ApiError(400, 'Invalid JSON payload received in upload metadata.');
  }
  const file = json?.file ?? {};
  return { displayName: file.displayName ?? file.display_name, mimeType: file.mimeType ?? file.mime_type };
}

/**
 * @param {Buffer} body
 * @param {string} boundary
 * @returns {{contentType: string | undefined, body: Buffer}[]}
 */
function splitMultipart(body, boundary) {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts = [];
  let pos = body.indexOf(delimiter);
  while (pos !== -1) {
    const start = pos + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    const part = body.subarray(start, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const head = part.subarray(0, headerEnd).toString('latin1');
      const content = part.subarray(headerEnd + 4, part.length - (part.subarray(-2).toString() === '\r\n' ? 2 : 0));
      parts.push({ contentType: /content-type:\s*([^\r\n;]+)/i.exec(head)?.[1], body: content });
    }
    pos = next;
  }
  return parts;
}

module.exports = { FileStore };
