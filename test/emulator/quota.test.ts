import { startEmulator } from './server';
import type { Emulator } from './server';
import { generate } from './test-helpers';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { StartQuotas } = require('./quota');

const parsed = { backend: 'gemini', model: { id: 'gemini-2.5-flash-image' } };
const limits = (perSecond: number, perMinute = Infinity) => ({ startsPerSecond: perSecond, startsPerMinute: perMinute });

describe('fixed-window start quotas', () => {
	it('per second: N starts per clock second, then 429 with RetryInfo for the rest of the second and no quota name', () => {
		const quotas = new StartQuotas();
		for (const t of [10_000, 10_100, 10_900]) {
			expect(quotas.refusal(t, limits(3), parsed)).toBeUndefined();
			quotas.record(t, limits(3));
		}
		const refusal = quotas.refusal(10_250, limits(3), parsed);
		expect(refusal.code).toBe(429);
		expect(refusal.details).toEqual([{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '0.75s' }]);
		expect(quotas.refusal(11_000, limits(3), parsed)).toBeUndefined(); // the next window
	});

	it('per minute: the 429 names the per-minute quota and waits for the minute to turn', () => {
		const quotas = new StartQuotas();
		quotas.record(120_500, limits(Infinity, 1));
		const refusal = quotas.refusal(150_000, limits(Infinity, 1), parsed);
		expect(refusal.toJSON().error.details).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ violations: [expect.objectContaining({ quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier' })] }),
				{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '30s' },
			]),
		);
		expect(quotas.refusal(180_000, limits(Infinity, 1), parsed)).toBeUndefined();
	});

	describe('in the emulator', () => {
		let emu: Emulator;
		beforeAll(async () => {
			emu = await startEmulator();
		});
		afterAll(async () => await emu.close());

		it('counts only admitted starts and refuses beyond the window (configured over HTTP options)', async () => {
			emu.reset();
			emu.configure({ startsPerMinute: 2 });
			const statuses = [];
			for (let i = 0; i < 6; i++) statuses.push((await generate(emu, `q${i}`)).status);
			// Two admitted per minute: even if the minute turns during the calls, some of six are refused.
			expect(statuses.slice(0, 2)).toEqual([200, 200]);
			expect(emu.counters.rateLimited).toBeGreaterThanOrEqual(1);
			emu.reset();
			expect((await generate(emu, 'after')).status).toBe(200);
			emu.configure({ startsPerMinute: Infinity });
			expect(emu.options.startsPerMinute).toBe(Infinity);
		});
	});
});
