/* eslint-disable @typescript-eslint/no-explicit-any -- test code reads the emulator's JSON loosely (README: Lint) */
// Thought signatures in conversations (issue 25, point 7): the emulator signs answers and checks
// model turns sent back the way the Gemini API does for its thinking image models, and Google's own
// SDK chat (which keeps the history exactly as received) passes those checks.
import { GoogleGenAI, ApiError } from '@google/genai';
import { readPngInfo } from './server';
import type { Emulator } from './server';
import { finalImages, gemini, generate, http, sha256hex, solidPng, useEmulator, vertex, vertexPath } from './test-helpers';

let emu: Emulator;
useEmulator((started) => {
  emu = started;
});

const NB21 = 'gemini-nano-banana-2.1';
const INPUT = solidPng(160, 90, [250, 200, 0]);
const CONFIG = { responseModalities: ['TEXT', 'IMAGE'] };
const sdkFetch: typeof fetch = (input, init) => fetch(input, init);

type Part = { text?: string; thought?: boolean; thoughtSignature?: string; inlineData?: { mimeType: string; data: string } };
type Content = { role: 'user' | 'model'; parts: Part[] };

/** Turn 1 on `model`: the user turn sent and the model turn exactly as received. */
async function firstTurn(model = NB21, prompt = 'Make the car red'): Promise<{ user: Content; answer: Content }> {
  const res = await generate(emu, prompt, model, [INPUT]);
  expect(res.status).toBe(200);
  return {
    user: { role: 'user', parts: [{ inlineData: { mimeType: 'image/png', data: INPUT.toString('base64') } }, { text: prompt }] },
    answer: res.json.candidates[0].content,
  };
}

/** The model turn without its thought parts (a client may leave them out). */
const withoutThoughts = (content: Content): Content => ({ ...content, parts: content.parts.filter((p) => !p.thought) });
const imageIndex = (content: Content) => content.parts.findIndex((p) => p.inlineData && !p.thought);

function secondTurn(history: Content[], model = NB21, prompt = 'Now make it night') {
  return gemini(emu, `/v1beta/models/${model}:generateContent`, {
    contents: [...history, { role: 'user', parts: [{ text: prompt }] }],
    generationConfig: CONFIG,
  });
}

describe('answers of thinking image models carry signatures', () => {
  it('on the first part after the thoughts and on every image part, not on thoughts', async () => {
    const res = await generate(emu, 'two [[emulate:multi:2]]', NB21, [INPUT]);
    const parts: Part[] = res.json.candidates[0].content.parts;
    expect(parts[0]).toMatchObject({ thought: true });
    expect(parts[0].thoughtSignature).toBeUndefined();
    expect(parts[1]).toMatchObject({ text: 'Here is your edited image.', thoughtSignature: expect.any(String) });
    const images = parts.filter((p) => p.inlineData);
    expect(images).toHaveLength(2);
    for (const p of images) expect(p.thoughtSignature).toMatch(/^[A-Za-z0-9+/]{200,}={0,2}$/);
    // Signatures belong to the bytes: two different images, two different signatures.
    expect(images[0].thoughtSignature).not.toBe(images[1].thoughtSignature);
  });

  it('also when no thought parts are shown (option thoughts off), and on an image-only answer', async () => {
    emu.configure({ thoughts: false });
    const res = await generate(emu, 'plain', NB21, [INPUT], { responseModalities: ['IMAGE'] });
    const parts: Part[] = res.json.candidates[0].content.parts;
    expect(parts).toHaveLength(1);
    expect(parts[0].inlineData && parts[0].thoughtSignature).toBeTruthy();
  });

  it('not on Nano Banana (2.5 Flash Image), which does not think', async () => {
    const res = await generate(emu, 'plain', 'gemini-2.5-flash-image', [INPUT]);
    expect(res.json.candidates[0].content.parts.some((p: Part) => p.thoughtSignature)).toBe(false);
  });
});

