// @ts-check
'use strict';

/**
 * Builds generateContent answers: real PNGs derived deterministically from the request, and
 * Google's response envelope (candidates, usageMetadata, thought parts, safety shapes).
 */

const crypto = require('crypto');
const { encodePng } = require('./png');
const { encodeJpeg, readJpegSegments } = require('./jpeg');
const { groundingMetadata } = require('./image-options');
const { thoughtSummaries } = require('./thinking');
const { imageSignature, textSignature } = require('./signatures');

const METADATA_KEYWORD = 'nano-banana-emulator';
const LONG_SIDE = /** @type {Record<string, number>} */ ({ 512: 512, '1K': 1024, '2K': 2048, '4K': 4096 });
const BLOCKS_PER_ROW = 16;
const THOUGHT_IMAGE_LONG_SIDE = 256;
/**
 * Output tokens per image, by model and size, as Google reports them (reference sheet, "Prices and
 * usage", 2026-12-07); `default` for an unset size, and for 2.5 Flash Image, which takes none.
 */
const IMAGE_TOKENS = /** @type {Record<string, Record<string, number>>} */ ({
  'gemini-nano-banana-2.1': { default: 1120, '1K': 1120, '2K': 1680, '4K': 3780 },
  'gemini-3.1-flash-image': { default: 1120, 512: 747, '1K': 1120, '2K': 1680, '4K': 2520 },
  'gemini-3.1-flash-lite-image': { default: 1120, '1K': 1120 },
  'gemini-3-pro-image': { default: 1120, '1K': 1120, '2K': 1120, '4K': 2000 },
  'gemini-2.5-flash-image': { default: 1290 },
});
/** An input image costs about 1,065–1,100 tokens whatever its pixel size. */
const INPUT_IMAGE_TOKENS = 1088;
/** Tokens per thought summary part (thinking is counted apart from the candidates). */
const THOUGHT_TOKENS = 64;

/** @param {import('./request').ParsedRequest} req */
function imageTokens(req) {
  const table = IMAGE_TOKENS[req.model.id.replace(/-preview$/, '')] ?? IMAGE_TOKENS['gemini-nano-banana-2.1'];
  if (req.model.sizes === null) return table.default;
  return table[req.imageSize ?? 'default'] ?? table.default;
}

const REFUSAL_TEXT =
  "I can't help with editing this image because it appears to depict a real person in a way that could be misleading. I can help with a different edit.";

/** @param {...(string | number)} parts */
const sha256 = (...parts) => crypto.createHash('sha256').update(parts.join('\u0000')).digest();

/**
 * Output dimensions: long side from imageSize (1024 when unset or ignored by the model);
 * shape from aspectRatio, else from the first input image, else square.
 * @param {import('./request').ParsedRequest} req
 */
function outputSize(req) {
  const long = req.model.sizes === null ? 1024 : LONG_SIDE[req.imageSize ?? '1K'];
  let ratio = 1;
  if (req.aspectRatio) {
    const [w, h] = req.aspectRatio.split(':').map(Number);
    ratio = w / h;
  } else if (req.images[0]?.size) {
    ratio = req.images[0].size.width / req.images[0].size.height;
  }
  return ratio >= 1
    ? { width: long, height: Math.max(1, Math.round(long / ratio)) }
    : { width: Math.max(1, Math.round(long * ratio)), height: long };
}

/**
 * One pixel row of 16 coloured blocks; `colour(k)` gives block k's RGB.
 * @param {number} width
 * @param {(k: number) => number[]} colour
 */
function blockRow(width, colour) {
  const row = Buffer.alloc(width * 3);
  for (let k = 0; k < BLOCKS_PER_ROW; k++) {
    const rgb = Buffer.from(colour(k));
    const end = Math.floor(((k + 1) * width) / BLOCKS_PER_ROW);
    for (let x = Math.floor((k * width) / BLOCKS_PER_ROW); x < end; x++) rgb.copy(row, x * 3);
  }
  return row;
}

/**
 * Renders the synthetic answer image: a header band coloured by sha256(prompt) (pixel 0,0 is
 * the prompt colour), one band per input image coloured by that image's hash, and a footer
 * band for the image index, so every item's answer looks different from its input. PNG, or a
 * JPEG when Vertex's imageOutputOptions ask for one (metadata in a COM segment then).
 * @param {{width: number, height: number, prompt: string, inputs: string[], variant: string, text: Record<string, string>,
 *   jpegQuality?: number}} spec
 */
