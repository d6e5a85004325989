import { sleep, sleepWithAbort } from 'n8n-workflow';

/**
 * Waits `ms`, ending early (by rejecting) when the execution is stopped. n8n-workflow's
 * `sleepWithAbort` does exactly that, but some n8n releases (2.41 among them) ship without it;
 * there the plain `sleep` races the abort signal instead.
 */
export async function waitUnlessStopped(ms: number, signal?: AbortSignal): Promise<void> {
	if (typeof sleepWithAbort === 'function') {
		await sleepWithAbort(ms, signal);
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
	await Promise.race([sleep(ms), stopped]).finally(() => signal.removeEventListener('abort', onAbort));
}
