import * as n8nWorkflow from 'n8n-workflow';
import type { IExecuteFunctions } from 'n8n-workflow';

/**
 * n8n's own token usage (the node run's `metadata.tokenUsage`, shown in the run data and used by
 * n8n's AI features), as n8n's Gemini node reports it: `accumulateTokenUsage(context, input,
 * output)` from n8n-workflow. Only newer n8n releases have it (n8n-workflow 2.41 does, the 2.11
 * this package builds against does not), so it is looked up on the running n8n's n8n-workflow
 * instead of imported by name: an import of a missing export would break the node on older n8n.
 */

export type ReportTokens = (inputTokens: number, outputTokens: number) => void;

type AccumulateTokenUsage = (context: IExecuteFunctions, inputTokens: number, outputTokens: number) => void;

function isAccumulator(value: unknown): value is AccumulateTokenUsage {
	return typeof value === 'function' && value.length >= 3;
}

/** The running n8n's reporter for this node run, or undefined where n8n has none. */
export function n8nTokenReporter(
	context: IExecuteFunctions,
	library: object = n8nWorkflow,
): ReportTokens | undefined {
	const candidate: unknown = (library as Record<string, unknown>).accumulateTokenUsage;
	if (!isAccumulator(candidate) || typeof context.setMetadata !== 'function') return undefined;
	return (inputTokens, outputTokens) => {
		try {
			candidate(context, inputTokens, outputTokens);
		} catch {
			// Reporting usage must never cost an item its answer.
		}
	};
}
