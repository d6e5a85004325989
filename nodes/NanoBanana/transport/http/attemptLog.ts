import type { TransportFailure } from '../failures/kinds';
import type { PacingEvent } from '../pacing/gate';
import { duration, type LogFields, type NodeLog } from './log';

/** How attempts and the gate's pacing decisions read in n8n's log: codes and numbers, never content. */

/** Logs what the shared gate decided after an answer: every execution using it is affected. */
export function logPacing(log: NodeLog, event: PacingEvent, cause: TransportFailure | undefined): void {
	const fields = cause ? failureFields(cause) : {};
	switch (event.kind) {
		case 'paused':
			log.warn(
				`${event.cause === 'rateLimit' ? 'rate limit' : 'server busy'}: Google asked to wait ${duration(event.pauseMs)}${cause ? ` after ${failureSummary(cause)}` : ''}; no request for this credential and model starts before then`,
				{ ...fields, pauseMs: event.pauseMs },
			);
			return;
		case 'rate': {
			if (event.reason === 'cleared') {
				log.info('429s that showed no limit have stopped: requests start without a learned pace or cap again', { ...fields, paceChange: event.reason });
				return;
			}
			const perMinute = Math.round((60_000 / event.intervalMs) * 10) / 10;
			const what =
				event.reason === 'probedUp'
					? 'no refusal for a window: trying a slightly higher rate'
					: `rate limit (${event.acceptedInWindow ?? '?'} accepted in ${duration(event.windowMs)})`;
			log.info(`${what}: starting requests every ${duration(Math.round(event.intervalMs))} (${perMinute} per minute)`, {
				...fields,
				paceMs: Math.round(event.intervalMs),
				windowMs: event.windowMs,
				acceptedInWindow: event.acceptedInWindow,
				paceChange: event.reason,
			});
			return;
		}
		case 'concurrencyCap':
			log.info(`at most ${event.cap} requests in flight for this credential and model`, { ...fields, concurrencyCap: event.cap });
	}
}

/** How an attempt ended, in a few words for the log. */
export function failureSummary(failure: TransportFailure): string {
	switch (failure.kind) {
		case 'api':
			return `${failure.statusCode}${failure.error.status ? ` ${failure.error.status}` : ''}`;
		case 'network':
			return failure.code;
		case 'malformed':
			return `${failure.statusCode} with an unreadable body`;
		case 'budget':
			return 'item time budget used up';
		default:
			return failure.kind;
	}
}

export function failureFields(failure: TransportFailure): LogFields {
	return {
		status: failure.kind === 'api' || failure.kind === 'malformed' ? failure.statusCode : undefined,
		failure: failure.kind === 'api' ? failure.error.details.reason ?? failure.error.status : failure.kind === 'network' ? failure.code : failure.kind,
	};
}
