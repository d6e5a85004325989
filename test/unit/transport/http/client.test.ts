/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-globals -- test code, run by Node, not n8n (README: Lint) */
import type { IHttpRequestOptions } from 'n8n-workflow';

import { aiStudioBackend } from '../../../../nodes/NanoBanana/transport/auth/backends';
import { generateContent } from '../../../../nodes/NanoBanana/transport/api/models';
import {
	CredentialRefusal,
	TransportError,
	withRetries,
	type AuthenticatedRequest,
	type CallOptions,
} from '../../../../nodes/NanoBanana/transport/http/client';
import { explainFailure } from '../../../../nodes/NanoBanana/transport/failures/explain';
import { SharedRequestGate, SYSTEM_CLOCK, type Slot } from '../../../../nodes/NanoBanana/transport/pacing/gate';
import { nodeLog, type LogFields } from '../../../../nodes/NanoBanana/transport/http/log';
import { DEFAULT_RETRY_POLICY } from '../../../../nodes/NanoBanana/transport/failures/retry';

const backend = aiStudioBackend({ apiKey: 'AIzaSyA1234567890abcdefghijklmnopqrstuv' });
const body = Buffer.from('{}');
const IMAGE_ANSWER = {
	responseId: 'resp-123',
	modelVersion: 'gemini-2.5-flash-image-001',
	usageMetadata: { promptTokenCount: 12, candidatesTokenCount: 1290, totalTokenCount: 1302 },
	candidates: [{ finishReason: 'STOP', content: { parts: [{ inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }] } }],
};

const ok = (answer: unknown = IMAGE_ANSWER) => ({ statusCode: 200, headers: {}, body: answer });

function options(overrides: Partial<CallOptions> = {}): CallOptions {
	return {
		policy: { ...DEFAULT_RETRY_POLICY, maxRetries: 0 },
		timeoutMs: 10_000,
		gate: new SharedRequestGate().join(),
		secrets: [],
		random: () => 0,
		sleep: async () => {},
		...overrides,
	};
}

async function failureOf(promise: Promise<unknown>): Promise<TransportError> {
	const error = await promise.then(
		() => undefined,
		(thrown: unknown) => thrown,
	);
	if (!(error instanceof TransportError)) throw new Error(`expected a TransportError, got ${String(error)}`);
	return error;
}

describe('the item time budget is a hard limit', () => {
	it('an attempt that waited for its slot gets only the time left, not a full timeout', async () => {
		const shared = new SharedRequestGate(SYSTEM_CLOCK, 1);
		const gate = shared.join();
		const held = (await gate.acquire()) as Slot; // another item holds the only slot
		const sent: IHttpRequestOptions[] = [];
		const request: AuthenticatedRequest = async (_type, http) => {
			sent.push(http);
			return ok();
		};
		const call = generateContent(request, backend, 'gemini-2.5-flash-image', body, options({ gate, deadlineAt: Date.now() + 400 }));
		await new Promise((resolve) => setTimeout(resolve, 250));
		gate.release(held, { ok: true });
		await call;

		expect(sent).toHaveLength(1);
		expect(sent[0].timeout).toBeLessThanOrEqual(400 - 250 + 20);
	});

	it('no request starts once the budget ran out while waiting for a slot', async () => {
		const shared = new SharedRequestGate(SYSTEM_CLOCK, 1);
		const gate = shared.join();
		const held = (await gate.acquire()) as Slot;
		const request = jest.fn<Promise<unknown>, Parameters<AuthenticatedRequest>>(async () => ok());
		const call = failureOf(generateContent(request, backend, 'gemini-2.5-flash-image', body, options({ gate, deadlineAt: Date.now() + 100 })));
		await new Promise((resolve) => setTimeout(resolve, 200));
		gate.release(held, { ok: true });
		const error = await call;

		expect(request).not.toHaveBeenCalled();
		expect(error.failure).toEqual({ kind: 'budget' });
		expect(shared.requestsInFlight).toBe(0);
	});

	it('a server that keeps the answer coming slowly cannot hold an attempt past its timeout', async () => {
		let signal: AbortSignal | undefined;
		// Stands in for a trickling server behind an HTTP client whose own timeout only notices silence.
		const request: AuthenticatedRequest = async (_type, http) => {
			signal = http.abortSignal as AbortSignal;
			return await new Promise((resolve) => setTimeout(() => resolve(ok()), 3000));
		};
		const started = Date.now();
		const error = await failureOf(generateContent(request, backend, 'gemini-2.5-flash-image', body, options({ timeoutMs: 200 })));

		expect(Date.now() - started).toBeLessThan(1000);
		expect(error.failure).toMatchObject({ kind: 'network', code: 'ETIMEDOUT' });
		// The request itself is told to stop, so n8n's HTTP client closes the connection.
		expect(signal?.aborted).toBe(true);
	});

	it('an attempt cut short by the item budget fails as a used-up budget, without a retry', async () => {
		const request = jest.fn<Promise<unknown>, Parameters<AuthenticatedRequest>>(
			async () => await new Promise((resolve) => setTimeout(() => resolve(ok()), 3000)),
		);
		const started = Date.now();
		const error = await failureOf(
			generateContent(request, backend, 'gemini-2.5-flash-image', body, {
				...options({ timeoutMs: 10_000, deadlineAt: Date.now() + 200 }),
				policy: { ...DEFAULT_RETRY_POLICY, maxRetries: 3 },
			}),
		);

		expect(Date.now() - started).toBeLessThan(1000);
		expect(error.failure).toEqual({ kind: 'budget' });
		expect(request).toHaveBeenCalledTimes(1);
		const explained = explainFailure(error.failure, { backend, modelId: 'm', attempts: error.attempts, timeoutMs: 10_000 });
		expect(explained).toMatchObject({ reason: 'TIME_BUDGET', message: "The item's time budget ran out before Google answered" });
		expect(explained.description).toContain('Item Time Budget');
	});

	it("the execution's Stop still aborts the request", async () => {
		const controller = new AbortController();
		let signal: AbortSignal | undefined;
		const request: AuthenticatedRequest = async (_type, http) => {
			signal = http.abortSignal as AbortSignal;
			return await new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('canceled'))));
		};
		const call = failureOf(generateContent(request, backend, 'gemini-2.5-flash-image', body, options({ signal: controller.signal })));
		await new Promise((resolve) => setTimeout(resolve, 20));
		controller.abort();
		expect((await call).failure).toEqual({ kind: 'cancelled' });
		expect(signal?.aborted).toBe(true);
	});
});