describe('Gemini API: model turns sent back to a thinking image model', () => {
  it('are accepted exactly as received; the answer builds on the earlier result', async () => {
    const { user, answer } = await firstTurn();
    const earlier = finalImages({ candidates: [{ content: answer }] })[0].bytes;
    const res = await secondTurn([user, answer]);
    expect(res.status).toBe(200);
    const meta = readPngInfo(finalImages(res.json)[0].bytes).meta;
    expect(meta).toMatchObject({ prompt: 'Now make it night', modelTurns: 1, modelImages: [sha256hex(earlier)] });
    expect(emu.counters.log[emu.counters.log.length - 1].conversation).toEqual({ modelTurns: 1, modelImages: [sha256hex(earlier)] });
  });

  it('are accepted without their thought parts (sent back or not, as received)', async () => {
    const { user, answer } = await firstTurn();
    expect((await secondTurn([user, withoutThoughts(answer)])).status).toBe(200);
  });

  it('an image part without its signature is refused with Google’s 400 and its position', async () => {
    const { user, answer } = await firstTurn();
    const model = withoutThoughts(answer); // [text, image]: the reference's own example
    delete model.parts[1].thoughtSignature;
    const res = await secondTurn([user, model]);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({
      code: 400,
      status: 'INVALID_ARGUMENT',
      message: 'Image part is missing a thought_signature in content position 2, part position 1.',
    });
    // With the thought part sent back too the image is one part further on.
    const full: Content = structuredClone(answer);
    delete full.parts[imageIndex(full)].thoughtSignature;
    const again = await secondTurn([user, full]);
    expect(again.json.error.message).toBe(`Image part is missing a thought_signature in content position 2, part position ${imageIndex(full)}.`);
    expect(emu.counters.byStatus).toMatchObject({ 400: 2 });
  });

  it('counts the position in the whole conversation (second model turn → content position 4)', async () => {
    const { user, answer } = await firstTurn();
    const second = await secondTurn([user, answer]);
    const answer2: Content = second.json.candidates[0].content;
    const stripped: Content = structuredClone(answer2);
    delete stripped.parts[imageIndex(stripped)].thoughtSignature;
    const third = await secondTurn([user, answer, { role: 'user', parts: [{ text: 'Now make it night' }] }, stripped], NB21, 'Remove the sign');
    expect(third.json.error.message).toBe(`Image part is missing a thought_signature in content position 4, part position ${imageIndex(stripped)}.`);
    const ok = await secondTurn([user, answer, { role: 'user', parts: [{ text: 'Now make it night' }] }, answer2], NB21, 'Remove the sign');
    expect(ok.status).toBe(200);
    expect(readPngInfo(finalImages(ok.json)[0].bytes).meta).toMatchObject({ modelTurns: 2 });
  });

  it('a signature swapped from another image (other bytes) is refused as corrupted', async () => {
    const a = await firstTurn(NB21, 'Make the car red');
    const b = await firstTurn(NB21, 'Make the car blue');
    const swapped: Content = structuredClone(a.answer);
    swapped.parts[imageIndex(swapped)].thoughtSignature = b.answer.parts[imageIndex(b.answer)].thoughtSignature;
    const res = await secondTurn([a.user, swapped]);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ status: 'INVALID_ARGUMENT', message: 'Corrupted thought signature.' });
    // The same with the bytes swapped instead: the signature vouches for the image, not the part.
    const otherBytes: Content = structuredClone(a.answer);
    otherBytes.parts[imageIndex(otherBytes)].inlineData = b.answer.parts[imageIndex(b.answer)].inlineData;
    expect((await secondTurn([a.user, otherBytes])).json.error.message).toBe('Corrupted thought signature.');
  });

  it('a conversation moved to another model is refused (signatures belong to the model)', async () => {
    const { user, answer } = await firstTurn('gemini-3.1-flash-image');
    const res = await secondTurn([user, answer], NB21);
    expect(res.status).toBe(400);
    expect(res.json.error.message).toBe('Corrupted thought signature.');
    expect((await secondTurn([user, answer], 'gemini-3.1-flash-image')).status).toBe(200);
  });

  it('a forged text signature is refused; a text part without one is accepted', async () => {
    const { user, answer } = await firstTurn();
    const forged: Content = structuredClone(answer);
    const text = forged.parts.find((p) => p.text !== undefined && !p.thought) as Part;
    text.text = 'Edited by hand.';
    expect((await secondTurn([user, forged])).json.error.message).toBe('Corrupted thought signature.');
    delete text.thoughtSignature;
    expect((await secondTurn([user, forged])).status).toBe(200);
  });

  it('a signature that is not base64 fails as Google’s bytes field does', async () => {
    const { user, answer } = await firstTurn();
    const bad: Content = structuredClone(answer);
    bad.parts[imageIndex(bad)].thoughtSignature = 'not base64!';
    const res = await secondTurn([user, bad]);
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(/^Invalid value at 'contents\[1\]\.parts\[\d\]\.thought_signature' \(TYPE_BYTES\), Base64 decoding failed/);
  });

  it('an image the model never made, sent as a model turn, is refused (no signature to give it)', async () => {
    const res = await secondTurn([
      { role: 'user', parts: [{ text: 'Draw a car' }] },
      { role: 'model', parts: [{ inlineData: { mimeType: 'image/png', data: INPUT.toString('base64') } }] },
    ]);
    expect(res.json.error.message).toBe('Image part is missing a thought_signature in content position 2, part position 0.');
  });

  it('thought images (Nano Banana Pro) go back without a signature', async () => {
    const { user, answer } = await firstTurn('gemini-3-pro-image');
    expect(answer.parts.some((p) => p.thought && p.inlineData && !p.thoughtSignature)).toBe(true);
    expect((await secondTurn([user, answer], 'gemini-3-pro-image')).status).toBe(200);
  });

  it('a model that does not think (2.5 Flash Image) takes model images without signatures', async () => {
    const { user, answer } = await firstTurn('gemini-2.5-flash-image');
    expect(answer.parts.some((p) => p.thoughtSignature)).toBe(false);
    expect((await secondTurn([user, answer], 'gemini-2.5-flash-image')).status).toBe(200);
  });

  it('directives of earlier turns do not fire again: only the new prompt is this request’s', async () => {
    const res = await generate(emu, 'Make it red [[emulate:503x1]]', NB21, [INPUT]);
    expect(res.status).toBe(503);
    const retry = await generate(emu, 'Make it red [[emulate:503x1]]', NB21, [INPUT]);
    expect(retry.status).toBe(200);
    const user: Content = { role: 'user', parts: [{ inlineData: { mimeType: 'image/png', data: INPUT.toString('base64') } }, { text: 'Make it red [[emulate:503x1]]' }] };
    const next = await secondTurn([user, retry.json.candidates[0].content]);
    expect(next.status).toBe(200);
    expect(readPngInfo(finalImages(next.json)[0].bytes).meta?.prompt).toBe('Now make it night');
  });
});

