/* eslint-disable @n8n/community-nodes/no-restricted-globals, @typescript-eslint/no-explicit-any -- test code, run by Node, not n8n (README: Lint) */
// Tests of the emulator's Gemini API (AI Studio) side, its directives, limits, Files API and
// control endpoints. Every assertion is on the wire: status, headers and JSON as a client sees them.
import { createHash } from 'crypto';
import { startEmulator, decodePng, readPngInfo } from './server';
import type { Emulator } from './server';
import { editRequest, finalImages, gemini, generate, http, jpegHeader, sha256hex, solidPng, useEmulator } from './test-helpers';

let emu: Emulator;
useEmulator((started) => (emu = started));

const last = <T>(items: T[]): T | undefined => items[items.length - 1];
const INPUT = solidPng(300, 200, [10, 200, 40]);
const FLASH = 'gemini-2.5-flash-image';

describe('Gemini API authentication', () => {
  it('accepts the key in x-goog-api-key and counts it as a header key', async () => {
    const res = await http(`${emu.url}/v1beta/models`, { headers: { 'x-goog-api-key': emu.apiKey } });
    expect(res.status).toBe(200);
    expect(emu.counters.keyInHeader).toBe(1);
    expect(emu.counters.keyInQuery).toBe(0);
  });

  it('accepts ?key= and counts it separately (and keeps it out of the log)', async () => {
    const res = await http(`${emu.url}/v1beta/models?key=${emu.apiKey}`);
    expect(res.status).toBe(200);
    expect(emu.counters.keyInQuery).toBe(1);
    expect(emu.counters.keyInHeader).toBe(0);
    expect(emu.counters.log[0].path).toBe('/v1beta/models?key=REDACTED');
  });

  it('answers a missing key with Google 403 PERMISSION_DENIED', async () => {
    const res = await http(`${emu.url}/v1beta/models/${FLASH}:generateContent`, { method: 'POST', body: JSON.stringify(editRequest('x')) });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(res.json.error).toMatchObject({ code: 403, status: 'PERMISSION_DENIED' });
    expect(res.json.error.message).toMatch(/^Method doesn't allow unregistered callers/);
    expect(emu.counters.generateContent).toBe(0);
  });

  it('answers a wrong key with 400 API_KEY_INVALID', async () => {
    const res = await gemini(emu, `/v1beta/models/${FLASH}:generateContent`, editRequest('x'), { 'x-goog-api-key': 'wrong' });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toBe('API key not valid. Please pass a valid API key.');
    expect(res.json.error.status).toBe('INVALID_ARGUMENT');
    expect(res.json.error.details[0]).toEqual({
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'API_KEY_INVALID',
      domain: 'googleapis.com',
      metadata: { service: 'generativelanguage.googleapis.com' },
    });
  });

  it('follows configure({apiKey})', async () => {
    const old = emu.apiKey;
    emu.configure({ apiKey: 'rotated-key' });
    expect((await http(`${emu.url}/v1beta/models?key=${old}`)).status).toBe(400);
    expect((await http(`${emu.url}/v1beta/models?key=rotated-key`)).status).toBe(200);
  });
});

describe('models', () => {
  const list = (query = '') => http(`${emu.url}/v1beta/models${query}`, { headers: { 'x-goog-api-key': emu.apiKey } });

  it('lists the image models and text models; the shut-down preview ids only with retiredModels: []', async () => {
    const res = await list();
    const names = res.json.models.map((m: any) => m.name);
    for (const id of ['gemini-nano-banana-2.1', 'gemini-2.5-flash-image', 'gemini-3-pro-image', 'gemini-3.1-flash-image',
      'gemini-3.1-flash-lite-image', 'gemini-2.5-flash', 'gemini-2.5-pro']) {
      expect(names).toContain(`models/${id}`);
    }
    expect(names).not.toContain('models/gemini-3-pro-image-preview');
    expect(names).not.toContain('models/gemini-3.1-flash-image-preview');
    emu.configure({ retiredModels: [] });
    const before = (await list()).json.models.map((m: any) => m.name);
    expect(before).toEqual(expect.arrayContaining(['models/gemini-3-pro-image-preview', 'models/gemini-3.1-flash-image-preview']));
    const banana = res.json.models.find((m: any) => m.name === 'models/gemini-2.5-flash-image');
    expect(banana).toMatchObject({ displayName: 'Nano Banana', supportedGenerationMethods: ['generateContent', 'countTokens'] });
    expect(banana.inputTokenLimit).toBeGreaterThan(0);
    expect(banana.outputTokenLimit).toBeGreaterThan(0);
    expect(typeof banana.description).toBe('string');
    expect(res.json.nextPageToken).toBeUndefined();
  });

  it('pages with pageSize and pageToken', async () => {
    const all = (await list()).json.models.map((m: any) => m.name);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await list(`?pageSize=3${token ? `&pageToken=${token}` : ''}`);
      expect(res.json.models.length).toBeLessThanOrEqual(3);
      seen.push(...res.json.models.map((m: any) => m.name));
      token = res.json.nextPageToken;
      pages++;
    } while (token);
    expect(seen).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 3));
    expect((await list('?pageToken=garbage!')).status).toBe(400);
  });

  it('gets one model, 404 for an unknown one', async () => {
    const ok = await http(`${emu.url}/v1beta/models/gemini-3-pro-image`, { headers: { 'x-goog-api-key': emu.apiKey } });
    expect(ok.json.name).toBe('models/gemini-3-pro-image');
    const missing = await http(`${emu.url}/v1beta/models/gemini-9`, { headers: { 'x-goog-api-key': emu.apiKey } });
    expect(missing.status).toBe(404);
    expect(missing.json.error.status).toBe('NOT_FOUND');
  });
});

