import { createHash } from 'crypto';
import type { IExecuteFunctions } from 'n8n-workflow';

import { INLINE_REQUEST_OVERHEAD_BYTES } from '../../transport/api/batches';
import type { UploadSource } from '../../transport/api/files';
import { jsonlLine } from '../../transport/google/jsonl';
import { TransportError } from '../../transport/http/client';
import type { PreparedItem, PrepareItem } from '../item';
import type { RunContext } from '../runContext';
import { expectedAnswerBytes, requestKey } from './plan';
import { startJsonlUpload, type JsonlUpload } from './upload';
import type { Reservation } from '../../cost/ledger';

export interface BatchEntry {
	itemIndex: number;
	key: string;
	digest: string;
	/** Kept only while the job is small enough to go inline. */
	body?: Buffer;
	/** `turn` names the input fields only: no image is held while the job waits (actions/turn.ts). */
	prepared: Pick<PreparedItem, 'parameters' | 'inputFileName' | 'shape' | 'turn'>;
}

export interface JobGroup {
	modelId: string;
	entries: BatchEntry[];
	/**
	 * Bytes of the job resource if it went inline: its requests, and the answers Google would put
	 * inside it. Over the backend's limit, the job goes as a JSONL file and its answers come back
	 * as a results file, read as a stream whatever its size.
	 */
	inlineBytes: number;
	/** Every request so far fits into the create request; once false, the job goes as a JSONL file. */
	inline: boolean;
	/** The job's estimate, held against the spending caps while it runs (a job created by this execution). */
	reservation?: Reservation;
	/** A file job: its JSONL upload, fed while the items are prepared. */
	upload?: JsonlUpload;
	/** A file job: the uploaded file's name, once every line is in (see `prepareGroups`). */
	uploaded?: Promise<string>;
}

function streamDigest(stream: unknown): Promise<string> {
	return (async () => {
		const hash = createHash('sha256');
		if (Buffer.isBuffer(stream)) return hash.update(stream).digest('hex');
		for await (const chunk of stream as AsyncIterable<Buffer>) hash.update(chunk);
		return hash.digest('hex');
	})();
}

/** An image the item needs through the Files API: in its body for now as `placeholder`. */
interface DeferredUpload {
	placeholder: string;
	source: UploadSource;
}

/** `body` with every JSON string `"from"` replaced by `"to"` (both plain ASCII: no escapes). */
function substitute(body: Buffer, from: string, to: string): Buffer {
	const needle = Buffer.from(JSON.stringify(from));
	const parts: Buffer[] = [];
	let start = 0;
	for (let at = body.indexOf(needle); at !== -1; at = body.indexOf(needle, start)) {
		parts.push(body.subarray(start, at), Buffer.from(JSON.stringify(to)));
		start = at + needle.length;
	}
	parts.push(body.subarray(start));
	return Buffer.concat(parts);
}

/**
 * Step 1: prepares every item once, in order, holding at most one item's images at a time. An image
 * for the Files API is digested from its stream and stands in the body as `sha256:<digest>`: the
 * body digested (the fingerprint) is the body sent, with the file's URI put in once it is
 * uploaded. Nothing is uploaded for a job that stays inline; a file job's lines are uploaded as
 * they are built (an item's images just before its line), so nothing is prepared twice.
 */
export async function prepareGroups(
	context: IExecuteFunctions,
	run: RunContext,
	prepare: PrepareItem,
	itemCount: number,
	fail: (itemIndex: number, thrown: unknown) => void,
	runStops: () => boolean,
): Promise<JobGroup[]> {
	let deferred: DeferredUpload[] = [];
	const digestOnly: RunContext = {
		...run,
		upload: async (source: UploadSource) => {
			const fileUri = `sha256:${await streamDigest(await source.open())}`;
			deferred.push({ placeholder: fileUri, source });
			return { mimeType: source.mimeType, fileUri };
		},
	};
	const maxInlineBytes = run.backend.batches?.maxInlineBytes ?? 0;
	const groups = new Map<string, JobGroup>();
	const toFile = async (group: JobGroup) => {
		// Too big to go inline (its requests or its answers): the lines held so far go first.
		group.inline = false;
		group.upload = startJsonlUpload(run);
		for (const earlier of group.entries) {
			const body = earlier.body as Buffer;
			earlier.body = undefined;
			await group.upload.push(jsonlLine(earlier.key, body));
		}
	};
	try {
		for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
			if (run.signal?.aborted) throw new TransportError({ kind: 'cancelled' }, 0);
			deferred = [];
			let prepared: PreparedItem;
			try {
				prepared = await prepare(context, itemIndex, digestOnly);
			} catch (error) {
				fail(itemIndex, error);
				// Without Continue On Fail the run ends here: nothing is sent for it.
				if (runStops()) break;
				continue;
			}
			const modelId = prepared.parameters.modelIds[0];
			let group = groups.get(modelId);
			if (!group) {
				group = { modelId, entries: [], inlineBytes: 0, inline: true };
				groups.set(modelId, group);
			}
			const key = requestKey(itemIndex);
			const entry: BatchEntry = {
				itemIndex,
				key,
				digest: prepared.request.digest,
				prepared: {
					parameters: prepared.parameters,
					inputFileName: prepared.inputFileName,
					shape: prepared.shape,
					...(prepared.turn ? { turn: prepared.turn } : {}),
				},
			};
			group.inlineBytes +=
				prepared.request.body.length + key.length + INLINE_REQUEST_OVERHEAD_BYTES + expectedAnswerBytes(prepared.parameters.options);
			if (group.inline && (group.inlineBytes > maxInlineBytes || deferred.length > 0)) await toFile(group);
			if (group.inline) {
				entry.body = prepared.request.body;
			} else {
				let body = prepared.request.body;
				try {
					for (const { placeholder, source } of deferred) {
						const file = await run.upload(source, prepared.deadlineAt, run.log.with({ itemIndex }));
						body = substitute(body, placeholder, file.fileUri);
					}
				} catch (error) {
					// Its own cause; the job has no request for it.
					fail(itemIndex, error);
					if (runStops()) break;
					continue;
				}
				await group.upload?.push(jsonlLine(key, body));
			}
			group.entries.push(entry);
		}
	} finally {
		for (const group of groups.values()) {
			if (!group.upload) continue;
			if (runStops() || run.signal?.aborted) group.upload.abort();
			group.uploaded = group.upload.finish();
			group.uploaded.catch(() => undefined);
		}
	}
	return [...groups.values()];
}
