// @ts-check
'use strict';

/**
 * Google Cloud's metadata server (Compute Engine, GKE Workload Identity, Cloud Run), the part a
 * client uses to act as the runtime's service account: an access token and the project id.
 * Requests must carry `Metadata-Flavor: Google` and must not carry `X-Forwarded-For` (the real
 * server refuses both with 403, which keeps it out of reach of proxied browsers); answers carry
 * `Metadata-Flavor: Google`. Tokens are the emulator's own, accepted by its Vertex routes.
 */

const FLAVOR = { 'metadata-flavor': 'Google', server: 'Metadata Server for VM', 'x-xss-protection': '0', 'x-frame-options': 'SAMEORIGIN' };

/**
 * @param {{
 *   counters: {metadataTokenRequests: number, metadataProjectRequests: number, metadataRefused: number},
 *   project: () => string,
 *   issueToken: () => {access_token: string, expires_in: number, token_type: string},
 * }} deps
 * @returns {Array<[string, RegExp, (ctx: {req: import('http').IncomingMessage, res: import('http').ServerResponse}) => void]>}
 */
function metadataRoutes({ counters, project, issueToken }) {
  /** @param {import('http').IncomingMessage} req @param {import('http').ServerResponse} res */
  const refused = (req, res) => {
    const flavor = req.headers['metadata-flavor'];
    let reason = '';
    if (req.headers['x-forwarded-for'] !== undefined) reason = 'Request had X-Forwarded-For header';
    else if (flavor !== 'Google') reason = 'Missing required header: Metadata-Flavor';
    if (!reason) return false;
    counters.metadataRefused++;
    const body = `<!DOCTYPE html><html><body><h1>403 Forbidden</h1><p>${reason}</p></body></html>`;
    res.writeHead(403, { 'content-type': 'text/html; charset=UTF-8', ...FLAVOR, 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return true;
  };
  return [
    ['GET', /^\/computeMetadata\/v1\/instance\/service-accounts\/default\/token$/, ({ req, res }) => {
      if (refused(req, res)) return;
      counters.metadataTokenRequests++;
      const body = JSON.stringify(issueToken());
      res.writeHead(200, { 'content-type': 'application/json', ...FLAVOR, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    }],
    ['GET', /^\/computeMetadata\/v1\/project\/project-id$/, ({ req, res }) => {
      if (refused(req, res)) return;
      counters.metadataProjectRequests++;
      const body = project();
      res.writeHead(200, { 'content-type': 'application/text', ...FLAVOR, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    }],
  ];
}

module.exports = { metadataRoutes };