describe('generateContent', () => {
  it('edits an image: text + a real PNG sized by aspectRatio, tagged with prompt and input hash', async () => {
    const res = await generate(emu, 'Put a hat on it', FLASH, [INPUT], { imageConfig: { aspectRatio: '16:9' } });
    expect(res.status).toBe(200);
    const candidate = res.json.candidates[0];
    expect(candidate).toMatchObject({ finishReason: 'STOP', index: 0, content: { role: 'model' } });
    expect(candidate.content.parts[0]).toEqual({ text: 'Here is your edited image.' });
    const [image] = finalImages(res.json);
    expect(image.mimeType).toBe('image/png');
    const png = decodePng(image.bytes);
    expect([png.width, png.height]).toEqual([1024, 576]);
    const info = readPngInfo(image.bytes);
    expect(info.meta).toMatchObject({
      prompt: 'Put a hat on it',
      inputs: [sha256hex(INPUT)],
      aspectRatio: '16:9',
      imageSize: null,
      model: FLASH,
      backend: 'gemini',
      n: 0,
    });
    // Pixel (0,0) is the colour derived from sha256(prompt): the answer depends on the prompt.
    const promptHash = createHash('sha256').update('Put a hat on it').digest();
    expect(png.pixel(0, 0)).toEqual([promptHash[0], promptHash[1], promptHash[2]]);
    expect(image.bytes.equals(INPUT)).toBe(false);
    expect(res.json.modelVersion).toBe(FLASH);
    expect(typeof res.json.responseId).toBe('string');
    const usage = res.json.usageMetadata;
    expect(usage.totalTokenCount).toBe(usage.promptTokenCount + usage.candidatesTokenCount);
    expect(usage.promptTokensDetails).toContainEqual({ modality: 'IMAGE', tokenCount: 1088 });
  });

  it.each([
    ['512', '1:1', 512, 512],
    ['1K', '3:4', 768, 1024],
    ['2K', '16:9', 2048, 1152],
    ['4K', '21:9', 4096, 1755],
    ['1K', '1:8', 128, 1024],
  ])('imageSize %s with aspectRatio %s gives %ix%i', async (imageSize, aspectRatio, width, height) => {
    const res = await generate(emu, 'size test', 'gemini-3.1-flash-image', [], { imageConfig: { imageSize, aspectRatio } });
    expect(res.status).toBe(200);
    const info = readPngInfo(finalImages(res.json)[0].bytes);
    expect([info.width, info.height]).toEqual([width, height]);
    expect(info.meta?.imageSize).toBe(imageSize);
  });

  it('encodes a 4K image quickly and validly', async () => {
    const started = Date.now();
    const res = await generate(emu, 'big', 'gemini-3-pro-image', [INPUT], { imageConfig: { imageSize: '4K' } });
    expect(Date.now() - started).toBeLessThan(3000);
    const png = decodePng(finalImages(res.json)[0].bytes);
    expect(png.width).toBe(4096);
    expect(png.height).toBe(Math.round(4096 / 1.5)); // keeps the 3:2 input shape
  });

  it('keeps the input image shape when no aspectRatio is given (PNG and JPEG inputs)', async () => {
    const fromPng = await generate(emu, 'shape', FLASH, [INPUT]);
    expect(readPngInfo(finalImages(fromPng.json)[0].bytes)).toMatchObject({ width: 1024, height: 683 });
    const jpeg = jpegHeader(100, 200);
    const body = { contents: [{ parts: [{ inlineData: { mimeType: 'image/jpeg', data: jpeg.toString('base64') } }, { text: 'shape' }] }] };
    const fromJpeg = await gemini(emu, `/v1beta/models/${FLASH}:generateContent`, body);
    expect(readPngInfo(finalImages(fromJpeg.json)[0].bytes)).toMatchObject({ width: 512, height: 1024 });
    const square = await generate(emu, 'no input');
    expect(readPngInfo(finalImages(square.json)[0].bytes)).toMatchObject({ width: 1024, height: 1024 });
  });

  it('ignores imageSize on 2.5 Flash Image (single output size)', async () => {
    const res = await generate(emu, 'x', FLASH, [], { imageConfig: { imageSize: '4K', aspectRatio: '1:1' } });
    expect(readPngInfo(finalImages(res.json)[0].bytes)).toMatchObject({ width: 1024, height: 1024 });
  });

  it('is deterministic per request and differs per prompt and input', async () => {
    const a = finalImages((await generate(emu, 'same', FLASH, [INPUT])).json)[0].bytes;
    const b = finalImages((await generate(emu, 'same', FLASH, [INPUT])).json)[0].bytes;
    const c = finalImages((await generate(emu, 'other', FLASH, [INPUT])).json)[0].bytes;
    const other = solidPng(300, 200, [1, 2, 3]);
    const d = finalImages((await generate(emu, 'same', FLASH, [other])).json)[0].bytes;
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
    expect(a.equals(d)).toBe(false);
    expect(readPngInfo(d).meta?.inputs).toEqual([sha256hex(other)]);
  });

  it('accepts snake_case bodies like camelCase ones', async () => {
    const body = {
      contents: [{ role: 'user', parts: [{ inline_data: { mime_type: 'image/png', data: INPUT.toString('base64') } }, { text: 'snake' }] }],
      system_instruction: { parts: [{ text: 'be brief' }] },
      generation_config: { response_modalities: ['TEXT', 'IMAGE'], image_config: { aspect_ratio: '4:3' }, temperature: 0.4, seed: 7 },
    };
    const res = await gemini(emu, `/v1beta/models/${FLASH}:generateContent`, body);
    expect(res.status).toBe(200);
    const info = readPngInfo(finalImages(res.json)[0].bytes);
    expect([info.width, info.height]).toEqual([1024, 768]);
    expect(info.meta).toMatchObject({ prompt: 'snake', inputs: [sha256hex(INPUT)], aspectRatio: '4:3', systemInstruction: 'be brief', temperature: 0.4, seed: 7 });
  });

  it('answers Gemini 3 models with thought parts first, a thought image, and signatures', async () => {
    const res = await generate(emu, 'pro edit', 'gemini-3-pro-image', [INPUT]);
    const parts = res.json.candidates[0].content.parts;
    expect(parts[0]).toMatchObject({ thought: true });
    expect(typeof parts[0].text).toBe('string');
    const thoughtImage = parts.find((p: any) => p.thought && p.inlineData);
    expect(readPngInfo(Buffer.from(thoughtImage.inlineData.data, 'base64')).meta?.thought).toBe(true);
    const finals = finalImages(res.json);
    expect(finals).toHaveLength(1);
    expect(readPngInfo(finals[0].bytes).meta?.thought).toBeUndefined();
    const finalPart = parts.find((p: any) => p.inlineData && !p.thought);
    expect(typeof finalPart.thoughtSignature).toBe('string');
    expect(res.json.usageMetadata.thoughtsTokenCount).toBeGreaterThan(0);
    emu.configure({ thoughts: false });
    const plain = await generate(emu, 'pro edit', 'gemini-3-pro-image', [INPUT]);
    expect(plain.json.candidates[0].content.parts.some((p: any) => p.thought)).toBe(false);
  });

  it('leaves the text part out when only IMAGE is requested', async () => {
    const res = await generate(emu, 'image only', FLASH, [], { responseModalities: ['IMAGE'] });
    const parts = res.json.candidates[0].content.parts;
    expect(parts).toHaveLength(1);
    expect(parts[0].inlineData).toBeDefined();
  });

  it('rejects IMAGE output on text-only models, answers text without it', async () => {
    const bad = await generate(emu, 'x', 'gemini-2.5-flash');
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/response modalities/);
    const text = await gemini(emu, '/v1beta/models/gemini-2.5-flash:generateContent', { contents: [{ parts: [{ text: 'hi' }] }] });
    expect(text.status).toBe(200);
    expect(finalImages(text.json)).toHaveLength(0);
    expect(text.json.candidates[0].content.parts[0].text).toMatch(/hi/);
  });

  it('supports countTokens and streamGenerateContent (SSE)', async () => {
    const count = await gemini(emu, `/v1beta/models/${FLASH}:countTokens`, editRequest('count me', [INPUT]));
    expect(count.json.totalTokens).toBeGreaterThan(258);
    expect(emu.counters.countTokens).toBe(1);
    const stream = await gemini(emu, `/v1beta/models/${FLASH}:streamGenerateContent?alt=sse`, editRequest('stream'));
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    const event = JSON.parse(stream.text.replace(/^data: /, ''));
    expect(finalImages(event)).toHaveLength(1);
  });

  it('counts calls per model and backend', async () => {
    await generate(emu, 'a');
    await generate(emu, 'b', 'gemini-3.1-flash-image');
    await generate(emu, 'c', 'gemini-3.1-flash-image');
    expect(emu.counters.generateContent).toBe(3);
    expect(emu.counters.byModel).toEqual({ [FLASH]: 1, 'gemini-3.1-flash-image': 2 });
    expect(emu.counters.byBackend).toEqual({ gemini: 3 });
    expect(emu.counters.log.map((e) => e.prompt)).toEqual(['a', 'b', 'c']);
  });
});

