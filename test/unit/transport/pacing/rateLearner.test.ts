import { RATE_SAFETY_FACTOR, StartRateLearner } from '../../../../nodes/NanoBanana/transport/pacing/rateLearner';

describe('StartRateLearner', () => {
	it('paces nothing until a rate limit is seen', () => {
		const learner = new StartRateLearner();
		learner.started(0);
		expect(learner.accepted(0, 200, false)).toBeUndefined();
		expect(learner.intervalMs).toBe(0);
	});

	it('learns the pace from the starts the server took in the window before a refusal', () => {
		const learner = new StartRateLearner();
		for (const t of [0, 10, 20, 30, 40]) learner.started(t);
		// The fifth start is refused; the four before it (still in flight) were taken.
		const change = learner.refused(40, 45, 1000);
		expect(change).toMatchObject({ reason: 'learned', acceptedInWindow: 4, windowMs: 1000 });
		expect(learner.intervalMs).toBeCloseTo(250 * RATE_SAFETY_FACTOR);
	});

	it('learns nothing from a refusal with fewer than two starts taken before it (someone else spent the window)', () => {
		const learner = new StartRateLearner();
		for (const t of [0, 10]) learner.started(t);
		expect(learner.refused(10, 15, 60_000)).toBeUndefined();
		expect(learner.intervalMs).toBe(0);
	});

	it('takes a short server wait as the end of the budget: a per-minute quota that returns in 0.2 s is not 3 per minute', () => {
		const learner = new StartRateLearner();
		for (const t of [0, 10, 20, 30]) learner.started(t);
		// Three taken from 0 on, the fourth refused at 35 with "retry in 200 ms": 3 starts per 235 ms.
		const change = learner.refused(30, 35, 60_000, 200);
		expect(change).toMatchObject({ reason: 'learned', acceptedInWindow: 3, windowMs: 235 });
		expect(learner.intervalMs).toBeCloseTo((235 / 3) * RATE_SAFETY_FACTOR);
	});

	it('keeps the whole window when the server waits until the window ends', () => {
		const learner = new StartRateLearner();
		for (const t of [0, 10, 20, 30]) learner.started(t);
		const change = learner.refused(30, 35, 60_000, 59_965);
		expect(change).toMatchObject({ acceptedInWindow: 3, windowMs: 60_000 });
		expect(learner.intervalMs).toBeCloseTo(20_000 * RATE_SAFETY_FACTOR);
	});

	it('does not count starts outside the window', () => {
		const learner = new StartRateLearner();
		for (const t of [0, 30_000, 61_000, 61_010]) learner.started(t);
		expect(learner.refused(61_010, 61_015, 60_000)).toMatchObject({ acceptedInWindow: 2 }); // 30_000 and 61_000
		expect(learner.intervalMs).toBeCloseTo(30_000 * RATE_SAFETY_FACTOR);
	});

	it('does not count refused starts as taken', () => {
		const learner = new StartRateLearner();
		for (const t of [0, 10, 20]) learner.started(t);
		learner.refused(20, 25, 1000);
		learner.started(30_000);
		// A minute window back from 30_000 holds 0, 10 and the refused 20: two taken.
		expect(learner.refused(30_000, 30_005, 60_000)).toMatchObject({ acceptedInWindow: 2, reason: 'slowedDown' });
		expect(learner.intervalMs).toBeCloseTo(30_000 * RATE_SAFETY_FACTOR);
	});

	it('ignores refusals of requests started before the pace last changed', () => {
		const learner = new StartRateLearner();
		for (const t of [0, 10, 20, 30, 40, 44]) learner.started(t);
		learner.refused(40, 45, 1000);
		const interval = learner.intervalMs;
		expect(learner.refused(44, 50, 1000)).toBeUndefined(); // started before the first refusal came back
		expect(learner.intervalMs).toBe(interval);
	});

	it('slows down multiplicatively when refused while pacing', () => {
		const learner = new StartRateLearner();
		for (const t of [0, 10, 20, 30, 40]) learner.started(t);
		learner.refused(40, 45, 1000);
		const first = learner.intervalMs;
		for (let t = 1000; t < 2000; t += first) learner.started(t);
		learner.started(2000);
		const change = learner.refused(2000, 2005, 1000);
		expect(change?.reason).toBe('slowedDown');
		expect(learner.intervalMs).toBeCloseTo(first * 1.1);
	});

	it('speeds up by half a start per window for every two windows the pace held without a refusal (additive increase)', () => {
		const learner = new StartRateLearner();
		for (const t of [0, 10, 20, 30, 40]) learner.started(t);
		learner.refused(40, 45, 1000); // 4 per 1 s window: 262.5 ms
		const learned = learner.intervalMs;
		expect(learner.accepted(30, 2100, true)).toBeUndefined(); // started before the pace was learned
		expect(learner.accepted(900, 1900, true)).toBeUndefined(); // two windows have not passed yet
		expect(learner.accepted(900, 2100, false)).toBeUndefined(); // not held by the pace
		expect(learner.accepted(900, 2100, true)).toMatchObject({ reason: 'probedUp' });
		expect(1000 / learner.intervalMs).toBeCloseTo(1000 / learned + 0.5);
		expect(learner.accepted(2200, 3400, true)).toBeUndefined(); // the next step waits two windows again
		expect(learner.accepted(3500, 4200, true)).toMatchObject({ reason: 'probedUp' });
		expect(1000 / learner.intervalMs).toBeCloseTo(1000 / learned + 1);
		// A refusal is the multiplicative decrease: back to what the window took.
		for (let t = 4200; t < 5200; t += 200) learner.started(t);
		expect(learner.refused(5000, 5005, 1000)).toMatchObject({ reason: 'slowedDown', acceptedInWindow: 4 });
		expect(learner.intervalMs).toBeCloseTo(learned);
	});
});
