import { addSpend, DAY_SPEND_KEY, spentOn, utcDay } from '../../../nodes/NanoBanana/cost/dayStore';

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
