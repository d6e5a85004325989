import { parseGenerateContentResponse, parseGoogleError } from '../../../../nodes/NanoBanana/transport/google/parse';
import { readImageAnswer } from '../../../../nodes/NanoBanana/transport/google/response';

function answer(body: unknown) {
	const response = parseGenerateContentResponse(body);
	if (!response) throw new Error('not parsed');
	return readImageAnswer(response);
}

const image = { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } };

describe('readImageAnswer', () => {
	it('returns every image and the non-thought text, skipping thought parts', () => {
		const reading = answer({
			candidates: [
				{
					content: {
						parts: [
							{ text: 'Thinking about the beach…', thought: true },
							{ inlineData: { mimeType: 'image/png', data: 'dGhvdWdodA==' }, thought: true },
							{ text: 'Here you go.' },
							image,
							{ inline_data: { mime_type: 'image/jpeg', data: '/9j/' } },
						],
					},
					finishReason: 'STOP',
				},
			],
			usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 1290, totalTokenCount: 1300 },
			modelVersion: 'gemini-2.5-flash-image',
			responseId: 'abc',
		});
		expect(reading).toEqual({
			ok: true,
			answer: {
				images: [
					{ mimeType: 'image/png', bytes: Buffer.from('iVBORw0KGgo=', 'base64') },
					{ mimeType: 'image/jpeg', bytes: Buffer.from('/9j/', 'base64') },
				],
				text: 'Here you go.',
				thoughts: 'Thinking about the beach…',
				finishReason: 'STOP',
				usageMetadata: {
					promptTokenCount: 10,
					candidatesTokenCount: 1290,
					totalTokenCount: 1300,
					thoughtsTokenCount: undefined,
				},
				modelVersion: 'gemini-2.5-flash-image',
				responseId: 'abc',
				// Issue 23: the model's turn as Google sent it (snake_case names read as the API's).
				modelTurn: {
					role: 'model',
					parts: [
						{ text: 'Thinking about the beach…', thought: true },
						{ inlineData: { mimeType: 'image/png', data: 'dGhvdWdodA==' }, thought: true },
						{ text: 'Here you go.' },
						image,
						{ inlineData: { mimeType: 'image/jpeg', data: '/9j/' } },
					],
				},
			},
		});
	});

	describe('thought images and thought summaries', () => {
		const png = (tag: string) => Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from(tag)]);
		const thoughtImage = (tag: string) => ({ inlineData: { mimeType: 'image/png', data: png(tag).toString('base64') }, thought: true });

		it('an answer whose only images are thought images gives the last of them, and says so', () => {
			const reading = answer({
				candidates: [
					{
						content: { parts: [{ text: 'Planning', thought: true }, thoughtImage('draft'), thoughtImage('final'), { text: 'Done.' }] },
						finishReason: 'STOP',
					},
				],
			});
			expect(reading.ok).toBe(true);
			if (!reading.ok) return;
			expect(reading.answer.images).toEqual([{ mimeType: 'image/png', bytes: png('final') }]);
			expect(reading.answer.fromThoughtImage).toBe(true);
			expect(reading.answer.text).toBe('Done.');
			expect(reading.answer.thoughts).toBe('Planning');
		});

		it('thought images are never results when a real image came', () => {
			const reading = answer({ candidates: [{ content: { parts: [thoughtImage('draft'), { inlineData: { mimeType: 'image/png', data: png('real').toString('base64') } }] } }] });
			expect(reading.ok && reading.answer.images).toEqual([{ mimeType: 'image/png', bytes: png('real') }]);
			expect(reading.ok && reading.answer.fromThoughtImage).toBeUndefined();
		});

		it('a candidate stopped for safety is not replaced by its draft', () => {
			const reading = answer({ candidates: [{ content: { parts: [thoughtImage('draft')] }, finishReason: 'IMAGE_SAFETY' }] });
			expect(reading.ok).toBe(false);
			if (reading.ok) return;
			expect(reading.problem.reason).toBe('IMAGE_SAFETY');
		});

		it('thought summaries (several text parts) are kept apart from the answer text', () => {
			const reading = answer({
				candidates: [{ content: { parts: [{ text: '**One**', thought: true }, { text: '**Two**', thought: true }, { text: 'Here.' }, image] } }],
			});
			expect(reading.ok && reading.answer).toMatchObject({ text: 'Here.', thoughts: '**One**\n\n**Two**' });
		});
	});

	it('explains a blocked prompt', () => {
		const reading = answer({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' } });
		expect(reading.ok).toBe(false);
		if (reading.ok) return;
		expect(reading.problem.reason).toBe('PROHIBITED_CONTENT');
		expect(reading.problem.message).toBe('Google blocked the prompt (PROHIBITED_CONTENT)');
	});

	it.each([
		['IMAGE_SAFETY', /safety filter/],
		['SAFETY', /safety filter/],
		['IMAGE_PROHIBITED_CONTENT', /prohibits/],
		['PROHIBITED_CONTENT', /prohibits/],
		['RECITATION', /protected content/],
		['IMAGE_RECITATION', /protected content/],
		['NO_IMAGE', /decided not to produce one/],
		['IMAGE_OTHER', /stopped without one/],
		['OTHER', /stopped without one/],
		['MALFORMED_RESPONSE', /stopped without one/],
	])('explains finish reason %s and names it', (finishReason, wording) => {
		const reading = answer({
			candidates: [{ content: { parts: [] }, finishReason, finishMessage: 'Vertex explanation' }],
		});
		expect(reading.ok).toBe(false);
		if (reading.ok) return;
		expect(reading.problem.reason).toBe(finishReason);
		expect(reading.problem.message).toContain(`(${finishReason})`);
		expect(reading.problem.message).toMatch(wording);
		expect(reading.problem.description).toContain('Vertex explanation');
	});

	it('treats a text-only STOP as a refusal and quotes the model', () => {
		const reading = answer({
			candidates: [{ content: { parts: [{ text: "I can't edit photos of ID documents." }] }, finishReason: 'STOP' }],
		});
		expect(reading.ok).toBe(false);
		if (reading.ok) return;
		expect(reading.problem.reason).toBe('TEXT_ONLY');
		expect(reading.problem.message).toContain('"I can\'t edit photos of ID documents."');
		expect(reading.problem.modelText).toBe("I can't edit photos of ID documents.");
	});

	it('treats an answer with nothing in it as an error', () => {
		const reading = answer({ candidates: [] });
		expect(reading).toMatchObject({ ok: false, problem: { reason: 'EMPTY_RESPONSE' } });
	});

	it('ignores non-image inline data', () => {
		const reading = answer({
			candidates: [{ content: { parts: [{ inlineData: { mimeType: 'text/plain', data: 'aGk=' } }] }, finishReason: 'STOP' }],
		});
		expect(reading.ok).toBe(false);
	});
});

