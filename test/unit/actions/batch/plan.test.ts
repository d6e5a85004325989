import { randomBytes } from 'crypto';

import {
	batchDisplayName,
	canAttach,
	itemIndexOfKey,
	pollDelayMs,
	requestKey,
} from '../../../../nodes/NanoBanana/actions/batch/plan';
import { buildGenerateContentRequest } from '../../../../nodes/NanoBanana/actions/request';
import { encodeGenerateContentRequest } from '../../../../nodes/NanoBanana/transport/google/encode';
import { aiStudioBackend, checkResourceName } from '../../../../nodes/NanoBanana/transport/auth/backends';
import { fileBatchBody, inlineBatchBody } from '../../../../nodes/NanoBanana/transport/api/batches';
import { jsonlChunks, jsonlLine, splitLines } from '../../../../nodes/NanoBanana/transport/google/jsonl';
import { parseBatchItemResult, parseBatchJob, parseBatchList } from '../../../../nodes/NanoBanana/transport/google/parseBatch';

async function* from<T>(values: T[]): AsyncGenerator<T> {
	for (const value of values) yield value;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
	const result: T[] = [];
	for await (const value of iterable) result.push(value);
	return result;
}

const body = (json: unknown) => Buffer.from(JSON.stringify(json));

describe('JSONL request lines', () => {
	it('splices the encoded body in as it is: one parseable line per request', () => {
		const request = { contents: [{ role: 'user', parts: [{ text: 'a "quoted" prompt\nwith a newline' }] }] };
		const line = jsonlLine('item-7', body(request));
		expect(line.at(-1)).toBe(0x0a);
		expect(line.subarray(0, -1).includes(0x0a)).toBe(false);
		expect(JSON.parse(line.toString('utf8'))).toEqual({ key: 'item-7', request });
	});

	it('cuts the lines into chunks of exactly the session granularity, only the last one shorter', async () => {
		const lines = Array.from({ length: 40 }, (_, index) => jsonlLine(requestKey(index), body({ pad: randomBytes(100 + index * 37).toString('hex') })));
		const whole = Buffer.concat(lines);
		const chunks = await collect(jsonlChunks(from(lines), 1024));

		expect(Buffer.concat(chunks.map((c) => c.chunk))).toEqual(whole);
		expect(chunks.slice(0, -1).every((c) => c.chunk.length === 1024 && !c.last)).toBe(true);
		expect(chunks.at(-1)?.last).toBe(true);
		expect(chunks.at(-1)?.chunk.length).toBe(whole.length - 1024 * (chunks.length - 1));
	});

	it('never holds more than a chunk plus one line', async () => {
		let pulled = 0;
		let maxAhead = 0;
		async function* lines() {
			for (let index = 0; index < 100; index++) {
				pulled += 500;
				yield Buffer.alloc(500, 0x61);
			}
		}
		let sent = 0;
		for await (const { chunk } of jsonlChunks(lines(), 2048)) {
			sent += chunk.length;
			maxAhead = Math.max(maxAhead, pulled - sent);
		}
		expect(sent).toBe(50_000);
		expect(maxAhead).toBeLessThanOrEqual(2048 + 500);
	});

	it('a size that fills the chunks exactly still ends with a flagged (short) chunk', async () => {
		const chunks = await collect(jsonlChunks(from([Buffer.alloc(1024), Buffer.alloc(1024)]), 1024));
		expect(chunks.map((c) => [c.chunk.length, c.last])).toEqual([[1024, false], [1024, true]]);
	});
});

describe('JSONL results read as a stream', () => {
	it('finds lines across chunk borders, skipping blank lines and CRs', async () => {
		const text = '{"key":"item-0"}\n\n{"key":"item-1","response":{"candidates":[]}}\r\n{"key":"item-2"}';
		const pieces = [text.slice(0, 5), text.slice(5, 20), text.slice(20, 21), text.slice(21)].map((t) => Buffer.from(t));
		const lines = (await collect(splitLines(from(pieces)))).map((line) => line.toString().replace(/\r$/, ''));
		expect(lines).toEqual(['{"key":"item-0"}', '{"key":"item-1","response":{"candidates":[]}}', '{"key":"item-2"}']);
	});
});

