/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code, run by Node, not n8n (README: Lint) */
// Contract test for issue 10's additions: Google's own libraries talk to the emulator's metadata
// server (google-auth-library's Compute client) and to its express-mode endpoint with a Vertex API
// key, ask for grounding and for JPEG output (@google/genai), so the emulator speaks Google's wire
// format for them, not one shaped after our code.
import { GoogleGenAI } from '@google/genai';
import { execFile } from 'child_process';
import { promisify } from 'util';
import { startEmulator, readJpegInfo, readPngInfo } from './server';
import type { Emulator } from './server';
import { http, solidPng } from './test-helpers';

const execFileAsync = promisify(execFile);
let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => emu.reset());

/** See contract.test.ts: jest's sandbox hides the SDK's default transport; hand it the global fetch. */
const sdkFetch: typeof fetch = (input, init) => fetch(input, init);
const INPUT = solidPng(64, 64, [10, 200, 30]);
const contents = (prompt: string) => [
  { role: 'user', parts: [{ inlineData: { mimeType: 'image/png', data: INPUT.toString('base64') } }, { text: prompt }] },
];

describe('@google/genai with a Vertex AI API key', () => {
  it('express mode (no project): the SDK calls the publisher path with the key in x-goog-api-key', async () => {
    const ai = new GoogleGenAI({ vertexai: true, apiKey: emu.options.vertexApiKey, httpOptions: { baseUrl: emu.url, fetch: sdkFetch } });
    const response = await ai.models.generateContent({
      model: 'gemini-2.5-flash-image',
      contents: contents('express edit'),
      config: { responseModalities: ['TEXT', 'IMAGE'] },
    });
    const image = response.candidates?.[0]?.content?.parts?.find((part) => part.inlineData);
    expect(readPngInfo(Buffer.from(image?.inlineData?.data ?? '', 'base64')).meta).toMatchObject({ backend: 'vertex', prompt: 'express edit' });
    const call = emu.counters.log.find((entry) => entry.backend === 'vertex');
    expect(call).toMatchObject({ expressMode: true, status: 200 });
    expect(call?.path).toMatch(/^\/v1(beta1)?\/publishers\/google\/models\/gemini-2\.5-flash-image:generateContent$/);
    expect(emu.counters.vertexKeyInHeader).toBe(1);
    expect(emu.counters.vertexKeyInQuery).toBe(0);
  });

  it('a wrong key is refused', async () => {
    const ai = new GoogleGenAI({ vertexai: true, apiKey: 'AQ.wrong', httpOptions: { baseUrl: emu.url, fetch: sdkFetch } });
    const failure = await ai.models.generateContent({ model: 'gemini-2.5-flash-image', contents: contents('x') }).catch((error: unknown) => error);
    expect((failure as { status?: number }).status).toBe(401);
    expect(emu.counters.generateContent).toBe(0);
  });
});

