import type { UsageMetadata } from '../transport/google/types';
import { addProcessSpend, saveSpend, spentOn, utcDay } from './dayStore';
import { estimateRequest, type RequestShape } from './estimate';
import { billedTokens, costOfAnswer, roundUsd, sharedAnswerCost, type ItemCost } from './itemCost';
import { dollars, SpendLedger, type Reservation } from './ledger';
import { PRICE_TABLE } from './prices';
import type { ReportTokens } from './tokenUsage';

/**
 * What one execution of the node spends: its caps (ledger), the day's total kept in static
 * data, the items' costs, n8n's token usage and the closing log line. The actions call
 * `reserve` before a request, `answered` once Google answered, and `close` at the end.
 */

export interface CostSettings {
	maxCostPerExecution?: number;
	maxCostPerDay?: number;
	/** The node's static data (n8n `getWorkflowStaticData('node')`); read only with a day cap. */
	staticData?: () => Record<string, unknown>;
	now?: () => number;
	reportTokens?: ReportTokens;
	/** The node's identity in this process (workflow and node): executions running at once share its day total. */
	dayKey?: string;
}

export interface CostTotals {
	answers: number;
	images: number;
	inputTokens: number;
	outputTokens: number;
	usd: number;
	/** Answers whose price is unknown (not in `usd`). */
	unpriced: number;
}

export class CostSession {
	readonly totals: CostTotals = { answers: 0, images: 0, inputTokens: 0, outputTokens: 0, usd: 0, unpriced: 0 };
	private readonly ledger: SpendLedger;
	private readonly day: string;
	private readonly staticData?: Record<string, unknown>;
	private closed = false;

	constructor(private readonly settings: CostSettings) {
		this.day = utcDay((settings.now ?? Date.now)());
		if (settings.maxCostPerDay !== undefined) this.staticData = settings.staticData?.();
		this.ledger = new SpendLedger({
			perExecution: settings.maxCostPerExecution,
			perDay: settings.maxCostPerDay,
			spentTodayBefore: this.staticData ? spentOn(this.staticData, this.day) : 0,
		});
	}

	/** Holds a request's estimate against the caps (waits, or throws CostCapRefusal). */
	async reserve(modelId: string, shapes: RequestShape[], batch: boolean): Promise<Reservation> {
		let estimate: number | undefined = 0;
		for (const shape of shapes) {
			const one = estimateRequest(modelId, shape, batch);
			estimate = one === undefined || estimate === undefined ? undefined : estimate + one;
		}
		// The pool's requests wait for answers in flight to make room; a batch job does not.
		return await this.ledger.reserve(estimate === undefined ? undefined : roundUsd(estimate), modelId, !batch);
	}

	/**
	 * Google answered (and billed) a request: its cost, counted against its reservation. An
	 * answer without a known price counts its estimate against the caps (they need a figure).
	 */
	answered(
		reservation: Reservation | undefined,
		modelId: string,
		usage: UsageMetadata | undefined,
		batch: boolean,
		estimate = reservation?.estimate ?? 0,
	): ItemCost {
		const cost = costOfAnswer(modelId, usage, batch);
		const tokens = billedTokens(usage);
		this.totals.answers++;
		if (tokens) {
			this.totals.inputTokens += tokens.input;
			this.totals.outputTokens += tokens.imageOutput + tokens.textOutput + tokens.thinking;
		}
		if (cost.usd === null) this.totals.unpriced++;
		else this.totals.usd = roundUsd(this.totals.usd + cost.usd);
		const usd = cost.usd ?? estimate;
		if (reservation) reservation.paid(usd);
		else this.ledger.record(usd);
		return cost;
	}

	/** Images delivered to items (an answer may be billed and hold none). */
	countImages(images: number): void {
		this.totals.images += images;
	}

	/** The cost shown on an item whose answer another identical request paid for. */
	shared(batch: boolean): ItemCost {
		return sharedAnswerCost(batch);
	}

	/** The execution is over: day total saved, n8n told the tokens; returns the log line. */
	close(): string {
		const { totals } = this;
		if (this.closed) return '';
		this.closed = true;
		if (this.staticData) {
			const spent = this.ledger.spent;
			const processDay = this.settings.dayKey === undefined ? undefined : addProcessSpend(this.settings.dayKey, this.day, spent);
			saveSpend(this.staticData, this.day, spent, processDay);
		}
		if (totals.inputTokens + totals.outputTokens > 0) this.settings.reportTokens?.(totals.inputTokens, totals.outputTokens);
		const unpriced = totals.unpriced > 0 ? ` (${totals.unpriced} answer${totals.unpriced === 1 ? '' : 's'} of models without a known price not included)` : '';
		return `execution cost: ${totals.images} image${totals.images === 1 ? '' : 's'} from ${totals.answers} answer${totals.answers === 1 ? '' : 's'}, ${totals.inputTokens} input + ${totals.outputTokens} output tokens, ${dollars(totals.usd)}${unpriced} (prices of ${PRICE_TABLE.date})`;
	}
}
