/* eslint-disable @typescript-eslint/no-explicit-any -- test code, run by Node, not n8n (README: Lint) */
// The model line-up of December 2026 on the wire: Nano Banana 2.1 (gemini-nano-banana-2.1), the
// per-model limits of the reference sheet, models closed to new projects and shut-down ids
// (404 NOT_FOUND), thinkingConfig, thought summaries, thought-only answers and image search
// grounding.
import { readPngInfo, MODELS, RETIRED_MODELS } from './server';
import type { Emulator } from './server';
import { editRequest, finalImages, gemini, generate, http, solidPng, useEmulator, vertex, vertexPath } from './test-helpers';

let emu: Emulator;
useEmulator((started) => (emu = started));

const NB21 = 'gemini-nano-banana-2.1';
const FLASH = 'gemini-2.5-flash-image';
const NB2 = 'gemini-3.1-flash-image';
const LITE = 'gemini-3.1-flash-lite-image';
const PRO = 'gemini-3-pro-image';
const INPUT = solidPng(40, 30, [120, 60, 200]);
const STANDARD_RATIOS = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'];
const ALL_RATIOS = [...STANDARD_RATIOS, '1:4', '4:1', '1:8', '8:1', '9:21'];
const last = <T>(items: T[]): T | undefined => items[items.length - 1];
const key = () => ({ 'x-goog-api-key': emu.apiKey });

/** A request with extra top-level fields (tools) next to the usual edit request. */
function call(model: string, prompt: string, generationConfig: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return gemini(emu, `/v1beta/models/${model}:generateContent`, { ...editRequest(prompt, [INPUT], generationConfig), ...extra });
}

describe('Nano Banana 2.1 (gemini-nano-banana-2.1)', () => {
  it('is listed first, as "Nano Banana 2.1", with the thinking flag; GET works', async () => {
    const list = await http(`${emu.url}/v1beta/models`, { headers: key() });
    expect(list.json.models[0]).toMatchObject({
      name: `models/${NB21}`,
      displayName: 'Nano Banana 2.1',
      supportedGenerationMethods: ['generateContent', 'countTokens'],
      thinking: true,
    });
    const one = await http(`${emu.url}/v1beta/models/${NB21}`, { headers: key() });
    expect(one.json).toMatchObject({ name: `models/${NB21}`, displayName: 'Nano Banana 2.1' });
  });

  it('edits an image: 4K at 8:1 is 4096×512, 2K at 1:8 is 256×2048, with a thought signature on the answer', async () => {
    const wide = await generate(emu, 'Banner', NB21, [INPUT], { imageConfig: { aspectRatio: '8:1', imageSize: '4K' } });
    expect(wide.status).toBe(200);
    const [image] = finalImages(wide.json);
    expect(readPngInfo(image.bytes)).toMatchObject({ width: 4096, height: 512, meta: { model: NB21, aspectRatio: '8:1', imageSize: '4K' } });
    expect(wide.json.candidates[0].content.parts.some((p: any) => p.inlineData && p.thoughtSignature)).toBe(true);
    const tall = await generate(emu, 'Column', NB21, [INPUT], { imageConfig: { aspectRatio: '1:8', imageSize: '2K' } });
    expect(readPngInfo(finalImages(tall.json)[0].bytes)).toMatchObject({ width: 256, height: 2048 });
  });

  it('takes all 14 aspect ratios, including 1:4 4:1 1:8 8:1 9:21', async () => {
    for (const aspectRatio of ALL_RATIOS) {
      const res = await generate(emu, `ratio ${aspectRatio}`, NB21, [], { imageConfig: { aspectRatio } });
      expect({ aspectRatio, status: res.status }).toEqual({ aspectRatio, status: 200 });
    }
  });

  it('refuses imageSize 512 with 400 INVALID_ARGUMENT naming the size', async () => {
    const res = await generate(emu, 'small', NB21, [INPUT], { imageConfig: { imageSize: '512' } });
    expect(res.status).toBe(400);
    expect(res.json.error.status).toBe('INVALID_ARGUMENT');
    expect(res.json.error.message).toBe(`Unsupported image size "512" for ${NB21}. Supported: 1K, 2K, 4K (upper-case K).`);
  });

  it('takes 14 input images; a 15th is a 400', async () => {
    const images = Array.from({ length: 15 }, (_, i) => solidPng(8, 8, [i * 10, 0, 0]));
    expect((await generate(emu, 'collage', NB21, images.slice(0, 14))).status).toBe(200);
    const tooMany = await generate(emu, 'collage', NB21, images);
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error.message).toMatch(/Too many input images: 15\. models\/gemini-nano-banana-2\.1 takes at most 14/);
  });

  it('is served on Vertex too', async () => {
    const token = emu.issueAccessToken().access_token;
    const res = await vertex(vertexPath(emu, NB21), token, editRequest('vertex 2.1', [INPUT], { imageConfig: { aspectRatio: '4:1', imageSize: '2K' } }));
    expect(res.status).toBe(200);
    expect(readPngInfo(finalImages(res.json)[0].bytes)).toMatchObject({ width: 2048, height: 512, meta: { backend: 'vertex' } });
  });
});

