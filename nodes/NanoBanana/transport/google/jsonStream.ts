/**
 * Reads a JSON document as it streams in, without ever holding it whole: the elements of every
 * array under a given key (a batch job's `inlinedResponses`, hundreds of images) are handed out one
 * at a time and left out of the rest, which is returned as a small JSON text with `[]` in their
 * place. Bytes are scanned once; only the element being read and the rest of the document are held.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

function isSpace(byte: number): boolean {
	return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** Where the scanner is: inside a string (and after a backslash), or between tokens. */
interface Scan {
	inString: boolean;
	escaped: boolean;
	/** Bytes of the string being read while it may be a key (short strings only). */
	text: number[] | undefined;
	/** The last complete string, and whether a colon followed it (it was a key). */
	lastString: string | undefined;
	keyPending: string | undefined;
	/** Nesting depth; inside a captured array: the depth of the array itself. */
	depth: number;
	capture: { depth: number; element: Buffer[]; elementStart: number | undefined } | undefined;
}

const MAX_KEY_BYTES = 64;

/**
 * Scans `stream` (bytes of one JSON document). Each element of an array that is the value of
 * `arrayKey` goes to `onElement` (its raw JSON bytes, awaited before the stream is read on); the
 * returned text is the document with those arrays empty. The document is not validated here: the
 * caller parses the returned text and the elements (JSON.parse throws on anything malformed).
 */
export async function readJsonWithout(
	stream: AsyncIterable<Buffer | string> | Buffer | string,
	arrayKey: string,
	onElement: (element: Buffer) => Promise<void> | void,
): Promise<string> {
	const kept: Buffer[] = [];
	const scan: Scan = { inString: false, escaped: false, text: undefined, lastString: undefined, keyPending: undefined, depth: 0, capture: undefined };
	const pieces = typeof stream === 'string' || Buffer.isBuffer(stream) ? [stream] : stream;
	for await (const piece of pieces) {
		const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
		const elements: Buffer[] = [];
		let keptFrom = scan.capture ? -1 : 0;
		// An element begun in an earlier chunk goes on from this chunk's first byte.
		if (scan.capture?.elementStart !== undefined) scan.capture.elementStart = 0;
		for (let index = 0; index < chunk.length; index++) {
			const byte = chunk[index];
			if (scan.inString) {
				if (scan.escaped) scan.escaped = false;
				else if (byte === BACKSLASH) scan.escaped = true;
				else if (byte === QUOTE) {
					scan.inString = false;
					scan.lastString = scan.text ? Buffer.from(scan.text).toString('utf8') : undefined;
					scan.text = undefined;
					continue;
				}
				if (scan.text) {
					if (scan.text.length < MAX_KEY_BYTES) scan.text.push(byte);
					else scan.text = undefined;
				}
				continue;
			}
			if (isSpace(byte)) continue;
			const active = scan.capture;
			if (byte === QUOTE) {
				scan.inString = true;
				scan.text = active ? undefined : [];
				scan.keyPending = undefined;
				continue;
			}
			if (byte === COLON) {
				scan.keyPending = scan.lastString;
				continue;
			}
			if (active) {
				if (scan.depth === active.depth) {
					if (byte === CLOSE_ARRAY) {
						// The array ends: what follows is kept again, starting with this bracket.
						scan.capture = undefined;
						scan.depth--;
						keptFrom = index;
						continue;
					}
					// Elements are objects (or arrays); anything else between them is skipped.
					if (byte !== OPEN_OBJECT && byte !== OPEN_ARRAY) continue;
					active.elementStart = index;
				}
				if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) scan.depth++;
				else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) scan.depth--;
				// An element ends at the bracket that brings the depth back to the array's.
				if (scan.depth === active.depth && active.elementStart !== undefined && (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY)) {
					active.element.push(chunk.subarray(active.elementStart, index + 1));
					elements.push(Buffer.concat(active.element));
					active.element = [];
					active.elementStart = undefined;
				}
				continue;
			}
			if (byte === OPEN_ARRAY && scan.keyPending === arrayKey) {
				kept.push(chunk.subarray(keptFrom, index + 1));
				scan.depth++;
				scan.capture = { depth: scan.depth, element: [], elementStart: undefined };
				scan.keyPending = undefined;
				keptFrom = -1;
				continue;
			}
			scan.keyPending = undefined;
			if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) scan.depth++;
			else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) scan.depth--;
		}
		if (keptFrom >= 0) kept.push(chunk.subarray(keptFrom));
		const open = scan.capture;
		if (open?.elementStart !== undefined) open.element.push(chunk.subarray(open.elementStart));
		for (const element of elements) await onElement(element);
	}
	return Buffer.concat(kept).toString('utf8');
}
