/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code, run by Node, not n8n (README: Lint) */
// Contract test: Google's own SDK (@google/genai) and google-auth-library talk to the emulator.
// If the SDK builds the request and parses the answer, the emulator speaks Google's wire format
// for both backends — it is not a mock shaped after our own code.
import { GoogleGenAI, ApiError, ThinkingLevel, createPartFromUri } from '@google/genai';
import { JWT } from 'google-auth-library';
import { startEmulator, readPngInfo } from './server';
import type { Emulator } from './server';
import { sha256hex, solidPng } from './test-helpers';

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => emu.reset());

const INPUT = solidPng(160, 90, [250, 200, 0]);

/**
 * Inside jest's vm sandbox the SDK's default transport (an undici dispatcher looked up on the
 * main realm's globalThis) is unreachable, so hand it the global fetch: request building,
 * auth headers and response parsing stay the SDK's own. Same for gaxios (google-auth-library),
 * whose default is a dynamic import() of node-fetch that jest's CommonJS runtime refuses.
 */
const sdkFetch: typeof fetch = (input, init) => fetch(input, init);
const last = <T>(items: T[]): T | undefined => items[items.length - 1];

function imageContents(prompt: string) {
  return [{ role: 'user', parts: [{ inlineData: { mimeType: 'image/png', data: INPUT.toString('base64') } }, { text: prompt }] }];
}

/** The final (non-thought) image the SDK parsed out of the answer. */
function sdkImage(response: { candidates?: Array<{ content?: { parts?: Array<{ inlineData?: { data?: string; mimeType?: string }; thought?: boolean }> } }> }) {
  const part = response.candidates?.[0]?.content?.parts?.find((p) => p.inlineData && !p.thought);
  if (!part?.inlineData?.data) throw new Error('no image part');
  return { mimeType: part.inlineData.mimeType, bytes: Buffer.from(part.inlineData.data, 'base64') };
}

