// @ts-check
'use strict';

/**
 * Parses and validates a generateContent body the way Google's front end does: proto3 JSON
 * (camelCase or snake_case names), unknown fields rejected, per-backend error wording.
 */

const crypto = require('crypto');
const { ApiError, badRequest } = require('./errors');
const { extractDirectives } = require('./directives');
const { sniffImageType, readImageSize } = require('./image-info');
const { parseImageExtras } = require('./image-options');
const { parseThinking } = require('./thinking');
const { checkSignatureEncoding, checkModelPart } = require('./signatures');

const ACCEPTED_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/heic', 'image/heif'];
const MODALITIES = ['TEXT', 'IMAGE', 'AUDIO'];
const VERTEX_DOCS = 'Learn more: https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/gemini';

/** Objects whose keys are user data, not proto field names: never camelise them. */
const OPAQUE_KEYS = new Set(['labels', 'responseSchema', 'responseJsonSchema', 'args', 'response', 'parameters', 'parametersJsonSchema']);

const TOP_FIELDS = {
  gemini: ['contents', 'systemInstruction', 'generationConfig', 'safetySettings', 'tools', 'toolConfig',
    'cachedContent', 'labels', 'serviceTier', 'store', 'continuationToken', 'model'],
  vertex: ['contents', 'systemInstruction', 'generationConfig', 'safetySettings', 'tools', 'toolConfig',
    'cachedContent', 'labels', 'serviceTier', 'continuationToken', 'model', 'modelArmorConfig', 'outputConfig'],
};
const GENERATION_FIELDS = ['temperature', 'topP', 'topK', 'candidateCount', 'maxOutputTokens', 'stopSequences',
  'responseLogprobs', 'logprobs', 'presencePenalty', 'frequencyPenalty', 'seed', 'responseMimeType',
  'responseSchema', 'responseJsonSchema', 'responseModalities', 'mediaResolution', 'speechConfig',
  'thinkingConfig', 'imageConfig', 'enableEnhancedCivicAnswers', 'enableAffectiveDialog', 'audioTimestamp',
  'audioTranscriptionConfig', 'routingConfig', 'modelConfig', 'modelSelectionConfig'];
const IMAGE_CONFIG_FIELDS = {
  gemini: ['aspectRatio', 'imageSize'],
  vertex: ['aspectRatio', 'imageSize', 'personGeneration', 'imageOutputOptions', 'prominentPeople'],
};
const THINKING_CONFIG_FIELDS = ['includeThoughts', 'thinkingBudget', 'thinkingLevel'];
const CONTENT_FIELDS = ['role', 'parts'];
const PART_FIELDS = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse', 'executableCode',
  'codeExecutionResult', 'thought', 'thoughtSignature', 'videoMetadata', 'mediaResolution', 'partMetadata'];
const PART_DATA_FIELDS = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse', 'executableCode',
  'codeExecutionResult'];
const BLOB_FIELDS = ['mimeType', 'data', 'displayName'];
const FILE_DATA_FIELDS = ['fileUri', 'mimeType', 'displayName'];

/** @param {string} key */
const toCamel = (key) => key.replace(/_([a-z0-9])/g, (_m, c) => c.toUpperCase());
/** @param {string} key */
const toSnake = (key) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * proto3 JSON accepts both spellings of every field; normalise to camelCase once.
 * @param {unknown} value
 * @returns {any}
 */
function camelize(value) {
  if (Array.isArray(value)) return value.map(camelize);
  if (value === null || typeof value !== 'object') return value;
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const [key, inner] of Object.entries(value)) {
    const name = toCamel(key);
    out[name] = OPAQUE_KEYS.has(name) ? inner : camelize(inner);
  }
  return out;
}

/**
 * Google's answer to a field it does not know, e.g. `Unknown name "image_confg" at 'generation_config'`.
 * @param {any} obj
 * @param {string[]} allowed
 * @param {string} path snake_case path of obj ('' for the request itself)
 */
function rejectUnknownFields(obj, allowed, path) {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    if (obj === undefined) return;
    throw new ApiError(400, `Invalid JSON payload received. Expected an object at '${path || 'request'}'.`);
  }
  for (const key of Object.keys(obj)) {
    if (allowed.includes(key)) continue;
    const where = path ? ` at '${path}'` : '';
    const description = `Invalid JSON payload received. Unknown name "${toSnake(key)}"${where}: Cannot find field.`;
    throw new ApiError(400, description, { details: [badRequest(path, description)] });
  }
}

/**
 * @param {Buffer} raw request body
 * @returns {any} camelCased object
 */
