/**
 * What the Batch Mode node tests share: items of small photos (one may be refused), items big
 * enough to go as a JSONL file, and a run of the node with Batch Mode options on the emulator.
 */
import { randomBytes } from 'crypto';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { encodePng } from '../emulator/server';
import type { Emulator } from '../emulator/server';
import { runWorkflow } from './harness';
import type { FixtureItem, OnError, RunResult } from './harness';
import { aiStudioCredential, editParameters, png, useEmulator } from './fixtures';

export const BATCH = { batchMode: true };

/** `count` photos with a SKU; item `safetyIndex` (if given) is refused with IMAGE_SAFETY. */
export function batchItems(count: number, tag: string, safetyIndex?: number): FixtureItem[] {
	return Array.from({ length: count }, (_, index) => ({
		json: {
			sku: `SKU-${index}`,
			prompt: `${tag} photo ${index}${index === safetyIndex ? ' [[emulate:finish:IMAGE_SAFETY]]' : ''}`,
		},
		binary: { data: { bytes: png(32, 24, [index * 20, 100, 200]), fileName: `photo-${index}.png`, mimeType: 'image/png' } },
	}));
}

/** Noise does not compress: a PNG of about `bytes`. */
export function noisePng(bytes: number, seed: number): Buffer {
	const side = Math.ceil(Math.sqrt(bytes / 3));
	const rows = randomBytes(side * 3 * 64);
	return encodePng({
		width: side,
		height: side,
		row: (y) => {
			const start = ((y * 7 + seed * 13) % 64) * side * 3;
			return rows.subarray(start, start + side * 3);
		},
	});
}

/** Three 8 MB images: over 20 MB, so the job goes as a JSONL file and its results come as a file. */
export function bigBatchItems(tag: string): FixtureItem[] {
	return [0, 1, 2].map((index) => ({
		json: { prompt: `${tag} ${index}` },
		binary: { data: { bytes: noisePng(8 * 1024 * 1024, index), fileName: `big-${index}.png`, mimeType: 'image/png' } },
	}));
}

/** The node (Edit) over `fixture` with `options`; the AI Studio credential unless another is given. */
export async function runBatchNode(
	emulator: Emulator,
	fixture: FixtureItem[],
	options: IDataObject,
	settings: { onError?: OnError; credential?: ReturnType<typeof aiStudioCredential>; parameters?: INodeParameters } & Partial<Parameters<typeof runWorkflow>[0]> = {},
): Promise<RunResult> {
	const { onError, credential = aiStudioCredential(emulator), parameters = {}, ...extra } = settings;
	return await runWorkflow({
		items: fixture,
		parameters: editParameters({ options, ...parameters } as INodeParameters),
		credential,
		onError,
		...extra,
	});
}

/**
 * One emulator for a Batch Mode test file (jobs run 200 ms) and the node run against it:
 * `run(fixture, options, settings?)`.
 */
export function useBatchEmulator(onStart: (emulator: Emulator) => void) {
	let emulator: Emulator | undefined;
	useEmulator((started) => {
		emulator = started;
		onStart(started);
	});
	beforeEach(() => {
		emulator?.configure({ batchRunMs: 200 });
	});
	return async (fixture: FixtureItem[], options: IDataObject, settings: Parameters<typeof runBatchNode>[3] = {}) => {
		if (!emulator) throw new Error('the emulator has not started');
		return await runBatchNode(emulator, fixture, options, settings);
	};
}