describe('@google/genai with an AI Studio key (Gemini API backend)', () => {
  const client = (extra: Record<string, unknown> = {}) =>
    new GoogleGenAI({ apiKey: emu.apiKey, httpOptions: { baseUrl: emu.url, fetch: sdkFetch, ...extra } });

  it('generateContent: the SDK sends the image request and parses the image part', async () => {
    const response = await client().models.generateContent({
      model: 'gemini-2.5-flash-image',
      contents: imageContents('Turn the banana blue'),
      config: { responseModalities: ['TEXT', 'IMAGE'], imageConfig: { aspectRatio: '16:9' } },
    });
    expect(response.candidates?.[0]?.content?.parts?.[0]?.text).toBe('Here is your edited image.');
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');
    expect(response.modelVersion).toBe('gemini-2.5-flash-image');
    expect(response.usageMetadata?.totalTokenCount).toBeGreaterThan(0);
    const image = sdkImage(response);
    expect(image.mimeType).toBe('image/png');
    const info = readPngInfo(image.bytes);
    expect([info.width, info.height]).toEqual([1024, 576]);
    expect(info.meta).toMatchObject({ prompt: 'Turn the banana blue', inputs: [sha256hex(INPUT)], aspectRatio: '16:9', backend: 'gemini' });
    // Where the SDK went and how it authenticated.
    // @google/genai 2.x calls v1beta, 3.x calls v1.
    expect(last(emu.counters.log)).toMatchObject({ method: 'POST', path: expect.stringMatching(/^\/v1(beta)?\/models\/gemini-2\.5-flash-image:generateContent$/), status: 200 });
    expect(emu.counters.keyInHeader).toBe(1);
    expect(emu.counters.keyInQuery).toBe(0);
  });

  it('Gemini 3: the SDK exposes thought parts that clients must skip', async () => {
    const response = await client().models.generateContent({
      model: 'gemini-3-pro-image',
      contents: imageContents('Pro edit'),
      config: { responseModalities: ['TEXT', 'IMAGE'], imageConfig: { imageSize: '2K', aspectRatio: '1:1' } },
    });
    const parts = response.candidates?.[0]?.content?.parts ?? [];
    expect(parts[0]?.thought).toBe(true);
    expect(parts.some((p) => p.thoughtSignature)).toBe(true);
    expect(readPngInfo(sdkImage(response).bytes)).toMatchObject({ width: 2048, height: 2048 });
  });

  it('Nano Banana 2.1: the SDK sends thinkingConfig (ThinkingLevel.HIGH, includeThoughts) and reads the thought summaries', async () => {
    const response = await client().models.generateContent({
      model: 'gemini-nano-banana-2.1',
      contents: imageContents('Think about bananas'),
      config: {
        responseModalities: ['TEXT', 'IMAGE'],
        imageConfig: { aspectRatio: '8:1', imageSize: '4K' },
        thinkingConfig: { thinkingLevel: ThinkingLevel.HIGH, includeThoughts: true },
      },
    });
    expect(last(emu.counters.log)).toMatchObject({ model: 'gemini-nano-banana-2.1', status: 200, thinkingConfig: { thinkingLevel: 'HIGH', includeThoughts: true } });
    const parts = response.candidates?.[0]?.content?.parts ?? [];
    const thoughts = parts.filter((p) => p.thought && p.text).map((p) => p.text);
    expect(thoughts.length).toBeGreaterThanOrEqual(2);
    expect(thoughts.join('\n')).toMatch(/Thinking level high/);
    expect(readPngInfo(sdkImage(response).bytes)).toMatchObject({ width: 4096, height: 512 });
    // A level 2.1 does not take comes back as the SDK's ApiError 400.
    const refused = await client().models.generateContent({
      model: 'gemini-nano-banana-2.1', contents: 'x', config: { thinkingConfig: { thinkingLevel: ThinkingLevel.LOW } },
    }).catch((e: unknown) => e);
    expect((refused as ApiError).status).toBe(400);
  });

  it('image search grounding: the SDK sends searchTypes and types imageSearchQueries and image chunks', async () => {
    const response = await client().models.generateContent({
      model: 'gemini-nano-banana-2.1',
      contents: imageContents('Poster of this year\'s comet'),
      config: { responseModalities: ['TEXT', 'IMAGE'], tools: [{ googleSearch: { searchTypes: { webSearch: {}, imageSearch: {} } } }] },
    });
    const grounding = response.candidates?.[0]?.groundingMetadata;
    expect(grounding?.imageSearchQueries).toEqual(["Poster of this year's comet"]);
    expect(grounding?.groundingChunks?.find((c) => c.image)?.image).toMatchObject({ imageUri: expect.stringMatching(/^https:/), sourceUri: expect.stringMatching(/^https:/) });
    expect(last(emu.counters.log)?.googleSearch).toEqual({ webSearch: true, imageSearch: true });
  });

  it('maps emulator errors onto the SDK\'s ApiError with the HTTP status', async () => {
    const failure = await client()
      .models.generateContent({ model: 'gemini-2.5-flash-image', contents: imageContents('x [[emulate:503]]') })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).status).toBe(503);
    expect((failure as ApiError).message).toMatch(/overloaded/);
    const notFound = await client().models.generateContent({ model: 'gemini-0-image', contents: 'x' }).catch((e: unknown) => e);
    expect((notFound as ApiError).status).toBe(404);
  });

  it('the SDK\'s own retries recover from [[emulate:503x2]]', async () => {
    const response = await client({ retryOptions: { attempts: 4, initialDelay: 0.05, maxDelay: 0.2 } }).models.generateContent({
      model: 'gemini-2.5-flash-image',
      contents: imageContents('flaky [[emulate:503x2]]'),
    });
    expect(readPngInfo(sdkImage(response).bytes).meta?.prompt).toBe('flaky');
    expect(emu.counters.log.map((e) => e.status)).toEqual([503, 503, 200]);
  });

  it('models.list pages through every model', async () => {
    const pager = await client().models.list({ config: { pageSize: 3 } });
    const names: string[] = [];
    for await (const model of pager) names.push(model.name ?? '');
    expect(names).toEqual(expect.arrayContaining(['models/gemini-2.5-flash-image', 'models/gemini-3-pro-image', 'models/gemini-3.1-flash-image', 'models/gemini-3.1-flash-lite-image']));
    expect(emu.counters.log.filter((e) => /^\/v1(beta)?\/models\?/.test(e.path)).length).toBeGreaterThan(1);
    expect(emu.counters.log.some((e) => /pageToken=/.test(e.path))).toBe(true);
  });

  it('files.upload (resumable protocol), then generateContent with the file URI', async () => {
    const ai = client();
    const file = await ai.files.upload({ file: new Blob([INPUT], { type: 'image/png' }), config: { mimeType: 'image/png', displayName: 'banana.png' } });
    expect(file).toMatchObject({ mimeType: 'image/png', displayName: 'banana.png', sizeBytes: String(INPUT.length), state: 'ACTIVE' });
    expect([`${emu.url}/v1beta/${file.name}`, `${emu.url}/v1/${file.name}`]).toContain(file.uri);
    expect(emu.counters.uploads).toBe(1);
    const fetched = await ai.files.get({ name: file.name ?? '' });
    expect(fetched.sha256Hash).toBe(file.sha256Hash);

    const response = await ai.models.generateContent({
      model: 'gemini-2.5-flash-image',
      contents: [{ role: 'user', parts: [createPartFromUri(file.uri ?? '', 'image/png'), { text: 'From the Files API' }] }],
    });
    expect(readPngInfo(sdkImage(response).bytes).meta).toMatchObject({ inputs: [sha256hex(INPUT)], prompt: 'From the Files API' });
    await ai.files.delete({ name: file.name ?? '' });
    await expect(ai.files.get({ name: file.name ?? '' })).rejects.toMatchObject({ status: 403 });
  });
});

