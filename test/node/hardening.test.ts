/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code, run by Node, not n8n (README: Lint) */
/**
 * Issue 9 through n8n's real engine: the Timeout against a server that trickles its answer, a
 * Vertex credential Google keeps refusing after a token refresh, and what the node writes to
 * n8n's log.
 */
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';

import type { Emulator } from '../emulator/server';
import { credentialsHelper, runWorkflow } from './harness';
import { PHOTO, aiStudioCredential, editParameters, photoItem, useEmulator, vertexCredential } from './fixtures';

let emulator: Emulator;
useEmulator((started) => (emulator = started));

/**
 * Answers 200 at once, then sends one space every 200 ms for `forMs`: a connection that is never
 * quiet, so an HTTP client's idle timeout never fires. Records when the client hung up.
 */
async function startTricklingServer(forMs: number): Promise<{ url: string; closedAfterMs: number[]; close(): Promise<void> }> {
	const closedAfterMs: number[] = [];
	const server: Server = createServer((request, response) => {
		const started = Date.now();
		request.resume();
		response.writeHead(200, { 'Content-Type': 'application/json' });
		response.write('{"candidates": [');
		const drip = setInterval(() => response.write(' '), 200);
		const end = setTimeout(() => {
			clearInterval(drip);
			response.end(']}');
		}, forMs);
		response.on('close', () => {
			clearInterval(drip);
			clearTimeout(end);
			closedAfterMs.push(Date.now() - started);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		closedAfterMs,
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

describe('the Timeout is a hard limit', () => {
	test('a server trickling its answer is cut off at the Timeout, and the connection is closed', async () => {
		const trickle = await startTricklingServer(6000);
		try {
			credentialsHelper.set('trickle', 'nanoBananaAiStudioApi', { apiKey: 'AIzaSyTrickleKey0123456789abcdef', baseUrl: trickle.url });
			const result = await runWorkflow({
				items: [photoItem({ prompt: 'Slow drip' })],
				parameters: editParameters({ options: { timeout: 2, maxRetries: 0 } }),
				credential: { type: 'nanoBananaAiStudioApi', id: 'trickle' },
			});

			expect(result.status).toBe('error');
			expect(result.error?.message).toBe('No answer from Google within 2 s');
			expect(result.elapsedMs).toBeLessThan(4000);
			// The node hung up; it did not just stop listening.
			for (let waited = 0; trickle.closedAfterMs.length === 0 && waited < 1000; waited += 50) {
				await new Promise((resolve) => setTimeout(resolve, 50));
			}
			expect(trickle.closedAfterMs).toHaveLength(1);
			expect(trickle.closedAfterMs[0]).toBeLessThan(4000);
		} finally {
			await trickle.close();
		}
	});
});

describe('a Vertex credential Google refuses after a token refresh', () => {
	test('the first item finds out; the other items fail at once, without requests, each with its error item', async () => {
		const credential = vertexCredential(emulator);
		const result = await runWorkflow({
			items: [0, 1, 2, 3, 4, 5].map((n) => photoItem({ prompt: `Refused ${n} [[emulate:401]]`, n })),
			parameters: editParameters({ authentication: 'vertexAi', options: { maxConcurrency: 3 } }),
			credential,
			onError: 'continueRegularOutput',
		});

		expect(result.status).toBe('success');
		const items = result.outputs[0];
		expect(items.map((item) => item.json.n)).toEqual([0, 1, 2, 3, 4, 5]);
		for (const [index, item] of items.entries()) {
			expect(item.json.error).toMatchObject({
				message: 'Google did not accept the service account token',
				httpCode: '401',
				itemIndex: index,
			});
			expect(item.pairedItem).toEqual({ item: index });
		}
		// One request, n8n's token refresh, the same request again: nothing more.
		expect(emulator.counters.log.filter((entry) => entry.path.includes(':generateContent'))).toHaveLength(2);
		expect(emulator.counters.tokenExchanges).toBeLessThanOrEqual(2);
		expect(result.log.filter((line) => line.level === 'warn' && /refused the credential/.test(line.message))).toHaveLength(1);
		const failed = result.log.filter((line) => line.level === 'warn' && / failed \(/.test(line.message));
		expect(failed.map((line) => line.message).sort()).toEqual(
			[0, 1, 2, 3, 4, 5].map((n) => `Nano Banana item ${n}: failed (UNAUTHENTICATED, HTTP 401)`),
		);
	});
});

describe('a 401 on one item with an AI Studio key', () => {
	test('stays that item\'s failure: the others are still sent', async () => {
		const result = await runWorkflow({
			items: [photoItem({ prompt: 'Refused [[emulate:401]]', n: 0 }), photoItem({ prompt: 'Fine', n: 1 })],
			parameters: editParameters({ options: { maxConcurrency: 1 } }),
			credential: aiStudioCredential(emulator),
			onError: 'continueRegularOutput',
		});

		expect(result.outputs[0][0].json.error).toMatchObject({ httpCode: '401' });
		expect(result.outputs[0][1].json.error).toBeUndefined();
		expect(result.outputs[0][1].binary?.data).toBeDefined();
	});
});

describe("n8n's log", () => {
	test('per request at debug: item, model, attempt, status, responseId, modelVersion, latency, tokens; retries at info; no prompt, key or image', async () => {
		const key = emulator.apiKey;
		const result = await runWorkflow({
			items: [photoItem({ prompt: 'Private words about my cat' }), photoItem({ prompt: 'Second private prompt [[emulate:503x1]]' })],
			parameters: editParameters({ options: { maxConcurrency: 1 } }),
			credential: aiStudioCredential(emulator, key),
		});
		expect(result.status).toBe('success');

		const answered = result.log.filter((line) => line.level === 'debug' && line.metadata.request === 'generateContent' && line.metadata.status === 200);
		expect(answered).toHaveLength(2);
		for (const [index, line] of answered.entries()) {
			const output = result.outputs[0][index].json.nanoBanana as { responseId: string; modelVersion?: string };
			expect(line.metadata).toMatchObject({
				node: 'Nano Banana',
				itemIndex: index,
				model: 'gemini-2.5-flash-image',
				attempt: index + 1,
				responseId: output.responseId,
			});
			expect(typeof line.metadata.latencyMs).toBe('number');
			expect(typeof line.metadata.totalTokens).toBe('number');
			expect(line.message).toContain(`responseId ${output.responseId}`);
		}
		const retry = result.log.find((line) => line.level === 'info' && /retrying generateContent/.test(line.message));
		expect(retry?.message).toMatch(/^Nano Banana item 1 gemini-2\.5-flash-image: retrying generateContent in \d+ ms after 503 UNAVAILABLE \(attempt 1 of 5\)$/);
		expect(result.log.find((line) => line.metadata.promptLength === 'Private words about my cat'.length)).toBeDefined();

		const everything = JSON.stringify(result.log);
		expect(everything).not.toContain('Private words');
		expect(everything).not.toContain('private prompt');
		expect(everything).not.toContain(key);
		expect(everything).not.toContain(PHOTO.toString('base64').slice(0, 40));
		expect(everything).not.toMatch(/iVBORw0KGgo/);
	});
});
