// @ts-check
'use strict';
/** A tiny static server for sample input images (there is no internet to fetch one from). */
const http = require('node:http');

/**
 * Serves the given files (path → { body, type }) on 127.0.0.1.
 * @param {Record<string, { body: Buffer, type: string }>} files  keys like '/sample.png'
 * @param {{ port?: number }} [options]
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
function startImageServer(files, options = {}) {
	const server = http.createServer((req, res) => {
		const file = files[new URL(req.url ?? '/', 'http://x').pathname];
		if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
			res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
			return;
		}
		res.writeHead(200, { 'content-type': file.type, 'content-length': file.body.length });
		res.end(req.method === 'HEAD' ? undefined : file.body);
	});
	return new Promise((resolve, reject) => {
		server.on('error', reject);
		server.listen(options.port ?? 0, '127.0.0.1', () => {
			const addr = server.address();
			const port = typeof addr === 'object' && addr ? addr.port : 0;
			resolve({
				url: `http://127.0.0.1:${port}`,
				close: () =>
					new Promise((r) => {
						server.closeAllConnections?.();
						server.close(() => r());
					}),
			});
		});
	});
}

module.exports = { startImageServer };
