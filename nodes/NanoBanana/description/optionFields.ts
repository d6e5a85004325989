import type { INodeProperties } from 'n8n-workflow';

import { PICKER_MODELS, RECOMMENDED_IMAGE_MODEL } from '../shared/models';
import { TURNS_TO_KEEP } from '../shared/turnsToKeep';
import { ASPECT_RATIOS, nameOf, names, withThinkingLevel } from './optionChoices';
import { DEFAULT_BATCH_MAX_WAIT_MINUTES, DEFAULT_ITEM_TIME_BUDGET_SECONDS, DEFAULT_JPEG_QUALITY, DEFAULT_MAX_CONCURRENCY, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_SECONDS } from './defaults';

/** The "Options" collection as n8n shows it; what each value may hold is in `options.ts`. */

/** Options Google takes only on Vertex AI; shown only there, and not sent to the Gemini API. */
const VERTEX_ONLY = { show: { '/authentication': ['vertexAi'] } };
/**
 * Refine Image continues a conversation: its own option, and Fallback Models hidden (another model
 * would break the conversation; n8n drops a hidden option's saved value). Batch Mode stays visible
 * and Refine refuses it with a reason (operations/refine.ts).
 */
const REFINE_ONLY = { show: { '/operation': ['refine'] } };
const NOT_FOR_REFINE = { hide: { '/operation': ['refine'] } };
// n8n's lint rule reads a default from an identifier, not a member expression.
const DEFAULT_TURNS_TO_KEEP = TURNS_TO_KEEP.default;
export const optionsProperty: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Aspect Ratio',
			name: 'aspectRatio',
			type: 'options',
			default: '1:1',
			description:
				'Shape of the result. Leave this option out to let the model keep the input image\'s shape (edit) or choose (generate).',
			options: ASPECT_RATIOS.map(([value, label]) => ({ name: `${value} (${label})`, value })),
		},
		{
			displayName: 'Batch Max Wait (Minutes)',
			name: 'batchMaxWait',
			type: 'number',
			typeOptions: { minValue: 0.1, numberPrecision: 1 },
			default: DEFAULT_BATCH_MAX_WAIT_MINUTES,
			displayOptions: { show: { batchMode: [true] } },
			description:
				'How long the execution waits for the batch job. After it the node fails with the job\'s name; the job keeps running at Google, and running the workflow again with the same items collects its results without paying again.',
		},
		{
			displayName: 'Batch Mode (Half Price)',
			name: 'batchMode',
			type: 'boolean',
			default: false,
			description:
				'Whether to send all items of the execution to Google as one batch job at half the price, and wait for it (usually minutes, at most 24 hours). Google AI Studio API keys only; not for Refine Image. Best for scheduled workflows; the output is the same as without it.',
		},
		{
			displayName: 'Fallback Models',
			name: 'fallbackModels',
			type: 'string',
			default: '',
			displayOptions: NOT_FOR_REFINE,
			placeholder: `e.g. ${PICKER_MODELS.slice(1, 3).map((row) => row.id).join(', ')}`,
			description:
				'Models to try, in order, when the chosen model is not found (404) or still fails after its retries (rate limit, server errors, timeouts). The output JSON says which model answered.',
		},
		{
			displayName: 'Ground in Google Search',
			name: 'googleSearch',
			type: 'boolean',
			default: false,
			description:
				`Whether the model may look things up with Google Search before drawing (${names((limits) => limits.googleSearch)}), e.g. for current events, real places or products. The searches and sources go to the output JSON (nanoBanana.grounding): Google's terms require showing them with the image.`,
		},
		{
			displayName: 'Image Size',
			name: 'imageSize',
			type: 'options',
			default: '1K',
			description:
				`Resolution of the result. Leave this option out for the model's default (1K). ${names((limits) => limits.imageSizes.length === 1)} make 1K only; 512 needs ${names((limits) => limits.imageSizes.includes('512'))} (${nameOf(RECOMMENDED_IMAGE_MODEL)} starts at 1K); 4K takes longer.`,
			options: [
				{ name: '512 Pixels', value: '512' },
				{ name: '1K (1024 Pixels)', value: '1K' },
				{ name: '2K (2048 Pixels)', value: '2K' },
				{ name: '4K (4096 Pixels)', value: '4K' },
			],
		},
		{
			displayName: 'Include Model Text',
			name: 'includeModelText',
			type: 'boolean',
			default: true,
			description: 'Whether to add the text the model wrote alongside the image to the output JSON',
		},
		{
			displayName: 'Include Thought Summaries',
			name: 'includeThoughts',
			type: 'boolean',
			default: false,
			description:
				`Whether to ask for summaries of the model's thinking and write them to the output JSON (nanoBanana.thoughts). Models that think only (not ${names((limits) => limits.thinkingLevels?.length === 0)}).`,
		},
		{
			displayName: 'Item Time Budget (Seconds)',
			name: 'itemTimeBudget',
			type: 'number',
			typeOptions: { minValue: 10 },
			default: DEFAULT_ITEM_TIME_BUDGET_SECONDS,
			description:
				'The most time one item may take across all its attempts and fallback models; after it, the item fails with the last error',
		},
		{
			displayName: 'JPEG Quality',
			name: 'compressionQuality',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 100 },
			default: DEFAULT_JPEG_QUALITY,
			displayOptions: VERTEX_ONLY,
			description: 'Vertex AI only, with Output Format JPEG: 0 to 100, higher means better quality and bigger files',
		},
		{
			displayName: 'Keep Input Binaries',
			name: 'keepInputBinaries',
			type: 'boolean',
			default: false,
			description:
				'Whether to pass the input item\'s binary fields on next to the result (a field with the same name as the output field is replaced)',
		},
		{
			displayName: 'Max Concurrency',
			name: 'maxConcurrency',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 32 },
			default: DEFAULT_MAX_CONCURRENCY,
			description: 'How many items are sent to Google at the same time. Lower it on tight quotas.',
		},
		{
			displayName: 'Max Cost per Day (USD)',
			name: 'maxCostPerDay',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 10,
			description:
				'For workflows that run on their own (schedule, trigger, webhook): what this node may spend per UTC day, by the price table in docs/models.md. Kept in the workflow, which n8n saves after each run that is not a manual test; runs at the same time may together pass it (see README, "What it costs").',
		},
		{
			displayName: 'Max Cost per Execution (USD)',
			name: 'maxCostPerExecution',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 1,
			description:
				'A request is sent only if what this execution spent, plus the requests in flight, plus its own estimate stay within this many dollars; the items past it fail without being sent. By the price table in docs/models.md.',
		},
		{
			displayName: 'Max Requests per Minute',
			name: 'requestsPerMinute',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 0,
			description:
				'Spaces requests out to stay under a known quota (e.g. 10 on a free tier). 0 means no limit.',
		},
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 10 },
			default: DEFAULT_MAX_RETRIES,
			description:
				'How often a request is tried again after a rate limit (429), a server error (5xx), a timeout or a dropped connection. Waits grow exponentially and respect the delay Google asks for.',
		},
		{
			displayName: 'Number of Images',
			name: 'numberOfImages',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 8 },
			default: 1,
			description:
				'How many alternative images to ask for in one request (Vertex AI; on the Gemini API some models accept only 1). Extra images go to the output field with _1, _2, … appended.',
		},
		{
			displayName: 'Output File Name',
			name: 'outputFileName',
			type: 'string',
			default: '',
			placeholder: 'e.g. {{ $json.name }}-beach',
			description:
				'File name of the result, without or with extension (the extension always follows the image type Google returns). Empty: "photo.jpg" becomes "photo-edited.png"; generated images are named "generated-….png".',
		},
		{
			displayName: 'Output Format',
			name: 'outputFormat',
			type: 'options',
			default: 'image/png',
			displayOptions: VERTEX_ONLY,
			description: 'Vertex AI only. File type of the result; the output file name and MIME type follow it (.png or .jpg).',
			options: [
				{ name: 'PNG', value: 'image/png' },
				{ name: 'JPEG', value: 'image/jpeg' },
			],
		},
		{
			displayName: 'People in Images',
			name: 'personGeneration',
			type: 'options',
			default: 'ALLOW_ADULT',
			displayOptions: VERTEX_ONLY,
			description: 'Vertex AI only. Whether the result may show people.',
			options: [
				{ name: 'Allow Adults and Children', value: 'ALLOW_ALL' },
				{ name: 'Allow Adults Only', value: 'ALLOW_ADULT' },
				{ name: 'No People', value: 'ALLOW_NONE' },
			],
		},
		{
			displayName: 'Reuse Answers Across Executions',
			name: 'reuseAnswersAcrossExecutions',
			type: 'boolean',
			default: false,
			description:
				'Whether to keep recent image answers in memory (up to 128 MB) and reuse them when the same credential, model, prompt, images and options come again in a later execution. Answers without an image are never kept. Identical items within one execution always share one request. Only switch on if your content may be cached.',
		},
		{
			displayName: 'Search Images Too',
			name: 'googleImageSearch',
			type: 'boolean',
			default: true,
			displayOptions: { show: { googleSearch: [true] } },
			description:
				`Whether grounding may search images as well as the web (${names((limits) => limits.imageSearch)}; web only: ${names((limits) => limits.googleSearch && !limits.imageSearch)}). Image searches and image sources go to nanoBanana.grounding with the web ones.`,
		},
		{
			displayName: 'Seed',
			name: 'seed',
			type: 'number',
			default: 0,
			description: 'A fixed seed makes results more repeatable for the same prompt and images',
		},
		{
			displayName: 'System Instruction',
			name: 'systemInstruction',
			type: 'string',
			typeOptions: { rows: 3 },
			default: '',
			placeholder: 'e.g. You retouch product photos for an online shop. Never change the product itself.',
			description: 'Standing instructions that apply to every item, separate from the per-item prompt',
		},
		{
			displayName: 'Temperature',
			name: 'temperature',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 2, numberPrecision: 2 },
			default: 1,
			description: 'Lower values give more predictable results, higher values more varied ones',
		},
		{
			displayName: 'Thinking Level',
			name: 'thinkingLevel',
			type: 'options',
			default: 'high',
			description:
				`How much the model thinks before drawing. Higher levels take longer and add thinking tokens; they can help complex edits and text in images. Minimal: ${withThinkingLevel('minimal')}; medium: ${withThinkingLevel('medium')}; high: ${withThinkingLevel('high')}; ${names((limits) => limits.thinkingLevels?.length === 0)} does not think. Leave it out for the model's default.`,
			options: [
				{ name: 'Minimal', value: 'minimal' },
				{ name: 'Medium', value: 'medium', description: `${withThinkingLevel('medium')} only` },
				{ name: 'High', value: 'high' },
			],
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 10 },
			default: DEFAULT_TIMEOUT_SECONDS,
			description:
				'How long to wait for one answer before trying again. 4K images can take minutes.',
		},
		{
			displayName: 'Turns to Keep',
			name: 'turnsToKeep',
			type: 'number',
			typeOptions: { minValue: TURNS_TO_KEEP.min, maxValue: TURNS_TO_KEEP.max },
			default: DEFAULT_TURNS_TO_KEEP,
			displayOptions: REFINE_ONLY,
			description:
				'How many earlier edits (instruction and answer) the model sees again with the new prompt. Older ones are dropped whole, and more go when the request would exceed the model\'s input-image limit. 1 sends the last result alone.',
		},
	],
};