describe('inline create body', () => {
	it('is the batchGenerateContent shape with every request keyed', () => {
		const requests = [0, 1].map((index) => ({ key: requestKey(index), body: body({ contents: [{ parts: [{ text: `p${index}` }] }] }) }));
		expect(JSON.parse(inlineBatchBody('n8n-nano-banana-abc', requests).toString())).toEqual({
			batch: {
				displayName: 'n8n-nano-banana-abc',
				inputConfig: {
					requests: {
						requests: [
							{ request: { contents: [{ parts: [{ text: 'p0' }] }] }, metadata: { key: 'item-0' } },
							{ request: { contents: [{ parts: [{ text: 'p1' }] }] }, metadata: { key: 'item-1' } },
						],
					},
				},
			},
		});
		expect(JSON.parse(fileBatchBody('n', 'files/abc').toString())).toEqual({ batch: { displayName: 'n', inputConfig: { fileName: 'files/abc' } } });
	});
});

describe('fingerprint and keys', () => {
	const digestOf = (prompt: string) =>
		encodeGenerateContentRequest(buildGenerateContentRequest({ prompt, images: [], options: {} })).digest;
	const requests = [0, 1, 2].map((index) => ({ key: requestKey(index), digest: digestOf(`prompt ${index}`) }));

	it('is stable for the same model and requests, and different when anything changes', () => {
		const name = batchDisplayName('gemini-2.5-flash-image', requests);
		expect(name).toMatch(/^n8n-nano-banana-[0-9a-f]{32}$/);
		expect(batchDisplayName('gemini-2.5-flash-image', requests.map((r) => ({ ...r })))).toBe(name);
		expect(batchDisplayName('gemini-3-pro-image', requests)).not.toBe(name);
		expect(batchDisplayName('gemini-2.5-flash-image', requests.slice(0, 2))).not.toBe(name);
		expect(batchDisplayName('gemini-2.5-flash-image', [requests[1], requests[0], requests[2]])).not.toBe(name);
		expect(batchDisplayName('gemini-2.5-flash-image', [{ ...requests[0], digest: digestOf('prompt 9') }, ...requests.slice(1)])).not.toBe(name);
	});

	it('maps keys back to items, and nothing else', () => {
		expect(itemIndexOfKey(requestKey(41))).toBe(41);
		for (const key of ['item-', 'item-1x', '../item-1', 'item--1', '41', 'item-1234567890']) expect(itemIndexOfKey(key)).toBeUndefined();
	});

	it('attaches to a pending or running job always, to a succeeded one while its results are kept (48 h)', () => {
		const now = Date.parse('2026-12-10T12:00:00Z');
		const ended = (hoursAgo: number) => new Date(now - hoursAgo * 3600_000).toISOString();
		expect(canAttach({ state: 'BATCH_STATE_PENDING' }, now)).toBe(true);
		expect(canAttach({ state: 'BATCH_STATE_RUNNING' }, now)).toBe(true);
		expect(canAttach({ state: 'BATCH_STATE_SUCCEEDED', endTime: ended(1) }, now)).toBe(true);
		expect(canAttach({ state: 'BATCH_STATE_SUCCEEDED', endTime: ended(47.9) }, now)).toBe(true);
		expect(canAttach({ state: 'BATCH_STATE_SUCCEEDED', endTime: ended(48.1) }, now)).toBe(false);
		expect(canAttach({ state: 'BATCH_STATE_SUCCEEDED' }, now)).toBe(true);
		for (const state of ['BATCH_STATE_FAILED', 'BATCH_STATE_CANCELLED', 'BATCH_STATE_EXPIRED', 'SOMETHING_NEW']) {
			expect(canAttach({ state, endTime: ended(1) }, now)).toBe(false);
		}
	});
});