function renderImage({ width, height, prompt, inputs, variant, text, jpegQuality }) {
  const promptHash = sha256(prompt);
  const variantHash = sha256(prompt, variant);
  const colourAt = (/** @type {Buffer} */ hash, /** @type {number} */ i) => [hash[i % 30], hash[(i % 30) + 1], hash[(i % 30) + 2]];
  const bands = [
    blockRow(width, (k) => (k % 2 === 0 ? colourAt(promptHash, 0) : colourAt(promptHash, 3 + 3 * (k >> 1)))),
    ...inputs.map((hex) => {
      const inputHash = Buffer.from(hex, 'hex');
      return blockRow(width, (k) => colourAt(inputHash, 3 * k));
    }),
    blockRow(width, (k) => colourAt(variantHash, 3 * k)),
  ];
  const bandHeight = Math.max(1, Math.floor(height / bands.length));
  const row = (/** @type {number} */ y) => bands[Math.min(bands.length - 1, Math.floor(y / bandHeight))];
  if (jpegQuality !== undefined) {
    const comment = Object.entries(text).map(([keyword, value]) => `${keyword}\u0000${value}`).join('\n');
    return encodeJpeg({ width, height, quality: jpegQuality, comment, row });
  }
  return encodePng({ width, height, text, row });
}

/**
 * @param {import('./request').ParsedRequest} req
 * @param {{n: number, candidate: number, thought?: boolean, fullSize?: boolean}} index fullSize: a thought
 *   image at the final size (the last thought image of a thought-only answer)
 * @param {string} [declared] declared mime type (the `mime:` directive); else the real one
 */
function imagePart(req, index, declared) {
  let { width, height } = outputSize(req);
  if (index.thought && !index.fullSize) {
    const scale = THOUGHT_IMAGE_LONG_SIDE / Math.max(width, height);
    width = Math.max(1, Math.round(width * scale));
    height = Math.max(1, Math.round(height * scale));
  }
  const meta = {
    prompt: req.prompt,
    inputs: req.images.map((i) => i.sha256),
    aspectRatio: req.aspectRatio ?? null,
    imageSize: req.imageSize ?? null,
    model: req.model.id,
    backend: req.backend,
    ...(req.systemInstruction !== undefined ? { systemInstruction: req.systemInstruction } : {}),
    ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
    ...(req.seed !== undefined ? { seed: req.seed } : {}),
    // A conversation: how many model turns came back, and their images (what a refine built on).
    ...(req.modelTurns > 0 ? { modelTurns: req.modelTurns, modelImages: req.modelImages } : {}),
    n: index.n,
    candidate: index.candidate,
    ...(index.thought ? { thought: true } : {}),
    ...(req.googleSearch ? { googleSearch: true } : {}),
    ...(req.googleSearch?.imageSearch ? { imageSearch: true } : {}),
    ...(req.thinkingLevel ? { thinkingLevel: req.thinkingLevel } : {}),
    ...(req.outputMimeType ? { outputMimeType: req.outputMimeType } : {}),
    ...(req.compressionQuality !== undefined ? { compressionQuality: req.compressionQuality } : {}),
    ...(req.personGeneration ? { personGeneration: req.personGeneration } : {}),
  };
  // Thought images stay PNG; the final image follows imageOutputOptions.
  const jpeg = !index.thought && req.outputMimeType === 'image/jpeg';
  const variant = `${index.thought ? 'thought' : 'final'}:${index.candidate}:${index.n}`;
  const image = renderImage({
    width,
    height,
    prompt: req.prompt,
    inputs: meta.inputs,
    variant,
    text: { [METADATA_KEYWORD]: JSON.stringify(meta) },
    jpegQuality: jpeg ? req.compressionQuality ?? 75 : undefined,
  });
  return { inlineData: { mimeType: declared ?? (jpeg ? 'image/jpeg' : 'image/png'), data: image.toString('base64') } };
}

/**
 * @typedef {object} Shape what the directives ask of a 200 answer
 * @property {string} [blocked] promptFeedback.blockReason
 * @property {string} [finish] finishReason of an image-less candidate
 * @property {boolean} [refusal]
 * @property {boolean} [noImage]
 * @property {number} [multi] image parts per candidate
 * @property {string} [mime] declared mime type of returned images
 * @property {number} [thoughtOnly] the answer's images are this many thought images (the last at full size), no final image
 */

