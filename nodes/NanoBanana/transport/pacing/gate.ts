import type { TransportFailure } from '../failures/kinds';
import { DEFAULT_RETRY_POLICY } from '../failures/retry';
import { ConcurrencyCap } from './concurrencyCap';
import { StartRateLearner } from './rateLearner';
import { learnFromRefusal, UnexplainedRefusals } from './refusals';
import { closesLane, isSlot, type AcquireResult, type AttemptResult, type PacingEvent, type Slot } from './slot';
import { StartSchedule } from './schedule';
import { WaiterQueue } from './waiters';
import { SYSTEM_CLOCK, withOwnSignal, type GateClock } from './wait';

export { isSlot, type AcquireResult, type AttemptResult, type Closed, type PacingEvent, type Slot } from './slot';
export { SYSTEM_CLOCK, type GateClock } from './wait';

/**
 * A burst of starts ramps up (a slow start): the first ones go `COLD_START_SPACING_MS` apart for
 * `RAMP_DELAY_MS`, then the spacing halves every `RAMP_HALVING_MS`, down to
 * `MIN_START_SPACING_MS`. When the server refuses, the 429 (which comes back at once) stops the
 * gate while few starts are out: 2 or 3 at a limit of 4 starts a second, as with a fixed 25 ms.
 * Yet 32 starts go out within 0.25 s (a fixed 25 ms took 0.8 s, and the second wave of Max
 * Concurrency 32 inherited that spread).
 */
export const COLD_START_SPACING_MS = 25;
export const RAMP_DELAY_MS = 100;
export const RAMP_HALVING_MS = 40;
/** Request starts are never closer than this (500 per second, far above any image model's quota). */
export const MIN_START_SPACING_MS = 2;
/** A gate with nothing in flight and no start for this long ramps up again from its first spacing. */
const RAMP_RESET_MS = 60_000;
/** A wait longer than this fails the item anyway (see the retry policy): no use holding everyone. */
const MAX_PAUSE_MS = DEFAULT_RETRY_POLICY.maxServerDelayMs;

/**
 * The request gate of one credential and model in this n8n process, shared by every execution
 * that uses them, so concurrent executions honour one quota together:
 * - a 429 that shows no limit (no quota named, no wait asked for) is retried like any busy
 *   answer and teaches nothing, unless such refusals cluster (see `refusals.ts`);
 * - a rate limit (429 naming a quota, or refusals while few requests are in flight) is learned
 *   as a pace between request starts (see `StartRateLearner`), and every start waits out the
 *   server's requested delay;
 * - a concurrency limit (429 while as many requests as before are in flight) caps requests in
 *   flight (see `ConcurrencyCap`, tentative when the 429 named a wait); only the refused request
 *   waits, and a long run of successes raises the cap by one;
 * - each execution's Max Requests per Minute is a hard ceiling on the pace while it runs.
 * Each execution keeps its own Max Concurrency (its item pool), stop signal and deadlines: a
 * waiter leaves the gate alone when its own execution stops, and never wakes or fails another.
 */
export class SharedRequestGate {
	private pausedUntil = 0;
	private inFlight = 0;
	private readonly cap = new ConcurrencyCap();
	private readonly schedule = new StartSchedule();
	private readonly intervalFn = (at: number) => this.intervalAt(at);
	private readonly learner = new StartRateLearner();
	private readonly ceilings = new Map<symbol, number>();
	private readonly waiters: WaiterQueue;
	private lastUsedAt: number;
	private lanes = 0;
	private lastStartAt = -Infinity;
	/** When the current ramp of start spacing began (see `COLD_START_SPACING_MS`). */
	private rampFrom = -Infinity;
	private readonly unexplained = new UnexplainedRefusals();

	/**
	 * @param maxInFlight a fixed cap on requests in flight, for a gate of one caller's own (the
	 *   model list of the editor); the shared gates have none: each execution's pool caps itself.
	 */
	constructor(
		private readonly clock: GateClock = SYSTEM_CLOCK,
		private readonly maxInFlight = Infinity,
	) {
		this.lastUsedAt = clock.now();
		this.waiters = new WaiterQueue(clock);
	}

	get requestsInFlight(): number {
		return this.inFlight;
	}

	/** The learned cap on requests in flight; undefined while no concurrency limit was seen. */
	get concurrencyCap(): number | undefined {
		return this.cap.value;
	}

	/** Spacing between request starts now in force, in ms. */
	get startIntervalMs(): number {
		return this.intervalAt(this.clock.now());
	}