describe('a credential Google refuses after a token refresh', () => {
	const refused401 = Object.assign(new Error('Request failed with status code 401'), {
		httpCode: '401',
		context: { data: { error: { code: 401, status: 'UNAUTHENTICATED', message: 'Request had invalid authentication credentials.' } } },
	});

	it('fails every later request of the execution without sending it', async () => {
		const refusal = new CredentialRefusal();
		const request = jest.fn<Promise<unknown>, Parameters<AuthenticatedRequest>>(async () => {
			throw refused401;
		});
		const first = await failureOf(generateContent(request, backend, 'gemini-2.5-flash-image', body, options({ refusal })));
		expect(first.failure).toMatchObject({ kind: 'api', statusCode: 401 });
		const sentForFirst = request.mock.calls.length;

		for (let item = 1; item < 6; item++) {
			const later = await failureOf(generateContent(request, backend, 'gemini-2.5-flash-image', body, options({ refusal })));
			expect(later.failure).toBe(first.failure);
			expect(later.attempts).toBe(0);
		}
		expect(request).toHaveBeenCalledTimes(sentForFirst);
	});

	it('other failures do not stop later requests', async () => {
		const refusal = new CredentialRefusal();
		const request = jest
			.fn<Promise<unknown>, Parameters<AuthenticatedRequest>>()
			.mockResolvedValueOnce({ statusCode: 403, headers: {}, body: { error: { code: 403, message: 'denied', status: 'PERMISSION_DENIED' } } })
			.mockResolvedValueOnce(ok());
		await failureOf(generateContent(request, backend, 'gemini-2.5-flash-image', body, options({ refusal })));
		await generateContent(request, backend, 'gemini-2.5-flash-image', body, options({ refusal }));
		expect(request).toHaveBeenCalledTimes(2);
		expect(refusal.failure).toBeUndefined();
	});
});

describe('snippets of unreadable answers', () => {
	it('a key crossing the snippet cut leaves nothing of itself in the failure', async () => {
		const secret = 'proxy-secret-0123456789abcdef';
		const page = `<html>${'x'.repeat(110)}${secret}</html>`;
		const request: AuthenticatedRequest = async () => ({ statusCode: 200, headers: {}, body: page });
		const error = await failureOf(generateContent(request, backend, 'gemini-2.5-flash-image', body, options({ secrets: [secret] })));

		expect(error.failure.kind).toBe('malformed');
		const snippet = error.failure.kind === 'malformed' ? error.failure.snippet : '';
		expect(snippet).toContain('<html>xxx');
		expect(snippet).not.toContain('proxy-sec');
	});
});