/**
 * @param {import('./request').ParsedRequest} req
 * @param {Shape} shape
 * @param {number} c candidate index
 * @param {boolean} thoughts include thought parts (Gemini 3 models)
 */
function candidateParts(req, shape, c, thoughts) {
  const wantsImage = req.modalities === null ? req.model.image : req.modalities.includes('IMAGE');
  const wantsText = req.modalities === null || req.modalities.includes('TEXT');
  /** @type {any[]} */
  const parts = [];
  // includeThoughts: thought summaries, whatever the `thoughts` option says (the client asked).
  const thinking = (thoughts && req.model.thinking) || req.includeThoughts;
  if (req.includeThoughts) {
    parts.push(...thoughtSummaries(req));
  } else if (thinking) {
    parts.push({ text: `**Planning the image**\n\nI'm working out how to render: ${req.prompt.slice(0, 200)}`, thought: true });
  }
  const thoughtOnly = shape.thoughtOnly !== undefined && wantsImage && !shape.refusal;
  if (thoughtOnly) {
    // Only interim images, the last one at the final size (Google's guide: it is also the final image).
    for (let n = 0; n < /** @type {number} */ (shape.thoughtOnly); n++) {
      const fullSize = n === /** @type {number} */ (shape.thoughtOnly) - 1;
      parts.push({ ...imagePart(req, { n, candidate: c, thought: true, fullSize }, shape.mime), thought: true });
    }
  } else if (thinking && req.model.thoughtImage && wantsImage && !shape.refusal) {
    parts.push({ ...imagePart(req, { n: 0, candidate: c, thought: true }), thought: true });
  }
  if (thoughtOnly) {
    // The usual text, but no final (non-thought) image.
    if (wantsText) parts.push({ text: req.images.length > 0 ? 'Here is your edited image.' : 'Here is your generated image.' });
  } else if (shape.refusal) {
    parts.push({ text: REFUSAL_TEXT });
  } else if (!wantsImage) {
    parts.push({ text: `[emulator] Text answer from ${req.model.id} to: ${req.prompt}` });
  } else {
    if (wantsText) parts.push({ text: req.images.length > 0 ? 'Here is your edited image.' : 'Here is your generated image.' });
    const count = shape.multi ?? 1;
    for (let n = 0; n < count; n++) parts.push(imagePart(req, { n, candidate: c }, shape.mime));
  }
  if (req.model.thinking) {
    // Gemini 3 signs the first part after the thoughts and every image part, whether or not the
    // thoughts themselves are shown; a later turn must send the image back with its signature.
    let first = true;
    for (const part of parts) {
      if (part.thought) continue;
      if (part.inlineData) part.thoughtSignature = imageSignature(req.model.id, Buffer.from(part.inlineData.data, 'base64'));
      else if (first && typeof part.text === 'string') part.thoughtSignature = textSignature(req.model.id, part.text);
      first = false;
    }
  }
  return parts;
}

/** @param {string} reason */
function finishMessage(reason) {
  if (reason.startsWith('IMAGE_')) {
    return "Unable to show the generated image. The image was filtered out because it violated Google's Generative AI Prohibited Use policy. You will not be charged for blocked images. Try rephrasing the prompt. If you think this was an error, send feedback.";
  }
  return `The response was blocked (finish reason ${reason}). Try rephrasing the prompt.`;
}

/** @param {string} reason */
function safetyRatings(reason) {
  if (reason !== 'SAFETY') return undefined;
  return [
    { category: 'HARM_CATEGORY_SEXUALLY_EXPLICIT', probability: 'NEGLIGIBLE' },
    { category: 'HARM_CATEGORY_HATE_SPEECH', probability: 'NEGLIGIBLE' },
    { category: 'HARM_CATEGORY_HARASSMENT', probability: 'NEGLIGIBLE' },
    { category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true },
  ];
}

/**
 * @param {import('./request').ParsedRequest} req
 * @param {any[]} candidates
 */
