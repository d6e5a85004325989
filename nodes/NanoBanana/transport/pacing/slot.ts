import type { TransportFailure } from '../failures/kinds';
import { isLongQuotaExhausted } from '../failures/retry';
import type { RateChange } from './rateLearner';

/** What a gate hands out and takes back, and what it reports. */

/** A granted request start; hand it back to `release`. */
export interface Slot {
	readonly startedAt: number;
	/** The start waited for the pace (used to decide when to probe a higher rate). */
	readonly heldByPace: boolean;
}

/**
 * The execution may send no more requests through this lane: Google answered one with a quota
 * that does not clear within a run (see `closesLane`); every later item fails with that answer.
 */
export interface Closed {
	readonly closedBy: TransportFailure;
}

export type AcquireResult = Slot | Closed | 'stopped' | 'outOfTime';

/** How an attempt that held a slot ended. */
export type AttemptResult = { ok: true } | { ok: false; failure: TransportFailure };

/** A pacing decision, for the log (the gate is shared, so the caller that caused it logs it). */
export type PacingEvent =
	| ({ kind: 'rate' } & RateChange)
	| { kind: 'paused'; pauseMs: number; cause: 'rateLimit' | 'serverBusy' }
	| { kind: 'concurrencyCap'; cap: number };

export function isSlot(result: AcquireResult): result is Slot {
	return typeof result === 'object' && 'startedAt' in result;
}

/**
 * A per-day quota or a spend cap: hours away, so not a rate to learn nor a wait to sit through.
 * Only this execution's lane closes: a later run may find the quota raised or reset.
 */
export function closesLane(failure: TransportFailure): boolean {
	return isLongQuotaExhausted(failure);
}
