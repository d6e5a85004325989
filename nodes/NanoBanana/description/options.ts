import { TURNS_TO_KEEP } from '../shared/turnsToKeep';
import { optionsProperty } from './optionFields';
import { decimal, flag, matching, readCollection, text, textList, wholeNumber, type Rule, type RuleSet } from './validate';

/** The values of the "Options" collection, as the node reads them. */
export interface NanoBananaOptions {
	aspectRatio?: string;
	imageSize?: string;
	numberOfImages?: number;
	temperature?: number;
	seed?: number;
	systemInstruction?: string;
	outputFileName?: string;
	keepInputBinaries?: boolean;
	includeModelText?: boolean;
	maxConcurrency?: number;
	maxRetries?: number;
	timeout?: number;
	requestsPerMinute?: number;
	itemTimeBudget?: number;
	fallbackModels?: string;
	reuseAnswersAcrossExecutions?: boolean;
	batchMode?: boolean;
	batchMaxWait?: number;
	googleSearch?: boolean;
	/** With googleSearch: grounding searches images as well as the web. */
	googleImageSearch?: boolean;
	/** minimal, low, medium, high or xhigh (lower case); sent as Google's enum name. */
	thinkingLevel?: string;
	includeThoughts?: boolean;
	/** Vertex AI only: `image/png` or `image/jpeg`. */
	outputFormat?: string;
	/** Vertex AI only, with JPEG: 0–100. */
	compressionQuality?: number;
	/** Vertex AI only: ALLOW_ALL, ALLOW_ADULT or ALLOW_NONE. */
	personGeneration?: string;
	/** US dollars; see nodes/NanoBanana/cost/. */
	maxCostPerExecution?: number;
	maxCostPerDay?: number;
	/** Refine Image: earlier user/model pairs sent back. */
	turnsToKeep?: number;
}

/**
 * What each option may hold, checked before any request (see validate.ts). A new option adds its
 * rule here; the compiler insists on one for every key of NanoBananaOptions.
 */
export const OPTION_RULES: RuleSet<NanoBananaOptions> = {
	aspectRatio: matching(/^\d{1,2}:\d{1,2}$/, '16:9'),
	imageSize: matching(/^(\d{3,4}|\d{1,2}K)$/, '1K'),
	numberOfImages: wholeNumber({ min: 1, max: 8 }),
	temperature: decimal({ min: 0, max: 2 }),
	// Google takes a 32-bit seed.
	seed: wholeNumber({ min: -2147483648, max: 2147483647 }),
	systemInstruction: text(),
	outputFileName: text(),
	keepInputBinaries: flag(),
	includeModelText: flag(),
	maxConcurrency: wholeNumber({ min: 1, max: 32 }),
	maxRetries: wholeNumber({ min: 0, max: 10 }),
	// Seconds; a day at most keeps every wait inside what a Node.js timer can hold.
	timeout: decimal({ min: 1, max: 86_400 }),
	requestsPerMinute: decimal({ min: 0, max: 100_000 }),
	itemTimeBudget: decimal({ min: 1, max: 86_400 }),
	fallbackModels: textList(),
	reuseAnswersAcrossExecutions: flag(),
	batchMode: flag(),
	// Minutes; a week at most keeps the wait inside what a Node.js timer can hold.
	batchMaxWait: decimal({ min: 0.1, max: 10_080 }),
	googleSearch: flag(),
	googleImageSearch: flag(),
	thinkingLevel: lowerCase(matching(/^(minimal|low|medium|high|xhigh)$/i, 'high')),
	includeThoughts: flag(),
	outputFormat: matching(/^image\/(png|jpeg)$/, 'image/jpeg'),
	compressionQuality: wholeNumber({ min: 0, max: 100 }),
	personGeneration: matching(/^ALLOW_(ALL|ADULT|NONE)$/, 'ALLOW_ADULT'),
	maxCostPerExecution: decimal({ min: 0, max: 1_000_000 }),
	maxCostPerDay: decimal({ min: 0, max: 1_000_000 }),
	turnsToKeep: wholeNumber({ min: TURNS_TO_KEEP.min, max: TURNS_TO_KEEP.max }),
};

function lowerCase(rule: Rule<string>): Rule<string> {
	return (value, label) => rule(value, label).toLowerCase();
}

/** Options that hold for the whole execution and are read from the first item. */
export const RUN_OPTIONS: ReadonlyArray<keyof NanoBananaOptions> = [
	'maxConcurrency',
	'maxRetries',
	'timeout',
	'requestsPerMinute',
	'itemTimeBudget',
	'reuseAnswersAcrossExecutions',
	'batchMode',
	'batchMaxWait',
	'maxCostPerExecution',
	'maxCostPerDay',
];

/** The name users see for an option, e.g. "Max Concurrency". */
export function optionLabel(name: string): string {
	if (name === 'options') return 'Options';
	const option = optionsProperty.options?.find((candidate) => candidate.name === name);
	return option && 'displayName' in option ? option.displayName : name;
}

/** The Options collection, checked: every value typed and in range, or a Problem (INVALID_PARAMETER). */
export function readOptions(raw: unknown, keys?: ReadonlyArray<keyof NanoBananaOptions>): NanoBananaOptions {
	return readCollection(raw, OPTION_RULES, optionLabel, keys);
}
