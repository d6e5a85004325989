/* eslint-disable @n8n/community-nodes/require-node-api-error -- test code, run by Node, not n8n (README: Lint) */
import { optionsProperty } from '../../../nodes/NanoBanana/description/optionFields';
import { OPTION_RULES, optionLabel, readOptions, RUN_OPTIONS } from '../../../nodes/NanoBanana/description/options';
import {
	checkFieldName,
	decimal,
	describeValue,
	flag,
	readCollection,
	text,
	textList,
	wholeNumber,
} from '../../../nodes/NanoBanana/description/validate';
import { Problem } from '../../../nodes/NanoBanana/shared/problem';

function problemOf(action: () => unknown): Problem {
	try {
		action();
	} catch (error) {
		if (error instanceof Problem && error.reason === 'INVALID_PARAMETER') return error;
		throw error;
	}
	throw new Error('expected a Problem (INVALID_PARAMETER)');
}

describe('number rules', () => {
	it.each([NaN, Infinity, -Infinity, 0, 33, 2.5, '', 'four', '4x', {}, [], true])(
		'Max Concurrency refuses %p, naming the option and the value',
		(value) => {
			const problem = problemOf(() => readOptions({ maxConcurrency: value }));
			expect(problem.message).toMatch(/^"Max Concurrency" must be a whole number from 1 to 32, but it is /);
			expect(problem.message).toContain(describeValue(value));
			expect(problem.description).toContain('expression');
		},
	);

	it('says NaN plainly', () => {
		expect(problemOf(() => readOptions({ maxRetries: NaN })).message).toBe(
			'"Max Retries" must be a whole number from 0 to 10, but it is NaN (not a number)',
		);
	});

	it('reads numeric text as the number and keeps numbers in range', () => {
		expect(readOptions({ maxConcurrency: ' 4 ', maxRetries: 0, temperature: '0.5', timeout: 2 })).toEqual({
			maxConcurrency: 4,
			maxRetries: 0,
			temperature: 0.5,
			timeout: 2,
		});
	});

	it('checks every numeric option', () => {
		for (const [name, bad] of [
			['numberOfImages', 9],
			['temperature', 2.5],
			['seed', 1.5],
			['seed', 2 ** 31],
			['timeout', 0],
			['timeout', NaN],
			['itemTimeBudget', -1],
			['itemTimeBudget', 10 ** 9],
			['requestsPerMinute', -1],
			['requestsPerMinute', NaN],
		] as const) {
			expect(() => readOptions({ [name]: bad })).toThrow(`"${optionLabel(name)}" must be`);
		}
	});

	it('builds range wording for open ranges', () => {
		expect(() => wholeNumber({ min: 2 })(1, 'X')).toThrow('"X" must be a whole number of at least 2, but it is 1');
		expect(() => decimal({ max: 2 })(3, 'Y')).toThrow('"Y" must be a number of at most 2, but it is 3');
	});
});

describe('text rules', () => {
	it('turns numbers and booleans into text and refuses objects and lists', () => {
		const asText = text();
		expect(asText(123, 'Output File Name')).toBe('123');
		expect(asText(false, 'System Instruction')).toBe('false');
		expect(asText(undefined, 'Prompt')).toBe('');
		expect(() => asText({ a: 1 }, 'Prompt')).toThrow('"Prompt" must be text, but it is an object');
		expect(() => asText(['a'], 'Prompt')).toThrow('"Prompt" must be text, but it is a list');
	});

	it('reads a list of names as comma-separated text', () => {
		const asList = textList();
		expect(asList(['gemini-3-pro-image', 'gemini-3.1-flash-image'], 'Fallback Models')).toBe('gemini-3-pro-image,gemini-3.1-flash-image');
		expect(asList(42, 'Fallback Models')).toBe('42');
		expect(() => asList([{}], 'Fallback Models')).toThrow('"Fallback Models" must be a comma-separated list of names');
	});

	it('checks the shape of aspect ratio and image size', () => {
		expect(readOptions({ aspectRatio: ' 16:9 ', imageSize: '2K' })).toEqual({ aspectRatio: '16:9', imageSize: '2K' });
		expect(() => readOptions({ aspectRatio: '16x9' })).toThrow('"Aspect Ratio" must be a value like 16:9, but it is "16x9"');
		expect(() => readOptions({ imageSize: { size: 1 } })).toThrow('"Image Size" must be a value like 1K, but it is an object');
	});

	it('reads flags, including the texts "true" and "false"', () => {
		expect(readOptions({ keepInputBinaries: 'true', includeModelText: false })).toEqual({
			keepInputBinaries: true,
			includeModelText: false,
		});
		expect(() => flag()('yes', 'Keep Input Binaries')).toThrow('"Keep Input Binaries" must be true or false, but it is "yes"');
	});
});

describe('binary field names', () => {
	it.each(['__proto__', 'constructor', 'prototype', ' constructor '])('refuses %p', (name) => {
		expect(() => checkFieldName(name, 'Output Binary Field')).toThrow(`"Output Binary Field" cannot be named "${name.trim()}"`);
	});

	it('keeps ordinary names, trimmed', () => {
		expect(checkFieldName(' data ', 'Output Binary Field')).toBe('data');
		expect(checkFieldName('proto', 'Output Binary Field')).toBe('proto');
	});
});

describe('readCollection', () => {
	it('reads own properties only, ignores unknown keys and unset values', () => {
		const raw = Object.create({ maxConcurrency: NaN }) as Record<string, unknown>;
		raw.maxRetries = 2;
		raw.somethingOld = 'x';
		raw.timeout = null;
		expect(readOptions(raw)).toEqual({ maxRetries: 2 });
	});

	it('reads only the keys asked for', () => {
		expect(readOptions({ maxConcurrency: 2, temperature: NaN }, RUN_OPTIONS)).toEqual({ maxConcurrency: 2 });
		expect(() => readOptions({ maxConcurrency: 2, temperature: NaN })).toThrow('"Temperature"');
	});

	it('refuses a collection that is not an object', () => {
		expect(() => readOptions('maxConcurrency=2')).toThrow('"Options" must be a collection of options');
		expect(readOptions(undefined)).toEqual({});
	});

	it('has a rule for every option of the description, and the description a label for every rule', () => {
		const described = (optionsProperty.options ?? []).map((option) => option.name).sort();
		expect(Object.keys(OPTION_RULES).sort()).toEqual(described);
	});

	it('names the value with the label it is given', () => {
		expect(() => readCollection({ a: NaN }, { a: decimal() }, (key) => key.toUpperCase())).toThrow('"A" must be a number');
	});
});
