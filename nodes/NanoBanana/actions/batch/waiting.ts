import { NodeOperationError } from 'n8n-workflow';

import { cancelBatch, FINISHED_STATES, getBatch } from '../../transport/api/batches';
import type { BatchJob } from '../../transport/google/types';
import { waitUnlessStopped } from '../../transport/pacing/wait';
import { pollDelayMs } from './plan';
import type { BatchSession } from './session';

/** Step 3: waiting for a job (polls that grow longer), cancelling it on Stop, and saying how it ended. */

const MINUTE_MS = 60_000;

export async function waitUntilFinished(session: BatchSession, created: BatchJob): Promise<BatchJob> {
	const { request, backend, signal, callOptions } = session.run;
	const giveUpAt = Date.now() + session.maxWaitMs;
	let job = created;
	let lastState = job.state;
	for (let poll = 0; !FINISHED_STATES.has(job.state); poll++) {
		const remaining = giveUpAt - Date.now();
		if (remaining <= 0) throw stillRunning(session, job);
		try {
			const stopped = await waitUnlessStopped(Math.min(pollDelayMs(poll), remaining), signal).then(
				() => false,
				() => true,
			);
			if (!stopped) job = await getBatch(request, backend, job.name, callOptions);
		} finally {
			// Also when a poll was cut short by the stop: `cancelJob` ends the run with its own message.
			if (signal?.aborted) await cancelJob(session, job);
		}
		if (job.state !== lastState) {
			session.logJob('batch job state', job);
			lastState = job.state;
		}
	}
	return job;
}

/** Stopping the execution stops the job too: nobody would collect its results. */
export async function cancelJob(session: BatchSession, job: BatchJob): Promise<never> {
	try {
		await cancelBatch(session.run.request, session.run.backend, job.name, session.afterStop);
		session.logJob('batch job cancelled because the execution was stopped', job);
	} catch {
		session.run.log.warn('could not cancel the batch job', { batchJob: job.name });
	}
	throw new NodeOperationError(session.context.getNode(), `The execution was stopped; batch job ${job.name} was cancelled at Google`, {
		description: 'Run the workflow again to send the items again.',
	});
}

function stillRunning(session: BatchSession, job: BatchJob): NodeOperationError {
	const minutes = Math.round((session.maxWaitMs / MINUTE_MS) * 10) / 10;
	const done = job.stats.requestCount !== undefined
		? ` (${(job.stats.successfulRequestCount ?? 0) + (job.stats.failedRequestCount ?? 0)} of ${job.stats.requestCount} requests done)`
		: '';
	return new NodeOperationError(
		session.context.getNode(),
		`Batch job ${job.name} is still running at Google after ${minutes} minutes${done}`,
		{
			description:
				`The job keeps running and its results are kept. To collect them, run the workflow again with the same items: the node finds job ${job.name} by its fingerprint and waits for it instead of sending (and paying for) the requests again. To wait longer in one execution, raise "Batch Max Wait (Minutes)".`,
		},
	);
}

/** The whole job ended without results (failed, cancelled, expired). */
export function jobFailure(session: BatchSession, job: BatchJob): NodeOperationError {
	const google = job.error ? ` Google said: "${job.error.message}"` : '';
	const node = session.context.getNode();
	if (job.state === 'BATCH_STATE_EXPIRED') {
		return new NodeOperationError(node, `Batch job ${job.name} expired before Google finished it`, {
			description: `Google gives a batch job 48 hours; this one ran out of time (usually a sign of heavy load at Google). Run the workflow again, or turn off "Batch Mode (Half Price)" to send the items one by one.${google}`,
		});
	}
	if (job.state === 'BATCH_STATE_CANCELLED') {
		return new NodeOperationError(node, `Batch job ${job.name} was cancelled`, {
			description: `Someone or something cancelled the job at Google before it finished. Run the workflow again to send the items again.${google}`,
		});
	}
	return new NodeOperationError(node, `Batch job ${job.name} failed at Google (${job.state})`, {
		description: `Google could not run the job as a whole.${google || ' It gave no reason.'} Check that the model supports Batch Mode, then run again; or turn off "Batch Mode (Half Price)".`,
	});
}
