import { NodeOperationError } from 'n8n-workflow';

import { cancelBatch, FINISHED_STATES, getBatch } from '../../transport/api/batches';
import { isTransient } from '../../transport/failures/retry';
import type { TransportFailure } from '../../transport/failures/kinds';
import type { BatchJob } from '../../transport/google/types';
import { failureSummary } from '../../transport/http/attemptLog';
import { TransportError } from '../../transport/http/client';
import { waitUnlessStopped } from '../../transport/pacing/wait';
import type { JobClaim } from './attached';
import { pollDelayMs } from './plan';
import type { BatchSession, ResultSink } from './session';

/** Step 3: waiting for a job (polls that grow longer), cancelling it on Stop, and saying how it ended. */

const MINUTE_MS = 60_000;

/**
 * Polls the job until it finishes or Batch Max Wait runs out. A poll that fails for a passing
 * reason (no connection, 5xx, 429) is an outage to wait out, not the end of a day-long wait: the
 * job is polled again on the same schedule, and the error that ends the wait names the job.
 */
export async function waitUntilFinished(
	session: BatchSession,
	created: BatchJob,
	claim: JobClaim,
	/** Where the poll that finds the job finished hands its inline results, as they arrive. */
	sink?: ResultSink,
): Promise<BatchJob> {
	const { request, backend, signal, callOptions } = session.run;
	const giveUpAt = Date.now() + session.maxWaitMs;
	let job = created;
	let lastState = job.state;
	let outage: { since: number; failure: TransportFailure } | undefined;
	let cutReads = 0;
	// The last read was cut after results came: the job has finished; it is read again at once.
	let readAgain = false;
	for (let poll = 0; !FINISHED_STATES.has(job.state); poll++) {
		const remaining = giveUpAt - Date.now();
		if (remaining <= 0 && !readAgain) throw stillRunning(session, job, outage);
		try {
			const stopped = await waitUnlessStopped(readAgain ? 0 : Math.min(pollDelayMs(poll), remaining), signal).then(
				() => false,
				() => true,
			);
			if (!stopped) {
				const polled = await getBatch(request, backend, job.name, callOptions, sink?.take).then(
					(value) => ({ value }),
					(error: unknown) => ({ error }),
				);
				readAgain = false;
				if ('value' in polled) {
					job = polled.value;
					if (FINISHED_STATES.has(job.state)) sink?.readWhole();
					if (outage) session.logJob('batch job reachable again', job);
					outage = undefined;
				} else if (sink?.started() === true && !signal?.aborted) {
					cutReads = resultsCut(session, job, polled.error, cutReads + 1);
					readAgain = true;
				} else if (!signal?.aborted) {
					outage = pollFailed(session, job, polled.error, outage);
				}
			}
		} finally {
			// Also when a poll was cut short by the stop: `cancelJob` ends the run with its own message.
			// A job whose results were arriving has finished: it is kept for a rerun to collect.
			if (signal?.aborted) {
				if (sink?.started() === true) stoppedWhileCollecting(session, job);
				await cancelJob(session, job, claim.others());
			}
		}
		if (job.state !== lastState) {
			session.logJob('batch job state', job);
			lastState = job.state;
		}
	}
	return job;
}

/** Reads of a finished job's results (the first and two more) before a connection that keeps breaking ends the wait. */
export const RESULT_READS = 3;

/** A read of the finished job cut short: counted (returned), and after RESULT_READS the end (thrown). */
function resultsCut(session: BatchSession, job: BatchJob, error: unknown, reads: number): number {
	if (isNotFound(error)) throw jobGone(session, job);
	const why = error instanceof TransportError ? failureSummary(error.failure) : error instanceof Error ? error.message : String(error);
	if (reads < RESULT_READS && error instanceof TransportError && (error.failure.kind === 'network' || isTransient(error.failure))) {
		session.logJob('results download cut short; reading it again', job, { download: reads });
		return reads;
	}
	return resultsKept(session, job, `The results of batch job ${job.name} could not be read whole (${why})`);
}