function parseJsonBody(raw) {
  let body;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ApiError(400, `Invalid JSON payload received. ${reason}`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError(400, 'Invalid JSON payload received. Expected an object.');
  }
  return camelize(body);
}

/**
 * @typedef {object} InputImage
 * @property {string} mimeType
 * @property {Buffer} bytes
 * @property {string} sha256 hex digest of the bytes
 * @property {{width: number, height: number} | null} size
 * @property {'inline'|'file'} source
 */

/**
 * @typedef {object} ParsedRequest
 * @property {'gemini'|'vertex'} backend
 * @property {string} version API version from the URL (v1, v1beta, v1beta1)
 * @property {import('./models').ModelSpec} model
 * @property {string} prompt user text with directives stripped
 * @property {string} rawPrompt user text as sent (with directives)
 * @property {import('./directives').Directive[]} directives
 * @property {InputImage[]} images
 * @property {string | undefined} systemInstruction
 * @property {string[] | null} modalities upper-case, null when not given
 * @property {string | undefined} aspectRatio
 * @property {string | undefined} imageSize
 * @property {number} candidateCount
 * @property {number | undefined} temperature
 * @property {number | undefined} seed
 * @property {string} key sha256 identifying "the same request" for xN attempt counting
 * @property {{webSearch: boolean, imageSearch: boolean}} [googleSearch] Google Search grounding asked for, and which search types
 * @property {string} [outputMimeType] Vertex imageOutputOptions.mimeType
 * @property {number} [compressionQuality] JPEG quality (Vertex)
 * @property {string} [personGeneration] Vertex imageConfig.personGeneration
 * @property {number} userImages input images in user turns (the per-model limit counts these)
 * @property {string[]} modelImages sha256 (hex) of the non-thought images in model turns sent back
 * @property {number} modelTurns model-role contents sent back (0 for a single-turn request)
 * @property {Record<string, unknown>} [thinkingConfig] generationConfig.thinkingConfig as received
 * @property {string} [thinkingLevel] lower case, as sent
 * @property {boolean} includeThoughts thinkingConfig.includeThoughts
 */

/**
 * @param {{backend: 'gemini'|'vertex', version: string, model: import('./models').ModelSpec,
 *   body: any, limits: {vertexMaxInlineBytes: number},
 *   resolveFile: (uri: string) => {bytes: Buffer, mimeType: string}}} input
 * @returns {ParsedRequest}
 */
function parseGenerateRequest({ backend, version, model, body, limits, resolveFile }) {
  rejectUnknownFields(body, TOP_FIELDS[backend], '');
  rejectUnknownFields(body.generationConfig, GENERATION_FIELDS, 'generation_config');
  const config = body.generationConfig ?? {};
  rejectUnknownFields(config.imageConfig, IMAGE_CONFIG_FIELDS[backend], 'generation_config.image_config');
  rejectUnknownFields(config.thinkingConfig, THINKING_CONFIG_FIELDS, 'generation_config.thinking_config');

  const contents = body.contents;
  if (!Array.isArray(contents) || contents.length === 0) {
    throw new ApiError(400, backend === 'vertex'
      ? `Unable to submit request because it must include at least one contents field. ${VERTEX_DOCS}`
      : '* GenerateContentRequest.contents: contents is not specified\n');
  }
  /** @type {string[]} */
  let texts = [];
  /** @type {InputImage[]} */
  const images = [];
  /** @type {string[]} sha256 of the images in model turns (a conversation sent back) */
  const modelImages = [];
  let userImages = 0;
  contents.forEach((content, c) => {
    rejectUnknownFields(content, CONTENT_FIELDS, `contents[${c}]`);
    checkRole(content.role, backend);
    const parts = content.parts;
    if (!Array.isArray(parts) || parts.length === 0) {
      throw new ApiError(400, backend === 'vertex'
        ? `Unable to submit request because it must include at least one parts field, which describes the prompt input. ${VERTEX_DOCS}`
        : `* GenerateContentRequest.contents[${c}].parts: contents.parts must not be empty.\n`);
    }
    const role = content.role ?? 'user';
    // In a conversation the prompt (and its directives) is what the user said after the last
    // model turn: earlier turns were answered already and must not fire their faults again.
    if (role === 'model') texts = [];
    parts.forEach((part, p) => {
      const where = `contents[${c}].parts[${p}]`;
      rejectUnknownFields(part, PART_FIELDS, where);
      checkOneOf(part, where, backend);
      checkSignatureEncoding(part, where);
      if (typeof part.text === 'string' && !part.thought && role === 'user') texts.push(part.text);
      /** @type {InputImage | undefined} */
      let image;
      if (part.inlineData) image = inlineImage(part.inlineData, where, backend, limits);
      if (part.fileData) image = fileImage(part.fileData, where, backend, resolveFile);
      if (image) images.push(image);
      if (image && role === 'user') userImages++;
      if (role === 'model') {
        checkModelPart({ part, image, contentIndex: c, partIndex: p, backend, model });
        if (image && !part.thought) modelImages.push(image.sha256);
      }
    });
  });

  const rawPrompt = texts.join('\n');
  /** @type {import('./directives').Directive[]} */
  const directives = [];
  /** @type {string[]} */
  const promptLines = [];
  for (const text of texts) {
    const found = extractDirectives(text);
    directives.push(...found.directives);
    if (found.text) promptLines.push(found.text);
  }
  const imageConfig = config.imageConfig ?? {};
  const parsed = {
    backend,
    version,
    model,
    prompt: promptLines.join('\n'),
    rawPrompt,
    directives,
    images,
    systemInstruction: systemText(body.systemInstruction),
    modalities: parseModalities(config.responseModalities),
    aspectRatio: imageConfig.aspectRatio,
    imageSize: imageConfig.imageSize,
    candidateCount: config.candidateCount ?? 1,
    temperature: config.temperature,
    seed: config.seed,
    key: '',
    userImages,
    modelImages,
    modelTurns: contents.filter((/** @type {any} */ content) => content.role === 'model').length,
    ...parseImageExtras(body, model),
    ...parseThinking(config.thinkingConfig, model, `${backend === 'vertex' ? 'google.cloud.aiplatform' : 'google.ai.generativelanguage'}.${version}`),
  };
  checkImageOptions(parsed);
  parsed.key = crypto
    .createHash('sha256')
    .update([model.id, rawPrompt, ...images.map((i) => i.sha256)].join('\n'))
    .digest('hex');
  return parsed;
}

