// @ts-check
'use strict';

/**
 * The emulator's model catalogue. Capabilities follow the reference sheet
 * (/work/shared/reference/gemini-image-api.md); where Google's behaviour is unverified the
 * emulator picks the lenient reading and README.md says so.
 */

const { ApiError } = require('./errors');

const BASE_RATIOS = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'];
const EXTRA_RATIOS = ['1:4', '4:1', '1:8', '8:1', '9:21'];

/**
 * @typedef {object} ModelSpec
 * @property {string} id
 * @property {string} displayName
 * @property {string} description
 * @property {boolean} image outputs images
 * @property {boolean} thinking answers start with thought parts (Gemini 3)
 * @property {boolean} thoughtImage answers include an interim image marked thought:true
 * @property {string[] | null} sizes accepted imageSize values; null = field ignored (2.5 Flash)
 * @property {string[]} ratios
 * @property {boolean} globalOnly Vertex serves it only from location "global"
 * @property {boolean} grounding accepts the googleSearch tool (web search)
 * @property {boolean} imageSearch accepts googleSearch.searchTypes.imageSearch as well
 * @property {string[] | null} thinkingLevels thinkingConfig.thinkingLevel values it takes (lower
 *   case); [] = no thinking config at all (2.5 Flash Image); null = not checked (unverified)
 * @property {string | undefined} defaultThinkingLevel the level used when none is sent
 * @property {number | null} maxInputImages more input images → 400; null = not enforced
 * @property {number} inputTokenLimit
 * @property {number} outputTokenLimit
 * @property {string} launchStage Vertex Model Garden launch stage
 */

/** @param {Partial<ModelSpec> & {id: string, displayName: string, description: string}} spec @returns {ModelSpec} */
function model(spec) {
  return {
    image: true,
    thinking: false,
    thoughtImage: false,
    sizes: ['1K', '2K', '4K'],
    ratios: BASE_RATIOS,
    globalOnly: false,
    grounding: false,
    imageSearch: false,
    thinkingLevels: null,
    defaultThinkingLevel: undefined,
    maxInputImages: 14,
    inputTokenLimit: 65536,
    outputTokenLimit: 32768,
    launchStage: 'GA',
    ...spec,
  };
}

/** Nano Banana 2.1's request limits; its preview-free successor ids share them. */
const NANO_BANANA_2_1 = {
  thinking: true,
  sizes: ['1K', '2K', '4K'],
  ratios: [...BASE_RATIOS, ...EXTRA_RATIOS],
  grounding: true,
  imageSearch: true,
  thinkingLevels: ['minimal', 'medium', 'high'],
  defaultThinkingLevel: 'medium',
};
/** Nano Banana 2 (3.1 Flash Image), GA and preview. */
const NANO_BANANA_2 = {
  grounding: true,
  imageSearch: true,
  thinking: true,
  thinkingLevels: ['minimal', 'high'],
  defaultThinkingLevel: 'minimal',
  sizes: ['512', '1K', '2K', '4K'],
  ratios: [...BASE_RATIOS, ...EXTRA_RATIOS],
  globalOnly: true,
};
/** Nano Banana Pro (3 Pro Image), GA and preview: thinks always; web search only. */
const NANO_BANANA_PRO = {
  grounding: true,
  thinking: true,
  thoughtImage: true,
  globalOnly: true,
};

/** @type {ModelSpec[]} */
const MODELS = [
  model({
    id: 'gemini-nano-banana-2.1',
    displayName: 'Nano Banana 2.1',
    description: "Nano Banana 2.1: Google's recommended image generation and editing model (GA 2026-10-06).",
    ...NANO_BANANA_2_1,
  }),
  model({
    id: 'gemini-2.5-flash-image',
    displayName: 'Nano Banana',
    description: 'Gemini 2.5 Flash Image: fast image generation and editing.',
    sizes: null,
    thinkingLevels: [],
    // Google advises up to 3 input images; whether it refuses more is unverified.
    maxInputImages: null,
    inputTokenLimit: 32768,
  }),
  model({
    id: 'gemini-3-pro-image',
    displayName: 'Nano Banana Pro',
    description: 'Gemini 3 Pro Image: studio-quality image generation and editing with thinking.',
    ...NANO_BANANA_PRO,
  }),
  model({
    id: 'gemini-3-pro-image-preview',
    displayName: 'Nano Banana Pro (Preview)',
    description: 'Preview of Gemini 3 Pro Image.',
    ...NANO_BANANA_PRO,
    launchStage: 'PUBLIC_PREVIEW',
  }),
  model({
    id: 'gemini-3.1-flash-image',
    displayName: 'Nano Banana 2',
    description: 'Gemini 3.1 Flash Image: fast, high-volume image generation and editing.',
    ...NANO_BANANA_2,
  }),
  model({
    id: 'gemini-3.1-flash-image-preview',
    displayName: 'Nano Banana 2 (Preview)',
    description: 'Preview of Gemini 3.1 Flash Image.',
    ...NANO_BANANA_2,
    launchStage: 'PUBLIC_PREVIEW',
  }),
  model({
    id: 'gemini-3.1-flash-lite-image',
    displayName: 'Nano Banana 2 Lite',
    description: 'Gemini 3.1 Flash-Lite Image: lowest-cost image generation.',
    thinking: true,
    thinkingLevels: ['minimal', 'high'],
    defaultThinkingLevel: 'minimal',
    sizes: ['1K'],
  }),
  model({
    id: 'gemini-2.5-flash',
    displayName: 'Gemini 2.5 Flash',
    description: 'Text model (no image output).',
    image: false,
    maxInputImages: null,
    inputTokenLimit: 1048576,
    outputTokenLimit: 65536,
  }),
  model({
    id: 'gemini-2.5-pro',
    displayName: 'Gemini 2.5 Pro',
    description: 'Text model (no image output).',
    image: false,
    maxInputImages: null,
    inputTokenLimit: 1048576,
    outputTokenLimit: 65536,
  }),
];

