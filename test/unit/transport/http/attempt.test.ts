/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @typescript-eslint/no-unused-vars -- test code, run by Node, not n8n (README: Lint) */
import { getEventListeners } from 'events';
import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';

import { aiStudioBackend } from '../../../../nodes/NanoBanana/transport/auth/backends';
import { attempt, type AuthenticatedRequest } from '../../../../nodes/NanoBanana/transport/http/attempt';
import { TransportError, withRetries, type CallOptions } from '../../../../nodes/NanoBanana/transport/http/client';
import { DEFAULT_RETRY_POLICY } from '../../../../nodes/NanoBanana/transport/failures/retry';
import { SharedRequestGate } from '../../../../nodes/NanoBanana/transport/pacing/gate';

const backend = aiStudioBackend({ apiKey: 'AIzaSyA1234567890abcdefghijklmnopqrstuv' });
const TIMED_OUT = { kind: 'network', code: 'ETIMEDOUT', message: 'No answer' } as const;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A body that sends `pieces` chunks `gapMs` apart, then (if `hang`) never ends. */
async function* trickle(pieces: number, gapMs: number, hang = false): AsyncGenerator<Buffer> {
	for (let i = 0; i < pieces; i++) {
		await pause(gapMs);
		yield Buffer.from(`line ${i}\n`);
	}
	if (hang) await new Promise(() => undefined);
}

async function read(body: unknown): Promise<string> {
	let text = '';
	for await (const chunk of body as AsyncIterable<Buffer>) text += chunk.toString();
	return text;
}