describe('answer images are checked like input images', () => {
	const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB';
	const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>').toString('base64');
	const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]).toString('base64');
	const only = (inlineData: { mimeType: string; data: string }) =>
		answer({ candidates: [{ content: { parts: [{ inlineData }] }, finishReason: 'STOP' }] });

	it.each([
		['empty data', { mimeType: 'image/png', data: '' }, 'an empty PNG'],
		['invalid base64', { mimeType: 'image/png', data: 'iVBO$$not base64!!' }, 'PNG data that is not valid base64'],
		['an impossible base64 length', { mimeType: 'image/png', data: 'iVBORw0KG' }, 'PNG data that is not valid base64'],
		['a line break inside the base64', { mimeType: 'image/png', data: `${PNG.slice(0, 16)}\r\n${PNG.slice(16)}` }, 'PNG data that is not valid base64'],
		['padding inside the base64', { mimeType: 'image/png', data: `${PNG.slice(0, 16)}==${PNG.slice(16)}` }, 'PNG data that is not valid base64'],
		['three padding characters', { mimeType: 'image/png', data: `${PNG.slice(0, 27)}===` }, 'PNG data that is not valid base64'],
		['an SVG', { mimeType: 'image/svg+xml', data: SVG }, 'data of type image/svg+xml'],
		['a GIF', { mimeType: 'image/gif', data: 'R0lGODlhAQABAAAAACw=' }, 'data of type image/gif'],
		['PNG bytes declared as JPEG', { mimeType: 'image/jpeg', data: PNG }, 'an image declared image/jpeg whose bytes are a PNG'],
		['text declared as PNG', { mimeType: 'image/png', data: Buffer.from('hello, not an image').toString('base64') }, 'PNG data whose bytes are not an image'],
	])('refuses %s with a clear no-image error', (_name, inlineData, problem) => {
		const reading = only(inlineData);
		expect(reading.ok).toBe(false);
		if (reading.ok) return;
		expect(reading.problem.reason).toBe('INVALID_IMAGE');
		expect(reading.problem.message).toBe(`No image: Google's answer held ${problem} instead of a PNG, JPEG or WebP image`);
	});

	it('accepts PNG, JPEG and WebP whose bytes match, with a charset-free type in any case', () => {
		expect(only({ mimeType: 'image/png', data: PNG }).ok).toBe(true);
		expect(only({ mimeType: 'IMAGE/WEBP', data: WEBP })).toMatchObject({ ok: true, answer: { images: [{ mimeType: 'image/webp' }] } });
		expect(only({ mimeType: 'image/jpeg', data: '/9j/4AAQ' }).ok).toBe(true);
	});

	it('decodes standard and URL-safe base64, padded or not, to the exact bytes', () => {
		const bytes = Buffer.concat([Buffer.from(PNG, 'base64'), Buffer.from([0xfb, 0xff, 0xbf, 0x3e])]);
		for (const data of [bytes.toString('base64'), bytes.toString('base64url')]) {
			const reading = only({ mimeType: 'image/png', data });
			expect(reading.ok && reading.answer.images[0].bytes.equals(bytes)).toBe(true);
		}
	});

	it('keeps the usable images of an answer that also held an unusable one', () => {
		const reading = answer({
			candidates: [
				{ content: { parts: [{ inlineData: { mimeType: 'image/svg+xml', data: SVG } }, { inlineData: { mimeType: 'image/png', data: PNG } }] } },
			],
		});
		expect(reading).toMatchObject({ ok: true, answer: { images: [{ mimeType: 'image/png' }] } });
	});
});

