/**
 * n8n 2.41 ships an n8n-workflow without `sleepWithAbort`; the node must still wait and still
 * stop waiting when the execution is stopped.
 */
jest.mock('n8n-workflow', () => ({ ...jest.requireActual('n8n-workflow'), sleepWithAbort: undefined }));

import { STOP_CHECK_MS, waitUnlessStopped } from '../../../../nodes/NanoBanana/transport/pacing/wait';

describe('waitUnlessStopped without sleepWithAbort', () => {
	it('waits the time given', async () => {
		const started = Date.now();
		await waitUnlessStopped(120, new AbortController().signal);
		expect(Date.now() - started).toBeGreaterThanOrEqual(100);
	});

	it('rejects as soon as the execution is stopped', async () => {
		const controller = new AbortController();
		const waiting = waitUnlessStopped(400, controller.signal);
		controller.abort();
		await expect(waiting).rejects.toThrow('The execution was stopped');
	});

	it('rejects at once when already stopped', async () => {
		const controller = new AbortController();
		controller.abort();
		await expect(waitUnlessStopped(400, controller.signal)).rejects.toThrow('stopped');
	});

	it('leaves no long timer behind when stopped: at most one short step runs out', async () => {
		jest.useFakeTimers();
		try {
			const controller = new AbortController();
			const waiting = waitUnlessStopped(5 * 60_000, controller.signal);
			jest.advanceTimersByTime(2500);
			controller.abort();
			await expect(waiting).rejects.toThrow('stopped');
			jest.advanceTimersByTime(STOP_CHECK_MS);
			await Promise.resolve();
			expect(jest.getTimerCount()).toBe(0);
		} finally {
			jest.useRealTimers();
		}
	});

	it('still waits the whole time in steps', async () => {
		jest.useFakeTimers();
		try {
			let done = false;
			const waiting = waitUnlessStopped(3500, new AbortController().signal).then(() => (done = true));
			for (let t = 0; t < 3400; t += 100) await jest.advanceTimersByTimeAsync(100);
			expect(done).toBe(false);
			await jest.advanceTimersByTimeAsync(200);
			await waiting;
			expect(done).toBe(true);
		} finally {
			jest.useRealTimers();
		}
	});
});