	/** The spacing in force for a start at `at`. */
	private intervalAt(at: number): number {
		let interval = Math.max(this.rampSpacingMs(at), this.learner.intervalMs);
		for (const requestsPerMinute of this.ceilings.values()) interval = Math.max(interval, 60_000 / requestsPerMinute);
		return interval;
	}

	private rampSpacingMs(at: number): number {
		const since = Math.max(0, at - this.rampFrom - RAMP_DELAY_MS);
		return since === Infinity ? COLD_START_SPACING_MS : Math.max(MIN_START_SPACING_MS, COLD_START_SPACING_MS * 2 ** (-since / RAMP_HALVING_MS));
	}

	/** True when no execution uses the gate and nothing has happened for `idleMs`. */
	isIdle(idleMs: number): boolean {
		return this.lanes === 0 && this.inFlight === 0 && this.clock.now() - this.lastUsedAt >= idleMs;
	}

	/**
	 * An execution's view of the gate. `requestsPerMinute` (0 = none) holds the whole gate's pace
	 * under it while the execution runs; `leave` when the execution is done.
	 */
	join(requestsPerMinute = 0): GateLane {
		const id = Symbol('execution');
		this.lanes++;
		if (requestsPerMinute > 0) this.ceilings.set(id, requestsPerMinute);
		let left = false;
		let closedBy: TransportFailure | undefined;
		// The waits of this execution's items, ended when its lane closes so they give their starts back.
		const waiting = new Set<AbortController>();
		return {
			gate: this,
			acquire: async (signal, deadlineAt) => {
				if (closedBy) return { closedBy };
				const slot = await withOwnSignal(signal, async (own) => {
					waiting.add(own);
					return await this.acquire(own.signal, deadlineAt).finally(() => waiting.delete(own));
				});
				// Another item of this execution met the quota while this one waited: not sent.
				if (closedBy && isSlot(slot)) {
					this.release(slot, { ok: false, failure: { kind: 'cancelled' } });
					return { closedBy };
				}
				if (closedBy && slot === 'stopped' && !signal?.aborted) return { closedBy };
				return slot;
			},
			release: (slot, result) => {
				if (!result.ok && closesLane(result.failure)) {
					closedBy ??= result.failure;
					for (const own of waiting) own.abort();
				}
				return this.release(slot, result);
			},
			leave: () => {
				if (left) return;
				left = true;
				this.lanes--;
				// Its ceiling goes: the starts reserved by other executions come at the pace left.
				if (this.ceilings.delete(id)) this.retime();
				this.lastUsedAt = this.clock.now();
			},
		};
	}

	/**
	 * Resolves with a slot when the caller may start a request (hand it back to `release`),
	 * 'stopped' when `signal` aborted while waiting, 'outOfTime' when the start could not come
	 * before `deadlineAt` (epoch ms).
	 *
	 * A release wakes one queued waiter, which then owns that freed slot until it takes it. A
	 * woken waiter that leaves without it (stopped, out of time) or takes it while room is left
	 * (the cap grew, a probe was answered) wakes the next one: a wake-up can never be lost with a
	 * live waiter asleep on a gate that has room.
	 */
	async acquire(signal?: AbortSignal, deadlineAt = Infinity): Promise<AcquireResult> {
		const turn: Turn = { woken: false };
		const result = await this.waitForStart(signal, deadlineAt, turn);
		if (turn.woken && !this.full()) this.waiters.wakeNext();
		return result;
	}

	private async waitForStart(signal: AbortSignal | undefined, deadlineAt: number, turn: Turn): Promise<AcquireResult> {
		for (;;) {
			if (signal?.aborted) return 'stopped';
			const now = this.clock.now();
			if (now >= deadlineAt) return 'outOfTime';
			if (now < this.pausedUntil) {
				if (this.pausedUntil > deadlineAt) return 'outOfTime';
				if (!(await this.sleep(this.pausedUntil - now, signal))) return 'stopped';
				continue;
			}
			if (this.full()) {
				// Someone else took the slot this waiter was woken for: it waits for the next
				// release again, at the head of the queue since it has waited longest.
				const woken = await this.waiters.next(signal, deadlineAt, turn.woken);
				if (woken !== 'woken') return woken;
				turn.woken = true;
				continue;
			}
			if (now >= this.schedule.nextFree(this.earliestStart(now), this.intervalFn) && now >= this.lastStartAt + this.startIntervalMs) {
				return this.take(now, false);
			}
			// Reserve the next start time now, so waiters start in arrival order, one per interval.
			const reservation = this.schedule.reserve(this.earliestStart(now), this.intervalFn);
			const due = await this.schedule.waitFor(reservation, this.clock, signal, deadlineAt, () => this.lastStartAt + this.startIntervalMs);
			if (due !== 'due') {
				this.schedule.giveBack(reservation, this.earliestStart(this.clock.now()), this.intervalFn);
				return due;
			}
			this.schedule.taken(reservation);
			if (this.full()) continue;
			return this.take(this.clock.now(), true);
		}
	}