describe('parseGenerateContentResponse', () => {
	it('rejects what is not an answer', () => {
		expect(parseGenerateContentResponse('{"candidates": [')).toBeUndefined();
		expect(parseGenerateContentResponse('<html>Bad gateway</html>')).toBeUndefined();
		expect(parseGenerateContentResponse({ foo: 1 })).toBeUndefined();
	});

	it('reads JSON handed over as text', () => {
		expect(parseGenerateContentResponse(JSON.stringify({ candidates: [] }))).toEqual({
			candidates: [],
			promptFeedback: undefined,
			usageMetadata: undefined,
			modelVersion: undefined,
			responseId: undefined,
		});
	});
});

describe('parseGoogleError', () => {
	it('reads RetryInfo, QuotaFailure and ErrorInfo details', () => {
		const error = parseGoogleError(429, {
			error: {
				code: 429,
				message: 'Resource has been exhausted',
				status: 'RESOURCE_EXHAUSTED',
				details: [
					{ '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaId: 'GenerateRequestsPerMinute', description: 'per minute' }] },
					{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '45.8s' },
					{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'RATE_LIMIT_EXCEEDED' },
				],
			},
		});
		expect(error).toEqual({
			code: 429,
			message: 'Resource has been exhausted',
			status: 'RESOURCE_EXHAUSTED',
			details: {
				retryDelayMs: 45800,
				reason: 'RATE_LIMIT_EXCEEDED',
				quotaViolations: [{ quotaId: 'GenerateRequestsPerMinute', description: 'per minute' }],
			},
		});
	});

	it('still explains a body that is not Google JSON', () => {
		expect(parseGoogleError(502, '<html>Bad Gateway</html>')).toEqual({
			code: 502,
			message: '<html>Bad Gateway</html>',
			details: { quotaViolations: [] },
		});
	});
});
