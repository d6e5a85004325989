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
 * @property {{webSearch: boolean, imageSearch: boolean} | undefined} googleSearch grounding asked for, and which search types
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
    body.tools.forEach((/** @type {any} */ tool, /** @type {number} */ i) => {
      if (tool === null || typeof tool !== 'object' || tool.googleSearch === undefined) return;
      if (!model.grounding) throw new ApiError(400, `Search as tool is not enabled for models/${model.id}`);
      extras.googleSearch = searchTypes(tool.googleSearch?.searchTypes, model, `tools[${i}].google_search.search_types`);
    });
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
 * `googleSearch.searchTypes` (`@google/genai` SearchTypes: `webSearch?: WebSearch`,
 * `imageSearch?: ImageSearch`, both empty messages). Not set → web search only, as Google's
 * types say; image search only where the model takes it.
 * @param {any} types
 * @param {import('./models').ModelSpec} model
 * @param {string} path snake_case path for errors
 * @returns {{webSearch: boolean, imageSearch: boolean}}
 */
function searchTypes(types, model, path) {
  if (types === undefined || types === null) return { webSearch: true, imageSearch: false };
  if (typeof types !== 'object' || Array.isArray(types)) {
    throw new ApiError(400, `Invalid JSON payload received. Expected an object at '${path}'.`);
  }
  for (const key of Object.keys(types)) {
    if (key !== 'webSearch' && key !== 'imageSearch') {
      const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      throw new ApiError(400, `Invalid JSON payload received. Unknown name "${snake}" at '${path}': Cannot find field.`);
    }
  }
  const imageSearch = types.imageSearch !== undefined && types.imageSearch !== null;
  const webSearch = (types.webSearch !== undefined && types.webSearch !== null) || !imageSearch;
  if (imageSearch && !model.imageSearch) {
    throw new ApiError(400, `Image search is not supported for models/${model.id}. Use search_types.web_search only.`);
  }
  return { webSearch, imageSearch };
}

/**
 * What a grounded answer carries: the queries run, the sources, and the search entry point HTML
 * Google's terms require showing next to the result.
 * Field names as in `@google/genai` GroundingMetadata (`webSearchQueries`, `imageSearchQueries`,
 * `groundingChunks[].web {uri, title}` / `.image {sourceUri, imageUri, title, domain}`,
 * `searchEntryPoint.renderedContent`).
 * @param {{prompt: string, googleSearch?: {webSearch: boolean, imageSearch: boolean}}} req
 */
function groundingMetadata(req) {
  if (!req.googleSearch) return undefined;
  const { webSearch, imageSearch } = req.googleSearch;
  const query = req.prompt.replace(/\s+/g, ' ').trim().slice(0, 80) || 'image';
  const id = crypto.createHash('sha256').update(query).digest('hex').slice(0, 12);
  return {
    ...(webSearch ? { webSearchQueries: [query] } : {}),
    ...(imageSearch ? { imageSearchQueries: [query] } : {}),
    groundingChunks: [
      ...(webSearch ? [{ web: { uri: `https://vertexaisearch.cloud.google.com/grounding-api-redirect/${id}`, title: 'example.com' } }] : []),
      ...(imageSearch
        ? [{
          image: {
            sourceUri: `https://images.example.com/pages/${id}`,
            imageUri: `https://images.example.com/img/${id}.jpg`,
            title: `Image result for ${query.replace(/[<>&"]/g, '')}`,
            domain: 'images.example.com',
          },
        }]
        : []),
    ],
    searchEntryPoint: {
      renderedContent: `<style>.container{display:flex}</style><div class="container"><a class="chip" href="https://www.google.com/search?q=${encodeURIComponent(query)}">${query.replace(/[<>&"]/g, '')}</a></div>`,
    },
  };
}

module.exports = { parseImageExtras, groundingMetadata };