describe('per-model limits (reference sheet, December 2026)', () => {
  const spec = (id: string) => MODELS.find((m) => m.id === id)!;

  it('the catalogue holds the reference table', () => {
    expect(spec(NB21)).toMatchObject({ sizes: ['1K', '2K', '4K'], ratios: ALL_RATIOS, maxInputImages: 14, grounding: true, imageSearch: true,
      thinkingLevels: ['minimal', 'medium', 'high'], defaultThinkingLevel: 'medium' });
    expect(spec(NB2)).toMatchObject({ sizes: ['512', '1K', '2K', '4K'], ratios: ALL_RATIOS, maxInputImages: 14, grounding: true, imageSearch: true,
      thinkingLevels: ['minimal', 'high'], defaultThinkingLevel: 'minimal' });
    expect(spec(LITE)).toMatchObject({ sizes: ['1K'], ratios: STANDARD_RATIOS, maxInputImages: 14, grounding: false, imageSearch: false,
      thinkingLevels: ['minimal', 'high'] });
    expect(spec(PRO)).toMatchObject({ sizes: ['1K', '2K', '4K'], ratios: STANDARD_RATIOS, maxInputImages: 14, grounding: true, imageSearch: false,
      thinkingLevels: null });
    expect(spec(FLASH)).toMatchObject({ sizes: null, ratios: STANDARD_RATIOS, maxInputImages: null, grounding: false, imageSearch: false, thinkingLevels: [] });
  });

  it.each([
    [NB2, '512', '1:8', 200],
    [LITE, '1K', '21:9', 200],
    [LITE, '2K', undefined, 400],
    [LITE, undefined, '8:1', 400],
    [PRO, '4K', '21:9', 200],
    [PRO, '512', undefined, 400],
    [PRO, undefined, '1:4', 400],
    [FLASH, '4K', '16:9', 200], // 2.5 ignores imageSize
    [FLASH, undefined, '4:1', 400],
  ])('%s imageSize %s aspectRatio %s → %d', async (model, imageSize, aspectRatio, status) => {
    const res = await generate(emu, 'limits', model, [], { imageConfig: { ...(imageSize ? { imageSize } : {}), ...(aspectRatio ? { aspectRatio } : {}) } });
    expect(res.status).toBe(status);
  });

  it('2.5 Flash Image takes more than its advised 3 input images (not enforced)', async () => {
    const images = Array.from({ length: 5 }, (_, i) => solidPng(8, 8, [0, i * 20, 0]));
    expect((await generate(emu, 'five', FLASH, images)).status).toBe(200);
  });
});

