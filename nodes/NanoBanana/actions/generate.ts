import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { readItemParameters, runImageItem } from './item';
import type { RunContext } from './runContext';

/** Generate: the prompt alone. */
export async function generateItem(
	context: IExecuteFunctions,
	itemIndex: number,
	run: RunContext,
): Promise<INodeExecutionData> {
	return await runImageItem(context, itemIndex, run, readItemParameters(context, itemIndex), []);
}