/**
 * Ids Google has shut down (reference: every -preview image id, Imagen on 2026-08-17). They
 * answer 404 NOT_FOUND like an id that never existed, and leave the model list. The default of
 * the `retiredModels` option; the preview ids stay in MODELS so that `retiredModels: []` serves
 * them again (as the emulator did before their shutdown).
 */
const RETIRED_MODELS = [
  'gemini-2.5-flash-image-preview',
  'gemini-3-pro-image-preview',
  'gemini-3.1-flash-image-preview',
  'imagen-3.0-generate-001',
  'imagen-3.0-generate-002',
  'imagen-3.0-fast-generate-001',
  'imagen-3.0-capability-001',
  'imagen-4.0-generate-001',
  'imagen-4.0-ultra-generate-001',
  'imagen-4.0-fast-generate-001',
  'imagegeneration@006',
];

/** @param {string} id with or without "models/" */
const bareId = (id) => id.replace(/^models\//, '');

/**
 * @param {string} id with or without "models/"
 * @param {{closedModels?: string[], retiredModels?: string[]}} [access] ids this caller cannot use
 * @returns {ModelSpec | undefined}
 */
function findModel(id, access = {}) {
  const bare = bareId(id);
  if (!isUsable(bare, access)) return undefined;
  return MODELS.find((m) => m.id === bare);
}

/**
 * False for a retired id and for one closed to this (new) project: both answer 404.
 * @param {string} id @param {{closedModels?: string[], retiredModels?: string[]}} access
 */
function isUsable(id, access) {
  const bare = bareId(id);
  return !(access.closedModels ?? []).includes(bare) && !(access.retiredModels ?? []).includes(bare);
}

/** The catalogue as this caller sees it. @param {{closedModels?: string[], retiredModels?: string[]}} [access] */
function visibleModels(access = {}) {
  return MODELS.filter((m) => isUsable(m.id, access));
}

/** @param {ModelSpec} m Gemini API `Model` resource */
function geminiModelResource(m) {
  return {
    name: `models/${m.id}`,
    version: m.launchStage === 'GA' ? '001' : 'preview',
    displayName: m.displayName,
    description: m.description,
    inputTokenLimit: m.inputTokenLimit,
    outputTokenLimit: m.outputTokenLimit,
    supportedGenerationMethods: ['generateContent', 'countTokens'],
    temperature: 1,
    topP: 0.95,
    topK: 64,
    maxTemperature: 2,
    ...(m.thinking ? { thinking: true } : {}),
  };
}

/** @param {ModelSpec} m Vertex `PublisherModel` resource */
function vertexPublisherModelResource(m) {
  return {
    name: `publishers/google/models/${m.id}`,
    versionId: m.launchStage === 'GA' ? '001' : 'preview',
    openSourceCategory: 'PROPRIETARY',
    launchStage: m.launchStage,
    publisherModelTemplate: `projects/{project}/locations/{location}/publishers/google/models/${m.id}@{version}`,
  };
}

/**
 * Offset-based paging with opaque tokens, like Google's list methods.
 * @template T
 * @param {T[]} items
 * @param {URLSearchParams} query
 * @param {{defaultSize: number, maxSize: number}} limits
 * @returns {{page: T[], nextPageToken?: string}}
 */
function paginate(items, query, { defaultSize, maxSize }) {
  const rawSize = query.get('pageSize') ?? query.get('page_size');
  const size = rawSize ? Number(rawSize) : defaultSize;
  if (!Number.isInteger(size) || size < 0) {
    throw new ApiError(400, `Invalid value at 'page_size' (TYPE_INT32), "${rawSize}"`);
  }
  const pageSize = Math.min(size === 0 ? defaultSize : size, maxSize);
  const token = query.get('pageToken') ?? query.get('page_token');
  let start = 0;
  if (token) {
    const decoded = Number(Buffer.from(token, 'base64url').toString('utf8').replace(/^offset:/, ''));
    if (!Number.isInteger(decoded) || decoded < 0 || decoded > items.length) {
      throw new ApiError(400, 'Invalid page token.');
    }
    start = decoded;
  }
  const page = items.slice(start, start + pageSize);
  const next = start + pageSize;
  return next < items.length
    ? { page, nextPageToken: Buffer.from(`offset:${next}`).toString('base64url') }
    : { page };
}

module.exports = { MODELS, RETIRED_MODELS, findModel, visibleModels, geminiModelResource, vertexPublisherModelResource, paginate, BASE_RATIOS, EXTRA_RATIOS };
