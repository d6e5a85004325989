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
 * @property {boolean} grounding accepts the googleSearch tool (Nano Banana Pro and 2)
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
    inputTokenLimit: 65536,
    outputTokenLimit: 32768,
    launchStage: 'GA',
    ...spec,
  };
}

/** @type {ModelSpec[]} */
const MODELS = [
  model({
    id: 'gemini-2.5-flash-image',
    displayName: 'Nano Banana',
    description: 'Gemini 2.5 Flash Image: fast image generation and editing.',
    sizes: null,
    inputTokenLimit: 32768,
  }),
  model({
    id: 'gemini-3-pro-image',
    grounding: true,
    displayName: 'Nano Banana Pro',
    description: 'Gemini 3 Pro Image: studio-quality image generation and editing with thinking.',
    thinking: true,
    thoughtImage: true,
    globalOnly: true,
  }),
  model({
    id: 'gemini-3-pro-image-preview',
    grounding: true,
    displayName: 'Nano Banana Pro (Preview)',
    description: 'Preview of Gemini 3 Pro Image.',
    thinking: true,
    thoughtImage: true,
    globalOnly: true,
    launchStage: 'PUBLIC_PREVIEW',
  }),
  model({
    id: 'gemini-3.1-flash-image',
    grounding: true,
    displayName: 'Nano Banana 2',
    description: 'Gemini 3.1 Flash Image: fast, high-volume image generation and editing.',
    thinking: true,
    sizes: ['512', '1K', '2K', '4K'],
    ratios: [...BASE_RATIOS, ...EXTRA_RATIOS],
    globalOnly: true,
  }),
  model({
    id: 'gemini-3.1-flash-image-preview',
    grounding: true,
    displayName: 'Nano Banana 2 (Preview)',
    description: 'Preview of Gemini 3.1 Flash Image.',
    thinking: true,
    sizes: ['512', '1K', '2K', '4K'],
    ratios: [...BASE_RATIOS, ...EXTRA_RATIOS],
    globalOnly: true,
    launchStage: 'PUBLIC_PREVIEW',
  }),
  model({
    id: 'gemini-3.1-flash-lite-image',
    displayName: 'Nano Banana 2 Lite',
    description: 'Gemini 3.1 Flash-Lite Image: lowest-cost image generation.',
    thinking: true,
    sizes: ['1K'],
  }),
  model({
    id: 'gemini-2.5-flash',
    displayName: 'Gemini 2.5 Flash',
    description: 'Text model (no image output).',
    image: false,
    inputTokenLimit: 1048576,
    outputTokenLimit: 65536,
  }),
  model({
    id: 'gemini-2.5-pro',
    displayName: 'Gemini 2.5 Pro',
    description: 'Text model (no image output).',
    image: false,
    inputTokenLimit: 1048576,
    outputTokenLimit: 65536,
  }),
];

/** @param {string} id with or without "models/" @returns {ModelSpec | undefined} */
function findModel(id) {
  const bare = id.replace(/^models\//, '');
  return MODELS.find((m) => m.id === bare);
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

module.exports = { MODELS, findModel, geminiModelResource, vertexPublisherModelResource, paginate, BASE_RATIOS };