describe('poll schedule', () => {
	it('starts at a second, doubles, and never waits more than a minute', () => {
		expect([0, 1, 2, 3, 4, 5, 6, 7, 50].map(pollDelayMs)).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
	});
});

describe('batch answers parsed at the transport edge', () => {
	it('reads a job with its state, counts (int64 strings) and inline results matched by key', () => {
		const job = parseBatchJob({
			name: 'batches/abc123',
			metadata: {
				displayName: 'n8n-nano-banana-x',
				model: 'models/gemini-2.5-flash-image',
				state: 'BATCH_STATE_SUCCEEDED',
				batchStats: { requestCount: '2', successfulRequestCount: '1', failedRequestCount: '1' },
				output: {
					inlinedResponses: {
						inlinedResponses: [
							{ error: { code: 8, message: 'Quota', status: 'RESOURCE_EXHAUSTED' }, metadata: { key: 'item-1' } },
							{ response: { candidates: [{ finishReason: 'STOP' }] }, metadata: { key: 'item-0' } },
							{ response: { candidates: [] } },
						],
					},
				},
			},
		});
		expect(job).toMatchObject({
			name: 'batches/abc123',
			state: 'BATCH_STATE_SUCCEEDED',
			stats: { requestCount: 2, successfulRequestCount: 1, failedRequestCount: 1 },
		});
		expect(job?.inlinedResponses).toEqual([
			{ key: 'item-1', error: expect.objectContaining({ code: 429, message: 'Quota', status: 'RESOURCE_EXHAUSTED' }) },
			{ key: 'item-0', response: expect.objectContaining({ candidates: [expect.objectContaining({ finishReason: 'STOP' })] }) },
		]);
	});

	it('reads JSONL result lines; an RPC code becomes the HTTP status the error explanations know', () => {
		expect(parseBatchItemResult('{"key":"item-3","error":{"code":3,"message":"bad"}}')).toEqual({
			key: 'item-3',
			error: expect.objectContaining({ code: 400, message: 'bad' }),
		});
		expect(parseBatchItemResult('{"key":"item-3","response":{"candidates":[]}}')?.response).toEqual(expect.objectContaining({ candidates: [] }));
		expect(parseBatchItemResult('not json')).toBeUndefined();
		expect(parseBatchItemResult('{"response":{}}')).toBeUndefined();
	});

	it('a failed job carries Google\'s reason; a list keeps jobs and the page token', () => {
		expect(parseBatchJob({ name: 'batches/x', metadata: { state: 'BATCH_STATE_FAILED' }, error: { code: 13, message: 'boom' } })?.error).toMatchObject({ code: 500, message: 'boom' });
		expect(parseBatchList({ operations: [{ name: 'batches/x', metadata: { state: 'BATCH_STATE_RUNNING' } }, { junk: 1 }], nextPageToken: 't' })).toEqual({
			jobs: [expect.objectContaining({ name: 'batches/x', state: 'BATCH_STATE_RUNNING' })],
			nextPageToken: 't',
		});
		expect(parseBatchList('<html>')).toBeUndefined();
	});
});

describe('job and file names from Google never pick a path', () => {
	const batches = aiStudioBackend({ apiKey: 'k', baseUrl: 'https://generativelanguage.googleapis.com' }).batches!;

	it('builds URLs from well-formed names only', () => {
		expect(batches.jobUrl('batches/abc-1_2')).toBe('https://generativelanguage.googleapis.com/v1beta/batches/abc-1_2');
		expect(batches.cancelUrl('batches/abc')).toBe('https://generativelanguage.googleapis.com/v1beta/batches/abc:cancel');
		expect(batches.downloadUrl('files/res1')).toBe('https://generativelanguage.googleapis.com/download/v1beta/files/res1:download');
		for (const name of ['batches/../models', 'batches/a/b', 'https://evil.example/batches/a', 'files/a', 'batches/a?x=1', 'batches/']) {
			expect(() => batches.jobUrl(name)).toThrow(/unexpected batch job name/);
		}
		expect(() => checkResourceName('files/../../x', 'file')).toThrow(/unexpected file name/);
	});
});
