/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test code, run by Node, not n8n (README: Lint) */
import { readFileSync } from 'fs';
import { join } from 'path';

import { optionsProperty } from '../../../nodes/NanoBanana/description/optionFields';
import { optionLabel, RUN_OPTIONS } from '../../../nodes/NanoBanana/description/options';

/** docs/node.md's table of what is read once per run and what per item, held to the code. */
describe('docs/node.md: what is read per item, what once per run', () => {
	const doc = readFileSync(join(__dirname, '../../../docs/node.md'), 'utf8');
	const header = '| Read once, from item 0 | Read for every item |';
	const row = doc.slice(doc.indexOf(header)).split('\n')[2];
	const [once, perItem] = row
		.split('|')
		.slice(1, 3)
		.map((cell) => cell.split('these options:')[1].split(',').map((label) => label.trim()));

	it('names every option read once (RUN_OPTIONS) in the first column, and only those', () => {
		expect([...once].sort()).toEqual(RUN_OPTIONS.map(optionLabel).sort());
	});

	it('names every other option in the second column', () => {
		const all = (optionsProperty.options ?? []).map((option) => ('displayName' in option ? option.displayName : ''));
		const others = all.filter((label) => !once.includes(label));
		expect([...perItem].sort()).toEqual(others.sort());
	});
});
