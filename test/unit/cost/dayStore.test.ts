import { addProcessSpend, addSpend, DAY_SPEND_KEY, saveSpend, spentOn, utcDay } from '../../../nodes/NanoBanana/cost/dayStore';

describe('the day total in static data', () => {
	it('utcDay is the UTC date', () => {
		expect(utcDay(Date.UTC(2026, 11, 7, 23, 59, 59))).toBe('2026-12-07');
		expect(utcDay(Date.UTC(2026, 11, 8, 0, 0, 0))).toBe('2026-12-08');
	});

	it('adds to the same day, starts again on another', () => {
		const data: Record<string, unknown> = {};
		addSpend(data, '2026-12-07', 0.1);
		addSpend(data, '2026-12-07', 0.05);
		expect(spentOn(data, '2026-12-07')).toBeCloseTo(0.15, 12);
		expect(spentOn(data, '2026-12-08')).toBe(0);
		addSpend(data, '2026-12-08', 0.02);
		expect(data[DAY_SPEND_KEY]).toEqual({ day: '2026-12-08', usd: 0.02 });
	});

	it('writes nothing when nothing was spent (n8n then has nothing to save)', () => {
		const data: Record<string, unknown> = {};
		addSpend(data, '2026-12-07', 0);
		expect(data).toEqual({});
	});

	it.each([
		['not an object', 'x'],
		['a bad day', { day: '07.12.2026', usd: 1 }],
		['a negative amount', { day: '2026-12-07', usd: -1 }],
		['a string amount', { day: '2026-12-07', usd: '5' }],
		['Infinity', { day: '2026-12-07', usd: Infinity }],
	])('saved data that is %s counts as nothing spent', (_name, stored) => {
		expect(spentOn({ [DAY_SPEND_KEY]: stored }, '2026-12-07')).toBe(0);
	});
});

describe('this process\'s day totals', () => {
	it('add up per node; an execution begun the day before saves today\'s total, not its own day\'s', () => {
		const key = `wf\nnode-${Math.random()}`;
		expect(addProcessSpend(key, '2026-12-07', 0.5)).toEqual({ day: '2026-12-07', usd: 0.5 });
		expect(addProcessSpend(key, '2026-12-07', 0.25)).toEqual({ day: '2026-12-07', usd: 0.75 });
		expect(addProcessSpend(key, '2026-12-08', 0.1)).toEqual({ day: '2026-12-08', usd: 0.1 });
		const late = addProcessSpend(key, '2026-12-07', 0.3);
		expect(late).toEqual({ day: '2026-12-08', usd: 0.1 });
		// Its copy of the static data was loaded on the 7th.
		const copy: Record<string, unknown> = { [DAY_SPEND_KEY]: { day: '2026-12-07', usd: 0.2 } };
		saveSpend(copy, '2026-12-07', 0.3, late);
		expect(copy[DAY_SPEND_KEY]).toEqual({ day: '2026-12-08', usd: 0.1 });
	});
});