describe('@google/genai batches (Gemini API Batch Mode)', () => {
  const client = () => new GoogleGenAI({ apiKey: emu.apiKey, httpOptions: { baseUrl: emu.url, fetch: sdkFetch } });
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  beforeEach(() => emu.configure({ batchPendingMs: 50, batchRunMs: 150, batchOutcome: 'SUCCEEDED' }));

  it('create (inline) → get until done → results by key; list finds the job; cancel ends another', async () => {
    const ai = client();
    const job = await ai.batches.create({
      model: 'gemini-2.5-flash-image',
      src: [
        { contents: imageContents('Batch one'), metadata: { key: 'first' } },
        { contents: imageContents('Batch two [[emulate:finish:IMAGE_SAFETY]]'), metadata: { key: 'second' } },
      ],
      config: { displayName: 'contract-inline' },
    });
    expect(job).toMatchObject({ displayName: 'contract-inline', state: 'JOB_STATE_PENDING', model: 'models/gemini-2.5-flash-image' });
    expect(job.name).toMatch(/^batches\/[a-z0-9]+$/);

    await wait(250);
    const done = await ai.batches.get({ name: job.name ?? '' });
    expect(done.state).toBe('JOB_STATE_SUCCEEDED');
    const responses = done.dest?.inlinedResponses ?? [];
    expect(responses.map((r) => r.metadata?.key)).toEqual(['first', 'second']);
    expect(readPngInfo(sdkImage(responses[0].response ?? {}).bytes).meta).toMatchObject({ prompt: 'Batch one', inputs: [sha256hex(INPUT)] });
    expect(responses[1].response?.candidates?.[0]?.finishReason).toBe('IMAGE_SAFETY');

    const other = await ai.batches.create({ model: 'gemini-2.5-flash-image', src: [{ contents: imageContents('Never run') }], config: { displayName: 'contract-cancel' } });
    await ai.batches.cancel({ name: other.name ?? '' });
    expect((await ai.batches.get({ name: other.name ?? '' })).state).toBe('JOB_STATE_CANCELLED');

    const listed: string[] = [];
    const pager = await ai.batches.list({ config: { pageSize: 1 } });
    for await (const item of pager) listed.push(item.displayName ?? '');
    expect(listed).toEqual(['contract-cancel', 'contract-inline']);
    expect(emu.counters).toMatchObject({ batchCreates: 2, batchCancels: 1, generateContent: 0 });
  });

  it('create from an uploaded JSONL file; the results file downloads as JSONL matched by key', async () => {
    const ai = client();
    const lines = ['k-a', 'k-b'].map((key) => JSON.stringify({ key, request: { contents: imageContents(`File ${key}`) } })).join('\n');
    const file = await ai.files.upload({ file: new Blob([lines], { type: 'application/jsonl' }), config: { mimeType: 'application/jsonl', displayName: 'requests.jsonl' } });
    const job = await ai.batches.create({ model: 'gemini-2.5-flash-image', src: file.name ?? '', config: { displayName: 'contract-file' } });
    await wait(250);
    const done = await ai.batches.get({ name: job.name ?? '' });
    expect(done.state).toBe('JOB_STATE_SUCCEEDED');
    const resultsFile = done.dest?.fileName ?? '';
    expect(resultsFile).toMatch(/^files\/[a-z0-9]+$/);

    // What the SDK's files.download requests, read here without a temp file.
    const response = await fetch(`${emu.url}/download/v1beta/${resultsFile}:download?alt=media`, { headers: { 'x-goog-api-key': emu.apiKey } });
    const results = (await response.text()).trim().split('\n').map((line) => JSON.parse(line));
    expect(results.map((r: { key: string }) => r.key)).toEqual(['k-a', 'k-b']);
    expect(readPngInfo(sdkImage(results[1].response).bytes).meta).toMatchObject({ prompt: 'File k-b' });
    expect(emu.counters.downloads).toBe(1);
  });

  it('a job that fails or expires reaches the SDK with its state', async () => {
    const ai = client();
    emu.configure({ batchOutcome: 'EXPIRED' });
    const job = await ai.batches.create({ model: 'gemini-2.5-flash-image', src: [{ contents: imageContents('Late') }], config: { displayName: 'contract-expired' } });
    await wait(250);
    expect((await ai.batches.get({ name: job.name ?? '' })).state).toBe('JOB_STATE_EXPIRED');
    await expect(ai.batches.get({ name: 'batches/doesnotexist' })).rejects.toMatchObject({ status: 404 });
  });
});