describe('Batch Mode (Gemini API) checks signatures per request', () => {
  it('a batch request with an unsigned model image fails alone; the signed one succeeds', async () => {
    emu.configure({ batchRunMs: 0 });
    const { user, answer } = await firstTurn();
    const unsigned: Content = structuredClone(answer);
    delete unsigned.parts[imageIndex(unsigned)].thoughtSignature;
    const next = { role: 'user', parts: [{ text: 'Now make it night' }] };
    const request = (model: Content) => ({ contents: [user, model, next], generationConfig: CONFIG });
    const created = await gemini(emu, `/v1beta/models/${NB21}:batchGenerateContent`, {
      batch: { displayName: 'refine', inputConfig: { requests: { requests: [
        { request: request(answer), metadata: { key: 'signed' } },
        { request: request(unsigned), metadata: { key: 'unsigned' } },
      ] } } },
    });
    expect(created.status).toBe(200);
    const job = await http(`${emu.url}/v1beta/${created.json.name}`, { headers: { 'x-goog-api-key': emu.apiKey } });
    const results = job.json.metadata.output.inlinedResponses.inlinedResponses;
    const byKey = Object.fromEntries(results.map((r: any) => [r.metadata.key, r]));
    expect(byKey.signed.response.candidates[0].content.parts.some((p: Part) => p.inlineData)).toBe(true);
    expect(byKey.unsigned.error).toMatchObject({ code: 3, message: expect.stringMatching(/^Image part is missing a thought_signature in content position 2/) });
  });
});

