import { createHash } from 'crypto';
import type { IExecuteFunctions } from 'n8n-workflow';

import { INLINE_REQUEST_OVERHEAD_BYTES } from '../../transport/api/batches';
import type { UploadSource } from '../../transport/api/files';
import { TransportError } from '../../transport/http/client';
import type { PreparedItem, PrepareItem } from '../item';
import type { RunContext } from '../runContext';
import { requestKey } from './plan';

export interface BatchEntry {
	itemIndex: number;
	key: string;
	digest: string;
	/** Kept only while the job is small enough to go inline. */
	body?: Buffer;
	/** The item used an image big enough for the Files API: its real request needs an upload. */
	needsUpload: boolean;
	/** `turn` names the input fields only: no image is held while the job waits (actions/turn.ts). */
	prepared: Pick<PreparedItem, 'parameters' | 'inputFileName' | 'turn'>;
	/** Failed before it reached the job (its upload, say): its outcome is given already. */
	settled?: boolean;
}

export interface JobGroup {
	modelId: string;
	entries: BatchEntry[];
	inlineBytes: number;
	/** Every request so far fits into the create request; once false, the job goes as a JSONL file. */
	inline: boolean;
}

function streamDigest(stream: unknown): Promise<string> {
	return (async () => {
		const hash = createHash('sha256');
		if (Buffer.isBuffer(stream)) return hash.update(stream).digest('hex');
		for await (const chunk of stream as AsyncIterable<Buffer>) hash.update(chunk);
		return hash.digest('hex');
	})();
}

/**
 * Step 1: prepares every item once, in order, holding at most one item's images at a time. A Files
 * API image is digested from its stream instead of uploaded: nothing is uploaded before we know
 * whether a job for these requests already exists.
 */
export async function prepareGroups(
	context: IExecuteFunctions,
	run: RunContext,
	prepare: PrepareItem,
	itemCount: number,
	fail: (itemIndex: number, thrown: unknown) => void,
): Promise<JobGroup[]> {
	let uploadsAvoided = 0;
	const digestOnly: RunContext = {
		...run,
		upload: async (source: UploadSource) => {
			uploadsAvoided++;
			return { mimeType: source.mimeType, fileUri: `sha256:${await streamDigest(await source.open())}` };
		},
	};
	const maxInlineBytes = run.backend.batches?.maxInlineBytes ?? 0;
	const groups = new Map<string, JobGroup>();
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		if (run.signal?.aborted) throw new TransportError({ kind: 'cancelled' }, 0);
		const uploadsBefore = uploadsAvoided;
		let prepared: PreparedItem;
		try {
			prepared = await prepare(context, itemIndex, digestOnly);
		} catch (error) {
			fail(itemIndex, error);
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
			needsUpload: uploadsAvoided > uploadsBefore,
			prepared: {
				parameters: prepared.parameters,
				inputFileName: prepared.inputFileName,
				...(prepared.turn ? { turn: prepared.turn } : {}),
			},
		};
		group.inlineBytes += prepared.request.body.length + key.length + INLINE_REQUEST_OVERHEAD_BYTES;
		if (group.inline && (group.inlineBytes > maxInlineBytes || entry.needsUpload)) {
			// Too big to go inline: the bodies are built again, one at a time, into the JSONL upload.
			group.inline = false;
			for (const earlier of group.entries) earlier.body = undefined;
		}
		if (group.inline) entry.body = prepared.request.body;
		group.entries.push(entry);
	}
	return [...groups.values()];
}