	/** The earliest a start may come from `now`: after any pause, one interval after the last start. */
	private earliestStart(now: number): number {
		const afterLast = this.lastStartAt === -Infinity ? -Infinity : this.lastStartAt + this.intervalAt(this.lastStartAt);
		return Math.max(now, this.pausedUntil, afterLast);
	}

	/** Times the reserved starts again at the pace now in force (see `StartSchedule.retime`). */
	private retime(): void {
		this.schedule.retime(this.earliestStart(this.clock.now()), this.intervalFn);
	}

	/** Hands a slot back with how its attempt ended; returns the pacing decisions it caused. */
	release(slot: Slot, result: AttemptResult): PacingEvent[] {
		this.inFlight--;
		const now = this.clock.now();
		this.lastUsedAt = now;
		const events: PacingEvent[] = [];
		this.unexplained.record(result);
		const overCap = this.cap.answered(slot, result.ok);
		if (result.ok) {
			const change = this.learner.accepted(slot.startedAt, now, slot.heldByPace);
			if (change) events.push({ kind: 'rate', ...change });
			const capChange = this.cap.succeeded(overCap, now);
			if (capChange) events.push(capChange);
			if (this.unexplained.stopped()) this.forgetUnexplained(events);
		} else {
			const pause = (ms: number, cause: 'rateLimit' | 'serverBusy') => this.pause(ms, cause, events);
			const learners = { learner: this.learner, cap: this.cap, unexplained: this.unexplained, pause };
			learnFromRefusal(learners, slot, overCap, this.inFlight, result.failure, now, events);
		}
		// Starts reserved at the old pace follow the new one: a pace raised after a slow spell must
		// not leave waiters asleep until times reserved seconds apart.
		if (events.some((event) => event.kind === 'rate')) this.retime();
		this.waiters.wakeNext();
		return events;
	}

	/**
	 * 429s that show no limit taught a pace or a cap while they clustered; the last
	 * `CLUSTER_ANSWERS` answers hold none of them any more: whatever it was has passed.
	 */
	private forgetUnexplained(events: PacingEvent[]): void {
		this.learner.reset();
		this.cap.forget();
		events.push({ kind: 'rate', intervalMs: 0, windowMs: 0, reason: 'cleared' });
	}

	/** Holds every new request back for `ms` from now (never shortens an earlier pause). */
	private pause(ms: number, cause: 'rateLimit' | 'serverBusy', events: PacingEvent[]): void {
		if (ms > MAX_PAUSE_MS) return;
		const until = this.clock.now() + ms;
		if (until <= this.pausedUntil) return;
		this.pausedUntil = until;
		this.retime(); // every reserved start moves behind the pause, in the same order
		events.push({ kind: 'paused', pauseMs: ms, cause });
	}

	private full(): boolean {
		return this.inFlight >= this.maxInFlight || this.cap.full(this.inFlight, this.clock.now());
	}

	private take(now: number, heldByPace: boolean): Slot {
		if (this.inFlight === 0 && now - this.lastStartAt >= RAMP_RESET_MS) this.rampFrom = now;
		this.inFlight++;
		this.lastUsedAt = now;
		this.lastStartAt = now;
		this.learner.started(now);
		const slot = { startedAt: now, heldByPace };
		this.cap.started(slot, this.inFlight - 1);
		return slot;
	}

	private async sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
		return await this.clock.wait(ms, signal).then(
			() => true,
			() => false,
		);
	}
}

/** One acquire's claim on a wake-up: set while it holds a slot freed for it by a release. */
interface Turn {
	woken: boolean;
}

/** One execution's use of a shared gate. */
export interface GateLane {
	acquire(signal?: AbortSignal, deadlineAt?: number): Promise<AcquireResult>;
	release(slot: Slot, result: AttemptResult): PacingEvent[];
	/** The shared gate itself (for its state; acquire and release through the lane). */
	readonly gate: SharedRequestGate;
	/** The execution is done with the gate: its Max Requests per Minute no longer applies. */
	leave(): void;
}
