import { readJsonWithout } from '../../../../nodes/NanoBanana/transport/google/jsonStream';

/** `text` as a stream of `size`-byte chunks. */
async function* chunks(text: string, size: number): AsyncGenerator<Buffer> {
	const bytes = Buffer.from(text);
	for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

const results = [
	{ response: { text: 'a "quoted" ] } [ { bracket' }, metadata: { key: 'item-0' } },
	{ error: { code: 8, message: 'inlinedResponses: [1,2]' }, metadata: { key: 'item-1' } },
	{ response: { nested: [[1], { deep: ['x\\'] }] }, metadata: { key: 'item-2' } },
];
const job = {
	name: 'batches/abc',
	metadata: {
		state: 'BATCH_STATE_SUCCEEDED',
		displayName: 'has "inlinedResponses" in it',
		output: { inlinedResponses: { inlinedResponses: results } },
	},
	done: true,
	response: { '@type': 'x', inlinedResponses: { inlinedResponses: results } },
};

describe('readJsonWithout', () => {
	test.each([1, 2, 7, 64, 100_000])('hands out every element and keeps the rest, in chunks of %i bytes', async (size) => {
		const seen: unknown[] = [];
		const rest = await readJsonWithout(chunks(JSON.stringify(job), size), 'inlinedResponses', (element) => {
			seen.push(JSON.parse(element.toString('utf8')));
		});

		expect(seen).toEqual([...results, ...results]);
		expect(JSON.parse(rest)).toEqual({
			...job,
			metadata: { ...job.metadata, output: { inlinedResponses: { inlinedResponses: [] } } },
			response: { '@type': 'x', inlinedResponses: { inlinedResponses: [] } },
		});
	});

	test('a document without the key is returned whole, and pretty-printed JSON works alike', async () => {
		const plain = JSON.stringify({ operations: [{ name: 'batches/a' }, { name: 'batches/b' }] }, null, 2);
		const seen: Buffer[] = [];
		expect(await readJsonWithout(chunks(plain, 5), 'inlinedResponses', (element) => void seen.push(element))).toBe(plain);
		expect(seen).toEqual([]);
		const pretty = JSON.stringify(job, null, 2);
		const elements: unknown[] = [];
		const rest = await readJsonWithout(chunks(pretty, 3), 'inlinedResponses', (element) => void elements.push(JSON.parse(element.toString())));
		expect(elements).toHaveLength(6);
		expect(JSON.parse(rest).metadata.output.inlinedResponses.inlinedResponses).toEqual([]);
	});

	test('holds one element at a time: each is handed out before the stream is read on', async () => {
		const order: string[] = [];
		async function* traced(): AsyncGenerator<Buffer> {
			for await (const chunk of chunks(JSON.stringify({ inlinedResponses: [{ a: 1 }, { b: 2 }] }), 12)) {
				order.push(`chunk ${chunk.toString()}`);
				yield chunk;
			}
		}
		await readJsonWithout(traced(), 'inlinedResponses', async (element) => {
			order.push(`element ${element.toString()}`);
		});

		expect(order.filter((line) => line.startsWith('element'))).toEqual(['element {"a":1}', 'element {"b":2}']);
	});
});
