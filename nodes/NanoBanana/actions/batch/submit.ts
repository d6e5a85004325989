import { createBatch, fileBatchBody, findBatch, inlineBatchBody } from '../../transport/api/batches';
import { uploadJsonl } from '../../transport/api/files';
import { jsonlLine } from '../../transport/google/jsonl';
import type { BatchJob } from '../../transport/google/types';
import type { CallOptions } from '../../transport/http/client';
import type { PreparedItem } from '../item';
import type { JobGroup } from './groups';
import { canAttach } from './plan';
import type { BatchSession, Settle } from './session';

/** Step 2: finding the job these requests already have at Google, or creating (and paying for) one. */

/** A job under `displayName` that may stand in for a new one (see `canAttach`). */
export async function findExistingJob(
	session: BatchSession,
	displayName: string,
	options: CallOptions = session.run.callOptions,
): Promise<BatchJob | undefined> {
	const { request, backend } = session.run;
	return await findBatch(
		request,
		backend,
		(job) => job.displayName === displayName && canAttach(job.state, session.reuseFinished),
		options,
	).catch((error: unknown) => {
		if (options === session.afterStop) return undefined;
		throw error;
	});
}

/** Creates the group's job: inline when its requests fit into the create request, else from a JSONL upload. */
export async function createJob(session: BatchSession, group: JobGroup, displayName: string, settle: Settle): Promise<BatchJob> {
	const { request, backend, callOptions } = session.run;
	if (group.inline) {
		const body = inlineBatchBody(
			displayName,
			group.entries.map((entry) => ({ key: entry.key, body: entry.body as Buffer })),
		);
		for (const entry of group.entries) entry.body = undefined;
		return await createBatch(request, backend, group.modelId, body, callOptions);
	}
	const fileName = await uploadJsonl(request, backend, requestLines(session, group, settle), displayName, callOptions);
	session.run.log.info('batch requests uploaded as a JSONL file', {
		file: fileName,
		model: group.modelId,
		requests: group.entries.length,
	});
	return await createBatch(request, backend, group.modelId, fileBatchBody(displayName, fileName), callOptions);
}

/** The JSONL lines of a file job, each built when the upload is ready for it. */
async function* requestLines(session: BatchSession, group: JobGroup, settle: Settle): AsyncGenerator<Buffer> {
	for (const entry of group.entries) {
		let prepared: PreparedItem;
		try {
			prepared = await session.prepare(session.context, entry.itemIndex, session.run);
		} catch (error) {
			settle(entry.itemIndex, error instanceof Error ? error : new Error(String(error)));
			continue;
		}
		yield jsonlLine(entry.key, prepared.request.body);
	}
}
