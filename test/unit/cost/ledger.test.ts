import { CostCapRefusal, dollars, SpendLedger } from '../../../nodes/NanoBanana/cost/ledger';

const flush = async () => {
	for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('SpendLedger without caps', () => {
	it('never refuses, even a model without a price, and still adds up what was paid', async () => {
		const ledger = new SpendLedger({});
		const reservation = await ledger.reserve(undefined, 'unknown-model');
		reservation.paid(0.5);
		reservation.end();
		expect(ledger.spent).toBe(0.5);
		expect(ledger.reserved).toBe(0);
	});
});

describe('SpendLedger with Max Cost per Execution', () => {
	it('reserves while in flight; the real cost replaces the estimate', async () => {
		const ledger = new SpendLedger({ perExecution: 1 });
		const r = await ledger.reserve(0.4, 'm');
		expect(ledger.reserved).toBe(0.4);
		r.paid(0.3);
		expect(ledger.reserved).toBe(0.1);
		r.end();
		expect(ledger).toMatchObject({ spent: 0.3, reserved: 0 });
	});

	it('a failed request (429, 5xx: not billed) gives its reservation back', async () => {
		const ledger = new SpendLedger({ perExecution: 0.1 });
		const r = await ledger.reserve(0.1, 'm');
		r.end();
		expect(ledger).toMatchObject({ spent: 0, reserved: 0 });
		await expect(ledger.reserve(0.1, 'm')).resolves.toBeDefined();
	});

	it('a request that fits once the requests in flight are answered waits for them', async () => {
		const ledger = new SpendLedger({ perExecution: 0.2 });
		const first = await ledger.reserve(0.1, 'm');
		await ledger.reserve(0.05, 'm');
		let second: unknown;
		void ledger.reserve(0.1, 'm').then((r) => (second = r));
		await flush();
		expect(second).toBeUndefined();
		first.paid(0.04);
		first.end();
		await flush();
		expect(second).toBeDefined();
		expect(ledger.reserved).toBeCloseTo(0.15, 9);
	});

	it('refuses, naming the cap and what was spent, when even the paid part leaves no room; later requests too', async () => {
		const ledger = new SpendLedger({ perExecution: 0.2 });
		const r = await ledger.reserve(0.1, 'm');
		r.paid(0.15);
		r.end();
		const refusal = await ledger.reserve(0.1, 'm').catch((error: unknown) => error);
		expect(refusal).toBeInstanceOf(CostCapRefusal);
		expect((refusal as CostCapRefusal).message).toBe('Max Cost per Execution ($0.2000) reached');
		expect((refusal as CostCapRefusal).description).toMatch(/^This execution has spent \$0\.1500; .*not sent to Google/);
		// A cheaper later request is refused the same way: the items past the cap fail in order.
		await expect(ledger.reserve(0.001, 'm')).rejects.toBe(refusal);
	});

	it('a model without a price is refused before anything is sent, saying why', async () => {
		const ledger = new SpendLedger({ perExecution: 5 });
		await expect(ledger.reserve(undefined, 'gemini-9-image')).rejects.toThrow(/No price is known for the model "gemini-9-image"/);
	});

	it('without waiting (a batch job) a request that does not fit beside those in flight is refused', async () => {
		const ledger = new SpendLedger({ perExecution: 0.2 });
		await ledger.reserve(0.15, 'a');
		await expect(ledger.reserve(0.1, 'b', false)).rejects.toThrow('Max Cost per Execution ($0.2000) reached');
	});

	it('spending recorded without a reservation counts too', async () => {
		const ledger = new SpendLedger({ perExecution: 0.2 });
		ledger.record(0.19);
		await expect(ledger.reserve(0.02, 'm')).rejects.toThrow(CostCapRefusal);
	});
});

describe('SpendLedger with Max Cost per Day', () => {
	it('counts what was spent today before this execution', async () => {
		const ledger = new SpendLedger({ perDay: 1, spentTodayBefore: 0.95 });
		const refusal = (await ledger.reserve(0.1, 'm').catch((error: unknown) => error)) as CostCapRefusal;
		expect(refusal.message).toBe('Max Cost per Day ($1.0000) reached');
		expect(refusal.description).toMatch(/^This node has spent \$0\.9500 today \(UTC\), \$0\.0000 of it in this execution/);
		await expect(new SpendLedger({ perDay: 1, spentTodayBefore: 0.85 }).reserve(0.1, 'm')).resolves.toBeDefined();
	});
});

describe('dollars', () => {
	it('four decimals, six under a cent', () => {
		expect(dollars(0.2)).toBe('$0.2000');
		expect(dollars(0.0000225)).toBe('$0.000023');
	});
});
