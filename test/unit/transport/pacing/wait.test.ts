/**
 * n8n 2.41 ships an n8n-workflow without `sleepWithAbort`; the node must still wait and still
 * stop waiting when the execution is stopped.
 */
jest.mock('n8n-workflow', () => ({ ...jest.requireActual('n8n-workflow'), sleepWithAbort: undefined }));

import { waitUnlessStopped } from '../../../../nodes/NanoBanana/transport/pacing/wait';

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
});