describe("what goes to n8n's log", () => {
	interface Line {
		level: string;
		message: string;
		metadata: Record<string, unknown>;
	}
	function recordingLogger() {
		const lines: Line[] = [];
		const record = (level: string) => (message: string, metadata: Record<string, unknown> = {}) =>
			lines.push({ level, message, metadata });
		return { lines, logger: { debug: record('debug'), info: record('info'), warn: record('warn') } };
	}
	const key = 'AIzaSyA1234567890abcdefghijklmnopqrstuv';

	it('one debug line per request with item, model, attempt, status, ids, latency and token counts', async () => {
		const { lines, logger } = recordingLogger();
		const log = nodeLog(logger, [key], { node: 'Nano Banana' }).with({ itemIndex: 3, model: 'gemini-2.5-flash-image' });
		await generateContent(async () => ok(), backend, 'gemini-2.5-flash-image', body, options({ log }));

		expect(lines).toHaveLength(1);
		expect(lines[0].level).toBe('debug');
		expect(lines[0].message).toMatch(/^Nano Banana item 3 gemini-2\.5-flash-image: generateContent answered 200 in \d+ ms \(attempt 1, responseId resp-123\)$/);
		expect(lines[0].metadata).toMatchObject({
			node: 'Nano Banana',
			itemIndex: 3,
			model: 'gemini-2.5-flash-image',
			request: 'generateContent',
			attempt: 1,
			status: 200,
			responseId: 'resp-123',
			modelVersion: 'gemini-2.5-flash-image-001',
			promptTokens: 12,
			outputTokens: 1290,
			totalTokens: 1302,
		});
		expect(typeof lines[0].metadata.latencyMs).toBe('number');
		// The image itself never.
		expect(JSON.stringify(lines)).not.toContain('iVBORw0KGgo');
	});

	it('retries at info with the delay chosen; a pause of the whole pool at warn', async () => {
		const { lines, logger } = recordingLogger();
		const request = jest
			.fn<Promise<unknown>, Parameters<AuthenticatedRequest>>()
			.mockResolvedValueOnce({
				statusCode: 429,
				headers: { 'retry-after': '0.05' },
				body: { error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: `quota for key ${key}` } },
			})
			.mockResolvedValueOnce(ok());
		const log = nodeLog(logger, [key]).with({ itemIndex: 0, model: 'm' });
		await generateContent(request, backend, 'm', body, { ...options({ log }), policy: { ...DEFAULT_RETRY_POLICY, maxRetries: 2 } });

		expect(lines.map((line) => line.level)).toEqual(['debug', 'warn', 'info', 'debug']);
		expect(lines[1].message).toMatch(/Google asked to wait 50 ms after 429 RESOURCE_EXHAUSTED/);
		expect(lines[1].metadata).toMatchObject({ status: 429, pauseMs: 50 });
		expect(lines[2].message).toMatch(/^Nano Banana item 0 m: retrying generateContent in 50 ms after 429 RESOURCE_EXHAUSTED \(attempt 1 of 3\)$/);
		expect(lines[2].metadata).toMatchObject({ delayMs: 50, attempt: 1, status: 429 });
		expect(JSON.stringify(lines)).not.toContain(key);
	});

	it('secrets and control characters never reach a line, even in values Google sent', () => {
		const { lines, logger } = recordingLogger();
		nodeLog(logger, ['short']).debug('answered', { responseId: `abc\nFAKE LINE ${key} short` });
		expect(lines[0].metadata.responseId).toBe('abc FAKE LINE [redacted] [redacted]');
	});

	it('fields are flat values only: nothing nested can carry a body or a credential', () => {
		// The type keeps objects out at compile time (the directive fails the build if it widens)…
		// @ts-expect-error objects are not log values
		const typed: LogFields = { credential: { apiKey: key } };
		// …and the log drops them at run time, where a cast or plain JavaScript gets past the type.
		const { lines, logger } = recordingLogger();
		const cast = { a: 1, b: 'x', c: true, d: undefined, body: { contents: [{ parts: [{ text: 'the prompt' }] }] }, list: ['the prompt'] } as unknown as LogFields;
		nodeLog(logger, []).debug('answered', cast);
		nodeLog(logger, []).with(typed).debug('answered');
		expect(lines.map((line) => line.metadata)).toEqual([{ a: 1, b: 'x', c: true }, {}]);
	});
});

describe('a request whose body cannot be built', () => {
	it('hands its slot back: the gate is not left one request fuller for good', async () => {
		const shared = new SharedRequestGate(SYSTEM_CLOCK, 1);
		const gate = shared.join();
		const request: AuthenticatedRequest = async () => ok();
		const spec = {
			name: 'upload',
			options: async (): Promise<IHttpRequestOptions> => {
				throw new Error('the binary stream could not be opened');
			},
			read: () => true,
		};
		await expect(withRetries(request, backend, spec, options({ gate }))).rejects.toThrow('could not be opened');
		expect(shared.requestsInFlight).toBe(0);
		// The only slot is free again: the next request gets it at once.
		const next = await withRetries(request, backend, { name: 'next', options: () => ({ url: 'http://server.invalid/next' }), read: () => true }, options({ gate, deadlineAt: Date.now() + 1000 }));
		expect(next.value).toBe(true);
	});
});
