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
