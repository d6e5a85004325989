import { uploadJsonl } from '../../transport/api/files';
import { TransportError } from '../../transport/http/client';
import type { RunContext } from '../runContext';

/**
 * A file job's JSONL upload, fed while the items are prepared: each request line goes out as it is
 * built, so an item is read once and its body is the one that was fingerprinted (its deferred
 * image uploads put in), and memory holds one upload chunk plus one request, whatever the batch.
 */
export interface JsonlUpload {
	/** Hands a line to the upload; resolves once the upload has taken it (rejects if the upload failed). */
	push(line: Buffer): Promise<void>;
	/** No more lines: resolves with the uploaded file's name (`files/…`). */
	finish(): Promise<string>;
	/** Gives the upload up (the run stops): no job will be created from it. */
	abort(): void;
}

/** Files get this display name: the job's fingerprint is only known once every item is read. */
const FILE_DISPLAY_NAME = 'n8n-nano-banana-requests';

export function startJsonlUpload(run: RunContext): JsonlUpload {
	const queue: Array<{ line: Buffer; taken: () => void }> = [];
	let closed = false;
	let failure: unknown;
	let wake: (() => void) | undefined;
	const rejecters = new Set<(error: unknown) => void>();
	const notify = () => {
		const next = wake;
		wake = undefined;
		next?.();
	};
	async function* lines(): AsyncGenerator<Buffer> {
		for (;;) {
			const next = queue.shift();
			if (next) {
				next.taken();
				yield next.line;
				continue;
			}
			if (failure !== undefined) throw failure;
			if (closed) return;
			await new Promise<void>((resolve) => (wake = resolve));
		}
	}
	const uploaded = uploadJsonl(run.request, run.backend, lines(), FILE_DISPLAY_NAME, run.callOptions);
	const fail = (error: unknown) => {
		failure ??= error;
		for (const reject of rejecters) reject(failure);
		rejecters.clear();
		notify();
	};
	uploaded.catch(fail);
	return {
		push: async (line) => {
			if (failure !== undefined) throw failure;
			await new Promise<void>((resolve, reject) => {
				const entry = {
					line,
					taken: () => {
						rejecters.delete(reject);
						resolve();
					},
				};
				rejecters.add(reject);
				queue.push(entry);
				notify();
			});
		},
		finish: async () => {
			closed = true;
			notify();
			return await uploaded;
		},
		abort: () => {
			fail(new TransportError({ kind: 'cancelled' }, 0));
		},
	};
}
