/* eslint-disable @n8n/community-nodes/no-restricted-globals, @typescript-eslint/no-explicit-any -- test code, run by Node, not n8n (README: Lint) */
// Tests of the emulator's OAuth token endpoint and Vertex AI side.
import { createPrivateKey, generateKeyPairSync } from 'crypto';
import { createAssertion, signJwt, readPngInfo } from './server';
import type { Emulator } from './server';
import { editRequest, exchangeToken, finalImages, http, sha256hex, solidPng, useEmulator, vertex, vertexPath } from './test-helpers';

let emu: Emulator;
useEmulator((started) => (emu = started));

const INPUT = solidPng(120, 90);
const now = () => Math.floor(Date.now() / 1000);

async function token(): Promise<string> {
  const res = await exchangeToken(emu, createAssertion(emu.serviceAccountKey));
  expect(res.status).toBe(200);
  return res.json.access_token;
}

describe('service account key', () => {
  it('is shaped like a Google Cloud JSON key file with a real RSA-2048 PKCS#8 key', () => {
    const key = emu.serviceAccountKey;
    expect(key).toMatchObject({
      type: 'service_account',
      project_id: 'emulator-project',
      client_email: 'nano-banana@emulator-project.iam.gserviceaccount.com',
      token_uri: `${emu.url}/token`,
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    });
    expect(key.private_key_id).toMatch(/^[0-9a-f]{40}$/);
    expect(key.client_id).toMatch(/^\d{21}$/);
    expect(key.private_key).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const parsed = createPrivateKey(key.private_key);
    expect(parsed.asymmetricKeyType).toBe('rsa');
    expect(parsed.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });
});

describe('POST /token (JWT bearer grant)', () => {
  it.each([
    ['Google\'s token URL', 'https://oauth2.googleapis.com/token'],
    ['the key file\'s token_uri', ''],
  ])('issues an access token for a valid assertion with aud = %s', async (_name, aud) => {
    const assertion = createAssertion(emu.serviceAccountKey, { aud: aud || emu.serviceAccountKey.token_uri });
    const res = await exchangeToken(emu, assertion);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ access_token: expect.stringMatching(/^ya29\.emu-/), expires_in: 3600, token_type: 'Bearer' });
    expect(emu.counters.tokenExchanges).toBe(1);
  });

  it('also takes a JSON body', async () => {
    const res = await http(`${emu.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: createAssertion(emu.serviceAccountKey) }),
    });
    expect(res.status).toBe(200);
  });

  const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const claims = (overrides: Record<string, unknown> = {}) => ({
    iss: emu.serviceAccountKey.client_email,
    scope: 'https://www.googleapis.com/auth/cloud-platform',
    aud: 'https://oauth2.googleapis.com/token',
    iat: now(),
    exp: now() + 3600,
    ...overrides,
  });

  it.each<[string, () => string, string, RegExp]>([
    ['a signature from another key', () => signJwt(claims(), otherKey), 'invalid_grant', /^Invalid JWT Signature\.$/],
    ['a wrong audience', () => signJwt(claims({ aud: 'https://example.com/token' }), emu.serviceAccountKey.private_key), 'invalid_grant', /audience/],
    ['an expired assertion', () => signJwt(claims({ iat: now() - 7200, exp: now() - 3600 }), emu.serviceAccountKey.private_key), 'invalid_grant', /short-lived token/],
    ['a lifetime over one hour', () => signJwt(claims({ exp: now() + 7200 }), emu.serviceAccountKey.private_key), 'invalid_grant', /short-lived token/],
    ['an unknown issuer', () => signJwt(claims({ iss: 'someone@else.iam.gserviceaccount.com' }), emu.serviceAccountKey.private_key), 'invalid_grant', /account not found/],
    ['alg other than RS256', () => signJwt(claims(), emu.serviceAccountKey.private_key, { alg: 'HS256', typ: 'JWT' }), 'invalid_grant', /RS256/],
    ['no scope', () => signJwt(claims({ scope: undefined }), emu.serviceAccountKey.private_key), 'invalid_scope', /Invalid OAuth scope/],
    ['garbage', () => 'not-a-jwt', 'invalid_grant', /Invalid JWT/],
  ])('rejects %s with 400 %s', async (_name, makeAssertion, error, description) => {
    const res = await exchangeToken(emu, makeAssertion());
    expect(res.status).toBe(400);
    expect(res.json.error).toBe(error);
    expect(res.json.error_description).toMatch(description);
    expect(emu.counters.tokenExchanges).toBe(0);
    expect(emu.counters.tokenErrors).toBe(1);
  });

  it('rejects other grant types and a missing assertion', async () => {
    const wrongGrant = await http(`${emu.url}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
    expect(wrongGrant.json.error).toBe('unsupported_grant_type');
    const missing = await http(`${emu.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer',
    });
    expect(missing.json).toEqual({ error: 'invalid_request', error_description: 'Missing required parameter: assertion' });
  });

  it('tokens expire after tokenTtlSeconds → 401 ACCESS_TOKEN_EXPIRED', async () => {
    emu.configure({ tokenTtlSeconds: 1 });
    const res = await exchangeToken(emu, createAssertion(emu.serviceAccountKey));
    expect(res.json.expires_in).toBe(1);
    const url = vertexPath(emu, 'gemini-2.5-flash-image');
    expect((await vertex(url, res.json.access_token, editRequest('x'))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    const expired = await vertex(url, res.json.access_token, editRequest('x'));
    expect(expired.status).toBe(401);
    expect(expired.json.error.status).toBe('UNAUTHENTICATED');
    expect(expired.json.error.message).toMatch(/^Request had invalid authentication credentials\. Expected OAuth 2 access token/);
    expect(expired.json.error.details[0]).toMatchObject({ reason: 'ACCESS_TOKEN_EXPIRED', metadata: { service: 'aiplatform.googleapis.com' } });
  });

  it('expireTokens() (and POST /__emulator/expire-tokens) expires every issued token', async () => {
    const t = await token();
    emu.expireTokens();
    expect((await vertex(vertexPath(emu, 'gemini-2.5-flash-image'), t, editRequest('x'))).status).toBe(401);
    const t2 = await token();
    await http(`${emu.url}/__emulator/expire-tokens`, { method: 'POST', body: '' });
    expect((await vertex(vertexPath(emu, 'gemini-2.5-flash-image'), t2, editRequest('x'))).status).toBe(401);
  });
});

describe('Vertex AI authentication', () => {
  const url = () => vertexPath(emu, 'gemini-2.5-flash-image');

  it('401 CREDENTIALS_MISSING without a token, with WWW-Authenticate', async () => {
    const res = await vertex(url(), undefined, editRequest('x'));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(res.json.error.message).toMatch(/Expected OAuth 2 access token/);
    expect(res.json.error.details[0].reason).toBe('CREDENTIALS_MISSING');
    expect(emu.counters.generateContent).toBe(0);
  });

  it('401 for an unknown token, and for an API key (Vertex wants OAuth)', async () => {
    const unknown = await vertex(url(), 'ya29.made-up', editRequest('x'));
    expect(unknown.status).toBe(401);
    expect(unknown.json.error.message).toMatch(/^Request had invalid authentication credentials/);
    const keyed = await http(url(), { method: 'POST', headers: { 'x-goog-api-key': emu.apiKey }, body: JSON.stringify(editRequest('x')) });
    expect(keyed.status).toBe(401);
    expect(keyed.json.error.message).toMatch(/^API keys are not supported by this API/);
  });

  it('403 insufficient scopes for a token without cloud-platform', async () => {
    const { access_token } = emu.issueAccessToken(['https://www.googleapis.com/auth/userinfo.email']);
    const res = await vertex(url(), access_token, editRequest('x'));
    expect(res.status).toBe(403);
    expect(res.json.error.details[0].reason).toBe('ACCESS_TOKEN_SCOPE_INSUFFICIENT');
  });

  it('accepts a self-signed JWT as bearer token, as Google APIs do', async () => {
    const jwt = signJwt(
      { iss: emu.serviceAccountKey.client_email, sub: emu.serviceAccountKey.client_email, aud: 'https://aiplatform.googleapis.com/', iat: now(), exp: now() + 600 },
      emu.serviceAccountKey.private_key,
    );
    expect((await vertex(url(), jwt, editRequest('x'))).status).toBe(200);
    expect(emu.counters.selfSignedJwtRequests).toBe(1);
  });

  it('403 PERMISSION_DENIED for another project, naming aiplatform.endpoints.predict', async () => {
    const other = `${emu.url}/v1/projects/someone-elses-project/locations/global/publishers/google/models/gemini-2.5-flash-image:generateContent`;
    const res = await vertex(other, await token(), editRequest('x'));
    expect(res.status).toBe(403);
    expect(res.json.error.status).toBe('PERMISSION_DENIED');
    expect(res.json.error.message).toMatch(/Permission 'aiplatform\.endpoints\.predict' denied on resource/);
    expect(res.json.error.details[0]).toMatchObject({ reason: 'IAM_PERMISSION_DENIED', metadata: { permission: 'aiplatform.endpoints.predict' } });
  });
});

describe('Vertex AI generateContent', () => {
  it.each(['v1', 'v1beta1'])('answers on /%s/projects/.../publishers/google/models/...:generateContent', async (version) => {
    const res = await vertex(
      vertexPath(emu, 'gemini-2.5-flash-image', 'generateContent', 'us-central1', version),
      await token(),
      editRequest('vertex edit', [INPUT], { imageConfig: { aspectRatio: '9:16' } }),
    );
    expect(res.status).toBe(200);
    const info = readPngInfo(finalImages(res.json)[0].bytes);
    expect([info.width, info.height]).toEqual([576, 1024]);
    expect(info.meta).toMatchObject({ backend: 'vertex', prompt: 'vertex edit', inputs: [sha256hex(INPUT)], model: 'gemini-2.5-flash-image' });
    expect(res.json.createTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(res.json.usageMetadata.trafficType).toBe('ON_DEMAND');
    expect(emu.counters.byBackend).toEqual({ vertex: 1 });
    expect(emu.counters.bearerRequests).toBe(1);
    expect(emu.counters.log[emu.counters.log.length - 1]).toMatchObject({ backend: 'vertex', status: 200 });
  });

  it('serves Gemini 3 image models only from location "global"', async () => {
    const t = await token();
    const regional = await vertex(vertexPath(emu, 'gemini-3-pro-image', 'generateContent', 'us-central1'), t, editRequest('x'));
    expect(regional.status).toBe(404);
    expect(regional.json.error.message).toMatch(/^Publisher Model `projects\/emulator-project\/locations\/us-central1\/publishers\/google\/models\/gemini-3-pro-image` was not found/);
    expect((await vertex(vertexPath(emu, 'gemini-3-pro-image'), t, editRequest('x'))).status).toBe(200);
  });

  it('candidateCount 3 → three candidates with distinct images', async () => {
    const res = await vertex(vertexPath(emu, 'gemini-2.5-flash-image'), await token(), editRequest('three', [], { candidateCount: 3 }));
    expect(res.json.candidates).toHaveLength(3);
    const metas = res.json.candidates.map((_c: unknown, i: number) => readPngInfo(finalImages(res.json, i)[0].bytes).meta);
    expect(metas.map((m: any) => m.candidate)).toEqual([0, 1, 2]);
    expect(res.json.candidates.map((c: any) => c.index)).toEqual([0, 1, 2]);
  });

  it('requires a role on every content (Vertex does not default it)', async () => {
    const res = await vertex(vertexPath(emu, 'gemini-2.5-flash-image'), await token(), { contents: [{ parts: [{ text: 'x' }] }] });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toBe('Please use a valid role: user, model.');
  });

  it('rejects inline images over the 7 MB limit (configurable) and unsupported types, in Vertex wording', async () => {
    const t = await token();
    emu.configure({ vertexMaxInlineBytes: 1000 });
    const big = await vertex(vertexPath(emu, 'gemini-2.5-flash-image'), t, editRequest('x', [Buffer.concat([solidPng(10, 10), Buffer.alloc(2000)])]));
    expect(big.status).toBe(400);
    expect(big.json.error.message).toMatch(/larger than the .* MB limit for inline images/);
    const gif = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1');
    const body = { contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'image/gif', data: gif.toString('base64') } }, { text: 'x' }] }] };
    const res = await vertex(vertexPath(emu, 'gemini-2.5-flash-image'), t, body);
    expect(res.json.error.message).toMatch(/mimeType parameter with value image\/gif, which is not supported/);
  });

  it('adds finishMessage on blocked finish reasons and blockReasonMessage on blocked prompts', async () => {
    const t = await token();
    const finish = await vertex(vertexPath(emu, 'gemini-2.5-flash-image'), t, editRequest('x [[emulate:finish:IMAGE_SAFETY]]'));
    expect(finish.json.candidates[0]).toMatchObject({ finishReason: 'IMAGE_SAFETY', finishMessage: expect.stringMatching(/Unable to show the generated image/) });
    expect(finish.json.candidates[0].content).toBeUndefined();
    const blocked = await vertex(vertexPath(emu, 'gemini-2.5-flash-image'), t, editRequest('x [[emulate:blocked]]'));
    expect(blocked.json.promptFeedback).toMatchObject({ blockReason: 'SAFETY', blockReasonMessage: expect.any(String) });
  });

  it('words a directed 429 like Vertex, still with RetryInfo', async () => {
    const res = await vertex(vertexPath(emu, 'gemini-2.5-flash-image'), await token(), editRequest('x [[emulate:429:7s]]'));
    expect(res.status).toBe(429);
    expect(res.json.error.message).toMatch(/^Resource exhausted\. Please try again later\./);
    expect(res.json.error.details).toContainEqual({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '7s' });
  });

  it('applies maxInFlight to Vertex calls too', async () => {
    emu.configure({ maxInFlight: 1, latencyMs: 200 });
    const t = await token();
    const results = await Promise.all([1, 2, 3].map((i) => vertex(vertexPath(emu, 'gemini-2.5-flash-image'), t, editRequest(`v${i}`))));
    expect(results.map((r) => r.status).sort()).toEqual([200, 429, 429]);
    expect(emu.counters.maxInFlight).toBe(1);
  });
});

describe('Vertex model resources', () => {
  it('GET a project-scoped publisher model (credential tests), 404 for unknown ones', async () => {
    const t = await token();
    const base = `${emu.url}/v1/projects/emulator-project/locations/global/publishers/google/models`;
    const ok = await http(`${base}/gemini-2.5-flash-image`, { headers: { authorization: `Bearer ${t}` } });
    expect(ok.status).toBe(200);
    expect(ok.json.name).toBe('projects/emulator-project/locations/global/publishers/google/models/gemini-2.5-flash-image');
    const missing = await http(`${base}/imagen-9`, { headers: { authorization: `Bearer ${t}` } });
    expect(missing.status).toBe(404);
    const unauthenticated = await http(`${base}/gemini-2.5-flash-image`);
    expect(unauthenticated.status).toBe(401);
  });

  it('lists Model Garden publisher models with paging', async () => {
    const t = await token();
    const names: string[] = [];
    let pageToken = '';
    do {
      const res = await http(`${emu.url}/v1beta1/publishers/google/models?pageSize=3${pageToken ? `&pageToken=${pageToken}` : ''}`, {
        headers: { authorization: `Bearer ${t}` },
      });
      expect(res.status).toBe(200);
      for (const m of res.json.publisherModels) {
        expect(m).toMatchObject({ versionId: expect.any(String), launchStage: expect.stringMatching(/^(GA|PUBLIC_PREVIEW)$/) });
        names.push(m.name);
      }
      pageToken = res.json.nextPageToken ?? '';
    } while (pageToken);
    expect(names).toContain('publishers/google/models/gemini-2.5-flash-image');
    expect(names).toContain('publishers/google/models/gemini-3.1-flash-image');
    expect(new Set(names).size).toBe(names.length);
  });
});
