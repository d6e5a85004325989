// @ts-check
'use strict';

/**
 * Service account key, JWT-bearer token exchange (RFC 7523, as oauth2.googleapis.com/token
 * does it) and access-token bookkeeping for the Vertex AI side of the emulator.
 */

const crypto = require('crypto');

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const MAX_LIFETIME_S = 3600;
const CLOCK_SKEW_S = 300;

/**
 * A key file shaped exactly like the JSON Google Cloud hands out for a service account.
 * @param {string} baseUrl
 */
function createServiceAccountKey(baseUrl) {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clientEmail = 'nano-banana@emulator-project.iam.gserviceaccount.com';
  return {
    type: 'service_account',
    project_id: 'emulator-project',
    private_key_id: crypto.randomBytes(20).toString('hex'),
    private_key: String(privateKey.export({ type: 'pkcs8', format: 'pem' })),
    client_email: clientEmail,
    client_id: String(100000000000000000000n + BigInt(crypto.randomInt(1, 2 ** 47))),
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: `${baseUrl}/token`,
    auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
    client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(clientEmail)}`,
    universe_domain: 'googleapis.com',
  };
}

/**
 * Signs a JWT with RS256. Exported for tests and tools that need a hand-made assertion.
 * @param {Record<string, unknown>} claims
 * @param {string} privateKeyPem
 * @param {Record<string, unknown>} [header]
 */
function signJwt(claims, privateKeyPem, header = { alg: 'RS256', typ: 'JWT' }) {
  const encode = (/** @type {object} */ part) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const unsigned = `${encode(header)}.${encode(claims)}`;
  const signature = crypto.sign('RSA-SHA256', Buffer.from(unsigned), privateKeyPem).toString('base64url');
  return `${unsigned}.${signature}`;
}

/**
 * The assertion a client posts to the token endpoint.
 * @param {{client_email: string, private_key: string, private_key_id?: string}} key
 * @param {{aud?: string, scope?: string, iat?: number, exp?: number}} [overrides]
 */
function createAssertion(key, overrides = {}) {
  const iat = overrides.iat ?? Math.floor(Date.now() / 1000);
  const claims = {
    iss: key.client_email,
    scope: overrides.scope ?? CLOUD_PLATFORM,
    aud: overrides.aud ?? GOOGLE_TOKEN_URL,
    iat,
    exp: overrides.exp ?? iat + MAX_LIFETIME_S,
  };
  return signJwt(claims, key.private_key, { alg: 'RS256', typ: 'JWT', kid: key.private_key_id });
}

class OAuthError extends Error {
  /** @param {string} error OAuth error code @param {string} description */
  constructor(error, description) {
    super(description);
    this.error = error;
  }
}

/**
 * Decodes and verifies an RS256 JWT; returns its claims.
 * @param {string} jwt
 * @param {crypto.KeyObject} publicKey
 */
function verifyJwt(jwt, publicKey) {
  const parts = jwt.split('.');
  if (parts.length !== 3) throw new OAuthError('invalid_grant', 'Invalid JWT format.');
  let header;
  let claims;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    throw new OAuthError('invalid_grant', 'Invalid JWT format.');
  }
  if (header?.alg !== 'RS256') {
    throw new OAuthError('invalid_grant', 'Invalid JWT header: algorithm must be RS256.');
  }
  const signedPart = Buffer.from(`${parts[0]}.${parts[1]}`);
  if (!crypto.verify('RSA-SHA256', signedPart, publicKey, Buffer.from(parts[2], 'base64url'))) {
    throw new OAuthError('invalid_grant', 'Invalid JWT Signature.');
  }
  return claims;
}

/** Lifetime rule Google applies: not expired, issued no later than now (+skew), ≤ 1 h long. */
function checkLifetime(/** @type {any} */ claims) {
  const now = Math.floor(Date.now() / 1000);
  const { iat, exp } = claims;
  const sane =
    Number.isFinite(iat) && Number.isFinite(exp) && exp > now && iat <= now + CLOCK_SKEW_S &&
    exp > iat && exp - iat <= MAX_LIFETIME_S;
  if (!sane) {
    throw new OAuthError(
      'invalid_grant',
      'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
    );
  }
}

/**
 * @typedef {{email: string, scopes: string[], expiresAt: number}} TokenGrant
 */

class TokenAuthority {
  /**
   * @param {{client_email: string, private_key: string}} key
   * @param {string} tokenUrl the emulator's own token endpoint
   */
  constructor(key, tokenUrl) {
    this.email = key.client_email;
    this.publicKey = crypto.createPublicKey(key.private_key);
    this.audiences = new Set([tokenUrl, GOOGLE_TOKEN_URL]);
    /** @type {Map<string, TokenGrant>} */
    this.tokens = new Map();
  }

  /**
   * Handles the token endpoint's form fields; throws OAuthError like Google would answer.
   * @param {URLSearchParams} form
   * @param {number} ttlSeconds
   */
  exchange(form, ttlSeconds) {
    const grantType = form.get('grant_type');
    if (!grantType) throw new OAuthError('invalid_request', 'Missing required parameter: grant_type');
    if (grantType !== JWT_BEARER) throw new OAuthError('unsupported_grant_type', `Invalid grant_type: ${grantType}`);
    const assertion = form.get('assertion');
    if (!assertion) throw new OAuthError('invalid_request', 'Missing required parameter: assertion');
    const claims = verifyJwt(assertion, this.publicKey);
    if (claims.iss !== this.email) throw new OAuthError('invalid_grant', 'Invalid grant: account not found');
    if (!this.audiences.has(claims.aud)) {
      throw new OAuthError('invalid_grant', `Invalid JWT: Failed audience check. The right audience is ${GOOGLE_TOKEN_URL}`);
    }
    checkLifetime(claims);
    const scopes = String(claims.scope ?? '').split(/\s+/).filter(Boolean);
    if (scopes.length === 0 && !claims.target_audience) {
      throw new OAuthError('invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
    }
    return this.issue(scopes, ttlSeconds);
  }

  /**
   * Mints an access token directly (tests, benchmarks).
   * @param {string[]} scopes
   * @param {number} ttlSeconds
   */
  issue(scopes, ttlSeconds) {
    const accessToken = `ya29.emu-${crypto.randomBytes(24).toString('base64url')}`;
    this.tokens.set(accessToken, { email: this.email, scopes, expiresAt: Date.now() + ttlSeconds * 1000 });
    return { access_token: accessToken, expires_in: ttlSeconds, token_type: 'Bearer' };
  }

  /**
   * Resolves an `Authorization` header to a grant. Real Google APIs also take a self-signed
   * JWT (service account key, no token exchange) as bearer token, so the emulator does too.
   * @param {string | undefined} authorization
   * @returns {{ok: true, grant: TokenGrant, selfSigned: boolean} | {ok: false, reason: 'CREDENTIALS_MISSING'|'ACCESS_TOKEN_TYPE_UNSUPPORTED'|'ACCESS_TOKEN_EXPIRED'}}
   */
  authenticate(authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return { ok: false, reason: 'CREDENTIALS_MISSING' };
    const token = match[1];
    const grant = this.tokens.get(token);
    if (grant) {
      return grant.expiresAt > Date.now()
        ? { ok: true, grant, selfSigned: false }
        : { ok: false, reason: 'ACCESS_TOKEN_EXPIRED' };
    }
    return this.authenticateSelfSigned(token);
  }

  /** @param {string} token */
  authenticateSelfSigned(token) {
    try {
      const claims = verifyJwt(token, this.publicKey);
      if (claims.iss !== this.email) throw new Error('issuer');
      checkLifetime(claims);
      const scopes = String(claims.scope ?? '').split(/\s+/).filter(Boolean);
      // Audience-style self-signed JWTs (aud = service URL) carry no scope but are accepted.
      const grant = { email: this.email, scopes: scopes.length ? scopes : [CLOUD_PLATFORM], expiresAt: claims.exp * 1000 };
      return /** @type {const} */ ({ ok: true, grant, selfSigned: true });
    } catch {
      return /** @type {const} */ ({ ok: false, reason: 'ACCESS_TOKEN_TYPE_UNSUPPORTED' });
    }
  }

  /** Makes every issued token expired (to test "refresh after 401"). */
  expireAll() {
    for (const grant of this.tokens.values()) grant.expiresAt = 0;
  }
}

module.exports = {
  createServiceAccountKey,
  createAssertion,
  signJwt,
  TokenAuthority,
  OAuthError,
  CLOUD_PLATFORM,
  GOOGLE_TOKEN_URL,
};