describe('a streamed body and the Timeout (issue 20, point 5)', () => {
	/** Like n8n's helper: aborting the request's signal cuts its body. */
	const streamOf = (body: AsyncIterable<Buffer>): AuthenticatedRequest => async (_type, options) => ({
		statusCode: 200,
		headers: {},
		body: (async function* () {
			for await (const chunk of body) {
				if (options.abortSignal?.aborted) throw new Error('The connection to the server was closed unexpectedly');
				yield chunk;
			}
		})(),
	});

	test('a download longer than the Timeout that keeps flowing is read whole', async () => {
		const outcome = await attempt(streamOf(trickle(10, 50)), backend, { url: 'https://x', encoding: 'stream' }, 250, TIMED_OUT, { secrets: [] });
		expect('response' in outcome).toBe(true);
		if (!('response' in outcome)) return;
		expect((await read(outcome.response.body)).split('\n')).toHaveLength(11);
	});

	test('a stall (no bytes for the Timeout) cuts it', async () => {
		const outcome = await attempt(streamOf(trickle(2, 10, true)), backend, { url: 'https://x', encoding: 'stream' }, 100, TIMED_OUT, { secrets: [] });
		if (!('response' in outcome)) throw new Error('no response');
		const started = Date.now();
		await expect(read(outcome.response.body)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
		expect(Date.now() - started).toBeLessThan(2000);
	});

	test('a reader busy with what it got is not a stall', async () => {
		const outcome = await attempt(streamOf(trickle(3, 5)), backend, { url: 'https://x', encoding: 'stream' }, 100, TIMED_OUT, { secrets: [] });
		if (!('response' in outcome)) throw new Error('no response');
		let lines = 0;
		for await (const _ of outcome.response.body as unknown as AsyncIterable<Buffer>) {
			lines++;
			await pause(300);
		}
		expect(lines).toBe(3);
	});
});

describe('a streamed body is not kept while it is read (issue 24, point 1)', () => {
	test('64 pieces of 1 MB read one after the other leave far less than 64 MB reachable', async () => {
		setFlagsFromString('--expose_gc');
		const gc = runInNewContext('gc') as () => void;
		async function* pieces(): AsyncGenerator<Buffer> {
			for (let i = 0; i < 64; i++) yield Buffer.alloc(1024 * 1024, i);
		}
		const request: AuthenticatedRequest = async () => ({ statusCode: 200, headers: {}, body: pieces() });
		const outcome = await attempt(request, backend, { url: 'https://x', encoding: 'stream' }, 60_000, TIMED_OUT, { secrets: [] });
		if (!('response' in outcome)) throw new Error('no response');
		gc();
		const before = process.memoryUsage().arrayBuffers;
		let peak = 0;
		let count = 0;
		for await (const piece of outcome.response.body as unknown as AsyncIterable<Buffer>) {
			count += piece.length > 0 ? 1 : 0;
			if (count % 16 === 0) {
				gc();
				peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
			}
		}
		expect(count).toBe(64);
		// Kept whole, all 64 MB would be reachable at the end.
		expect(peak).toBeLessThan(40 * 1024 * 1024);
	});
});

describe('an answer is not kept once its attempt is over (issue 24, point 10: 1000 items)', () => {
	test('the answers of 200 attempts are collectable while their Timeout has long to run', async () => {
		setFlagsFromString('--expose_gc');
		const gc = runInNewContext('gc') as () => void;
		// Each answer carries 256 KB; with the Timeout (300 s by default) still running, an answer
		// kept by its attempt's timer stays reachable long after the item is done.
		const answer = (): AuthenticatedRequest => async () => ({ statusCode: 200, headers: {}, body: { data: Buffer.alloc(256 * 1024, 1) } });
		gc();
		const before = process.memoryUsage().arrayBuffers;
		for (let i = 0; i < 200; i++) {
			const outcome = await attempt(answer(), backend, { url: 'https://x' }, 300_000, TIMED_OUT, { secrets: [], signal: new AbortController().signal });
			expect('response' in outcome).toBe(true);
		}
		await pause(10);
		gc();
		const kept = process.memoryUsage().arrayBuffers - before;
		// Kept by their timers, all 50 MB would still be reachable.
		expect(kept).toBeLessThan(10 * 1024 * 1024);
	});
});

describe("the execution's Stop reaches a request only while it runs (issue 24, point 10)", () => {
	/** Like n8n's helper: the request ends when its signal aborts; a stream's pieces stop coming. */
	const answering = (body: unknown): AuthenticatedRequest => async (_type, options) => {
		if (options.abortSignal?.aborted) throw Object.assign(new Error('canceled'), { code: 'ERR_CANCELED' });
		return { statusCode: 200, headers: {}, body };
	};
	const abortListeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

	test("200 answered attempts leave nothing on the execution's signal", async () => {
		const execution = new AbortController();
		const given: Array<{ aborted: boolean }> = [];
		const request: AuthenticatedRequest = async (type, options) => {
			if (options.abortSignal) given.push(options.abortSignal);
			return await answering({ ok: true })(type, options);
		};
		for (let i = 0; i < 200; i++) await attempt(request, backend, { url: 'https://x' }, 300_000, TIMED_OUT, { secrets: [], signal: execution.signal });
		expect(abortListeners(execution.signal)).toBe(0);
		// Each request had a signal of its own, and a Stop after the fact aborts none of them.
		expect(new Set(given).size).toBe(200);
		execution.abort();
		expect(given.filter((signal) => signal.aborted)).toHaveLength(0);
	});

	test('a Stop while the request runs aborts it and is told as a Stop', async () => {
		const execution = new AbortController();
		let seen: { aborted: boolean } | undefined;
		const request: AuthenticatedRequest = async (_type, options) => {
			seen = options.abortSignal;
			execution.abort();
			throw Object.assign(new Error('canceled'), { code: 'ERR_CANCELED' });
		};
		const outcome = await attempt(request, backend, { url: 'https://x' }, 300_000, TIMED_OUT, { secrets: [], signal: execution.signal });
		expect(seen?.aborted).toBe(true);
		expect(outcome).toEqual({ failure: { kind: 'cancelled' } });
		expect(abortListeners(execution.signal)).toBe(0);
	});

	test('an execution already stopped sends with an aborted signal', async () => {
		const execution = new AbortController();
		execution.abort();
		let seen: { aborted: boolean } | undefined;
		await attempt(async (_type, options) => ((seen = options.abortSignal), { statusCode: 200, headers: {}, body: {} }), backend, { url: 'https://x' }, 1000, TIMED_OUT, { secrets: [], signal: execution.signal });
		expect(seen?.aborted).toBe(true);
	});

	test('a streamed body is cut by a Stop until it is read to its end, then lets go', async () => {
		const execution = new AbortController();
		const stream = (): AuthenticatedRequest => async (_type, options) => ({
			statusCode: 200,
			headers: {},
			body: (async function* () {
				for (let i = 0; i < 5; i++) {
					await pause(5);
					if (options.abortSignal?.aborted) throw new Error('The connection to the server was closed unexpectedly');
					yield Buffer.from(`line ${i}\n`);
				}
			})(),
		});
		const whole = await attempt(stream(), backend, { url: 'https://x', encoding: 'stream' }, 1000, TIMED_OUT, { secrets: [], signal: execution.signal });
		if (!('response' in whole)) throw new Error('no response');
		expect(abortListeners(execution.signal)).toBe(1);
		expect(await read(whole.response.body)).toContain('line 4');
		expect(abortListeners(execution.signal)).toBe(0);

		const stopped = await attempt(stream(), backend, { url: 'https://x', encoding: 'stream' }, 1000, TIMED_OUT, { secrets: [], signal: execution.signal });
		if (!('response' in stopped)) throw new Error('no response');
		const reading = read(stopped.response.body);
		execution.abort();
		await expect(reading).rejects.toBeDefined();
		expect(abortListeners(execution.signal)).toBe(0);
	});
});

describe('a request that may have reached Google is checked before it is sent again (issue 20, point 4)', () => {
	const options = (): CallOptions => ({
		policy: { ...DEFAULT_RETRY_POLICY, maxRetries: 3 },
		timeoutMs: 1000,
		gate: new SharedRequestGate().join(),
		secrets: [],
		random: () => 0,
		sleep: async () => {},
	});
	const lostThenOk = () => {
		let sent = 0;
		const request: AuthenticatedRequest = async () => {
			sent++;
			if (sent === 1) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
			return { statusCode: 200, headers: {}, body: { made: sent } };
		};
		return { request, sent: () => sent };
	};
	const spec = (recover: () => Promise<string | undefined>) => ({
		name: 'create',
		options: () => ({ method: 'POST' as const, url: 'https://x' }),
		read: () => 'created again',
		recover,
	});

	test('what Google has is the answer: nothing is sent again', async () => {
		const { request, sent } = lostThenOk();
		const { value } = await withRetries(request, backend, spec(async () => 'found'), options());
		expect(value).toBe('found');
		expect(sent()).toBe(1);
	});

	test('nothing found: sent again', async () => {
		const { request, sent } = lostThenOk();
		const { value } = await withRetries(request, backend, spec(async () => undefined), options());
		expect(value).toBe('created again');
		expect(sent()).toBe(2);
	});

	test('the check fails: not sent again, the lost answer is the error', async () => {
		const { request, sent } = lostThenOk();
		const error = await withRetries(request, backend, spec(async () => { throw new Error('list failed'); }), options()).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(TransportError);
		expect((error as TransportError).failure).toMatchObject({ kind: 'network', code: 'ECONNRESET' });
		expect(sent()).toBe(1);
	});
});
