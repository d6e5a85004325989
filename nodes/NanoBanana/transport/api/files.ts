import type { IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import type { Backend } from '../auth/backends';
import { bodyAsJson } from '../../shared/json';
import { parseUploadedFile } from '../google/parse';
import { jsonlChunks } from '../google/jsonl';
import type { FileData } from '../google/types';
import { checkResourceName } from '../auth/backends';
import { pauseUnlessStopped, TransportError, withRetries, type AuthenticatedRequest, type CallOptions } from '../http/client';
import { waitUnlessStopped } from '../pacing/wait';

/** The Files API surface: resumable uploads (images, batch JSONL) and waiting until a file is ready. */

export interface UploadSource {
	mimeType: string;
	size: number;
	displayName: string;
	/** Opens the bytes to send; called again when an attempt must be repeated. */
	open(): Promise<unknown>;
}

export function headerValue(headers: IN8nHttpFullResponse['headers'], name: string): string | undefined {
	const value = headers[name] ?? headers[name.toLowerCase()];
	return typeof value === 'string' ? value : Array.isArray(value) ? String(value[0]) : undefined;
}

/** An open resumable upload session: where to send the bytes, in chunks of a multiple of `granularity`. */
export interface UploadSession {
	url: string;
	granularity: number;
}

/** Files API sessions take chunks in multiples of this unless Google's answer says otherwise. */
const DEFAULT_CHUNK_GRANULARITY = 8 * 1024 * 1024;

/**
 * Starts a resumable Files API upload (`X-Goog-Upload-Command: start`). The size may be left out
 * when it is not known in advance (a JSONL file written while it uploads).
 */
export async function startUpload(
	request: AuthenticatedRequest,
	backend: Backend,
	file: { mimeType: string; displayName: string; size?: number },
	options: CallOptions,
): Promise<UploadSession> {
	const uploadUrl = backend.fileUploadUrl;
	if (!uploadUrl) throw new TransportError({ kind: 'other', message: `${backend.label} has no Files API` }, 0);
	const { value } = await withRetries(
		request,
		backend,
		{
			name: 'upload start',
			options: () => ({
				method: 'POST',
				url: uploadUrl,
				headers: {
					'X-Goog-Upload-Protocol': 'resumable',
					'X-Goog-Upload-Command': 'start',
					...(file.size === undefined ? {} : { 'X-Goog-Upload-Header-Content-Length': String(file.size) }),
					'X-Goog-Upload-Header-Content-Type': file.mimeType,
					'Content-Type': 'application/json',
				},
				body: { file: { display_name: file.displayName } },
			}),
			read: (response) => {
				const url = headerValue(response.headers, 'x-goog-upload-url');
				if (!url) return undefined;
				const granularity = Number(headerValue(response.headers, 'x-goog-upload-chunk-granularity'));
				return { url, granularity: granularity > 0 ? granularity : DEFAULT_CHUNK_GRANULARITY };
			},
		},
		options,
	);
	return value;
}

/**
 * Uploads a file through the Gemini API's Files API (resumable protocol: start, then upload and
 * finalize in one request) and returns the file the model can read by URI.
 */
export async function uploadFile(
	request: AuthenticatedRequest,
	backend: Backend,
	source: UploadSource,
	options: CallOptions,
): Promise<FileData> {
	const session = await startUpload(request, backend, source, options);
	const { value: file } = await withRetries(
		request,
		backend,
		{
			name: 'upload',
			options: async () => ({
				method: 'POST',
				url: session.url,
				headers: {
					'Content-Length': String(source.size),
					'X-Goog-Upload-Offset': '0',
					'X-Goog-Upload-Command': 'upload, finalize',
				},
				body: (await source.open()) as IHttpRequestOptions['body'],
			}),
			read: (response) => parseUploadedFile(response.body),
			describe: (uploaded) => ({ bytes: source.size, state: uploaded.state }),
		},
		options,
	);
	const active = await waitUntilActive(request, backend, file, options);
	return { mimeType: active.mimeType ?? source.mimeType, fileUri: active.uri };
}

type UploadedFile = NonNullable<ReturnType<typeof parseUploadedFile>>;

/** Google processes some uploads before a model may read them; images are usually ACTIVE at once. */
async function waitUntilActive(
	request: AuthenticatedRequest,
	backend: Backend,
	uploaded: UploadedFile,
	options: CallOptions,
): Promise<UploadedFile> {
	const sleep = options.sleep ?? waitUnlessStopped;
	let file = uploaded;
	for (let poll = 0; file.state === 'PROCESSING' && poll < FILE_POLLS; poll++) {
		await pauseUnlessStopped(async () => await sleep(FILE_POLL_INTERVAL_MS, options.signal), poll);
		({ value: file } = await withRetries(
			request,
			backend,
			{
				name: 'upload state',
				options: () => ({ method: 'GET', url: uploaded.uri }),
				read: (response) => parseUploadedFile({ file: bodyAsJson(response.body) }),
				describe: (polled) => ({ state: polled.state }),
			},
			options,
		));
	}
	if (file.state === 'ACTIVE' || file.state === undefined) return file;
	throw new TransportError(
		{ kind: 'other', message: `Google could not prepare the uploaded image for the model (file state ${file.state})` },
		1,
	);
}

const FILE_POLLS = 30;
const FILE_POLL_INTERVAL_MS = 1000;

/**
 * Asks an upload session how much it received (`X-Goog-Upload-Command: query`): the byte count of
 * an active session, or the file of one already finalized.
 */
export async function queryUpload(
	request: AuthenticatedRequest,
	backend: Backend,
	url: string,
	options: CallOptions,
): Promise<{ received: number; fileName?: string }> {
	const { value } = await withRetries(
		request,
		backend,
		{
			name: 'upload query',
			options: () => ({ method: 'POST', url, headers: { 'X-Goog-Upload-Command': 'query' } }),
			read: (response) => {
				const status = headerValue(response.headers, 'x-goog-upload-status');
				if (status === 'final') {
					const name = parseUploadedFile(response.body)?.name;
					return name ? { received: Infinity, fileName: name } : undefined;
				}
				const received = Number(headerValue(response.headers, 'x-goog-upload-size-received'));
				return status === 'active' && Number.isInteger(received) && received >= 0 ? { received } : undefined;
			},
		},
		options,
	);
	return value;
}

/**
 * Uploads JSONL lines through the Files API's resumable protocol in fixed-size chunks, so the file
 * is never whole in memory and its size need not be known in advance. Returns `files/…`.
 */
export async function uploadJsonl(
	request: AuthenticatedRequest,
	backend: Backend,
	lines: AsyncIterable<Buffer>,
	displayName: string,
	options: CallOptions,
): Promise<string> {
	const session = await startUpload(request, backend, { mimeType: 'application/jsonl', displayName }, options);
	let offset = 0;
	let fileName: string | undefined;
	for await (const { chunk, last } of jsonlChunks(lines, session.granularity)) {
		const sentAt = offset;
		// Bytes of this chunk Google already has: after an answer was lost, `query` says how many.
		let sent = 0;
		const { value } = await withRetries(
			request,
			backend,
			{
				name: last ? 'upload finalize (batch requests)' : 'upload chunk (batch requests)',
				options: () => ({
					method: 'POST',
					url: session.url,
					headers: {
						'Content-Length': String(chunk.length - sent),
						'X-Goog-Upload-Offset': String(sentAt + sent),
						'X-Goog-Upload-Command': last ? 'upload, finalize' : 'upload',
					},
					body: chunk.subarray(sent),
				}),
				read: (response) => (last ? parseUploadedFile(response.body)?.name : true),
				recover: async () => {
					const status = await queryUpload(request, backend, session.url, options);
					if (status.fileName !== undefined) return last ? status.fileName : true;
					sent = Math.min(chunk.length, Math.max(0, status.received - sentAt));
					return !last && sent === chunk.length ? true : undefined;
				},
			},
			options,
		);
		offset += chunk.length;
		if (typeof value === 'string') fileName = value;
	}
	if (!fileName) throw new TransportError({ kind: 'malformed', statusCode: 200, snippet: 'no file name after upload' }, 1);
	return checkResourceName(fileName, 'file');
}