describe('@google/genai with a service account (Vertex AI backend)', () => {
  /**
   * google-auth-library signs the JWT itself but always posts it to oauth2.googleapis.com
   * (token_uri is ignored). The JWT client's own HTTP transport (gaxios) is redirected to the
   * key file's token_uri, so the library's real signing and token handling run against us.
   */
  function serviceAccountClient(): JWT {
    const key = emu.serviceAccountKey;
    const jwt = new JWT({ email: key.client_email, key: key.private_key, keyId: key.private_key_id, scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
    jwt.transporter.interceptors.request.add({
      resolved: async (config) => {
        if (String(config.url) === 'https://oauth2.googleapis.com/token') config.url = new URL(key.token_uri);
        config.fetchImplementation = sdkFetch;
        return config;
      },
    });
    return jwt;
  }

  function vertexClient(location = 'global', apiVersion?: string) {
    return new GoogleGenAI({
      vertexai: true,
      project: emu.serviceAccountKey.project_id,
      location,
      googleAuthOptions: { authClient: serviceAccountClient() },
      httpOptions: { baseUrl: emu.url, fetch: sdkFetch, ...(apiVersion ? { apiVersion } : {}) },
    });
  }

  it('generateContent: token exchange, bearer call on the Vertex path, image parsed', async () => {
    const response = await vertexClient('us-central1').models.generateContent({
      model: 'gemini-2.5-flash-image',
      contents: imageContents('Vertex edit'),
      config: { responseModalities: ['TEXT', 'IMAGE'], imageConfig: { aspectRatio: '16:9' }, candidateCount: 2 },
    });
    expect(response.candidates).toHaveLength(2);
    const info = readPngInfo(sdkImage(response).bytes);
    expect([info.width, info.height]).toEqual([1024, 576]);
    expect(info.meta).toMatchObject({ backend: 'vertex', prompt: 'Vertex edit', inputs: [sha256hex(INPUT)] });
    expect(response.createTime).toBeDefined();
    expect(emu.counters.tokenExchanges).toBe(1);
    expect(emu.counters.bearerRequests).toBe(1);
    expect(emu.counters.byBackend).toEqual({ vertex: 1 });
    expect(last(emu.counters.log)?.path).toMatch(
      /^\/v1(beta1)?\/projects\/emulator-project\/locations\/us-central1\/publishers\/google\/models\/gemini-2\.5-flash-image:generateContent$/,
    );
  });

  it('reuses one token across calls; a token revoked server-side surfaces as ApiError 401', async () => {
    const ai = vertexClient('global', 'v1');
    await ai.models.generateContent({ model: 'gemini-3-pro-image', contents: imageContents('one') });
    await ai.models.generateContent({ model: 'gemini-3-pro-image', contents: imageContents('two') });
    expect(emu.counters.tokenExchanges).toBe(1);
    expect(last(emu.counters.log)?.path).toBe('/v1/projects/emulator-project/locations/global/publishers/google/models/gemini-3-pro-image:generateContent');
    // The client still believes its token is valid; the SDK does not retry a 401 by itself.
    emu.expireTokens();
    const failure = await ai.models.generateContent({ model: 'gemini-3-pro-image', contents: imageContents('three') }).catch((e: unknown) => e);
    expect((failure as ApiError).status).toBe(401);
  });

  it('google-auth-library refreshes a token that expires_in says is (nearly) expired', async () => {
    emu.configure({ tokenTtlSeconds: 1 });
    try {
      const ai = vertexClient();
      await ai.models.generateContent({ model: 'gemini-2.5-flash-image', contents: imageContents('one') });
      await ai.models.generateContent({ model: 'gemini-2.5-flash-image', contents: imageContents('two') });
      expect(emu.counters.tokenExchanges).toBe(2);
    } finally {
      emu.configure({ tokenTtlSeconds: 3600 });
    }
  });

  it('finish reasons and finishMessage reach the SDK', async () => {
    const response = await vertexClient().models.generateContent({
      model: 'gemini-2.5-flash-image',
      contents: imageContents('x [[emulate:finish:IMAGE_SAFETY]]'),
    });
    expect(response.candidates?.[0]?.finishReason).toBe('IMAGE_SAFETY');
    expect(response.candidates?.[0]?.finishMessage).toMatch(/Unable to show the generated image/);
  });

  it('models.list and models.get hit the Model Garden publisher model endpoints', async () => {
    const ai = vertexClient();
    const pager = await ai.models.list({ config: { pageSize: 3, queryBase: true } });
    const names: string[] = [];
    for await (const model of pager) names.push(model.name ?? '');
    expect(names).toContain('publishers/google/models/gemini-2.5-flash-image');
    const model = await ai.models.get({ model: 'gemini-3.1-flash-image' });
    expect(model.name).toBe('publishers/google/models/gemini-3.1-flash-image');
    expect(emu.counters.log.some((e) => e.path.startsWith('/v1beta1/publishers/google/models?'))).toBe(true);
  });
});
