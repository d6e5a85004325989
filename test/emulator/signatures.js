// @ts-check
'use strict';

/**
 * Thought signatures, issued and checked the way the Gemini API treats them for its thinking image
 * models (reference sheet, "Conversations"): every image part of an answer, and the first part
 * after the thoughts, carries a `thoughtSignature`; a later request that sends a model turn back
 * must return each image part with the signature Google gave it, for those bytes and that model.
 *
 * Google's signatures are opaque. The emulator's are stateless so that any emulator (also after a
 * restart) can check them: an HMAC with a fixed emulator secret over what the signature vouches
 * for (kind, model id, sha256 of the image bytes or of the text), stretched to a length like
 * Google's (several hundred base64 characters) so clients are tested with realistic sizes.
 */

const crypto = require('crypto');
const { ApiError } = require('./errors');

const SECRET = 'nano-banana-emulator thought signatures v1';
/** Google's signatures run to hundreds of characters; 32 MAC bytes + filler → 512 bytes. */
const SIGNATURE_BYTES = 512;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * @param {'image' | 'text'} kind
 * @param {string} modelId bare id, e.g. gemini-nano-banana-2.1
 * @param {string} digestHex sha256 of the image bytes or of the text
 */
function sign(kind, modelId, digestHex) {
  const mac = crypto.createHmac('sha256', SECRET).update(`${kind}\n${modelId}\n${digestHex}`).digest();
  const blocks = [mac];
  for (let i = 0; blocks.length * 32 < SIGNATURE_BYTES; i++) {
    blocks.push(crypto.createHash('sha256').update(mac).update(String(i)).digest());
  }
  return Buffer.concat(blocks).subarray(0, SIGNATURE_BYTES).toString('base64');
}

const sha256hex = (/** @type {Buffer | string} */ data) => crypto.createHash('sha256').update(data).digest('hex');

/** @param {string} modelId @param {Buffer} bytes */
const imageSignature = (modelId, bytes) => sign('image', modelId, sha256hex(bytes));
/** @param {string} modelId @param {string} text */
const textSignature = (modelId, text) => sign('text', modelId, sha256hex(text));

/** Constant-time comparison of two base64 signatures (as bytes, so padding variants agree). */
function sameSignature(/** @type {string} */ sent, /** @type {string} */ expected) {
  const a = Buffer.from(sent, 'base64');
  const b = Buffer.from(expected, 'base64');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/**
 * `thought_signature` is a proto `bytes` field: anything that is not base64 fails JSON parsing on
 * both backends, before any signature rule.
 * @param {any} part camelCased part
 * @param {string} where e.g. contents[1].parts[0]
 */
function checkSignatureEncoding(part, where) {
  const sig = part.thoughtSignature;
  if (sig === undefined || sig === null) return;
  if (typeof sig !== 'string' || !BASE64.test(sig)) {
    const preview = typeof sig === 'string' ? sig.slice(0, 30) : String(sig);
    throw new ApiError(400, `Invalid value at '${where}.thought_signature' (TYPE_BYTES), Base64 decoding failed for "${preview}"`);
  }
}

/**
 * The Gemini API's rule for a model-role part sent back to a thinking image model. Vertex AI does
 * not enforce signatures (reference: it "asks that signatures be sent back"), so it accepts
 * missing and foreign ones alike. Thought parts are exempt: Google does not sign them, and clients
 * may send them back or not.
 *
 * Positions in the message: Google's example ("content position 2, part position 1" for the image
 * after a text part in the first model turn, `contents[1].parts[1]`) counts contents from 1 and
 * parts from 0; the emulator follows that reading (README, fidelity notes).
 *
 * @param {{part: any, image: {sha256: string} | undefined, contentIndex: number, partIndex: number,
 *   backend: 'gemini' | 'vertex', model: import('./models').ModelSpec}} input
 */
function checkModelPart({ part, image, contentIndex, partIndex, backend, model }) {
  if (backend !== 'gemini' || !model.thinking || part.thought) return;
  const sig = part.thoughtSignature;
  if (image) {
    if (sig === undefined || sig === null || sig === '') {
      throw new ApiError(400, `Image part is missing a thought_signature in content position ${contentIndex + 1}, part position ${partIndex}.`);
    }
    if (!sameSignature(sig, sign('image', model.id, image.sha256))) throw corrupted();
    return;
  }
  // A text part may come back without its signature, but one it carries must be genuine.
  if (typeof part.text === 'string' && typeof sig === 'string' && sig !== '' && !sameSignature(sig, textSignature(model.id, part.text))) {
    throw corrupted();
  }
}

/** Google's wording when a signature does not belong to the request (other bytes, other model). */
const corrupted = () => new ApiError(400, 'Corrupted thought signature.');

module.exports = { imageSignature, textSignature, checkSignatureEncoding, checkModelPart };
