import { sleep, sleepWithAbort } from 'n8n-workflow';

/**
 * Without `sleepWithAbort`, a wait is a chain of `sleep`s at most this long, each begun only while
 * the execution runs: `sleep`'s timer cannot be cleared (and n8n Cloud's rules forbid the timer
 * globals here), so after a Stop at most one such step is left running instead of
 * the whole wait (up to 60 s per poll, 5 min per gate pause). The cost is one wake-up a second
 * per waiter, nothing beside an image request.
 */
export const STOP_CHECK_MS = 1000;

/** The time a gate runs on: the system's, or a virtual one in tests. */
export interface GateClock {
	now(): number;
	/** Waits `ms`; rejects when `signal` aborts. */
	wait(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Waits `ms`, ending early (by rejecting) when the execution is stopped. n8n-workflow's
 * `sleepWithAbort` does exactly that, but some n8n releases (2.41 among them) ship without it;
 * there short `sleep`s race the abort signal instead.
 */
export async function waitUnlessStopped(ms: number, signal?: AbortSignal): Promise<void> {
	if (typeof sleepWithAbort === 'function') {
		await sleepWithAbortOnly(sleepWithAbort, ms, signal);
		return;
	}
	if (!signal) {
		await sleep(ms);
		return;
	}
	if (signal.aborted) throw new Error('The execution was stopped');
	let onAbort = () => {};
	const stopped = new Promise<never>((_, reject) => {
		onAbort = () => reject(new Error('The execution was stopped'));
		signal.addEventListener('abort', onAbort, { once: true });
	});
	await Promise.race([sleepInSteps(ms, signal), stopped]).finally(() => signal.removeEventListener('abort', onAbort));
}

/** Sleeps `ms` in steps of at most `STOP_CHECK_MS`, starting no step once `signal` has aborted. */
async function sleepInSteps(ms: number, signal: AbortSignal): Promise<void> {
	// Measured against the clock: a step's timer fires late under load, and late steps add up.
	const endAt = Date.now() + ms;
	for (let left = ms; left > 0 && !signal.aborted; left = endAt - Date.now()) {
		await sleep(Math.min(left, STOP_CHECK_MS));
	}
}

/**
 * `sleepWithAbort` leaves its listener on the signal when the wait ends normally. On the
 * execution's signal that would pile up one listener per wait for the whole execution (a day of
 * batch polls, a pause per item of a thousand): it gets a signal of its own per wait instead, and
 * the execution's signal holds one listener only while a wait runs.
 */
async function sleepWithAbortOnly(
	abortableSleep: (ms: number, signal?: AbortSignal) => Promise<void>,
	ms: number,
	signal?: AbortSignal,
): Promise<void> {
	if (!signal) return await abortableSleep(ms);
	const own = new AbortController();
	const forward = () => own.abort();
	if (signal.aborted) own.abort();
	else signal.addEventListener('abort', forward, { once: true });
	try {
		await abortableSleep(ms, own.signal);
	} finally {
		signal.removeEventListener('abort', forward);
	}
}

export const SYSTEM_CLOCK: GateClock = { now: () => Date.now(), wait: waitUnlessStopped };

/**
 * Runs `wait` with an abort controller of its own that also aborts when `signal` does; the
 * listener leaves `signal` when it ends (an execution's signal lives for the whole execution).
 */
export async function withOwnSignal<T>(signal: AbortSignal | undefined, wait: (own: AbortController) => Promise<T>): Promise<T> {
	const own = new AbortController();
	const abort = () => own.abort();
	if (signal?.aborted) own.abort();
	signal?.addEventListener('abort', abort, { once: true });
	try {
		return await wait(own);
	} finally {
		signal?.removeEventListener('abort', abort);
	}
}

/** Runs `wait` with a signal that aborts when either `signal` or `other` does (see `withOwnSignal`). */
export async function eitherSignal<T>(signal: AbortSignal | undefined, other: AbortSignal, wait: (either: AbortSignal) => Promise<T>): Promise<T> {
	return await withOwnSignal(signal, async (own) => await withOwnSignal(other, async (inner) => {
		if (own.signal.aborted) inner.abort();
		const forward = () => inner.abort();
		own.signal.addEventListener('abort', forward, { once: true });
		try {
			return await wait(inner.signal);
		} finally {
			own.signal.removeEventListener('abort', forward);
		}
	}));
}