/** @param {unknown} role @param {'gemini'|'vertex'} backend */
function checkRole(role, backend) {
  const valid = role === 'user' || role === 'model';
  // The Gemini API defaults a missing role to "user"; Vertex insists on it.
  if (valid || (role === undefined && backend === 'gemini')) return;
  throw new ApiError(400, 'Please use a valid role: user, model.');
}

/** @param {any} part @param {string} where @param {'gemini'|'vertex'} backend */
function checkOneOf(part, where, backend) {
  const set = PART_DATA_FIELDS.filter((f) => part[f] !== undefined && part[f] !== null && part[f] !== '');
  if (set.length === 1) return;
  if (set.length === 0) {
    throw new ApiError(400, backend === 'vertex'
      ? `Unable to submit request because it has an empty text parameter. Add a value to the parameter and try again. ${VERTEX_DOCS}`
      : `* GenerateContentRequest.${where}.data: required oneof field 'data' must have one initialized field\n`);
  }
  throw new ApiError(400, `Invalid JSON payload received. Oneof field 'data' is already set. Cannot set '${toSnake(set[1])}'`);
}

/**
 * @param {any} blob
 * @param {string} where
 * @param {'gemini'|'vertex'} backend
 * @param {{vertexMaxInlineBytes: number}} limits
 * @returns {InputImage}
 */
function inlineImage(blob, where, backend, limits) {
  rejectUnknownFields(blob, BLOB_FIELDS, `${where}.inline_data`);
  const field = `${where}.inline_data.data`;
  if (typeof blob.data !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(blob.data.replace(/\s/g, ''))) {
    const preview = typeof blob.data === 'string' ? blob.data.slice(0, 30) : String(blob.data);
    throw new ApiError(400, `Invalid value at '${field}' (TYPE_BYTES), Base64 decoding failed for "${preview}"`);
  }
  const bytes = Buffer.from(blob.data, 'base64');
  if (backend === 'vertex' && bytes.length > limits.vertexMaxInlineBytes) {
    const mb = limits.vertexMaxInlineBytes / (1024 * 1024);
    throw new ApiError(400, `Inline data in ${where} is ${bytes.length} bytes, larger than the ${mb} MB limit for inline images. Use a Cloud Storage URI in fileData for larger files.`);
  }
  return checkImage(blob.mimeType, bytes, backend, 'inline');
}

/**
 * @param {any} fileData
 * @param {string} where
 * @param {'gemini'|'vertex'} backend
 * @param {(uri: string) => {bytes: Buffer, mimeType: string}} resolveFile
 * @returns {InputImage}
 */