function usageMetadata(req, candidates) {
  const textTokens = Math.ceil((req.prompt.length + (req.systemInstruction?.length ?? 0)) / 4) || 1;
  const imageIn = req.images.length * INPUT_IMAGE_TOKENS;
  const perImage = imageTokens(req);
  let imagesOut = 0;
  let textOut = 0;
  // A thinking model thinks whether or not it returns its thought summaries.
  let thoughts = req.model.thinking && candidates.length > 0 ? THOUGHT_TOKENS * 2 : 0;
  for (const cand of candidates) {
    for (const part of cand.content?.parts ?? []) {
      // Interim thought images are reported not to be billed; thought text is.
      if (part.thought) thoughts += part.inlineData ? 0 : THOUGHT_TOKENS;
      else if (part.inlineData) imagesOut += perImage;
      else if (part.text) textOut += Math.ceil(part.text.length / 4);
    }
  }
  const promptTokenCount = textTokens + imageIn;
  /** @type {Record<string, any>} */
  const usage = {
    promptTokenCount,
    candidatesTokenCount: imagesOut + textOut,
    totalTokenCount: promptTokenCount + imagesOut + textOut + thoughts,
    promptTokensDetails: [
      { modality: 'TEXT', tokenCount: textTokens },
      ...(imageIn ? [{ modality: 'IMAGE', tokenCount: imageIn }] : []),
    ],
  };
  if (imagesOut || textOut) {
    // Google lists IMAGE first.
    usage.candidatesTokensDetails = [
      ...(imagesOut ? [{ modality: 'IMAGE', tokenCount: imagesOut }] : []),
      ...(textOut ? [{ modality: 'TEXT', tokenCount: textOut }] : []),
    ];
  }
  if (thoughts) usage.thoughtsTokenCount = thoughts;
  if (req.backend === 'vertex') usage.trafficType = 'ON_DEMAND';
  return usage;
}

/** Timestamps with microseconds, as Google formats them. */
function googleTime(/** @type {number} */ ms = Date.now()) {
  return new Date(ms).toISOString().replace('Z', '000Z');
}

/**
 * The full 200 body for a generateContent call.
 * @param {import('./request').ParsedRequest} req
 * @param {Shape} shape
 * @param {{thoughts: boolean}} options
 */
function generateContentBody(req, shape, options) {
  const vertex = req.backend === 'vertex';
  /** @type {Record<string, any>} */
  const body = {};
  if (shape.blocked) {
    const ratings = safetyRatings(shape.blocked);
    body.promptFeedback = {
      blockReason: shape.blocked,
      ...(ratings ? { safetyRatings: ratings } : {}),
      ...(vertex ? { blockReasonMessage: `The prompt was blocked (${shape.blocked}). Try rephrasing the prompt. If you think this was an error, send feedback.` } : {}),
    };
  } else {
    body.candidates = [];
    for (let c = 0; c < req.candidateCount; c++) body.candidates.push(candidate(req, shape, c, options));
  }
  body.usageMetadata = usageMetadata(req, body.candidates ?? []);
  body.modelVersion = req.model.id;
  if (vertex) body.createTime = googleTime();
  body.responseId = crypto.randomBytes(17).toString('base64url');
  return body;
}

/**
 * @param {import('./request').ParsedRequest} req
 * @param {Shape} shape
 * @param {number} c
 * @param {{thoughts: boolean}} options
 */
function candidate(req, shape, c, options) {
  if (shape.finish) {
    // Google leaves `content` out entirely when a candidate is stopped by a filter.
    return {
      finishReason: shape.finish,
      ...(req.backend === 'vertex' ? { finishMessage: finishMessage(shape.finish) } : {}),
      index: c,
    };
  }
  const parts = shape.noImage ? [] : candidateParts(req, shape, c, options.thoughts);
  const grounding = groundingMetadata(req);
  return { content: { role: 'model', parts }, finishReason: 'STOP', index: c, ...(grounding ? { groundingMetadata: grounding } : {}) };
}

/**
 * Width, height and the emulator's metadata of a JPEG answer image (the JPEG twin of readPngInfo).
 * @param {Buffer} buf
 */
function readJpegInfo(buf) {
  const { width, height, comments } = readJpegSegments(buf);
  const prefix = `${METADATA_KEYWORD}\u0000`;
  const comment = comments.find((text) => text.startsWith(prefix));
  return { width, height, meta: comment ? JSON.parse(comment.slice(prefix.length)) : undefined };
}

/** @param {import('./request').ParsedRequest} req */
function countTokensBody(req) {
  const usage = usageMetadata(req, []);
  return req.backend === 'vertex'
    ? { totalTokens: usage.promptTokenCount, totalBillableCharacters: req.prompt.length, promptTokensDetails: usage.promptTokensDetails }
    : { totalTokens: usage.promptTokenCount, promptTokensDetails: usage.promptTokensDetails };
}

module.exports = { generateContentBody, countTokensBody, readJpegInfo, outputSize, googleTime, METADATA_KEYWORD, REFUSAL_TEXT };
