import { NodeOperationError } from 'n8n-workflow';

import { createBatch, fileBatchBody, findBatch, inlineBatchBody } from '../../transport/api/batches';
import type { BatchJob } from '../../transport/google/types';
import type { TransportFailure } from '../../transport/failures/kinds';
import { failureSummary } from '../../transport/http/attemptLog';
import { TransportError, type CallOptions } from '../../transport/http/client';
import { waitUnlessStopped } from '../../transport/pacing/wait';
import type { JobGroup } from './groups';
import { canAttach } from './plan';
import type { BatchSession } from './session';

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
		(job) => job.displayName === displayName && canAttach(job, Date.now()),
		options,
	).catch((error: unknown) => {
		if (options === session.afterStop) return undefined;
		throw error;
	});
}

/**
 * Waits before each look for a job just created: Google's list may not show it at once. After a
 * Stop, a few seconds (the execution is ending); after a lost create answer, half a minute, since
 * the create is then not sent again (`createJob`).
 */
export const STOPPED_LOOKUP_WAITS_MS = [0, 1000, 2000, 3000];
export const LOST_ANSWER_LOOKUP_WAITS_MS = [0, 1000, 2000, 4000, 8000, 15_000];

/**
 * Looks for a job that may have just been created (its create request was stopped, or its answer
 * lost), a few times over some seconds. A failed lookup throws, except with `session.afterStop`.
 */
export async function lookForCreatedJob(
	session: BatchSession,
	displayName: string,
	options: CallOptions = session.run.callOptions,
	waits: readonly number[] = STOPPED_LOOKUP_WAITS_MS,
): Promise<BatchJob | undefined> {
	for (const waitMs of waits) {
		if (waitMs > 0) await waitUnlessStopped(waitMs, options.signal);
		const job = await findExistingJob(session, displayName, options);
		if (job) return job;
	}
	return undefined;
}

/**
 * Creates the group's job: inline when its requests fit into the create request, else from a JSONL
 * upload. A create whose answer was lost (reset, timeout, 500) may have made the job: it is looked
 * for over half a minute; when Google's list still does not show it, the create is not sent again
 * (that could pay twice) and the run ends saying so: a rerun finds the job if Google made it.
 */
export async function createJob(session: BatchSession, group: JobGroup, displayName: string): Promise<BatchJob> {
	const { request, backend, callOptions } = session.run;
	let notFound = false;
	const findCreated = async (failure: TransportFailure) => {
		// A 503 is Google saying it is too busy to take the request: a short look, then it is sent again.
		const refused = failure.kind === 'api' && failure.statusCode === 503;
		const job = await lookForCreatedJob(session, displayName, callOptions, refused ? STOPPED_LOOKUP_WAITS_MS : LOST_ANSWER_LOOKUP_WAITS_MS);
		if (job || refused) return job;
		notFound = true;
		throw new Error('not found');
	};
	const create = async (body: Buffer) =>
		await createBatch(request, backend, group.modelId, body, callOptions, findCreated).catch((error: unknown) => {
			if (notFound && !session.run.signal?.aborted) throw createUnknown(session, error);
			throw error;
		});
	if (group.inline) {
		const body = inlineBatchBody(
			displayName,
			group.entries.map((entry) => ({ key: entry.key, body: entry.body as Buffer })),
		);
		for (const entry of group.entries) entry.body = undefined;
		return await create(body);
	}
	// The lines went up while the items were prepared (`groups.ts`); the file is complete now.
	const fileName = await (group.uploaded ?? Promise.reject(new TransportError({ kind: 'other', message: 'no JSONL upload for a file job' }, 0)));
	session.run.log.info('batch requests uploaded as a JSONL file', {
		file: fileName,
		model: group.modelId,
		requests: group.entries.length,
	});
	return await create(fileBatchBody(displayName, fileName));
}

function createUnknown(session: BatchSession, error: unknown): NodeOperationError {
	const why = error instanceof TransportError ? ` (${failureSummary(error.failure)})` : '';
	const seconds = LOST_ANSWER_LOOKUP_WAITS_MS.reduce((sum, ms) => sum + ms, 0) / 1000;
	return new NodeOperationError(session.context.getNode(), `Google did not answer the request that creates the batch job${why}`, {
		description: `Google may have made the job all the same, but its job list did not show it within ${seconds} seconds, so the request was not sent again (that could pay twice). Run the workflow again with the same items in a few minutes: the node looks for the job by its fingerprint first and collects it if Google made it, or creates it if not.`,
	});
}