/** The run ended while a finished job's results were arriving: the rest wait at Google for a rerun. */
function stoppedWhileCollecting(session: BatchSession, job: BatchJob): never {
	const why = session.stoppedByUser() ? 'The execution was stopped' : 'The execution failed';
	return resultsKept(session, job, `${why} while the results of batch job ${job.name} were arriving`);
}

function resultsKept(session: BatchSession, job: BatchJob, message: string): never {
	throw new NodeOperationError(session.context.getNode(), message, {
		description: `The job has finished at Google and was not cancelled: its results are kept for 48 hours. Run the workflow again with the same items to collect them without paying again (the node finds job ${job.name} by its fingerprint).`,
	});
}

/**
 * A finished job found in the job list, read whole: a list entry may leave out its results. Its
 * inline results go to `sink` as they arrive; a read cut short is read again (RESULT_READS).
 */
export async function readFinishedJob(session: BatchSession, found: BatchJob, sink: ResultSink): Promise<BatchJob> {
	const { request, backend, callOptions } = session.run;
	for (let reads = 1; ; reads++) {
		const read = await getBatch(request, backend, found.name, callOptions, sink.take).then(
			(value) => ({ value }),
			(error: unknown) => ({ error }),
		);
		if ('value' in read) {
			sink.readWhole();
			return read.value;
		}
		if (session.run.signal?.aborted) {
			if (sink.started()) stoppedWhileCollecting(session, found);
			throw read.error;
		}
		resultsCut(session, found, read.error, reads);
	}
}

/** A failed poll: an outage to wait out (returned), or the end of the wait (thrown, naming the job). */
function pollFailed(
	session: BatchSession,
	job: BatchJob,
	error: unknown,
	outage: { since: number; failure: TransportFailure } | undefined,
): { since: number; failure: TransportFailure } {
	if (isNotFound(error)) throw jobGone(session, job);
	if (!(error instanceof TransportError) || !isTransient(error.failure)) {
		const why = error instanceof TransportError ? failureSummary(error.failure) : error instanceof Error ? error.message : String(error);
		throw new NodeOperationError(session.context.getNode(), `Could not check batch job ${job.name} (${why})`, {
			description: `Google refused to show the job. It may still run and its results be kept: once the cause is fixed, run the workflow again with the same items to collect them (the node finds job ${job.name} by its fingerprint).`,
		});
	}
	if (!outage) {
		session.run.log.warn(`could not check the batch job (${failureSummary(error.failure)}); waiting and trying again`, {
			batchJob: job.name,
		});
	}
	return { since: outage?.since ?? Date.now(), failure: error.failure };
}

/** Google answered 404 for the job or its results file. */
export function isNotFound(error: unknown): boolean {
	return error instanceof TransportError && error.failure.kind === 'api' && error.failure.statusCode === 404;
}

/**
 * The job (or its results) is gone while this execution waited for it. Within one n8n process a
 * job is deleted only when no execution waits for it any more (`attached.ts`), so this is another
 * process's run of the same items that collected it, or someone at Google.
 */
export function jobGone(session: BatchSession, job: BatchJob): NodeOperationError {
	return new NodeOperationError(session.context.getNode(), `Batch job ${job.name} is no longer at Google`, {
		description:
			'It was deleted while this execution waited for it: most likely another execution of the same items (in another n8n process or queue worker) collected its results and deleted it, or it was deleted at Google by hand. Those images were paid for once and delivered to that execution, not to this one; nothing was paid for twice. Running the workflow again sends the items in a new job, which is paid again.',
	});
}

/**
 * Stopping the execution (or abandoning it: another job of it failed) stops the job too: nobody
 * would collect its results. Unless another execution of this n8n process waits for the same job
 * (the same items, run twice at once): then the job is left running for it. An execution in another
 * process cannot be seen from here; it is told the job was cancelled (`jobFailure`).
 */
