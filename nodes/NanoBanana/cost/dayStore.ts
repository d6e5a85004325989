import { roundUsd } from './itemCost';

/**
 * Max Cost per Day keeps what the node spent today (UTC) in the workflow's static data, node scope:
 * the cap is a setting of this node, so it counts this node's spending (two nodes with their own
 * caps each keep to theirs; a credential shared with other workflows is not counted against it).
 * n8n saves static data after every execution that is not a manual test run. The stored value is
 * read back as untrusted data: anything but a well-formed day and amount counts as nothing spent
 * on another day.
 */

export const DAY_SPEND_KEY = 'nanoBananaSpend';

export interface DaySpend {
	/** UTC day, YYYY-MM-DD. */
	day: string;
	usd: number;
}

/** The UTC day of a moment, YYYY-MM-DD. */
export function utcDay(nowMs: number): string {
	return new Date(nowMs).toISOString().slice(0, 10);
}

function storedSpend(staticData: Record<string, unknown>): DaySpend | undefined {
	const stored = staticData[DAY_SPEND_KEY];
	if (typeof stored !== 'object' || stored === null) return undefined;
	const { day, usd } = stored as Record<string, unknown>;
	if (typeof day !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
	if (typeof usd !== 'number' || !Number.isFinite(usd) || usd < 0) return undefined;
	return { day, usd };
}

/** What was spent on `day` according to the stored data (0 for another day or nothing stored). */
export function spentOn(staticData: Record<string, unknown>, day: string): number {
	const stored = storedSpend(staticData);
	return stored?.day === day ? stored.usd : 0;
}

/**
 * Adds this execution's spending to the day's total. Writes only when something was spent, so an
 * execution that paid nothing leaves the saved data (and n8n's save) alone.
 */
export function addSpend(staticData: Record<string, unknown>, day: string, usd: number): void {
	if (!(usd > 0)) return;
	staticData[DAY_SPEND_KEY] = { day, usd: roundUsd(spentOn(staticData, day) + usd) };
}

/**
 * What executions of this n8n process added to each node's day, beside the static data. Each
 * execution works on its own copy of the static data, loaded when it started and saved when it
 * ends (the last save wins): a long execution (a Batch Mode wait) would write back its start value
 * plus its own spending, erasing what the executions that ran meanwhile saved, or, begun the day
 * before, yesterday's figure over today's. This process's executions add here, and an execution
 * saves at least this process's total of the latest day. Keyed by workflow and node.
 */
const processDays = new Map<string, DaySpend>();

/** Adds an execution's spending of `day` to this process's total for the node `key`; returns the node's latest day. */
export function addProcessSpend(key: string, day: string, usd: number): DaySpend {
	for (const [other, entry] of processDays) if (entry.day < day) processDays.delete(other);
	const held = processDays.get(key);
	// An execution that began the day before: that day is over, today's total stays.
	if (held && held.day > day) return held;
	const total: DaySpend = { day, usd: roundUsd((held?.usd ?? 0) + Math.max(0, usd)) };
	processDays.set(key, total);
	return total;
}

/**
 * Saves an execution's spending of `day` into its copy of the static data: the copy's own total
 * plus this execution's, and never less than what this process knows of the latest day.
 */
export function saveSpend(staticData: Record<string, unknown>, day: string, usd: number, processDay?: DaySpend): void {
	if (!(usd > 0)) return;
	if (processDay && processDay.day > day) {
		staticData[DAY_SPEND_KEY] = { day: processDay.day, usd: Math.max(spentOn(staticData, processDay.day), processDay.usd) };
		return;
	}
	const own = roundUsd(spentOn(staticData, day) + usd);
	staticData[DAY_SPEND_KEY] = { day, usd: Math.max(own, processDay?.day === day ? processDay.usd : 0) };
}
