import {
	NodeApiError,
	NodeOperationError,
	type IExecuteFunctions,
	type JsonObject,
} from 'n8n-workflow';

import type { Backend } from '../transport/auth/backends';
import { TransportError } from '../transport/http/client';
import { explainFailure } from '../transport/failures/explain';
import { redactSecrets } from '../transport/http/redact';
import type { NoImageExplanation } from '../transport/google/response';
import { Problem } from '../shared/problem';
import { ServiceAccountKeyError } from '../transport/auth/serviceAccount';
import { CostCapRefusal } from '../cost/ledger';

/** Google answered, but with no image; `problem` says why in the user's words. */
export class NoImageError extends Error {
	constructor(readonly problem: NoImageExplanation) {
		super(problem.message);
	}
}

export interface ItemFailure {
	error: NodeApiError | NodeOperationError;
	/** The API's word for the cause (e.g. IMAGE_SAFETY, RESOURCE_EXHAUSTED, INVALID_INPUT). */
	reason: string;
	httpCode?: string;
}

export interface ErrorScope {
	backend?: Backend;
	timeoutMs: number;
	/** Exact secret values of the credential in use, removed from every message. */
	secrets: readonly string[];
}

/** Converts whatever one item threw into the n8n error the user sees, with the item index. */
export function toItemFailure(
	context: IExecuteFunctions,
	thrown: unknown,
	itemIndex: number,
	scope: ErrorScope,
): ItemFailure {
	const node = context.getNode();
	const clean = (text: string) => redactSecrets(text, scope.secrets);
	const operationError = (message: string, description: string, reason: string): ItemFailure => ({
		error: new NodeOperationError(node, clean(message), { itemIndex, description: clean(description) }),
		reason,
	});

	if (thrown instanceof Problem) {
		return operationError(thrown.message, thrown.description, thrown.reason);
	}
	if (thrown instanceof CostCapRefusal) {
		return operationError(thrown.message, thrown.description, thrown.reason);
	}
	if (thrown instanceof NoImageError) {
		return operationError(thrown.problem.message, thrown.problem.description, thrown.problem.reason);
	}
	if (thrown instanceof ServiceAccountKeyError) {
		return operationError(
			thrown.message,
			'Open the "Google Vertex AI API" credential and paste the JSON key file again.',
			'INVALID_CREDENTIAL',
		);
	}
	if (thrown instanceof TransportError && scope.backend) {
		const explained = explainFailure(thrown.failure, {
			backend: scope.backend,
			modelId: thrown.modelId ?? 'the model',
			attempts: thrown.attempts,
			timeoutMs: scope.timeoutMs,
		});
		const message = clean(explained.message);
		const description = clean(explained.description);
		const status = thrown.failure.kind === 'api' ? thrown.failure.error.status : undefined;
		const errorResponse: JsonObject = { message, reason: explained.reason };
		if (status) errorResponse.status = status;
		return {
			error: new NodeApiError(node, errorResponse, {
				message,
				description,
				httpCode: explained.httpCode,
				itemIndex,
			}),
			reason: explained.reason,
			httpCode: explained.httpCode,
		};
	}
	if (thrown instanceof NodeOperationError || thrown instanceof NodeApiError) {
		thrown.message = clean(thrown.message);
		if (thrown.description) thrown.description = clean(thrown.description);
		thrown.context.itemIndex = itemIndex;
		const httpCode = thrown instanceof NodeApiError ? thrown.httpCode ?? undefined : undefined;
		return { error: thrown, reason: 'ERROR', httpCode };
	}
	const message = thrown instanceof Error ? thrown.message : String(thrown);
	return operationError(message, 'Check the node settings for this item and run again.', 'ERROR');
}