export async function cancelJob(session: BatchSession, job: BatchJob, othersWaiting: number): Promise<never> {
	const stopped = session.stoppedByUser();
	const node = session.context.getNode();
	const why = stopped ? 'The execution was stopped' : 'The execution failed';
	if (othersWaiting > 0) {
		session.logJob('batch job left running: another execution waits for it', job, { executions: othersWaiting });
		throw new NodeOperationError(node, `${why}; batch job ${job.name} keeps running for another execution of the same items`, {
			description: 'Another execution in this n8n waits for the same job and will collect its results; it was not cancelled. Stop that execution too to cancel it.',
		});
	}
	const cancelled = await cancelBatch(session.run.request, session.run.backend, job.name, session.afterStop).then(
		() => undefined,
		(error: unknown) => error,
	);
	if (cancelled !== undefined) {
		const reason = cancelled instanceof TransportError ? failureSummary(cancelled.failure) : cancelled instanceof Error ? cancelled.message : String(cancelled);
		session.run.log.warn(`could not cancel the batch job (${reason})`, { batchJob: job.name });
		throw new NodeOperationError(node, `${why}, but batch job ${job.name} could not be cancelled at Google (${reason})`, {
			description: `The job may still run and be billed. Run the workflow again with the same items to collect its results without paying again (the node finds job ${job.name} by its fingerprint), or cancel it with the Gemini API's batches.cancel call.`,
		});
	}
	session.logJob(stopped ? 'batch job cancelled because the execution was stopped' : 'batch job cancelled because the execution failed', job);
	throw new NodeOperationError(
		node,
		stopped ? `The execution was stopped; batch job ${job.name} was cancelled at Google` : `Batch job ${job.name} was cancelled at Google because the execution failed`,
		{ description: 'Run the workflow again to send the items again (a new job, paid again).' },
	);
}

/** Batch Max Wait ran out; the job keeps running at Google (or could not be checked lately). */
export class StillRunningError extends NodeOperationError {}

function stillRunning(session: BatchSession, job: BatchJob, outage?: { since: number; failure: TransportFailure }): StillRunningError {
	const minutes = Math.round((session.maxWaitMs / MINUTE_MS) * 10) / 10;
	const again = `To collect its results, run the workflow again with the same items: the node finds job ${job.name} by its fingerprint and waits for it (or collects what it finished) instead of sending (and paying for) the requests again. To wait longer in one execution, raise "Batch Max Wait (Minutes)".`;
	if (outage) {
		const silent = Math.max(1, Math.round((Date.now() - outage.since) / 1000));
		return new StillRunningError(
			session.context.getNode(),
			`Batch job ${job.name} could not be checked for the last ${silent} seconds of the ${minutes}-minute wait (${failureSummary(outage.failure)})`,
			{ description: `Google could not be reached or was unavailable; the job was neither cancelled nor collected and may still be running. ${again}` },
		);
	}
	const done = job.stats.requestCount !== undefined
		? ` (${(job.stats.successfulRequestCount ?? 0) + (job.stats.failedRequestCount ?? 0)} of ${job.stats.requestCount} requests done)`
		: '';
	return new StillRunningError(
		session.context.getNode(),
		`Batch job ${job.name} is still running at Google after ${minutes} minutes${done}`,
		{ description: `The job keeps running and its results are kept. ${again}` },
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
			description: `The job was cancelled at Google before it finished: by a stopped execution of the same items in another n8n process or queue worker, or by hand. Run the workflow again to send the items again (a new job, paid again).${google}`,
		});
	}
	return new NodeOperationError(node, `Batch job ${job.name} failed at Google (${job.state})`, {
		description: `Google could not run the job as a whole.${google || ' It gave no reason.'} Check that the model supports Batch Mode, then run again; or turn off "Batch Mode (Half Price)".`,
	});
}