describe('closed and retired models (404 NOT_FOUND)', () => {
  const notFound = (id: string, method = 'generateContent') =>
    `models/${id} is not found for API version v1beta, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`;

  it('closedModels: the id answers 404 on generateContent, get and batch, and leaves the list; others still work', async () => {
    emu.configure({ closedModels: [FLASH] });
    const res = await generate(emu, 'new project', FLASH, [INPUT]);
    expect(res.status).toBe(404);
    expect(res.json.error).toEqual({ code: 404, message: notFound(FLASH), status: 'NOT_FOUND' });
    expect(last(emu.counters.log)).toMatchObject({ model: FLASH, status: 404 });
    expect((await http(`${emu.url}/v1beta/models/${FLASH}`, { headers: key() })).status).toBe(404);
    const names = (await http(`${emu.url}/v1beta/models?pageSize=1000`, { headers: key() })).json.models.map((m: any) => m.name);
    expect(names).not.toContain(`models/${FLASH}`);
    expect(names).toContain(`models/${NB21}`);
    const batch = await gemini(emu, `/v1beta/models/${FLASH}:batchGenerateContent`, {
      batch: { displayName: 'b', inputConfig: { requests: { requests: [{ request: editRequest('x'), metadata: { key: 'k' } }] } } },
    });
    expect(batch.status).toBe(404);
    expect((await generate(emu, 'fine', NB21, [INPUT])).status).toBe(200);
  });

  it('closedModels applies to Vertex as well (Vertex wording)', async () => {
    emu.configure({ closedModels: ['models/gemini-2.5-flash-image'] });
    expect(emu.options.closedModels).toEqual([FLASH]);
    const res = await vertex(vertexPath(emu, FLASH, 'generateContent', 'us-central1'), emu.issueAccessToken().access_token, editRequest('x', [INPUT]));
    expect(res.status).toBe(404);
    expect(res.json.error.message).toMatch(/^Publisher Model `projects\/.*\/models\/gemini-2\.5-flash-image` was not found or your project does not have access to it/);
  });

  it('POST /__emulator/configure takes closedModels as a list or a comma-separated string; bad values are a 400', async () => {
    const set = await http(`${emu.url}/__emulator/configure`, { method: 'POST', body: JSON.stringify({ closedModels: [FLASH] }) });
    expect(set.status).toBe(200);
    expect(set.json.closedModels).toEqual([FLASH]);
    expect((await generate(emu, 'x', FLASH)).status).toBe(404);
    await http(`${emu.url}/__emulator/configure`, { method: 'POST', body: JSON.stringify({ closedModels: `${FLASH}, ${LITE}` }) });
    expect(emu.options.closedModels).toEqual([FLASH, LITE]);
    expect((await http(`${emu.url}/__emulator/state`)).json.options.closedModels).toEqual([FLASH, LITE]);
    const bad = await http(`${emu.url}/__emulator/configure`, { method: 'POST', body: JSON.stringify({ closedModels: [1] }) });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/Option "closedModels" must be a list of model ids/);
    await http(`${emu.url}/__emulator/configure`, { method: 'POST', body: JSON.stringify({ closedModels: [] }) });
    expect((await generate(emu, 'x', FLASH)).status).toBe(200);
  });

  it.each(['gemini-3-pro-image-preview', 'gemini-3.1-flash-image-preview', 'gemini-2.5-flash-image-preview', 'imagen-4.0-generate-001', 'imagen-3.0-capability-001'])(
    'shut-down id %s answers 404 NOT_FOUND as Google does',
    async (id) => {
      expect(RETIRED_MODELS).toContain(id);
      const res = await generate(emu, 'old workflow', id, [INPUT]);
      expect(res.status).toBe(404);
      expect(res.json.error).toEqual({ code: 404, message: notFound(id), status: 'NOT_FOUND' });
      expect((await http(`${emu.url}/v1beta/models/${id}`, { headers: key() })).status).toBe(404);
    },
  );

  it('retiredModels: [] serves the preview ids again (as before their shutdown)', async () => {
    emu.configure({ retiredModels: [] });
    expect((await generate(emu, 'preview', 'gemini-3-pro-image-preview', [INPUT])).status).toBe(200);
    emu.configure({ retiredModels: [NB2] });
    expect((await generate(emu, 'gone', NB2, [INPUT])).status).toBe(404);
  });
});

