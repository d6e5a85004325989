/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-globals -- test code, run by Node, not n8n (README: Lint) */
/**
 * Retries, failures and their messages, "continue on fail" (regular and error output), stopping on
 * the first failure, and cancellation — all through n8n's real WorkflowExecute against the emulator.
 */
import { generateKeyPairSync } from 'crypto';

import type { Emulator } from '../emulator/server';
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { ERROR_SINK, NODE, SUCCESS_SINK, credentialsHelper, runWorkflow } from './harness';
import type { FixtureItem, OnError, RunResult } from './harness';
import {
	GIF,
	HTML_PAGE,
	LOGO,
	PHOTO,
	aiStudioCredential,
	editParameters,
	model,
	outputPng,
	photoItem,
	png,
	waitFor,
	useEmulator,
} from './fixtures';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { REFUSAL_TEXT } = require('../emulator/response') as { REFUSAL_TEXT: string };

let emulator: Emulator;
// One emulator for the file; every default (faults, limits, latency) restored before each test.
useEmulator((started) => {
	emulator = started;
});

async function run(items: FixtureItem[], parameters: INodeParameters = {}, onError?: OnError): Promise<RunResult> {
	return await runWorkflow({
		items,
		parameters: editParameters(parameters),
		credential: aiStudioCredential(emulator),
		onError,
	});
}

interface ItemError {
	message: string;
	description?: string | null;
	httpCode?: string | null;
	itemIndex?: unknown;
	name?: string;
}

/** Runs one item with the default "stop workflow" setting and returns the error n8n recorded. */
async function failingItem(item: FixtureItem, parameters: INodeParameters = {}): Promise<ItemError> {
	const result = await run([item], parameters);
	expect(result.status).toBe('error');
	expect(result.outputs).toEqual([]);
	const error = result.task?.error;
	expect(error).toBeDefined();
	expect(result.error?.message).toBe(error?.message);
	return {
		message: error!.message,
		description: error!.description,
		httpCode: (error as { httpCode?: string | null }).httpCode,
		itemIndex: error!.context?.itemIndex,
		name: error!.name,
	};
}

const gapsBetween = (prompt: string) => {
	const starts = emulator.counters.log.filter((entry) => entry.prompt === prompt).map((entry) => entry.t);
	return starts.slice(1).map((t, index) => t - starts[index]);
};

