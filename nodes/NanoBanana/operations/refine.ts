import { createHash } from 'node:crypto';
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { prepareImageItem, readItemParameters } from '../actions/item';
import {
	buildContents,
	checkModel,
	latestResults,
	parseConversation,
	referencedImages,
	trimConversation,
	TURNS_TO_KEEP,
	type Conversation,
	type ConversationProblem,
	type ConversationResult,
	type TurnImage,
} from '../conversation/index';
import { promptProperty } from '../description/operation';
import { fieldName } from '../description/validate';
import { inlineImageBudget } from '../media/inputImages';
import { maxInputImages } from '../media/limits';
import { isRecord } from '../shared/json';
import { Problem } from '../shared/problem';
import type { Operation } from './operation';

/**
 * Refine Image (issue 25): the next instruction for a Nano Banana result, sent as Google's chat
 * sends it. The item carries its conversation (`json.nanoBanana.conversation`, untrusted: parsed
 * and checked field by field) and the images it refers to as `nanoBananaTurn…` binaries; the
 * request is the kept earlier turns (images checked against their sha256, model turns with their
 * thought signatures verbatim) and the new prompt. Everything is checked before the call: no
 * conversation, another model, a missing or changed image, a request over the model's limits.
 */

const INPUT_FIELD = 'Input Binary Fields';
const asFieldName = fieldName();

const inputBinaryField: INodeProperties = {
	displayName: INPUT_FIELD,
	name: 'inputBinaryFields',
	type: 'string',
	default: 'data',
	required: true,
	placeholder: 'e.g. data',
	hint: 'The Output Binary Field of the Nano Banana node before; it must hold that node\'s result',
	description:
		'Name of the binary field holding the result to refine: the latest result of the item\'s conversation (Refine always continues from it)',
};

function refused(problem: ConversationProblem): Problem {
	return new Problem('INVALID_INPUT', problem.message, problem.description);
}

function valueOf<T>(result: ConversationResult<T>): T {
	if (!result.ok) throw refused(result.problem);
	return result.value;
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** The item's binary field as n8n holds it (own fields only), or undefined. */
function hasBinary(context: IExecuteFunctions, itemIndex: number, field: string): boolean {
	const binary = context.getInputData()[itemIndex]?.binary;
	return binary !== undefined && Object.prototype.hasOwnProperty.call(binary, field) && binary[field] !== undefined;
}

/**
 * The field the user points at must hold the conversation's latest result: Refine continues from
 * it, and an image the conversation does not know (another photo, a result changed on the way)
 * would otherwise be silently ignored.
 */
async function checkRefinedImage(context: IExecuteFunctions, itemIndex: number, field: string, conversation: Conversation): Promise<void> {
	const results = latestResults(conversation);
	const names = results.map((result) => `"${result.field}"`).join(' or ');
	if (!hasBinary(context, itemIndex, field)) {
		throw new Problem(
			'INVALID_INPUT',
			`The input has no binary field "${field}" with the result to refine`,
			`Set "${INPUT_FIELD}" to the field holding the latest result: the Output Binary Field of the Nano Banana node before (usually "data"), or ${names}.`,
		);
	}
	const digest = sha256(await context.helpers.getBinaryDataBuffer(itemIndex, field));
	if (!results.some((result) => result.sha256 === digest)) {
		throw new Problem(
			'INVALID_INPUT',
			`The image in binary field "${field}" is not the latest result of this item's conversation`,
			`Refine Image continues from the last image Nano Banana made for this item (${names}); a node on the way replaced or changed "${field}". Pass the result on unchanged, or use Edit Image to start a new conversation from this image.`,
		);
	}
}

/** The images the kept turns refer to, as the item holds them; a missing one is reported by buildContents. */
async function conversationImages(context: IExecuteFunctions, itemIndex: number, conversation: Conversation): Promise<Map<string, TurnImage>> {
	const binary = context.getInputData()[itemIndex]?.binary ?? {};
	const images = new Map<string, TurnImage>();
	for (const reference of referencedImages(conversation)) {
		if (!hasBinary(context, itemIndex, reference.field) || images.has(reference.field)) continue;
		// A stored size that differs from the recorded one is a changed image: refused without reading it.
		const recorded = binary[reference.field].bytes;
		const data = recorded !== undefined && recorded !== reference.bytes ? Buffer.alloc(0) : await context.helpers.getBinaryDataBuffer(itemIndex, reference.field);
		images.set(reference.field, { mimeType: reference.mimeType, data });
	}
	return images;
}

export const refine: Operation = {
	value: 'refine',
	name: 'Refine Image',
	action: 'Refine an image',
	description: 'Continue editing a Nano Banana result: the model sees the earlier instructions and its own answers',
	subtitle: 'Refine',
	// Each turn needs the answer before it; a batch job would hold the chat for hours.
	batchModeRefusal:
		'Refine Image sends a conversation turn by turn and answers come back in minutes at most; turn Batch Mode off for this node (Edit Image and Generate Image can use it).',
	properties: [
		promptProperty(
			'e.g. Now make it night, with the street lights on',
			'The next instruction for the result, in plain words. The model sees the earlier instructions and images too.',
		),
		inputBinaryField,
	],
	prepare: async (context, itemIndex, run) => {
		const read = readItemParameters(context, itemIndex);
		// Signatures belong to one model: Fallback Models would break the conversation, so they are not used.
		if (read.modelIds.length > 1) run.log.with({ itemIndex }).debug('Fallback Models not used: a conversation stays with its model');
		const parameters = { ...read, modelIds: read.modelIds.slice(0, 1) };
		const model = parameters.modelIds[0];
		const field = asFieldName(context.getNodeParameter('inputBinaryFields', itemIndex, 'data'), INPUT_FIELD) || 'data';

		const json = context.getInputData()[itemIndex]?.json;
		const saved = isRecord(json?.nanoBanana) ? json.nanoBanana.conversation : undefined;
		const conversation = valueOf(parseConversation(saved));
		const otherModel = checkModel(conversation, model);
		if (otherModel) throw refused(otherModel);
		await checkRefinedImage(context, itemIndex, field, conversation);

		const trimmed = valueOf(
			trimConversation(conversation, {
				turnsToKeep: parameters.options.turnsToKeep ?? TURNS_TO_KEEP.default,
				maxInputImages: maxInputImages(model),
				// Every earlier image goes back inline (Vertex AI: 7 MB per image), all in one request.
				maxBytesPerImage: run.backend.maxInlineImageBytes,
				maxImageBytes: inlineImageBudget(run.backend.maxInlineRequestBytes),
			}),
		);
		const images = await conversationImages(context, itemIndex, trimmed.conversation);
		const built = valueOf(buildContents(trimmed.conversation, images, parameters.prompt));
		// buildContents ends with the new prompt; prepareImageItem adds it as the item's own turn.
		return await prepareImageItem(run, itemIndex, parameters, [], {
			history: built.contents.slice(0, -1),
			conversation: built.conversation,
		});
	},
};
