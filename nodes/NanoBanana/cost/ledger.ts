import { roundUsd } from './itemCost';

/**
 * One execution's spending against its caps. A request may start only when what was spent, plus
 * what the requests in flight have reserved, plus its own estimate stays within every cap; what
 * it really cost replaces its reservation once Google has answered, and a request that failed
 * (429, 5xx, timeout: not billed) gives its reservation back. Retries happen inside one
 * reservation, so they count nothing.
 *
 * A request that could fit once the requests in flight are answered waits for that; one that
 * cannot fit even then is refused, and so is every later one (spending only grows), so the
 * items past the cap fail in order instead of a cheaper later one slipping through.
 */

export interface Caps {
	/** Max Cost per Execution, US dollars. */
	perExecution?: number;
	/** Max Cost per Day, US dollars, with `spentTodayBefore` already spent today. */
	perDay?: number;
	spentTodayBefore?: number;
}

/** Why a request was not sent: which cap, and what was spent. */
export class CostCapRefusal extends Error {
	readonly reason = 'COST_CAP';
	constructor(
		message: string,
		readonly description: string,
	) {
		super(message);
	}
}

/** A request's claim on the budget while it is out. */
export interface Reservation {
	/** What was reserved, US dollars. */
	readonly estimate: number;
	/** Google billed `usd` for (part of) it; unknown prices pass the reservation's estimate. */
	paid(usd: number): void;
	/** The request is over: whatever it reserved and did not pay goes back. */
	end(): void;
}

/** "$0.1685"; sums under a cent keep six decimals ("$0.000023"). */
export function dollars(usd: number): string {
	return `$${usd.toFixed(usd !== 0 && Math.abs(usd) < 0.01 ? 6 : 4)}`;
}

export class SpendLedger {
	/** Billed by this execution so far. */
	spent = 0;
	/** Estimates of the requests in flight. */
	reserved = 0;
	private refusal: CostCapRefusal | undefined;
	private waiting: Array<() => void> = [];

	constructor(readonly caps: Caps) {}

	get capped(): boolean {
		return this.caps.perExecution !== undefined || this.caps.perDay !== undefined;
	}

	/**
	 * Reserves `estimate` (US dollars; undefined = no known price) for one request, waiting while
	 * the requests in flight hold the room it needs. Throws CostCapRefusal when it cannot fit.
	 */
	async reserve(estimate: number | undefined, modelId: string, canWait = true): Promise<Reservation> {
		for (;;) {
			const verdict = this.tryReserve(estimate, modelId);
			if (verdict !== 'wait') return verdict;
			// A batch job may hold its reservation for hours: one that does not fit now is refused.
			const refusal = canWait ? undefined : this.capOver(this.spent + this.reserved + (estimate ?? 0));
			if (refusal) throw refusal;
			await new Promise<void>((resolve) => this.waiting.push(resolve));
		}
	}

	/** A reservation now, a refusal (thrown), or 'wait' when answers in flight may leave room. */
	tryReserve(estimate: number | undefined, modelId: string): Reservation | 'wait' {
		if (!this.capped) return this.hold(estimate ?? 0);
		if (this.refusal) throw this.refusal;
		if (estimate === undefined) {
			throw new CostCapRefusal(
				`No price is known for the model "${modelId}", so the spending cap cannot be kept`,
				'"Max Cost per Execution" and "Max Cost per Day" work only with models in the price table (see docs/models.md): choose one of them, or remove the caps to use this model. Nothing was sent to Google.',
			);
		}
		const over = this.capOver(this.spent + estimate);
		if (over) {
			this.refusal = over;
			throw over;
		}
		if (this.capOver(this.spent + this.reserved + estimate)) return 'wait';
		return this.hold(estimate);
	}

	/** The refusal for the first cap that `total` (this execution's spending) would pass. */
	private capOver(total: number): CostCapRefusal | undefined {
		const { perExecution, perDay, spentTodayBefore = 0 } = this.caps;
		const spentNote = `This execution has spent ${dollars(this.spent)}`;
		const after =
			'The item was not sent to Google; items answered before it keep their images. Raise the cap, or run the remaining items later.';
		// A thousandth of a cent of rounding is not a reason to refuse.
		const slack = 1e-9;
		if (perExecution !== undefined && total > perExecution + slack) {
			return new CostCapRefusal(`Max Cost per Execution (${dollars(perExecution)}) reached`, `${spentNote}; the next request would pass the cap. ${after}`);
		}
		if (perDay !== undefined && spentTodayBefore + total > perDay + slack) {
			return new CostCapRefusal(
				`Max Cost per Day (${dollars(perDay)}) reached`,
				`This node has spent ${dollars(spentTodayBefore + this.spent)} today (UTC), ${dollars(this.spent)} of it in this execution; the next request would pass the cap. ${after.replace('run the remaining items later', 'wait for the next UTC day')}`,
			);
		}
		return undefined;
	}

	/** Spending that held no reservation (a batch job found at Google, paid for earlier). */
	record(usd: number): void {
		this.spent = roundUsd(this.spent + usd);
	}

	private hold(estimate: number): Reservation {
		let left = estimate;
		let open = true;
		this.reserved += left;
		return {
			estimate,
			paid: (usd) => {
				this.spent = roundUsd(this.spent + usd);
				const released = Math.min(left, usd);
				left -= released;
				this.reserved = Math.max(0, roundUsd(this.reserved - released));
				this.wake();
			},
			end: () => {
				if (!open) return;
				open = false;
				this.reserved = Math.max(0, roundUsd(this.reserved - left));
				left = 0;
				this.wake();
			},
		};
	}

	private wake(): void {
		const waiting = this.waiting;
		this.waiting = [];
		for (const resolve of waiting) resolve();
	}
}
