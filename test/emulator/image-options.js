// @ts-check
'use strict';

/**
 * Request options beyond aspect ratio and size: Google Search grounding (both backends, Gemini 3
 * image models that support it) and Vertex's output format and people setting. Parsing checks
 * them as Google does; `groundingMetadata` builds the answer's sources.
 */

const crypto = require('crypto');
const { ApiError } = require('./errors');

const OUTPUT_TYPES = ['image/png', 'image/jpeg'];
const PERSON_GENERATION = ['ALLOW_ALL', 'ALLOW_ADULT', 'ALLOW_NONE'];
const DEFAULT_JPEG_QUALITY = 75;

/**
 * @typedef {object} ImageExtras
 * @property {{imageSearch: boolean} | undefined} googleSearch grounding asked for
 * @property {string | undefined} outputMimeType Vertex imageOutputOptions.mimeType
 * @property {number | undefined} compressionQuality Vertex imageOutputOptions.compressionQuality
 * @property {string | undefined} personGeneration Vertex imageConfig.personGeneration
 */

/**
 * @param {any} body camelised request
 * @param {import('./models').ModelSpec} model
 * @returns {ImageExtras}
 */
function parseImageExtras(body, model) {
  const imageConfig = body.generationConfig?.imageConfig ?? {};
  /** @type {ImageExtras} */
  const extras = { googleSearch: undefined, outputMimeType: undefined, compressionQuality: undefined, personGeneration: undefined };

  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) throw new ApiError(400, 'Invalid JSON payload received. Invalid value at \'tools\': expected a list.');
    for (const tool of body.tools) {
      if (tool === null || typeof tool !== 'object' || tool.googleSearch === undefined) continue;
      if (!model.grounding) throw new ApiError(400, `Search as tool is not enabled for models/${model.id}`);
      const types = tool.googleSearch?.searchTypes;
      extras.googleSearch = { imageSearch: Boolean(types && types.imageSearch !== undefined) };
    }
  }

  const output = imageConfig.imageOutputOptions;
  if (output !== undefined) {
    if (output.mimeType !== undefined && !OUTPUT_TYPES.includes(output.mimeType)) {
      throw new ApiError(400, `Unsupported output mime type "${output.mimeType}". Supported: ${OUTPUT_TYPES.join(', ')}.`);
    }
    const quality = output.compressionQuality;
    if (quality !== undefined && (!Number.isInteger(quality) || quality < 0 || quality > 100)) {
      throw new ApiError(400, 'compression_quality must be an integer between 0 and 100.');
    }
    extras.outputMimeType = output.mimeType;
    extras.compressionQuality = output.mimeType === 'image/jpeg' ? quality ?? DEFAULT_JPEG_QUALITY : undefined;
  }

  const person = imageConfig.personGeneration;
  if (person !== undefined) {
    if (!PERSON_GENERATION.includes(person)) {
      throw new ApiError(400, `Invalid value at 'generation_config.image_config.person_generation', "${person}". Supported: ${PERSON_GENERATION.join(', ')}.`);
    }
    extras.personGeneration = person;
  }
  return extras;
}

/**
 * What a grounded answer carries: the queries run, the sources, and the search entry point HTML
 * Google's terms require showing next to the result.
 * @param {{prompt: string, googleSearch?: {imageSearch: boolean}}} req
 */
function groundingMetadata(req) {
  if (!req.googleSearch) return undefined;
  const query = req.prompt.replace(/\s+/g, ' ').trim().slice(0, 80) || 'image';
  const id = crypto.createHash('sha256').update(query).digest('hex').slice(0, 12);
  return {
    webSearchQueries: [query],
    ...(req.googleSearch.imageSearch ? { imageSearchQueries: [query] } : {}),
    groundingChunks: [
      { web: { uri: `https://vertexaisearch.cloud.google.com/grounding-api-redirect/${id}`, title: 'example.com' } },
    ],
    searchEntryPoint: {
      renderedContent: `<style>.container{display:flex}</style><div class="container"><a class="chip" href="https://www.google.com/search?q=${encodeURIComponent(query)}">${query.replace(/[<>&"]/g, '')}</a></div>`,
    },
  };
}

module.exports = { parseImageExtras, groundingMetadata };