describe('@google/genai: grounding and Vertex output format', () => {
  const vertex = () => new GoogleGenAI({ vertexai: true, apiKey: emu.options.vertexApiKey, httpOptions: { baseUrl: emu.url, fetch: sdkFetch } });

  it('tools: googleSearch → the SDK parses groundingMetadata (queries, chunks, search entry point)', async () => {
    const response = await vertex().models.generateContent({
      model: 'gemini-3-pro-image',
      contents: contents('Poster of the tallest building in 2026'),
      config: { responseModalities: ['TEXT', 'IMAGE'], tools: [{ googleSearch: {} }] },
    });
    const grounding = response.candidates?.[0]?.groundingMetadata;
    expect(grounding?.webSearchQueries).toEqual(['Poster of the tallest building in 2026']);
    expect(grounding?.groundingChunks?.[0]?.web?.uri).toMatch(/^https:\/\//);
    expect(grounding?.searchEntryPoint?.renderedContent).toContain('<div');
  });

  it('imageConfig.outputMimeType image/jpeg: the SDK sends imageOutputOptions and gets a JPEG', async () => {
    const response = await vertex().models.generateContent({
      model: 'gemini-2.5-flash-image',
      contents: contents('as jpeg'),
      config: { responseModalities: ['TEXT', 'IMAGE'], imageConfig: { outputMimeType: 'image/jpeg', outputCompressionQuality: 40, personGeneration: 'ALLOW_ADULT' } },
    });
    const part = response.candidates?.[0]?.content?.parts?.find((p) => p.inlineData);
    expect(part?.inlineData?.mimeType).toBe('image/jpeg');
    const info = readJpegInfo(Buffer.from(part?.inlineData?.data ?? '', 'base64'));
    expect(info.meta).toMatchObject({ outputMimeType: 'image/jpeg', compressionQuality: 40, personGeneration: 'ALLOW_ADULT' });
    expect([info.width, info.height]).toEqual([1024, 1024]);
  });

  it('grounding on a model without it is refused, as Google does', async () => {
    const failure = await vertex().models.generateContent({
      model: 'gemini-2.5-flash-image', contents: contents('x'), config: { tools: [{ googleSearch: {} }] },
    }).catch((error: unknown) => error);
    expect((failure as { status?: number }).status).toBe(400);
  });
});

describe('the metadata server', () => {
  const token = () => `${emu.url}/computeMetadata/v1/instance/service-accounts/default/token`;

  it('refuses requests without Metadata-Flavor: Google, or with X-Forwarded-For', async () => {
    expect((await http(token())).status).toBe(403);
    expect((await http(token(), { headers: { 'Metadata-Flavor': 'google' } })).status).toBe(403);
    expect((await http(token(), { headers: { 'Metadata-Flavor': 'Google', 'X-Forwarded-For': '1.2.3.4' } })).status).toBe(403);
    expect(emu.counters.metadataRefused).toBe(3);
    expect(emu.counters.metadataTokenRequests).toBe(0);
  });

  it('hands out tokens Vertex accepts, and the project id as text', async () => {
    const answer = await http(token(), { headers: { 'Metadata-Flavor': 'Google' } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('metadata-flavor')).toBe('Google');
    expect(answer.json).toMatchObject({ access_token: expect.stringMatching(/^ya29\./), expires_in: 3600, token_type: 'Bearer' });
    const project = await http(`${emu.url}/computeMetadata/v1/project/project-id`, { headers: { 'Metadata-Flavor': 'Google' } });
    expect(project.text).toBe('emulator-project');
    const call = await http(`${emu.url}/v1/projects/emulator-project/locations/global/publishers/google/models/gemini-2.5-flash-image:countTokens`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${answer.json.access_token}` },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    });
    expect(call.status).toBe(200);
  });

  it('google-auth-library\'s Compute client and gcp-metadata read it (GCE_METADATA_HOST)', async () => {
    // gcp-metadata's transport cannot be handed a fetch inside jest's sandbox: run the library in
    // a plain Node process, pointed at the emulator the way Google documents (GCE_METADATA_HOST).
    const script = `
      const { Compute, gcpMetadata } = require('google-auth-library');
      (async () => {
        const compute = new Compute({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
        const { token } = await compute.getAccessToken();
        const project = await gcpMetadata.project('project-id');
        process.stdout.write(JSON.stringify({ token, project }));
      })().catch((error) => { process.stderr.write(String(error)); process.exit(1); });`;
    const { stdout } = await execFileAsync(process.execPath, ['-e', script], {
      env: { ...process.env, GCE_METADATA_HOST: new URL(emu.url).host, METADATA_SERVER_DETECTION: 'assume-present' },
      cwd: process.cwd(),
    });
    expect(JSON.parse(stdout)).toEqual({ token: expect.stringMatching(/^ya29\./), project: 'emulator-project' });
    expect(emu.counters.metadataTokenRequests).toBe(1);
    expect(emu.counters.metadataProjectRequests).toBe(1);
    expect(emu.counters.metadataRefused).toBe(0);
  });
});
