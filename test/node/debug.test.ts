import { startEmulator } from '../emulator/server';
import type { Emulator } from '../emulator/server';
import { runWorkflow, tearDownN8nServices } from './harness';
import { aiStudioCredential, editParameters, photoItem, pinJitter } from './fixtures';
let emulator: Emulator;
beforeAll(async () => { emulator = await startEmulator(); });
afterAll(async () => { await emulator.close(); await tearDownN8nServices(); });
test.each(['Dropped [[emulate:dropx1]]', 'Truncated [[emulate:malformedx1]]', 'Dropped again [[emulate:dropx1]]'])('%s', async (prompt) => {
	const j = pinJitter(0);
	emulator.reset();
	const t = Date.now();
	const r = await runWorkflow({ items: [photoItem({ prompt })], parameters: editParameters(), credential: aiStudioCredential(emulator) });
	jest.restoreAllMocks();
	console.log(prompt, r.status, r.elapsedMs, emulator.counters.log.map((e) => `${e.t - t}:${e.status}`), j.nodeCalls());
});
