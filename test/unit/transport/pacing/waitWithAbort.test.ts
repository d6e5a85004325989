/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code, run by Node, not n8n (README: Lint) */
/**
 * Where n8n-workflow has `sleepWithAbort` (n8n-core 2.11 here): the wait ends on Stop, and the
 * execution's signal keeps no listener once a wait is over (n8n's helper leaves its own behind).
 */
import { getEventListeners } from 'events';

import { waitUnlessStopped } from '../../../../nodes/NanoBanana/transport/pacing/wait';

describe('waitUnlessStopped with sleepWithAbort', () => {
	it('leaves no listener on the execution signal after waits that ran out normally', async () => {
		const controller = new AbortController();
		for (let wait = 0; wait < 20; wait++) await waitUnlessStopped(1, controller.signal);
		expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
	});

	it('still ends at once when the execution is stopped', async () => {
		const controller = new AbortController();
		const started = Date.now();
		const waiting = waitUnlessStopped(60_000, controller.signal);
		controller.abort();
		await expect(waiting).rejects.toThrow();
		expect(Date.now() - started).toBeLessThan(1000);
		expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
	});

	it('rejects at once when already stopped', async () => {
		const controller = new AbortController();
		controller.abort();
		await expect(waitUnlessStopped(60_000, controller.signal)).rejects.toThrow();
	});
});