describe('retries', () => {
	test('503 twice, then an image on the third attempt', async () => {
		const result = await run([photoItem({ prompt: 'Overloaded [[emulate:503x2]]' })]);

		expect(result.status).toBe('success');
		expect(result.outputs[0][0].json.nanoBanana).toMatchObject({ attempts: 3 });
		expect(emulator.counters.generateContent).toBe(3);
		expect(emulator.counters.log.map((entry) => entry.status)).toEqual([503, 503, 200]);
		expect((await outputPng(result, result.outputs[0][0])).meta?.prompt).toBe('Overloaded');
	});

	// The node's own backoff is below 1 s before the first retry (full jitter, 1 s ceiling), so a
	// wait of 1.5 s or more can only come from honouring Google's RetryInfo.
	test('429 with RetryInfo: the retry waits at least the delay Google asked for', async () => {
		const result = await run([photoItem({ prompt: 'Busy [[emulate:429:1.5x1]]' })]);

		expect(result.status).toBe('success');
		expect(result.outputs[0][0].json.nanoBanana).toMatchObject({ attempts: 2 });
		expect(emulator.counters.log.map((entry) => entry.status)).toEqual([429, 200]);
		expect(gapsBetween('Busy')[0]).toBeGreaterThanOrEqual(1500 - 5);
	});

	test('after a 429 with RetryInfo no other item starts a request before the wait is over', async () => {
		emulator.configure({ latencyMs: 30 });
		const result = await run(
			[
				photoItem({ prompt: 'Quota [[emulate:429:1.2x1]]' }),
				// Answered well after the 429 (which comes after 30 ms): under load the two could
				// otherwise finish the other way round, and "Later" start before any 429 was seen.
				photoItem({ prompt: 'Neighbour [[emulate:slow:200]]' }),
				photoItem({ prompt: 'Later' }),
			],
			{ options: { maxConcurrency: 2 } },
		);

		expect(result.status).toBe('success');
		const log = emulator.counters.log;
		const limited = log.find((entry) => entry.status === 429);
		const later = log.find((entry) => entry.prompt === 'Later');
		expect(limited).toBeDefined();
		// Without the shared pause "Later" would start as soon as "Neighbour" is answered (~230 ms).
		expect(later!.t - limited!.t).toBeGreaterThanOrEqual(1200 - 5);
	});

	test('when Google takes fewer parallel requests than Max Concurrency, the pool settles at what it accepts', async () => {
		emulator.configure({ maxInFlight: 2, latencyMs: 150 });
		try {
			const result = await run(
				[0, 1, 2, 3, 4, 5, 6, 7].map((n) => photoItem({ prompt: `parallel ${n}`, n })),
				{ options: { maxConcurrency: 4 } },
			);

			expect(result.status).toBe('success');
			expect(result.outputs[0].map((item) => item.json.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
			// The first wave of 4 meets the limit of 2 (at most two 429s: starts are spread a little,
			// so a refusal may come back before the fourth goes out); after that the node keeps to 2,
			// where a fixed pool of 4 would be refused again after every pause.
			expect(emulator.counters.rejectedInFlight).toBeGreaterThanOrEqual(1);
			expect(emulator.counters.rejectedInFlight).toBeLessThanOrEqual(2);
			expect(emulator.counters.generateContent).toBe(8 + emulator.counters.rejectedInFlight);
		} finally {
			emulator.configure({ maxInFlight: Infinity });
		}
	});

	test('a dropped connection and a cut-off answer are retried', async () => {
		const result = await run([
			photoItem({ prompt: 'Dropped [[emulate:dropx1]]' }),
			photoItem({ prompt: 'Truncated [[emulate:malformedx1]]' }),
		]);

		expect(result.status).toBe('success');
		expect(result.outputs[0].map((item) => item.json.nanoBanana)).toEqual([
			expect.objectContaining({ attempts: 2 }),
			expect.objectContaining({ attempts: 2 }),
		]);
		expect(emulator.counters.generateContent).toBe(4);
	});

	test('400 is not retried', async () => {
		const failure = await failingItem(photoItem({ prompt: 'Bad [[emulate:400]]' }));
		expect(failure.message).toBe('Google rejected the request (400 INVALID_ARGUMENT)');
		expect(failure.httpCode).toBe('400');
		expect(failure.description).toContain('Request contains an invalid argument.');
		expect(emulator.counters.generateContent).toBe(1);
	});

	test('404 (unknown model) is not retried and the message names the model', async () => {
		const failure = await failingItem(photoItem({ prompt: 'Any' }), { model: model('gemini-9-imaginary-image') });
		expect(failure.message).toBe('The model "gemini-9-imaginary-image" was not found');
		expect(failure.httpCode).toBe('404');
		expect(emulator.counters.generateContent).toBe(1);
		expect(emulator.counters.byModel).toEqual({ 'gemini-9-imaginary-image': 1 });
	});

	test('a model that is gone (404) falls back to the next model in "Fallback Models"', async () => {
		const result = await run([photoItem({ prompt: 'Fallback please' })], {
			model: model('gemini-9-imaginary-image'),
			options: { fallbackModels: 'gemini-3-pro-image' },
		});

		expect(result.status).toBe('success');
		expect(result.outputs[0][0].json.nanoBanana).toMatchObject({ model: 'gemini-3-pro-image' });
		expect(emulator.counters.byModel).toEqual({ 'gemini-9-imaginary-image': 1, 'gemini-3-pro-image': 1 });
		expect((await outputPng(result, result.outputs[0][0])).meta?.model).toBe('gemini-3-pro-image');
	});

	test('when every model is gone, the message names the last one tried; a bad request does not fall back', async () => {
		const failure = await failingItem(photoItem({ prompt: 'All gone' }), {
			model: model('gemini-9-imaginary-image'),
			options: { fallbackModels: 'gemini-8-imaginary-image' },
		});
		expect(failure.message).toBe('The model "gemini-8-imaginary-image" was not found');
		expect(emulator.counters.byModel).toEqual({ 'gemini-9-imaginary-image': 1, 'gemini-8-imaginary-image': 1 });

		emulator.reset();
		await failingItem(photoItem({ prompt: 'Bad [[emulate:400]]' }), { options: { fallbackModels: 'gemini-3-pro-image' } });
		expect(emulator.counters.byModel).toEqual({ 'gemini-2.5-flash-image': 1 });
	});

	test('a daily quota is not retried', async () => {
		const failure = await failingItem(photoItem({ prompt: 'Daily [[emulate:429-daily]]' }));
		expect(failure.message).toBe('The daily quota for "gemini-2.5-flash-image" is used up');
		expect(emulator.counters.generateContent).toBe(1);
	});

	test('Max Retries 0 fails at once', async () => {
		const failure = await failingItem(photoItem({ prompt: 'Down [[emulate:503]]' }), { options: { maxRetries: 0 } });
		expect(failure.message).toBe("Google's servers could not complete the request (503 UNAVAILABLE)");
		expect(emulator.counters.generateContent).toBe(1);
	});

	test('retries are bounded by Max Retries and the message says how often it tried', async () => {
		const failure = await failingItem(photoItem({ prompt: 'Still down [[emulate:503]]' }), { options: { maxRetries: 2 } });
		expect(failure.message).toBe("Google's servers could not complete the request (503 UNAVAILABLE) (tried 3 times)");
		expect(failure.name).toBe('NodeApiError');
		expect(failure.httpCode).toBe('503');
		expect(emulator.counters.generateContent).toBe(3);
	});
});

describe('answers without an image', () => {
	test('blocked prompt', async () => {
		const failure = await failingItem(photoItem({ prompt: 'Something [[emulate:blocked]]' }));
		expect(failure.message).toBe('Google blocked the prompt (SAFETY)');
		expect(failure.name).toBe('NodeOperationError');
		expect(failure.description).toContain('Rephrase the prompt');
		expect(emulator.counters.generateContent).toBe(1);
	});

	test('finish reason IMAGE_SAFETY', async () => {
		const failure = await failingItem(photoItem({ prompt: 'Something [[emulate:finish:IMAGE_SAFETY]]' }));
		expect(failure.message).toBe("No image: Google's safety filter stopped it (IMAGE_SAFETY)");
		expect(emulator.counters.generateContent).toBe(1);
	});

	test('a text-only refusal quotes what the model said', async () => {
		const failure = await failingItem(photoItem({ prompt: 'Make him look guilty [[emulate:refusal]]' }));
		expect(failure.message).toBe(`No image: the model answered with text only: "${REFUSAL_TEXT}"`);
		expect(emulator.counters.generateContent).toBe(1);
	});
});

describe('credentials', () => {
	test('an invalid API key: the message says the key was rejected and the key never shows', async () => {
		const key = 'wrong-key-3d9f61c2a7b8e0';
		const failed = await runWorkflow({
			items: [photoItem({ prompt: 'Hello' })],
			parameters: editParameters(),
			credential: aiStudioCredential(emulator, key),
		});

		expect(failed.status).toBe('error');
		expect(failed.error?.message).toBe('Google rejected the API key');
		expect(failed.task?.error?.description).toContain('https://aistudio.google.com/apikey');
		expect(emulator.counters.requests).toBe(1);
		expect(emulator.counters.byStatus).toEqual({ 400: 1 });
		expect(JSON.stringify(failed.run)).not.toContain(key);
		expect(JSON.stringify(failed.task?.error, Object.getOwnPropertyNames(failed.task?.error ?? {}))).not.toContain(key);

		const continued = await runWorkflow({
			items: [photoItem({ prompt: 'Hello' })],
			parameters: editParameters(),
			credential: aiStudioCredential(emulator, key),
			onError: 'continueRegularOutput',
		});
		expect(continued.outputs[0][0].json.error).toMatchObject({ message: 'Google rejected the API key', httpCode: '400' });
		expect(JSON.stringify(continued.run)).not.toContain(key);
	});
});

describe('Vertex credential problems', () => {
	const vertex = (id: string, data: Record<string, string>) => {
		credentialsHelper.set(id, 'nanoBananaVertexAiApi', { location: 'global', projectId: '', baseUrl: emulator.url, ...data });
		return { type: 'nanoBananaVertexAiApi' as const, id };
	};
	const runVertex = async (credential: { type: 'nanoBananaVertexAiApi'; id: string }, parameters: INodeParameters = {}) =>
		await runWorkflow({
			items: [photoItem({ prompt: 'Vertex' })],
			parameters: editParameters({ authentication: 'vertexAi', ...parameters }),
			credential,
		});

	test('a key Google does not know: the token exchange fails with a plain message, the private key never shows', async () => {
		const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
		const pem = String(privateKey.export({ type: 'pkcs8', format: 'pem' }));
		const result = await runVertex(
			vertex('unknown-key', { serviceAccountJson: JSON.stringify({ ...emulator.serviceAccountKey, private_key: pem }) }),
		);

		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/^Google did not issue an access token for nano-banana@emulator-project\.iam\.gserviceaccount\.com \(invalid_grant/);
		expect(emulator.counters.tokenErrors).toBe(1);
		expect(emulator.counters.generateContent).toBe(0);
		expect(JSON.stringify(result.run)).not.toContain('PRIVATE KEY');
	});

	test('a key file that is not JSON: no request at all', async () => {
		const result = await runVertex(vertex('not-json', { serviceAccountJson: '{"type": "service_account",' }));

		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/^The service account key is not valid JSON/);
		expect(emulator.counters.requests).toBe(0);
	});

	test('another project: the message names the missing IAM role', async () => {
		const result = await runVertex(
			vertex('other-project', { serviceAccountJson: JSON.stringify(emulator.serviceAccountKey), projectId: 'someone-elses-project' }),
		);

		expect(result.error?.message).toBe('The service account is not allowed to use Vertex AI in this project');
		expect(result.task?.error?.description).toContain('roles/aiplatform.user');
	});

	test('a Gemini 3 model in a regional location: the 404 message points to "global"', async () => {
		const result = await runVertex(
			vertex('regional', { serviceAccountJson: JSON.stringify(emulator.serviceAccountKey), location: 'us-central1' }),
			{ model: model('gemini-3-pro-image') },
		);

		expect(result.error?.message).toBe('The model "gemini-3-pro-image" was not found');
		expect(result.task?.error?.description).toContain('only in the "global" location');
	});
});

describe('input problems never cost a request', () => {
	test('missing binary field: the message lists the fields the item has', async () => {
		const failure = await failingItem(
			{
				json: { prompt: 'Edit' },
				binary: {
					data: { bytes: PHOTO, fileName: 'a.jpg', mimeType: 'image/jpeg' },
					logo: { bytes: LOGO, fileName: 'logo.png', mimeType: 'image/png' },
				},
			},
			{ inputBinaryFields: 'photo' },
		);
		expect(failure.message).toBe('The input has no binary field "photo"');
		expect(failure.description).toContain('"data", "logo"');
		expect(failure.itemIndex).toBe(0);
		expect(emulator.counters.requests).toBe(0);
	});

	test('bytes that are not an image, labelled image/png', async () => {
		const failure = await failingItem(photoItem({ prompt: 'Edit' }, HTML_PAGE, 'download.png', 'image/png'));
		expect(failure.message).toBe('The binary field "data" is not an image (it says image/png, but its content is not a picture)');
		expect(emulator.counters.requests).toBe(0);
	});

	test('bytes that are not an image, stored without a recorded size: checked from the one read of the file', async () => {
		const failure = await failingItem({
			json: { prompt: 'Edit' },
			binary: { data: { bytes: HTML_PAGE, fileName: 'download.png', mimeType: 'image/png', recordedSize: false } },
		});
		expect(failure.message).toBe('The binary field "data" is not an image (it says image/png, but its content is not a picture)');
		expect(emulator.counters.requests).toBe(0);
	});

	test('a GIF: the message says which formats are supported', async () => {
		const failure = await failingItem(photoItem({ prompt: 'Edit' }, GIF, 'anim.gif', 'image/gif'));
		expect(failure.message).toBe('The image in "data" is a GIF, which Gemini does not accept');
		expect(failure.description).toContain('PNG, JPEG, WebP, HEIC or HEIF');
		expect(emulator.counters.requests).toBe(0);
	});

	test('four images for gemini-2.5-flash-image (it takes 3)', async () => {
		const fields = ['a', 'b', 'c', 'd'];
		const item: FixtureItem = {
			json: { prompt: 'Combine' },
			binary: Object.fromEntries(
				fields.map((field, index) => [field, { bytes: png(8, 8, [index * 50, 0, 0]), fileName: `${field}.png`, mimeType: 'image/png' }]),
			),
		};
		const failure = await failingItem(item, { inputBinaryFields: fields.join(',') });
		expect(failure.message).toBe('Too many images for gemini-2.5-flash-image: 4 given, at most 3');
		expect(emulator.counters.requests).toBe(0);

		// The same four images are fine for a Gemini 3 model.
		const result = await run([item], { inputBinaryFields: fields.join(','), model: model('gemini-3-pro-image') });
		expect(result.status).toBe('success');
		expect((await outputPng(result, result.outputs[0][0])).meta?.inputs).toHaveLength(4);
	});

	test('an empty prompt (expression reading a field the item lacks)', async () => {
		const failure = await failingItem(photoItem({ caption: '' }), { prompt: '={{ $json.caption }}' });
		expect(failure.message).toBe('The prompt is empty');
		expect(emulator.counters.requests).toBe(0);
	});
});

describe('continue on fail', () => {
	const mixed = (): FixtureItem[] => [
		photoItem({ prompt: 'Good one', n: 0 }),
		photoItem({ prompt: 'Bad one [[emulate:blocked]]', n: 1 }),
		photoItem({ prompt: 'Good two', n: 2 }, png(16, 16, [0, 0, 200])),
		photoItem({ prompt: 'Bad two', n: 3 }, GIF, 'x.gif', 'image/gif'),
		photoItem({ prompt: 'Rejected [[emulate:400]]', n: 4 }),
	];
	const FAILED_MESSAGES = [
		'Google blocked the prompt (SAFETY)',
		'The image in "data" is a GIF, which Gemini does not accept',
		'Google rejected the request (400 INVALID_ARGUMENT)',
	];
	const errorMessage = (json: IDataObject) => (json.error as IDataObject | undefined)?.message;

	test('regular output: one item per input, in order; failed ones carry json.error, the others images', async () => {
		const result = await run(mixed(), {}, 'continueRegularOutput');

		expect(result.status).toBe('success');
		expect(result.outputs).toHaveLength(1);
		const outputs = result.outputs[0];
		expect(outputs).toHaveLength(5);
		expect(outputs.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3, 4].map((item) => ({ item })));
		expect(outputs.map((item) => errorMessage(item.json))).toEqual([
			undefined,
			FAILED_MESSAGES[0],
			undefined,
			FAILED_MESSAGES[1],
			FAILED_MESSAGES[2],
		]);
		expect((await outputPng(result, outputs[0])).meta?.prompt).toBe('Good one');
		expect((await outputPng(result, outputs[2])).meta?.prompt).toBe('Good two');
		expect([outputs[0].json.n, outputs[2].json.n]).toEqual([0, 2]);
		// On the regular output failed items keep their input json too (e.g. a SKU to report).
		expect([outputs[1].json.n, outputs[3].json.n, outputs[4].json.n]).toEqual([1, 3, 4]);
		// The failed photo travels on unchanged, so it can be routed to a review step.
		expect(await result.bytes(outputs[1])).toEqual(PHOTO);
		expect(await result.bytes(outputs[3])).toEqual(GIF);
		expect(result.successSink).toHaveLength(5);
		// The GIF never cost a request; the 400 was not retried.
		expect(emulator.counters.generateContent).toBe(4);
	});

	test('error items say why: reason, description, HTTP status and item index', async () => {
		const result = await run(mixed(), {}, 'continueRegularOutput');

		const [, blocked, , gif, rejected] = result.outputs[0];
		expect(blocked.json.error).toMatchObject({
			message: FAILED_MESSAGES[0],
			reason: 'SAFETY',
			itemIndex: 1,
			description: expect.stringContaining('Rephrase the prompt'),
		});
		expect(gif.json.error).toMatchObject({
			message: FAILED_MESSAGES[1],
			reason: 'INVALID_INPUT',
			itemIndex: 3,
			description: expect.stringContaining('PNG, JPEG, WebP, HEIC or HEIF'),
		});
		expect(rejected.json.error).toMatchObject({
			message: FAILED_MESSAGES[2],
			reason: 'INVALID_ARGUMENT',
			httpCode: '400',
			itemIndex: 4,
		});
	});

	test('the older "Continue On Fail" setting gives the same items', async () => {
		const result = await runWorkflow({
			items: mixed(),
			parameters: editParameters(),
			credential: aiStudioCredential(emulator),
			continueOnFail: true,
		});
		expect(result.status).toBe('success');
		expect(result.outputs[0].map((item) => errorMessage(item.json))).toEqual([
			undefined,
			FAILED_MESSAGES[0],
			undefined,
			FAILED_MESSAGES[1],
			FAILED_MESSAGES[2],
		]);
	});

	test('error output: n8n routes failed items to output 1 and good ones to output 0', async () => {
		const result = await run(mixed(), {}, 'continueErrorOutput');

		expect(result.status).toBe('success');
		expect(result.outputs).toHaveLength(2);
		const [success, failure] = result.outputs;
		expect(success.map((item) => item.json.n)).toEqual([0, 2]);
		expect(success.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);
		expect(success.every((item) => item.json.error === undefined && item.binary?.data?.fileName === 'photo-edited.png')).toBe(true);
		expect(failure.map((item) => item.pairedItem)).toEqual([{ item: 1 }, { item: 3 }, { item: 4 }]);
		expect(failure.map((item) => errorMessage(item.json))).toEqual(FAILED_MESSAGES);
		// n8n adds the input item's json to routed error items (handleNodeErrorOutput).
		expect(failure.map((item) => item.json.n)).toEqual([1, 3, 4]);
		expect(await result.bytes(failure[0])).toEqual(PHOTO);

		// What the downstream node of each branch received.
		expect(result.successSink.map((item) => item.json.n)).toEqual([0, 2]);
		expect(result.errorSink.map((item) => (item.json.error as IDataObject).reason)).toEqual(['SAFETY', 'INVALID_INPUT', 'INVALID_ARGUMENT']);
		expect(Object.keys(result.run.data.resultData.runData)).toEqual(expect.arrayContaining([NODE, SUCCESS_SINK, ERROR_SINK]));
	});
});