describe('Vertex AI does not enforce signatures', () => {
  it('accepts a model image without its signature, and one signed for another model', async () => {
    const { access_token: token } = emu.issueAccessToken();
    const first = await vertex(vertexPath(emu, NB21), token, {
      contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'image/png', data: INPUT.toString('base64') } }, { text: 'Make the car red' }] }],
      generationConfig: CONFIG,
    });
    expect(first.status).toBe(200);
    const answer: Content = first.json.candidates[0].content;
    expect(answer.parts[imageIndex(answer)].thoughtSignature).toEqual(expect.any(String));
    const unsigned: Content = structuredClone(answer);
    delete unsigned.parts[imageIndex(unsigned)].thoughtSignature;
    const user: Content = { role: 'user', parts: [{ text: 'Make the car red' }] };
    const next = { role: 'user', parts: [{ text: 'Now make it night' }] };
    expect((await vertex(vertexPath(emu, NB21), token, { contents: [user, unsigned, next], generationConfig: CONFIG })).status).toBe(200);
    const other = await firstTurn('gemini-3.1-flash-image');
    expect((await vertex(vertexPath(emu, NB21), token, { contents: [user, other.answer, next], generationConfig: CONFIG })).status).toBe(200);
  });
});

describe("@google/genai's chat against the emulator", () => {
  const client = () => new GoogleGenAI({ apiKey: emu.apiKey, httpOptions: { baseUrl: emu.url, fetch: sdkFetch } });
  const imageOf = (response: { candidates?: Array<{ content?: { parts?: Array<{ thought?: boolean; inlineData?: { data?: string } }> } }> }) => {
    const part = response.candidates?.[0]?.content?.parts?.find((p) => p.inlineData && !p.thought);
    return Buffer.from(part?.inlineData?.data ?? '', 'base64');
  };

  it.each([NB21, 'gemini-3-pro-image'])('%s: chats.create + sendMessage three times succeeds; each request carries the earlier answers signed', async (model) => {
    const chat = client().chats.create({ model, config: { responseModalities: ['TEXT', 'IMAGE'] } });
    const one = await chat.sendMessage({ message: [{ inlineData: { mimeType: 'image/png', data: INPUT.toString('base64') } }, { text: 'Make the car red' }] });
    const two = await chat.sendMessage({ message: 'Now make it night' });
    const three = await chat.sendMessage({ message: 'Remove the sign' });
    const meta = readPngInfo(imageOf(three)).meta;
    expect(meta).toMatchObject({ prompt: 'Remove the sign', modelTurns: 2, modelImages: [sha256hex(imageOf(one)), sha256hex(imageOf(two))] });
    expect(emu.counters.byStatus).toEqual({ 200: 3 });
  });

  it('the same chat with a signature dropped from its history is refused by the emulator', async () => {
    const ai = client();
    const chat = ai.chats.create({ model: NB21, config: { responseModalities: ['TEXT', 'IMAGE'] } });
    await chat.sendMessage({ message: [{ inlineData: { mimeType: 'image/png', data: INPUT.toString('base64') } }, { text: 'Make the car red' }] });
    const history = chat.getHistory();
    for (const part of history[1].parts ?? []) if (part.inlineData) delete part.thoughtSignature;
    const tampered = ai.chats.create({ model: NB21, config: { responseModalities: ['TEXT', 'IMAGE'] }, history });
    const refusal = await tampered.sendMessage({ message: 'Now make it night' }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ApiError);
    expect((refusal as ApiError).status).toBe(400);
    expect((refusal as ApiError).message).toMatch(/Image part is missing a thought_signature in content position 2, part position \d/);
  });
});