describe('thinkingConfig', () => {
  it('thinkingLevel high on 2.1 reaches the server: request log and image meta', async () => {
    const res = await call(NB21, 'Think hard', { thinkingConfig: { thinkingLevel: 'high' } });
    expect(res.status).toBe(200);
    expect(last(emu.counters.log)).toMatchObject({ model: NB21, status: 200, thinkingConfig: { thinkingLevel: 'high' } });
    expect(readPngInfo(finalImages(res.json)[0].bytes).meta).toMatchObject({ thinkingLevel: 'high' });
  });

  it('takes the enum names in either case and snake_case field names', async () => {
    expect((await call(NB21, 'a', { thinkingConfig: { thinkingLevel: 'MINIMAL' } })).status).toBe(200);
    const snake = await gemini(emu, `/v1beta/models/${NB2}:generateContent`, {
      contents: [{ parts: [{ text: 'b' }] }],
      generation_config: { thinking_config: { thinking_level: 'high', include_thoughts: false } },
    });
    expect(snake.status).toBe(200);
    expect(last(emu.counters.log)?.thinkingConfig).toEqual({ thinkingLevel: 'high', includeThoughts: false });
  });

  it.each([
    [NB21, 'low', 'MINIMAL, MEDIUM, HIGH'],
    [NB2, 'medium', 'MINIMAL, HIGH'],
    [LITE, 'medium', 'MINIMAL, HIGH'],
  ])('%s refuses thinking level %s (400 naming the levels it takes)', async (model, thinkingLevel, supported) => {
    const res = await call(model, 'x', { thinkingConfig: { thinkingLevel } });
    expect(res.status).toBe(400);
    expect(res.json.error.status).toBe('INVALID_ARGUMENT');
    expect(res.json.error.message).toBe(`Thinking level ${thinkingLevel.toUpperCase()} is not supported for models/${model}. Supported levels: ${supported}.`);
    expect(last(emu.counters.log)?.thinkingConfig).toBeUndefined();
  });

  it('2.5 Flash Image has no thinking: a level or includeThoughts is a 400', async () => {
    for (const thinkingConfig of [{ thinkingLevel: 'minimal' }, { includeThoughts: true }, { thinkingBudget: 1024 }]) {
      const res = await call(FLASH, 'x', { thinkingConfig });
      expect(res.status).toBe(400);
      expect(res.json.error.message).toBe(`Thinking is not enabled for models/${FLASH}`);
    }
    expect((await call(FLASH, 'x', { thinkingConfig: { includeThoughts: false } })).status).toBe(200);
  });

  it('Nano Banana Pro thinks always: levels are not checked (unverified)', async () => {
    expect((await call(PRO, 'x', { thinkingConfig: { thinkingLevel: 'high' } })).status).toBe(200);
  });

  it('bad values, unknown fields and level + budget together are 400s', async () => {
    const bad = await call(NB21, 'x', { thinkingConfig: { thinkingLevel: 'extreme' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/^Invalid value at 'generation_config\.thinking_config\.thinking_level' .*"extreme"$/);
    const unknown = await call(NB21, 'x', { thinkingConfig: { level: 'high' } });
    expect(unknown.json.error.message).toBe(`Invalid JSON payload received. Unknown name "level" at 'generation_config.thinking_config': Cannot find field.`);
    const both = await call(NB21, 'x', { thinkingConfig: { thinkingLevel: 'high', thinkingBudget: 100 } });
    expect(both.status).toBe(400);
  });

  it('includeThoughts: true → thought summaries (text, thought: true) before the answer', async () => {
    const res = await call(NB21, 'A red bicycle', { thinkingConfig: { thinkingLevel: 'high', includeThoughts: true } });
    const parts: any[] = res.json.candidates[0].content.parts;
    const firstAnswer = parts.findIndex((p) => !p.thought);
    const summaries = parts.slice(0, firstAnswer);
    expect(summaries.length).toBeGreaterThanOrEqual(2);
    for (const p of summaries) expect(p).toEqual({ text: expect.stringMatching(/^\*\*Thought summary: /), thought: true });
    expect(summaries.map((p) => p.text).join('\n')).toMatch(/A red bicycle[\s\S]*Thinking level high/);
    expect(parts.slice(firstAnswer).every((p) => !p.thought)).toBe(true);
    expect(parts[firstAnswer]).toMatchObject({ text: 'Here is your edited image.', thoughtSignature: expect.any(String) });
    expect(finalImages(res.json)).toHaveLength(1);
    expect(res.json.usageMetadata.thoughtsTokenCount).toBeGreaterThan(0);
  });

  it('without includeThoughts there are no thought summaries (only the emulator\'s planning thought)', async () => {
    const res = await call(NB21, 'plain');
    const texts = res.json.candidates[0].content.parts.filter((p: any) => p.thought && p.text).map((p: any) => p.text);
    expect(texts.some((t: string) => t.startsWith('**Thought summary'))).toBe(false);
  });

  it('includeThoughts is honoured with the thoughts option off', async () => {
    emu.configure({ thoughts: false });
    const res = await call(NB2, 'x', { thinkingConfig: { includeThoughts: true } });
    expect(res.json.candidates[0].content.parts.filter((p: any) => p.thought)).toHaveLength(2);
  });
});

describe('[[emulate:thought-only]]', () => {
  it('answers with thought images only: the last one at the final size, no non-thought image', async () => {
    const res = await call(NB21, 'Only thoughts [[emulate:thought-only]]', { imageConfig: { aspectRatio: '16:9', imageSize: '2K' } });
    expect(res.status).toBe(200);
    const parts: any[] = res.json.candidates[0].content.parts;
    expect(finalImages(res.json)).toHaveLength(0);
    const thoughtImages = parts.filter((p) => p.inlineData && p.thought);
    expect(thoughtImages).toHaveLength(2);
    for (const p of thoughtImages) expect(p.thoughtSignature).toBeUndefined();
    const first = readPngInfo(Buffer.from(thoughtImages[0].inlineData.data, 'base64'));
    const lastImage = readPngInfo(Buffer.from(thoughtImages[1].inlineData.data, 'base64'));
    expect([first.width, first.height]).toEqual([256, 144]);
    expect([lastImage.width, lastImage.height]).toEqual([2048, 1152]);
    expect(lastImage.meta).toMatchObject({ prompt: 'Only thoughts', thought: true, n: 1 });
    expect(parts.some((p) => !p.thought && p.text === 'Here is your edited image.')).toBe(true);
    expect(last(emu.counters.log)?.directives).toEqual(['thought-only']);
  });

  it('thought-only:1 → one full-size thought image; also on models without thinking, and with xN', async () => {
    const one = await call(NB2, 'one [[emulate:thought-only:1]]');
    const images = one.json.candidates[0].content.parts.filter((p: any) => p.inlineData);
    expect(images).toHaveLength(1);
    expect(images[0].thought).toBe(true);
    expect(readPngInfo(Buffer.from(images[0].inlineData.data, 'base64'))).toMatchObject({ width: 1024 });
    const flash = await call(FLASH, 'flash [[emulate:thought-only]]');
    expect(finalImages(flash.json)).toHaveLength(0);
    const once = '[[emulate:thought-onlyx1]] retry me';
    expect(finalImages((await call(NB21, once)).json)).toHaveLength(0);
    expect(finalImages((await call(NB21, once)).json)).toHaveLength(1);
  });
});

describe('Google Search grounding with image search', () => {
  const bothTypes = { tools: [{ googleSearch: { searchTypes: { webSearch: {}, imageSearch: {} } } }] };

  it.each([NB21, NB2])('%s: web + image search → imageSearchQueries and image grounding chunks', async (model) => {
    const res = await call(model, 'The 2026 Nobel laureates as a poster', {}, bothTypes);
    expect(res.status).toBe(200);
    const grounding = res.json.candidates[0].groundingMetadata;
    expect(grounding.webSearchQueries).toEqual(['The 2026 Nobel laureates as a poster']);
    expect(grounding.imageSearchQueries).toEqual(['The 2026 Nobel laureates as a poster']);
    expect(grounding.groundingChunks).toEqual([
      { web: { uri: expect.stringMatching(/^https:\/\//), title: expect.any(String) } },
      { image: { sourceUri: expect.stringMatching(/^https:\/\//), imageUri: expect.stringMatching(/^https:\/\//), title: expect.any(String), domain: expect.any(String) } },
    ]);
    expect(grounding.searchEntryPoint.renderedContent).toContain('<div');
    expect(last(emu.counters.log)).toMatchObject({ googleSearch: { webSearch: true, imageSearch: true } });
    expect(readPngInfo(finalImages(res.json)[0].bytes).meta).toMatchObject({ googleSearch: true, imageSearch: true });
  });

  it('image search alone has no web queries; no searchTypes means web only', async () => {
    const imageOnly = await call(NB21, 'cats', {}, { tools: [{ googleSearch: { searchTypes: { imageSearch: {} } } }] });
    expect(imageOnly.json.candidates[0].groundingMetadata.webSearchQueries).toBeUndefined();
    expect(imageOnly.json.candidates[0].groundingMetadata.groundingChunks.map((c: any) => Object.keys(c)[0])).toEqual(['image']);
    const web = await call(NB21, 'dogs', {}, { tools: [{ googleSearch: {} }] });
    expect(web.json.candidates[0].groundingMetadata.imageSearchQueries).toBeUndefined();
    expect(last(emu.counters.log)).toMatchObject({ googleSearch: { webSearch: true, imageSearch: false } });
  });

  it('Nano Banana Pro takes web search only: image search is a 400; Lite and 2.5 refuse search altogether', async () => {
    expect((await call(PRO, 'x', {}, { tools: [{ googleSearch: { searchTypes: { webSearch: {} } } }] })).status).toBe(200);
    const pro = await call(PRO, 'x', {}, bothTypes);
    expect(pro.status).toBe(400);
    expect(pro.json.error.message).toBe(`Image search is not supported for models/${PRO}. Use search_types.web_search only.`);
    for (const model of [LITE, FLASH]) {
      const res = await call(model, 'x', {}, bothTypes);
      expect(res.status).toBe(400);
      expect(res.json.error.message).toBe(`Search as tool is not enabled for models/${model}`);
    }
  });

  it('an unknown search type is a 400 naming it', async () => {
    const res = await call(NB21, 'x', {}, { tools: [{ googleSearch: { searchTypes: { videoSearch: {} } } }] });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toBe(`Invalid JSON payload received. Unknown name "video_search" at 'tools[0].google_search.search_types': Cannot find field.`);
  });
});

describe('usageMetadata as Google reports it, per model and size (reference "Prices and usage")', () => {
  it.each([
    [NB21, '1K', 1120],
    [NB21, '2K', 1680],
    [NB21, '4K', 3780],
    [NB2, '512', 747],
    [NB2, '1K', 1120],
    [NB2, '2K', 1680],
    [NB2, '4K', 2520],
    [LITE, '1K', 1120],
    [PRO, '1K', 1120],
    [PRO, '2K', 1120],
    [PRO, '4K', 2000],
    [FLASH, undefined, 1290],
  ])('%s at %s: one image is %i IMAGE output tokens; thinking counted apart', async (model, size, tokens) => {
    const res = await gemini(emu, `/v1beta/models/${model}:generateContent`, editRequest('A lighthouse at dusk', [], size ? { imageConfig: { imageSize: size } } : {}));
    expect(res.status).toBe(200);
    const usage = res.json.usageMetadata;
    expect(usage.candidatesTokensDetails[0]).toEqual({ modality: 'IMAGE', tokenCount: tokens });
    const text = usage.candidatesTokensDetails.filter((d: any) => d.modality === 'TEXT').reduce((n: number, d: any) => n + d.tokenCount, 0);
    expect(usage.candidatesTokenCount).toBe(tokens + text);
    expect(usage.promptTokensDetails).toEqual([{ modality: 'TEXT', tokenCount: usage.promptTokenCount }]);
    if (model === FLASH) expect(usage.thoughtsTokenCount).toBeUndefined();
    else expect(usage.thoughtsTokenCount).toBeGreaterThan(0);
    expect(usage.totalTokenCount).toBe(usage.promptTokenCount + usage.candidatesTokenCount + (usage.thoughtsTokenCount ?? 0));
  });

  it('an input image is about 1,100 prompt tokens, listed under IMAGE', async () => {
    const res = await call(NB21, 'Make it blue');
    expect(res.json.usageMetadata.promptTokensDetails).toContainEqual({ modality: 'IMAGE', tokenCount: 1088 });
  });
});