describe('stop on fail (default)', () => {
	test('the execution fails with the first failing item by order, with its item index', async () => {
		const result = await run([
			photoItem({ prompt: 'Fine', n: 0 }),
			// Fails later in time (slow answer) but comes first in item order.
			photoItem({ prompt: 'Slow refusal [[emulate:slow:300]] [[emulate:blocked]]', n: 1 }),
			// Fails at once, without a request.
			photoItem({ prompt: 'Gif', n: 2 }, GIF, 'x.gif', 'image/gif'),
		]);

		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('Google blocked the prompt (SAFETY)');
		expect(result.task?.executionStatus).toBe('error');
		expect(result.task?.error).toMatchObject({
			message: 'Google blocked the prompt (SAFETY)',
			context: expect.objectContaining({ itemIndex: 1 }),
		});
		expect(result.task?.error?.name).toBe('NodeOperationError');
		expect(result.outputs).toEqual([]);
		expect(result.successSink).toEqual([]);
	});

	test('an API failure is a NodeApiError with the HTTP code and item index', async () => {
		const result = await run([photoItem({ prompt: 'ok', n: 0 }), photoItem({ prompt: 'x [[emulate:400]]', n: 1 })]);

		expect(result.status).toBe('error');
		expect(result.task?.error?.name).toBe('NodeApiError');
		expect(result.task?.error).toMatchObject({
			message: 'Google rejected the request (400 INVALID_ARGUMENT)',
			httpCode: '400',
			context: expect.objectContaining({ itemIndex: 1 }),
		});
	});
});

describe('cancellation', () => {
	test('stopping the execution during a hung request ends it promptly and starts nothing new', async () => {
		const controller = new AbortController();
		const running = runWorkflow({
			items: [photoItem({ prompt: 'Never answered [[emulate:hang]]' }), photoItem({ prompt: 'Next' })],
			parameters: editParameters({ options: { maxConcurrency: 1 } }),
			credential: aiStudioCredential(emulator),
			signal: controller.signal,
		});
		await waitFor(() => emulator.counters.inFlight === 1);
		await new Promise((resolve) => setTimeout(resolve, 100));

		const stoppedAt = Date.now();
		controller.abort();
		const result = await running;
		const stopMs = Date.now() - stoppedAt;

		// The promise settles once the node's execute has returned: the node really stopped.
		expect(stopMs).toBeLessThan(2000);
		expect(result.savedStatus).toBe('canceled');
		expect(result.task?.error?.message).toBe('The execution was canceled before Google answered');
		await waitFor(() => emulator.counters.log.some((entry) => entry.aborted === true));
		expect(emulator.counters.log).toEqual([expect.objectContaining({ prompt: 'Never answered', aborted: true, status: 0 })]);
		expect(emulator.counters.generateContent).toBe(1);
	});
});
