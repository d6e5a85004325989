/* eslint-disable @typescript-eslint/no-require-imports -- test code, run by Node, not n8n (README: Lint) */
// The benchmark's ideal under a fixed-window quota: the rate targets of docs/benchmarks.md are
// ratios to it, so a wrong ideal would misreport them.
const { fixedWindowIdealMs } = require('../../bench/lib/scale-report') as {
	fixedWindowIdealMs: (run: { firstStartAt: number; windowMs: number; perWindow: number; items: number; latencyMs: number }) => number;
};

describe('fixedWindowIdealMs', () => {
	const minute = 60_000;

	it('gives a run that starts at a window boundary items ÷ rate, less the last window', () => {
		// 40 starts at 30 per minute from 10:05:00: 30 now, 10 at 10:06:00, the last answered 200 ms later.
		expect(fixedWindowIdealMs({ firstStartAt: 5 * minute, windowMs: minute, perWindow: 30, items: 40, latencyMs: 200 })).toBe(60_200);
	});

	it('gives a run that starts late in a window that window\'s whole budget at once', () => {
		expect(fixedWindowIdealMs({ firstStartAt: 5 * minute + 42_000, windowMs: minute, perWindow: 30, items: 40, latencyMs: 200 })).toBe(18_200);
	});

	it('counts every further window for the starts beyond it', () => {
		// 4 per second from 7.3 s: starts 36..39 wait for the window at 16 s.
		expect(fixedWindowIdealMs({ firstStartAt: 7_300, windowMs: 1000, perWindow: 4, items: 40, latencyMs: 200 })).toBe(8_900);
	});

	it('is the latency alone when every start fits the first window', () => {
		expect(fixedWindowIdealMs({ firstStartAt: 7_300, windowMs: 1000, perWindow: 4, items: 4, latencyMs: 200 })).toBe(200);
	});
});
