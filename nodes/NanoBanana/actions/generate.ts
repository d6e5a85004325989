import { prepareImageItem, readItemParameters, type PrepareItem } from './item';

/** Generate: the prompt alone. */
export const prepareGenerate: PrepareItem = async (context, itemIndex, run) =>
	await prepareImageItem(run, itemIndex, readItemParameters(context, itemIndex), []);