function fileImage(fileData, where, backend, resolveFile) {
  rejectUnknownFields(fileData, FILE_DATA_FIELDS, `${where}.file_data`);
  if (typeof fileData.fileUri !== 'string' || fileData.fileUri === '') {
    throw new ApiError(400, `* GenerateContentRequest.${where}.file_data.file_uri: file_uri must be specified.\n`);
  }
  if (backend === 'vertex') {
    throw new ApiError(400, `[emulator] fileData (${fileData.fileUri}) is not supported by the Vertex emulator: there is no Cloud Storage here; send inlineData.`);
  }
  const file = resolveFile(fileData.fileUri);
  return checkImage(fileData.mimeType ?? file.mimeType, file.bytes, backend, 'file');
}

/**
 * @param {unknown} mimeType
 * @param {Buffer} bytes
 * @param {'gemini'|'vertex'} backend
 * @param {'inline'|'file'} source
 * @returns {InputImage}
 */
function checkImage(mimeType, bytes, backend, source) {
  const mime = typeof mimeType === 'string' ? mimeType.toLowerCase() : '';
  if (!ACCEPTED_IMAGE_TYPES.includes(mime)) {
    throw new ApiError(400, backend === 'vertex'
      ? `Unable to submit request because it has a mimeType parameter with value ${mime || '(empty)'}, which is not supported. Update the mimeType and try again. ${VERTEX_DOCS}`
      : `Unsupported MIME type: ${mime || '(empty)'}`);
  }
  const actual = sniffImageType(bytes);
  if (actual === null || actual === 'gif' || actual === 'bmp' || actual === 'tiff') {
    throw new ApiError(400, 'Provided image is not valid.');
  }
  return {
    mimeType: mime,
    bytes,
    sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
    size: readImageSize(bytes),
    source,
  };
}

/** @param {any} instruction string or Content @returns {string | undefined} */
function systemText(instruction) {
  if (instruction === undefined || instruction === null) return undefined;
  if (typeof instruction === 'string') return instruction;
  const parts = Array.isArray(instruction.parts) ? instruction.parts : [];
  return parts.map((/** @type {any} */ p) => p.text ?? '').join('\n');
}

/** @param {unknown} value @returns {string[] | null} */
function parseModalities(value) {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) throw new ApiError(400, "Invalid value at 'generation_config.response_modalities': expected a list.");
  return value.map((entry, i) => {
    const upper = String(entry).toUpperCase();
    if (!MODALITIES.includes(upper)) {
      throw new ApiError(400, `Invalid value at 'generation_config.response_modalities[${i}]' (type.googleapis.com/google.ai.generativelanguage.v1beta.GenerationConfig.Modality), "${entry}"`);
    }
    return upper;
  });
}

/** @param {ParsedRequest} req */
function checkImageOptions(req) {
  const { model, backend } = req;
  const wantsImage = req.modalities === null ? model.image : req.modalities.includes('IMAGE');
  if (wantsImage && !model.image) {
    throw new ApiError(400, 'Model does not support the requested response modalities: image');
  }
  if (req.aspectRatio !== undefined && !model.ratios.includes(req.aspectRatio)) {
    throw new ApiError(400, `Unsupported aspect ratio "${req.aspectRatio}" for ${model.id}. Supported: ${model.ratios.join(', ')}.`);
  }
  // 2.5 Flash Image has a single output size and ignores imageSize (sizes === null).
  if (req.imageSize !== undefined && model.sizes !== null && !model.sizes.includes(req.imageSize)) {
    throw new ApiError(400, `Unsupported image size "${req.imageSize}" for ${model.id}. Supported: ${model.sizes.join(', ')} (upper-case K).`);
  }
  if (model.maxInputImages !== null && req.userImages > model.maxInputImages) {
    throw new ApiError(400, `Too many input images: ${req.userImages}. models/${model.id} takes at most ${model.maxInputImages} images per request.`);
  }
  const count = req.candidateCount;
  if (!Number.isInteger(count) || count < 1) {
    throw new ApiError(400, '* GenerateContentRequest.generation_config.candidate_count: must be a positive integer.\n');
  }
  if (count > 1 && backend === 'gemini') {
    throw new ApiError(400, `Multiple candidates is not enabled for models/${model.id}`);
  }
  if (count > 8) {
    throw new ApiError(400, `Unable to submit request because candidateCount must be between 1 and 8. ${VERTEX_DOCS}`);
  }
}

module.exports = { parseJsonBody, parseGenerateRequest, camelize, ACCEPTED_IMAGE_TYPES };
