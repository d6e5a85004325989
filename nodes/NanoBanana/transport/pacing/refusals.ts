import type { TransportFailure } from '../failures/kinds';
import { CLUSTER_ANSWERS, isUnexplained429, rateWindowMs, refusalKind, refusalsCluster, retryDelayFrom } from '../failures/retry';
import type { ConcurrencyCap } from './concurrencyCap';
import type { StartRateLearner } from './rateLearner';
import type { AttemptResult, PacingEvent, Slot } from './slot';

/**
 * The gate's memory of 429s that show no limit (see `isUnexplained429`): whether they cluster
 * among the latest answers, and whether the pace or cap in force was taught by them, so it is
 * forgotten once they stop.
 */
export class UnexplainedRefusals {
	/** Whether each of the latest answers was such a 429 (oldest first). */
	private recent: boolean[] = [];
	private taught = false;

	record(result: AttemptResult): void {
		this.recent = [...this.recent, !result.ok && isUnexplained429(result.failure)].slice(-CLUSTER_ANSWERS);
	}

	get cluster(): boolean {
		return refusalsCluster(this.recent);
	}

	/** A pace or cap was just learned from `failure`. */
	taughtBy(failure: TransportFailure): void {
		this.taught = isUnexplained429(failure);
	}

	/** True once, when what they taught should go: the latest `CLUSTER_ANSWERS` answers hold none. */
	stopped(): boolean {
		if (!this.taught || this.recent.some(Boolean)) return false;
		this.taught = false;
		return true;
	}
}

/** The parts of a gate a refusal teaches. */
export interface Learners {
	learner: StartRateLearner;
	cap: ConcurrencyCap;
	unexplained: UnexplainedRefusals;
	/** Holds every start back for `ms` (a wait the server asked for). */
	pause(ms: number, cause: 'rateLimit' | 'serverBusy'): void;
}

/**
 * What a refused request (`slot`, refused with `inFlight` others running) teaches the gate; its
 * decisions go into `events`. `overCap`: it was the probe over a tentative cap.
 */
export function learnFromRefusal(gate: Learners, slot: Slot, overCap: boolean, inFlight: number, failure: TransportFailure, now: number, events: PacingEvent[]): void {
	const { learner, cap, unexplained } = gate;
	const delay = retryDelayFrom(failure);
	if (overCap && refusalKind(failure, Infinity, undefined, unexplained.cluster) === 'concurrency') {
		// The probe over a tentative cap, refused without a quota named: the cap holds.
		learner.refusedOther(slot.startedAt);
		cap.confirmed();
		return;
	}
	const others = cap.othersTaken(slot, inFlight);
	// A request already out when the cap was lowered tells nothing new about it (`capFor`): judged
	// as if no cap were known, it lowers the cap a step further.
	let kind = refusalKind(failure, others, cap.capFor(slot), unexplained.cluster);
	// Out before the pace last changed: of the burst the pace already answers. And while a pace is
	// in force and no cap has held against a probe, a refusal is that pace's limit, not a new one.
	if (kind === 'concurrency' && (slot.startedAt < learner.changedAtMs || (learner.pacing && !cap.confirmedCap))) kind = 'rate';
	if (kind === 'rate' || kind === 'concurrency') unexplained.taughtBy(failure);
	switch (kind) {
		case 'dailyQuota':
			return; // fails fast; pausing would only hold the others up
		case 'sporadic':
			// Not a limit: the request retries after its own backoff; the pace stays. It was not
			// taken, so it does not count as accepted when a rate is learned later.
			learner.refusedOther(slot.startedAt);
			return;
		case 'rate': {
			cap.rateLimited(); // the pace takes over
			const change = learner.refused(slot.startedAt, now, rateWindowMs(failure), delay);
			if (change) events.push({ kind: 'rate', ...change });
			if (delay !== undefined) gate.pause(delay, 'rateLimit');
			return;
		}
		case 'concurrency':
			learner.refusedOther(slot.startedAt);
			events.push(cap.refused(others, now, delay));
			return;
		default:
			// An overloaded server that names a wait (503 + Retry-After) is overloaded for everyone.
			if (failure.kind === 'api' && delay !== undefined) gate.pause(delay, 'serverBusy');
	}
}