describe('generateContent validation (Google error shapes)', () => {
  const post = (body: unknown, model = FLASH, version = 'v1beta') => gemini(emu, `/${version}/models/${model}:generateContent`, body);

  it('404 for an unknown model, with Google\'s wording', async () => {
    const res = await post(editRequest('x'), 'gemini-9-ultra-image');
    expect(res.status).toBe(404);
    expect(res.json).toEqual({
      error: {
        code: 404,
        message: 'models/gemini-9-ultra-image is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.',
        status: 'NOT_FOUND',
      },
    });
  });

  it.each([
    ['invalid JSON', '{"contents": [', /^Invalid JSON payload received/],
    ['empty contents', { contents: [] }, /contents is not specified/],
    ['empty parts', { contents: [{ parts: [] }] }, /parts must not be empty/],
    ['empty text', { contents: [{ parts: [{ text: '' }] }] }, /required oneof field 'data'/],
    ['bad role', { contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] }, /valid role: user, model/],
    ['misplaced aspectRatio', { contents: [{ parts: [{ text: 'x' }] }], generationConfig: { aspectRatio: '1:1' } },
      /Unknown name "aspect_ratio" at 'generation_config': Cannot find field/],
    ['Vertex-only imageConfig field', { contents: [{ parts: [{ text: 'x' }] }], generationConfig: { imageConfig: { personGeneration: 'ALLOW_ALL' } } },
      /Unknown name "person_generation" at 'generation_config.image_config'/],
    ['unsupported aspect ratio', editRequest('x', [], { imageConfig: { aspectRatio: '5:3' } }), /Unsupported aspect ratio/],
    ['several candidates', editRequest('x', [], { candidateCount: 2 }), /Multiple candidates is not enabled/],
    ['bad modality', editRequest('x', [], { responseModalities: ['PICTURE'] }), /response_modalities\[0\]/],
  ])('400 INVALID_ARGUMENT for %s', async (_name, body, message) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(res.json.error.status).toBe('INVALID_ARGUMENT');
    expect(res.json.error.message).toMatch(message);
  });

  it('lists the unknown field in BadRequest details', async () => {
    const res = await post({ contents: [{ parts: [{ text: 'x' }] }], generationConfig: { imageConfg: {} } });
    expect(res.json.error.details[0]['@type']).toBe('type.googleapis.com/google.rpc.BadRequest');
    expect(res.json.error.details[0].fieldViolations[0].field).toBe('generation_config');
  });

  it('rejects lower-case imageSize on models that take it', async () => {
    const res = await post(editRequest('x', [], { imageConfig: { imageSize: '2k' } }), 'gemini-3-pro-image');
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(/Unsupported image size "2k"/);
  });

  it('serves image generation on v1 too (the default of @google/genai 3.x)', async () => {
    const res = await post(editRequest('on v1', [], { imageConfig: { aspectRatio: '3:2' } }), FLASH, 'v1');
    expect(res.status).toBe(200);
    expect(readPngInfo(finalImages(res.json)[0].bytes)).toMatchObject({ width: 1024, height: 683 });
    const missing = await post(editRequest('x'), 'gemini-0', 'v1');
    expect(missing.json.error.message).toMatch(/^models\/gemini-0 is not found for API version v1,/);
  });

  it('rejects GIF input: Unsupported MIME type', async () => {
    const gif = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1');
    const res = await post({ contents: [{ parts: [{ inlineData: { mimeType: 'image/gif', data: gif.toString('base64') } }, { text: 'x' }] }] });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ status: 'INVALID_ARGUMENT', message: 'Unsupported MIME type: image/gif' });
  });

  it('rejects bytes that are not an image (e.g. an n8n binary marker sent as data)', async () => {
    const marker = Buffer.from('filesystem-v2:workflows/1/executions/2/binary_data/abc');
    const res = await post({ contents: [{ parts: [{ inlineData: { mimeType: 'image/png', data: marker.toString('base64') } }, { text: 'x' }] }] });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toBe('Provided image is not valid.');
  });

  it('rejects invalid base64', async () => {
    const res = await post({ contents: [{ parts: [{ inlineData: { mimeType: 'image/png', data: 'not base64 at all!' } }] }] });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(/Base64 decoding failed/);
  });

  it('rejects bodies over maxRequestBytes with Google\'s payload-size error', async () => {
    emu.configure({ maxRequestBytes: 10_000 });
    const res = await post(editRequest('big', [Buffer.alloc(20_000, 7)]));
    expect(res.status).toBe(400);
    expect(res.json.error.message).toBe('Request payload size exceeds the limit: 10000 bytes.');
  });

  it('answers unknown URLs with Google\'s HTML 404 page', async () => {
    const res = await http(`${emu.url}/v1beta/nothing-here`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toMatch(/Error 404 \(Not Found\)/);
  });
});

