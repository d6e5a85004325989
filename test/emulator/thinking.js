// @ts-check
'use strict';

/**
 * `generationConfig.thinkingConfig` as Google's types define it (`@google/genai` ThinkingConfig:
 * includeThoughts, thinkingBudget, thinkingLevel), checked per model: a model without thinking
 * (2.5 Flash Image) refuses any of it, a level the model does not take is refused, and the
 * received config is kept for the request log. Also the thought summaries an answer carries
 * when `includeThoughts` is true.
 */

const { ApiError } = require('./errors');

/** ThinkingLevel enum values (proto names; the API also takes them in lower case). */
const LEVELS = ['THINKING_LEVEL_UNSPECIFIED', 'MINIMAL', 'LOW', 'MEDIUM', 'HIGH', 'XHIGH'];

/**
 * @typedef {object} Thinking
 * @property {Record<string, unknown> | undefined} thinkingConfig as received (camelCase), for the log
 * @property {string | undefined} thinkingLevel lower case, as sent (undefined when not sent or UNSPECIFIED)
 * @property {boolean} includeThoughts
 */

/**
 * @param {any} config camelised thinkingConfig (unknown fields already refused)
 * @param {import('./models').ModelSpec} model
 * @param {string} protoPackage e.g. google.ai.generativelanguage.v1beta, for the enum's type name in errors
 * @returns {Thinking}
 */
function parseThinking(config, model, protoPackage) {
  if (config === undefined || config === null) return { thinkingConfig: undefined, thinkingLevel: undefined, includeThoughts: false };
  const { thinkingLevel: rawLevel, includeThoughts, thinkingBudget } = config;
  /** @type {string | undefined} */
  let level;
  if (rawLevel !== undefined && rawLevel !== null) {
    const upper = String(rawLevel).toUpperCase();
    if (typeof rawLevel !== 'string' || !LEVELS.includes(upper)) {
      throw new ApiError(400, `Invalid value at 'generation_config.thinking_config.thinking_level' (type.googleapis.com/${protoPackage}.GenerationConfig.ThinkingConfig.ThinkingLevel), "${rawLevel}"`);
    }
    if (upper !== 'THINKING_LEVEL_UNSPECIFIED') level = upper.toLowerCase();
  }
  if (includeThoughts !== undefined && typeof includeThoughts !== 'boolean') {
    throw new ApiError(400, `Invalid value at 'generation_config.thinking_config.include_thoughts' (TYPE_BOOL), ${JSON.stringify(includeThoughts)}`);
  }
  if (thinkingBudget !== undefined && (!Number.isInteger(thinkingBudget) || thinkingBudget < -1)) {
    throw new ApiError(400, `Invalid value at 'generation_config.thinking_config.thinking_budget' (TYPE_INT32), ${JSON.stringify(thinkingBudget)}`);
  }
  const asksForThinking = level !== undefined || includeThoughts === true || (thinkingBudget !== undefined && thinkingBudget !== 0);
  if (asksForThinking && model.thinkingLevels !== null && model.thinkingLevels.length === 0) {
    throw new ApiError(400, `Thinking is not enabled for models/${model.id}`);
  }
  if (level !== undefined && thinkingBudget !== undefined) {
    throw new ApiError(400, 'thinking_level and thinking_budget cannot be set together: use thinking_level.');
  }
  if (level !== undefined && model.thinkingLevels !== null && !model.thinkingLevels.includes(level)) {
    throw new ApiError(400, `Thinking level ${level.toUpperCase()} is not supported for models/${model.id}. Supported levels: ${model.thinkingLevels.map((l) => l.toUpperCase()).join(', ')}.`);
  }
  return { thinkingConfig: config, thinkingLevel: level, includeThoughts: includeThoughts === true };
}

/**
 * Thought summaries (text parts marked thought:true) for an answer whose request had
 * includeThoughts: true. Headings in bold, as Gemini writes them.
 * @param {import('./request').ParsedRequest} req
 * @returns {{text: string, thought: true}[]}
 */
function thoughtSummaries(req) {
  const level = req.thinkingLevel ?? req.model.defaultThinkingLevel ?? 'default';
  const subject = req.prompt.slice(0, 200);
  return [
    { text: `**Thought summary: reading the request**\n\nThe request asks for: ${subject}`, thought: true },
    { text: `**Thought summary: planning the image**\n\nThinking level ${level}; composing ${req.images.length} input image(s) into the result.`, thought: true },
  ];
}

module.exports = { parseThinking, thoughtSummaries, LEVELS };
