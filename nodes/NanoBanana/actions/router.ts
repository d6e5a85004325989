import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { readOptions, RUN_OPTIONS } from '../description/options';
import { Problem } from '../shared/problem';
import { runBatch } from './batch/run';
import { toItemFailure, type ErrorScope, type ItemFailure } from './errors';
import { runImageItem, type PrepareItem } from './item';
import { runPool } from './pool';
import { createRunContext, type RunContext } from './runContext';

/** What the router needs of an operation (the node passes its list, see operations/). */
export interface RoutedOperation {
	value: string;
	name: string;
	prepare: PrepareItem;
	/** Why the operation cannot run in Batch Mode (see operations/operation.ts); unset when it can. */
	batchModeRefusal?: string;
}

/**
 * A failed item for "Continue On Fail": `json.error` holds the message, what to do, the cause and
 * the HTTP status; the input image stays attached, so a failed photo can be routed to review
 * instead of lost. For the error output `error` must be the only json key (that is how every n8n
 * version, 1.x and 2.x, recognises a failed item; n8n then adds the input json itself); on the
 * regular output the input json is kept beside it.
 */
function errorItem(context: IExecuteFunctions, itemIndex: number, failure: ItemFailure): INodeExecutionData {
	const input = context.getInputData()[itemIndex];
	const error: IDataObject = { message: failure.error.message, reason: failure.reason, itemIndex };
	if (failure.error.description) error.description = failure.error.description;
	if (failure.httpCode) error.httpCode = failure.httpCode;
	const toErrorOutput = context.getNode().onError === 'continueErrorOutput';
	return {
		json: toErrorOutput ? { error } : { ...(input?.json ?? {}), error },
		...(input?.binary ? { binary: input.binary } : {}),
		pairedItem: { item: itemIndex },
	};
}

/**
 * Runs every input item through the chosen operation and returns one output item per input item
 * in input order: by default through the request pool (at most `maxConcurrency` at a time), with
 * "Batch Mode" as one batch job. Without "Continue On Fail" the first failure (by item order)
 * stops the run; with it, failures become error items.
 */
export async function route(this: IExecuteFunctions, operations: readonly RoutedOperation[]): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as string;
	const chosen = operations.find((candidate) => candidate.value === operation);
	const prepare = chosen?.prepare;
	if (!chosen || !prepare) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not one this node has`, {
			description: `Choose ${operations.map(({ name }) => `"${name}"`).join(' or ')}. For other Gemini API calls use an HTTP Request node with Authentication "Predefined Credential Type" and this credential.`,
		});
	}

	let run: RunContext;
	try {
		run = await createRunContext(this);
	} catch (error) {
		throw toItemFailure(this, error, 0, { timeoutMs: 0, secrets: [] }).error;
	}

	const continueOnFail = this.continueOnFail();
	let firstFailure: { itemIndex: number; failure: ItemFailure } | undefined;
	const scope: ErrorScope = { backend: run.backend, timeoutMs: run.timeoutMs, secrets: run.secrets };

	const settle = (itemIndex: number, error: unknown): INodeExecutionData | undefined => {
		const failure = toItemFailure(this, error, itemIndex, scope);
		// The reason only: a message may quote the model's text, which may echo the prompt.
		run.log.with({ itemIndex }).warn(`failed (${failure.reason}${failure.httpCode ? `, HTTP ${failure.httpCode}` : ''})`, {
			reason: failure.reason,
			httpCode: failure.httpCode,
		});
		if (continueOnFail) return errorItem(this, itemIndex, failure);
		if (!firstFailure || itemIndex < firstFailure.itemIndex) firstFailure = { itemIndex, failure };
		return undefined;
	};
	const shouldStop = () => firstFailure !== undefined || run.signal?.aborted === true;

	const options = readOptions(this.getNodeParameter('options', 0, {}), RUN_OPTIONS);
	let results: Array<INodeExecutionData | undefined>;
	let keptNote: string | undefined;
	try {
		if (options.batchMode === true && chosen.batchModeRefusal !== undefined) {
			const refusal = new Problem('INVALID_PARAMETER', `${chosen.name} cannot run in Batch Mode`, chosen.batchModeRefusal);
			results = items.map((_, itemIndex) => settle(itemIndex, refusal));
		} else if (options.batchMode === true) {
			try {
				({ results, keptNote } = await runBatch(this, run, prepare, settle, shouldStop));
			} catch (error) {
				// An item's failure without Continue On Fail already ended the run: its error is reported below.
				if (!firstFailure) throw toItemFailure(this, error, 0, scope).error;
				results = [];
			}
		} else {
			results = await runPool(
				items.length,
				run.maxConcurrency,
				async (itemIndex, release) => {
					try {
						// Without Continue On Fail an item that fails while building its output must
						// still stop the run before the next item is sent: its place is held till then.
						return await runImageItem(this, itemIndex, run, prepare, continueOnFail ? release : undefined);
					} catch (error) {
						return settle(itemIndex, error);
					}
				},
				shouldStop,
				// Until the first request has fetched a token, parallel requests would each fetch one.
				run.awaitingToken,
			);
		}
	} finally {
		// Leaves the shared request gates: this execution's pace ceiling no longer applies.
		run.close();
	}

	if (firstFailure) {
		const { error } = firstFailure.failure;
		// Batch Mode: the other items' images are paid for and wait at Google; say how to get them.
		if (keptNote) error.description = error.description ? `${error.description} ${keptNote}` : keptNote;
		throw firstFailure.failure.error;
	}
	const output = results.filter((item): item is INodeExecutionData => item !== undefined);
	if (output.length !== items.length) {
		throw new NodeOperationError(this.getNode(), 'The execution was stopped before every item was processed');
	}
	return [output];
}