describe('directives', () => {
  const errorOf = async (directive: string, model = FLASH) => {
    const res = await generate(emu, `edit ${directive}`, model, [INPUT]);
    return res;
  };
  const detail = (res: any, type: string) => res.json.error.details?.find((d: any) => d['@type'] === `type.googleapis.com/google.rpc.${type}`);

  it('429: RESOURCE_EXHAUSTED with RetryInfo and a per-minute QuotaFailure', async () => {
    const res = await errorOf('[[emulate:429]]');
    expect(res.status).toBe(429);
    expect(res.json.error.status).toBe('RESOURCE_EXHAUSTED');
    expect(detail(res, 'RetryInfo').retryDelay).toBe('1s');
    expect(detail(res, 'QuotaFailure').violations[0].quotaId).toBe('GenerateRequestsPerMinutePerProjectPerModel-FreeTier');
    expect(res.headers.get('retry-after')).toBeNull();
  });

  it('429:2.5s sets the retryDelay', async () => {
    expect(detail(await errorOf('[[emulate:429:2.5s]]'), 'RetryInfo').retryDelay).toBe('2.5s');
  });

  it('429-daily: per-day quota that will not recover in seconds', async () => {
    const res = await errorOf('[[emulate:429-daily]]');
    expect(res.status).toBe(429);
    const violation = detail(res, 'QuotaFailure').violations[0];
    expect(violation.quotaId).toBe('GenerateRequestsPerDayPerProjectPerModel-FreeTier');
    expect(violation.description).toMatch(/per day/);
    expect(detail(res, 'RetryInfo').retryDelay).toBe('52000s');
  });

  it('retry-after:3: a 429 with a Retry-After header and no RetryInfo', async () => {
    const res = await errorOf('[[emulate:retry-after:3]]');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(res.json.error.details).toBeUndefined();
  });

  it.each([
    ['500', 500, 'INTERNAL', /internal error/i],
    ['502', 502, 'UNAVAILABLE', /Bad Gateway/],
    ['503', 503, 'UNAVAILABLE', /^The model is overloaded. Please try again later.$/],
    ['504', 504, 'DEADLINE_EXCEEDED', /Deadline/],
    ['408', 408, 'DEADLINE_EXCEEDED', /timed out/],
  ])('%s → HTTP %i %s', async (kind, code, status, message) => {
    const res = await errorOf(`[[emulate:${kind}]]`);
    expect(res.status).toBe(code);
    expect(res.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(res.json.error).toMatchObject({ code, status });
    expect(res.json.error.message).toMatch(message);
  });

  it('502-html: the front end\'s HTML error page', async () => {
    const res = await errorOf('[[emulate:502-html]]');
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.json).toBeUndefined();
  });

  it('hang: never answers; the client gives up and the emulator frees the slot', async () => {
    const started = Date.now();
    await expect(
      fetch(`${emu.url}/v1beta/models/${FLASH}:generateContent`, {
        method: 'POST',
        headers: { 'x-goog-api-key': emu.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify(editRequest('[[emulate:hang]]')),
        signal: AbortSignal.timeout(300),
      }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await new Promise((r) => setTimeout(r, 50));
    expect(emu.counters.inFlight).toBe(0);
    expect(last(emu.counters.log)).toMatchObject({ status: 0, aborted: true, directives: ['hang'] });
  });

  it('drop: the connection dies mid-body', async () => {
    const body = fetch(`${emu.url}/v1beta/models/${FLASH}:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': emu.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify(editRequest('[[emulate:drop]]')),
    }).then((r) => r.text());
    await expect(body).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 50));
    expect(last(emu.counters.log)).toMatchObject({ status: 0, aborted: true, directives: ['drop'] });
  });

  it('malformed: 200 with truncated JSON', async () => {
    const res = await errorOf('[[emulate:malformed]]');
    expect(res.status).toBe(200);
    expect(res.text.startsWith('{')).toBe(true);
    expect(() => JSON.parse(res.text)).toThrow();
  });

  it('blocked: no candidates, promptFeedback.blockReason SAFETY with safetyRatings', async () => {
    const res = await errorOf('[[emulate:blocked]]');
    expect(res.status).toBe(200);
    expect(res.json.candidates).toBeUndefined();
    expect(res.json.promptFeedback.blockReason).toBe('SAFETY');
    expect(res.json.promptFeedback.safetyRatings).toContainEqual(expect.objectContaining({ blocked: true }));
    expect(res.json.promptFeedback.blockReasonMessage).toBeUndefined(); // Vertex only
  });

  it('blocked:PROHIBITED_CONTENT', async () => {
    const res = await errorOf('[[emulate:blocked:PROHIBITED_CONTENT]]');
    expect(res.json.promptFeedback).toEqual({ blockReason: 'PROHIBITED_CONTENT' });
  });

  it.each(['IMAGE_SAFETY', 'RECITATION', 'NO_IMAGE', 'MAX_TOKENS'])('finish:%s → candidate without content', async (reason) => {
    const res = await errorOf(`[[emulate:finish:${reason}]]`);
    expect(res.json.candidates).toEqual([{ finishReason: reason, index: 0 }]);
  });

  it('refusal: STOP with only a text part', async () => {
    const res = await errorOf('[[emulate:refusal]]');
    const cand = res.json.candidates[0];
    expect(cand.finishReason).toBe('STOP');
    expect(cand.content.parts).toHaveLength(1);
    expect(cand.content.parts[0].text).toMatch(/^I can't help with editing this image because/);
  });

  it('no-image: STOP with empty parts', async () => {
    const res = await errorOf('[[emulate:no-image]]');
    expect(res.json.candidates[0]).toMatchObject({ finishReason: 'STOP', content: { role: 'model', parts: [] } });
  });

  it('multi:3: three different images in one candidate', async () => {
    const images = finalImages((await errorOf('[[emulate:multi:3]]')).json);
    expect(images).toHaveLength(3);
    expect(images.map((i) => readPngInfo(i.bytes).meta?.n)).toEqual([0, 1, 2]);
    expect(new Set(images.map((i) => sha256hex(i.bytes))).size).toBe(3);
  });

  it('mime:image/jpeg declares that type (the bytes stay PNG)', async () => {
    const [image] = finalImages((await errorOf('[[emulate:mime:image/jpeg]]')).json);
    expect(image.mimeType).toBe('image/jpeg');
    expect(readPngInfo(image.bytes).width).toBe(1024);
  });

  it('slow:300 delays this request only', async () => {
    const started = Date.now();
    await errorOf('[[emulate:slow:300]]');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const quick = Date.now();
    await errorOf('');
    expect(Date.now() - quick).toBeLessThan(250);
  });

  it('strips directives from the prompt used for the image', async () => {
    const res = await generate(emu, 'Make it blue [[emulate:slow:1]] please [[emulate:multi:2]]');
    const images = finalImages(res.json);
    expect(images).toHaveLength(2);
    expect(readPngInfo(images[0].bytes).meta?.prompt).toBe('Make it blue please');
    expect(last(emu.counters.log)?.prompt).toBe('Make it blue please');
  });

  it('503x2 fails the first two attempts of the same request, then succeeds', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await errorOf('[[emulate:503x2]]')).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(emu.counters.log.map((e) => e.attempt)).toEqual([1, 2, 3]);
    // A different request has its own count; reset() forgets all counts.
    expect((await generate(emu, 'other [[emulate:503x2]]')).status).toBe(503);
    emu.reset();
    expect((await errorOf('[[emulate:503x2]]')).status).toBe(503);
  });

  it('without xN the failure is permanent', async () => {
    for (let i = 0; i < 4; i++) expect((await errorOf('[[emulate:500]]')).status).toBe(500);
  });

  it('rejects unknown directives loudly', async () => {
    const res = await errorOf('[[emulate:5033]]');
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(/Unknown directive/);
  });
});

describe('latency, maxInFlight and rpm', () => {
  it('latencyMs applies to every generateContent', async () => {
    emu.configure({ latencyMs: 200 });
    const started = Date.now();
    await Promise.all([generate(emu, 'a'), generate(emu, 'b')]);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(195);
    expect(elapsed).toBeLessThan(380); // concurrent, not serial
  });

  it('maxInFlight: extra concurrent calls get 429 and do not count as in flight', async () => {
    emu.configure({ maxInFlight: 2, latencyMs: 300 });
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => generate(emu, `p${i}`)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 429, 429, 429]);
    const rejected = results.find((r) => r.status === 429);
    expect(rejected?.json.error.status).toBe('RESOURCE_EXHAUSTED');
    expect(rejected?.json.error.details).toContainEqual({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1s' });
    expect(emu.counters.maxInFlight).toBe(2);
    expect(emu.counters.rejectedInFlight).toBe(3);
    expect(emu.counters.maxConcurrentAttempts).toBeGreaterThanOrEqual(3);
    expect(emu.counters.inFlight).toBe(0);
    // A later accepted call must not inherit the rejected attempts' concurrency.
    expect((await generate(emu, 'after')).status).toBe(200);
    expect(emu.counters.maxInFlight).toBe(2);
  });

  it('tracks the in-flight maximum of accepted calls', async () => {
    emu.configure({ latencyMs: 150 });
    await Promise.all([1, 2, 3, 4].map((i) => generate(emu, `c${i}`)));
    expect(emu.counters.maxInFlight).toBe(4);
    expect(emu.counters.rejectedInFlight).toBe(0);
  });

  it('rpm: beyond the per-minute budget → 429 whose RetryInfo says when a slot frees', async () => {
    emu.configure({ rpm: 3 });
    for (let i = 0; i < 3; i++) expect((await generate(emu, `r${i}`)).status).toBe(200);
    const limited = await generate(emu, 'r3');
    expect(limited.status).toBe(429);
    const retry = limited.json.error.details.find((d: any) => d['@type'].endsWith('RetryInfo'));
    const seconds = Number(retry.retryDelay.replace('s', ''));
    expect(seconds).toBeGreaterThan(50);
    expect(seconds).toBeLessThanOrEqual(60);
    expect(emu.counters.rateLimited).toBe(1);
    emu.reset(); // forgets the window
    expect((await generate(emu, 'r4')).status).toBe(200);
  });
});

describe('Files API', () => {
  const key = () => ({ 'x-goog-api-key': emu.apiKey });

  async function startUpload(bytes: Buffer, mimeType: string, displayName?: string) {
    const res = await http(`${emu.url}/upload/v1beta/files`, {
      method: 'POST',
      headers: {
        ...key(),
        'content-type': 'application/json',
        'x-goog-upload-protocol': 'resumable',
        'x-goog-upload-command': 'start',
        'x-goog-upload-header-content-length': String(bytes.length),
        'x-goog-upload-header-content-type': mimeType,
      },
      body: displayName ? JSON.stringify({ file: { display_name: displayName } }) : '',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-goog-upload-status')).toBe('active');
    return res.headers.get('x-goog-upload-url') as string;
  }

  it('resumable upload (as n8n does it), get, use in generateContent, delete', async () => {
    const bytes = solidPng(64, 32);
    const uploadUrl = await startUpload(bytes, 'image/png', 'cat.png');
    expect(uploadUrl).toMatch(new RegExp(`^${emu.url}/upload/v1beta/files\\?upload_id=`));
    const done = await http(uploadUrl, {
      method: 'POST',
      headers: { 'x-goog-upload-command': 'upload, finalize', 'x-goog-upload-offset': '0', 'content-type': 'image/png' },
      body: bytes,
    });
    expect(done.headers.get('x-goog-upload-status')).toBe('final');
    const file = done.json.file;
    expect(file).toMatchObject({ displayName: 'cat.png', mimeType: 'image/png', sizeBytes: String(bytes.length), state: 'ACTIVE', source: 'UPLOADED' });
    expect(file.name).toMatch(/^files\/[a-z0-9]+$/);
    expect(file.uri).toBe(`${emu.url}/v1beta/${file.name}`);
    for (const field of ['createTime', 'updateTime', 'expirationTime', 'sha256Hash']) expect(typeof file[field]).toBe('string');
    expect(emu.counters.uploads).toBe(1);

    const got = await http(`${emu.url}/v1beta/${file.name}`, { headers: key() });
    expect(got.json).toEqual(file);

    const res = await gemini(emu, `/v1beta/models/${FLASH}:generateContent`, {
      contents: [{ parts: [{ fileData: { fileUri: file.uri, mimeType: 'image/png' } }, { text: 'from file' }] }],
    });
    expect(res.status).toBe(200);
    expect(readPngInfo(finalImages(res.json)[0].bytes).meta).toMatchObject({ inputs: [sha256hex(bytes)], prompt: 'from file' });

    expect((await http(`${emu.url}/v1beta/${file.name}`, { method: 'DELETE', headers: key() })).json).toEqual({});
    const gone = await http(`${emu.url}/v1beta/${file.name}`, { headers: key() });
    expect(gone.status).toBe(403);
    expect(gone.json.error.message).toMatch(/do not have permission to access the File .* or it may not exist/);
  });

  it('chunked upload with offsets; a wrong offset is rejected', async () => {
    const bytes = solidPng(50, 50);
    const uploadUrl = await startUpload(bytes, 'image/png');
    const half = Math.floor(bytes.length / 2);
    const first = await http(uploadUrl, { method: 'PUT', headers: { 'x-goog-upload-command': 'upload', 'x-goog-upload-offset': '0' }, body: bytes.subarray(0, half) });
    expect(first.headers.get('x-goog-upload-status')).toBe('active');
    const wrong = await http(uploadUrl, { method: 'POST', headers: { 'x-goog-upload-command': 'upload', 'x-goog-upload-offset': '1' }, body: bytes.subarray(half) });
    expect(wrong.status).toBe(400);
    const query = await http(uploadUrl, { method: 'POST', headers: { 'x-goog-upload-command': 'query' } });
    expect(query.headers.get('x-goog-upload-size-received')).toBe(String(half));
    const last = await http(uploadUrl, { method: 'POST', headers: { 'x-goog-upload-command': 'upload, finalize', 'x-goog-upload-offset': String(half) }, body: bytes.subarray(half) });
    expect(last.json.file.sizeBytes).toBe(String(bytes.length));
  });

  it('needs the API key to start an upload', async () => {
    const res = await http(`${emu.url}/upload/v1beta/files`, { method: 'POST', headers: { 'x-goog-upload-protocol': 'resumable', 'x-goog-upload-command': 'start' }, body: '' });
    expect(res.status).toBe(403);
  });

  it('single-request multipart upload and list', async () => {
    const bytes = solidPng(8, 8);
    const boundary = 'emu-boundary';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n${JSON.stringify({ file: { displayName: 'm.png', mimeType: 'image/png' } })}\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Type: image/png\r\n\r\n`),
      bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await http(`${emu.url}/upload/v1beta/files?uploadType=multipart`, {
      method: 'POST',
      headers: { ...key(), 'content-type': `multipart/related; boundary=${boundary}` },
      body,
    });
    expect(res.json.file).toMatchObject({ displayName: 'm.png', mimeType: 'image/png', sizeBytes: String(bytes.length) });
    const listed = await http(`${emu.url}/v1beta/files?pageSize=100`, { headers: key() });
    expect(listed.json.files.map((f: any) => f.name)).toContain(res.json.file.name);
  });

  it('an unknown fileUri is a 403, a PROCESSING file a 400 FAILED_PRECONDITION', async () => {
    const unknown = await gemini(emu, `/v1beta/models/${FLASH}:generateContent`, {
      contents: [{ parts: [{ fileData: { fileUri: `${emu.url}/v1beta/files/doesnotexist`, mimeType: 'image/png' } }, { text: 'x' }] }],
    });
    expect(unknown.status).toBe(403);
    expect(unknown.json.error.status).toBe('PERMISSION_DENIED');

    emu.configure({ fileProcessingMs: 300 });
    const bytes = solidPng(10, 10);
    const uploadUrl = await startUpload(bytes, 'image/png');
    const { json } = await http(uploadUrl, { method: 'POST', headers: { 'x-goog-upload-command': 'upload, finalize', 'x-goog-upload-offset': '0' }, body: bytes });
    expect(json.file.state).toBe('PROCESSING');
    const early = await gemini(emu, `/v1beta/models/${FLASH}:generateContent`, {
      contents: [{ parts: [{ fileData: { fileUri: json.file.uri } }, { text: 'x' }] }],
    });
    expect(early.status).toBe(400);
    expect(early.json.error.status).toBe('FAILED_PRECONDITION');
    await new Promise((r) => setTimeout(r, 320));
    expect((await http(`${emu.url}/v1beta/${json.file.name}`, { headers: key() })).json.state).toBe('ACTIVE');
  });
});

describe('control endpoints', () => {
  it('GET /__emulator/state returns the counters (not counting itself) and the options', async () => {
    await generate(emu, 'x');
    const state = await http(`${emu.url}/__emulator/state`);
    expect(state.json).toMatchObject({ requests: 1, generateContent: 1, byStatus: { 200: 1 } });
    expect(state.json.options).toMatchObject({ maxInFlight: null, rpm: null, latencyMs: 0, apiKey: emu.apiKey });
    expect(emu.counters.requests).toBe(1);
  });

  it('POST /__emulator/configure changes options; bad ones are a 400', async () => {
    const res = await http(`${emu.url}/__emulator/configure`, { method: 'POST', body: JSON.stringify({ rpm: 5, maxInFlight: 3, latencyMs: 10 }) });
    expect(res.status).toBe(200);
    expect(emu.options).toMatchObject({ rpm: 5, maxInFlight: 3, latencyMs: 10 });
    await http(`${emu.url}/__emulator/configure`, { method: 'POST', body: JSON.stringify({ rpm: null }) });
    expect(emu.options.rpm).toBe(Infinity);
    const bad = await http(`${emu.url}/__emulator/configure`, { method: 'POST', body: JSON.stringify({ nope: 1 }) });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/Unknown emulator option "nope"/);
    expect(() => emu.configure({ port: 1 } as any)).toThrow(/only be set at start/);
  });

  it('POST /__emulator/reset zeroes the live counters object in place', async () => {
    const counters = emu.counters;
    await generate(emu, 'x');
    expect(counters.generateContent).toBe(1);
    await http(`${emu.url}/__emulator/reset`, { method: 'POST', body: '' });
    expect(emu.counters).toBe(counters);
    expect(counters).toMatchObject({ requests: 0, generateContent: 0, log: [] });
  });

  it('GET /__emulator/service-account.json returns the key file', async () => {
    const res = await http(`${emu.url}/__emulator/service-account.json`);
    expect(res.json).toEqual(emu.serviceAccountKey);
  });

  it('keeps the last 1000 log entries', async () => {
    for (let batch = 0; batch < 21; batch++) {
      await Promise.all(Array.from({ length: 50 }, () => http(`${emu.url}/v1beta/models?key=${emu.apiKey}`)));
    }
    expect(emu.counters.requests).toBe(1050);
    expect(emu.counters.log).toHaveLength(1000);
  });

  it('close() ends hung requests and stops listening', async () => {
    const other = await startEmulator();
    const pending = fetch(`${other.url}/v1beta/models/${FLASH}:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': other.apiKey },
      body: JSON.stringify(editRequest('[[emulate:hang]]')),
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(other.counters.inFlight).toBe(1);
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(pending).rejects.toThrow();
    await expect(fetch(`${other.url}/v1beta/models`)).rejects.toThrow();
  });
});
