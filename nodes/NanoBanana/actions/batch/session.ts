import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { GateLane } from '../../transport/pacing/gate';

import type { BatchItemResult, BatchJob } from '../../transport/google/types';
import type { CallOptions } from '../../transport/http/client';
import type { LogFields } from '../../transport/http/log';
import type { PrepareItem } from '../item';
import type { RunContext } from '../runContext';

/** What became of one item of a batch: its output item, or the error it failed with. */
export type Outcome = INodeExecutionData | Error;

/** Hands an item's outcome back to the run (exactly once per item). */
export type Settle = (itemIndex: number, outcome: Outcome) => void;

/**
 * Where reads of a finished job's resource hand its inline results (collect.ts's ResultCollector).
 * Results come only with a finished job: once one has come, the job is not cancelled on Stop, and a
 * read cut short is read again at once rather than waited out as an outage.
 */
export interface ResultSink {
	take(result: BatchItemResult): Promise<void>;
	/** Whether any result has come in. */
	started(): boolean;
	/** A read of the finished job reached its end: every result it carries came in. */
	readWhole(): void;
}

/** What every step of one execution's Batch Mode run shares. */
export interface BatchSession {
	context: IExecuteFunctions;
	run: RunContext;
	prepare: PrepareItem;
	/** "Reuse Answers Across Executions": a job whose results were delivered is kept (else deleted). */
	reuseFinished: boolean;
	maxWaitMs: number;
	/** For the calls that must still go out after "Stop" (cancelling the job): no stop signal, short. */
	afterStop: CallOptions;
	/** Whether the user stopped the execution (rather than another job of it failing). */
	stoppedByUser(): boolean;
	/** The run ends anyway: an item failed without Continue On Fail, or the user stopped it. */
	runStops(): boolean;
	/** Job progress at info level: its name, state and counts, never a prompt or an image. */
	logJob(message: string, job: BatchJob, extra?: LogFields): void;
	/**
	 * The same session with calls for `modelId`'s job in lanes of their own: a per-day quota or a
	 * spend cap met by one model's job closes only its lane, and its cancel and delete go through
	 * another lane still, so they are sent.
	 */
	forModel(modelId: string): BatchSession;
	/** The run is over: leave the lanes `forModel` joined. */
	close(): void;
}

export function batchSession(
	context: IExecuteFunctions,
	run: RunContext,
	prepare: PrepareItem,
	reuseFinished: boolean,
	maxWaitMs: number,
	stoppedByUser: () => boolean,
	runStops: () => boolean,
): BatchSession {
	const shared = run.callOptions.gate.gate;
	const lanes = new Map<string, GateLane>();
	const lane = (scope: string): GateLane => {
		let joined = lanes.get(scope);
		if (!joined) {
			joined = shared.join();
			lanes.set(scope, joined);
		}
		return joined;
	};
	const afterStop = (gate: GateLane): CallOptions => ({
		...run.callOptions,
		gate,
		signal: undefined,
		policy: { ...run.callOptions.policy, maxRetries: 1 },
		timeoutMs: 15_000,
	});
	const session: BatchSession = {
		stoppedByUser,
		runStops,
		context,
		run,
		prepare,
		reuseFinished,
		maxWaitMs,
		afterStop: afterStop(lane('afterStop')),
		forModel: (modelId) => ({
			...session,
			run: { ...run, callOptions: { ...run.callOptions, gate: lane(`model:${modelId}`) } },
			afterStop: afterStop(lane(`afterStop:${modelId}`)),
		}),
		close: () => {
			for (const joined of lanes.values()) joined.leave();
			lanes.clear();
		},
		logJob: (message, job, extra = {}) => {
			run.log.info(`${message} (${job.name}, ${job.state})`, {
				batchJob: job.name,
				state: job.state,
				...job.stats,
				...extra,
			});
		},
	};
	return session;
}
