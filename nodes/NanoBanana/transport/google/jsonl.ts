/**
 * JSON Lines for Batch Mode files: request lines written from encoded bodies (never re-parsed),
 * cut into the fixed-size chunks an upload session takes, and result files split back into lines
 * as they stream in. Pure functions over Buffers and async iterables.
 */

const NEWLINE = 0x0a;

/** `{"key":"…","request":<body>}\n`: one request line; `body` is an encoded generateContent body. */
export function jsonlLine(key: string, body: Buffer): Buffer {
	return Buffer.concat([Buffer.from(`{"key":${JSON.stringify(key)},"request":`), body, Buffer.from('}\n')]);
}

/**
 * Regroups `parts` into chunks of exactly `size` bytes, the last one shorter and flagged. A chunk
 * goes out only once more bytes are known to follow, so the flag is always right; at most
 * `size` bytes plus one part are held.
 */
export async function* jsonlChunks(
	parts: AsyncIterable<Buffer>,
	size: number,
): AsyncGenerator<{ chunk: Buffer; last: boolean }> {
	let pending: Buffer[] = [];
	let pendingBytes = 0;
	for await (const part of parts) {
		pending.push(part);
		pendingBytes += part.length;
		while (pendingBytes > size) {
			const joined = Buffer.concat(pending, pendingBytes);
			yield { chunk: joined.subarray(0, size), last: false };
			const rest = joined.subarray(size);
			pending = [rest];
			pendingBytes = rest.length;
		}
	}
	yield { chunk: Buffer.concat(pending, pendingBytes), last: true };
}

/** Splits a byte stream into its lines (without the newline); blank lines are skipped. */
export async function* splitLines(stream: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
	let pending: Buffer[] = [];
	for await (const piece of stream) {
		let data = typeof piece === 'string' ? Buffer.from(piece) : piece;
		let newline = data.indexOf(NEWLINE);
		while (newline !== -1) {
			const line = Buffer.concat([...pending, data.subarray(0, newline)]);
			pending = [];
			if (line.length > 0 && !(line.length === 1 && line[0] === 0x0d)) yield line;
			data = data.subarray(newline + 1);
			newline = data.indexOf(NEWLINE);
		}
		if (data.length > 0) pending.push(data);
	}
	const last = Buffer.concat(pending);
	if (last.length > 0) yield last;
}
