/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unused-vars -- test code, run by Node, not n8n (README: Lint) */
// Shared helpers for the emulator's own tests (not a test file itself).
import { createHash } from 'crypto';
import { DEFAULTS, encodePng, startEmulator } from './server';
import type { Emulator } from './server';

/**
 * One emulator for a test file, back to its defaults (counters, faults and limits) before every
 * test. `onStart` receives it once it listens.
 */
export function useEmulator(onStart: (emu: Emulator) => void): void {
  let started: Emulator | undefined;
  beforeAll(async () => {
    started = await startEmulator();
    onStart(started);
  });
  afterAll(async () => {
    await started?.close();
  });
  beforeEach(() => {
    const { port: _port, host: _host, ...defaults } = DEFAULTS;
    started?.configure(defaults);
    started?.reset();
  });
}

export const sha256hex = (buf: Buffer): string => createHash('sha256').update(buf).digest('hex');

/** A real little PNG: width x height, every pixel the given RGB. */
export function solidPng(width: number, height: number, rgb: [number, number, number] = [200, 30, 30]): Buffer {
  const row = Buffer.alloc(width * 3);
  for (let x = 0; x < width; x++) row.set(rgb, x * 3);
  return encodePng({ width, height, row: () => row });
}

/** JPEG header bytes (SOI, APP0, SOF0): enough for format sniffing and size reading. */
export function jpegHeader(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  const sof0 = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof0, Buffer.from([0xff, 0xd9])]);
}

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export async function http(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer; signal?: AbortSignal } = {},
): Promise<HttpResult> {
  const res = await fetch(url, { method: init.method ?? (init.body !== undefined ? 'POST' : 'GET'), headers: init.headers, body: init.body, signal: init.signal });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** POST a JSON body to the Gemini API with the emulator's key in the header. */
export function gemini(emu: Emulator, path: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
  return http(`${emu.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-api-key': emu.apiKey, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A typical edit request: one inline image + prompt text. */
export function editRequest(prompt: string, images: Buffer[] = [], generationConfig: Record<string, unknown> = {}) {
  return {
    contents: [
      {
        role: 'user',
        parts: [
          ...images.map((img) => ({ inlineData: { mimeType: 'image/png', data: img.toString('base64') } })),
          { text: prompt },
        ],
      },
    ],
    generationConfig: { responseModalities: ['TEXT', 'IMAGE'], ...generationConfig },
  };
}

export function generate(emu: Emulator, prompt: string, model = 'gemini-2.5-flash-image', images: Buffer[] = [], generationConfig = {}) {
  return gemini(emu, `/v1beta/models/${model}:generateContent`, editRequest(prompt, images, generationConfig));
}

/** Final (non-thought) images of the first candidate, decoded from base64. */
export function finalImages(json: any, candidate = 0): { mimeType: string; bytes: Buffer }[] {
  const parts: any[] = json?.candidates?.[candidate]?.content?.parts ?? [];
  return parts
    .filter((p) => p.inlineData && !p.thought)
    .map((p) => ({ mimeType: p.inlineData.mimeType, bytes: Buffer.from(p.inlineData.data, 'base64') }));
}

export async function exchangeToken(emu: Emulator, assertion: string): Promise<HttpResult> {
  return http(`${emu.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
  });
}

export function vertexPath(emu: Emulator, model: string, method = 'generateContent', location = 'global', version = 'v1'): string {
  return `${emu.url}/${version}/projects/${emu.serviceAccountKey.project_id}/locations/${location}/publishers/google/models/${model}:${method}`;
}

export function vertex(url: string, token: string | undefined, body: unknown): Promise<HttpResult> {
  return http(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}
