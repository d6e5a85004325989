/* eslint-disable @n8n/community-nodes/no-restricted-globals, @typescript-eslint/no-unused-vars -- test code, run by Node, not n8n (README: Lint) */
/** Input files, credentials and parameters for the node tests. */
import { createHash } from 'crypto';

import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { DEFAULTS, encodePng, readPngInfo, startEmulator } from '../emulator/server';
import type { Emulator, PngInfo } from '../emulator/server';
import { credentialsHelper, tearDownN8nServices } from './harness';
import type { FixtureItem, RunOptions, RunResult } from './harness';

export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** A real PNG, every pixel one colour (different colours → different bytes → different hashes). */
export function png(width: number, height: number, rgb: [number, number, number]): Buffer {
	const row = Buffer.alloc(width * 3);
	for (let x = 0; x < width; x++) row.set(rgb, x * 3);
	return encodePng({ width, height, row: () => row });
}

/** The start of a baseline JPEG (SOI, APP0, SOF0, EOI): enough for type sniffing and size reading. */
export function jpeg(width: number, height: number, seed = 1): Buffer {
	const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, seed & 0xff]);
	const sof0 = Buffer.from([
		0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff,
		0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1,
	]);
	return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof0, Buffer.from([0xff, 0xd9])]);
}

/** A 1×1 GIF89a. */
export const GIF = Buffer.from('47494638396101000100800000ffffff00000021f90401000000002c00000000010001000002024401003b', 'hex');

/** What an HTTP Request node saves when a download returns an error page. */
export const HTML_PAGE = Buffer.from('<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>');

export const PHOTO = jpeg(640, 480);
export const LOGO = png(64, 64, [250, 200, 0]);

export function photoItem(json: IDataObject, bytes: Buffer = PHOTO, fileName = 'photo.jpg', mimeType = 'image/jpeg'): FixtureItem {
	return { json, binary: { data: { bytes, fileName, mimeType } } };
}

export const model = (id: string) => ({ __rl: true, mode: 'id', value: id });

export function editParameters(overrides: INodeParameters = {}): INodeParameters {
	return {
		authentication: 'aiStudio',
		operation: 'edit',
		model: model('gemini-2.5-flash-image'),
		prompt: '={{ $json.prompt }}',
		inputBinaryFields: 'data',
		outputBinaryField: 'data',
		options: {},
		...overrides,
	};
}

export function generateParameters(overrides: INodeParameters = {}): INodeParameters {
	return editParameters({ operation: 'generate', ...overrides });
}

let credentialCounter = 0;

/** A fresh AI Studio credential pointing at the emulator (Base URL), in the test credential store. */
export function aiStudioCredential(emulator: Emulator, apiKey: string = emulator.apiKey): RunOptions['credential'] {
	const id = `ai-studio-${++credentialCounter}`;
	credentialsHelper.set(id, 'nanoBananaAiStudioApi', { apiKey, baseUrl: emulator.url });
	return { type: 'nanoBananaAiStudioApi', id };
}

/** A fresh Vertex credential with the emulator's service-account key (its token_uri is the emulator). */
export function vertexCredential(emulator: Emulator): RunOptions['credential'] {
	const id = `vertex-${++credentialCounter}`;
	credentialsHelper.set(id, 'nanoBananaVertexAiApi', {
		serviceAccountJson: JSON.stringify(emulator.serviceAccountKey),
		location: 'global',
		projectId: '',
		baseUrl: emulator.url,
	});
	return { type: 'nanoBananaVertexAiApi', id };
}

/** A Vertex credential of the given auth method, pointed at the emulator, in the test credential store. */
function storedVertexCredential(emulator: Emulator, idPrefix: string, data: IDataObject): RunOptions['credential'] {
	const id = `${idPrefix}-${++credentialCounter}`;
	credentialsHelper.set(id, 'nanoBananaVertexAiApi', {
		location: 'global',
		projectId: '',
		baseUrl: emulator.url,
		...data,
	} as ICredentialDataDecryptedObject);
	return { type: 'nanoBananaVertexAiApi', id };
}

/** A Vertex credential that takes the runtime's identity from the emulator's metadata server. */
export function metadataServerCredential(emulator: Emulator, fields: IDataObject = {}): RunOptions['credential'] {
	return storedVertexCredential(emulator, 'vertex-metadata', { authMethod: 'metadataServer', metadataServerUrl: emulator.url, ...fields });
}

/** A Vertex credential with the emulator's Vertex API key (express mode unless a project is given). */
export function vertexApiKeyCredential(emulator: Emulator, fields: IDataObject = {}): RunOptions['credential'] {
	return storedVertexCredential(emulator, 'vertex-key', { authMethod: 'apiKey', apiKey: emulator.options.vertexApiKey, ...fields });
}

/** The PNG in an output item, read back through n8n's binary data service. */
export async function outputPng(result: RunResult, item: INodeExecutionData, field = 'data'): Promise<PngInfo> {
	return readPngInfo(await result.bytes(item, field));
}

/** Polls until `check` is true (or fails after `timeoutMs`). */
export async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
	const until = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > until) throw new Error('waitFor timed out');
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

/**
 * One emulator for a test file: started before its tests, reset (no latency) before each, and
 * stopped with n8n's services after the file. `onStart` receives it.
 */
export function useEmulator(onStart: (emulator: Emulator) => void): void {
	let started: Emulator | undefined;
	beforeAll(async () => {
		started = await startEmulator();
		onStart(started);
	});
	beforeEach(() => {
		// Every test starts from the emulator's defaults: no fault or limit set by the one before.
		const { port: _port, host: _host, ...defaults } = DEFAULTS;
		started?.configure(defaults);
		started?.reset();
	});
	afterAll(async () => {
		await started?.close();
		await tearDownN8nServices();
	});
}
