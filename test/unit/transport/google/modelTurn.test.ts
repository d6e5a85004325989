import { buildGenerateContentRequest, requestTurnFrom } from '../../../../nodes/NanoBanana/actions/request';
import { encodeGenerateContentRequest } from '../../../../nodes/NanoBanana/transport/google/encode';
import { parseGenerateContentResponse } from '../../../../nodes/NanoBanana/transport/google/parse';
import { readImageAnswer } from '../../../../nodes/NanoBanana/transport/google/response';

/** Issue 23 point 4: the model's turn survives parsing, and a request can carry it back. */

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from('final')]).toString('base64');

const sent = {
	candidates: [
		{
			content: {
				role: 'model',
				parts: [
					{ text: 'Planning the layout', thought: true, thoughtSignature: 'c2lnLXRob3VnaHQ=' },
					{ text: 'Here is the mug.', thoughtSignature: 'c2lnLXRleHQ=' },
					{ inlineData: { mimeType: 'image/png', data: PNG }, thoughtSignature: 'c2lnLWltYWdl' },
				],
			},
			finishReason: 'STOP',
		},
	],
};

function modelTurnOf(body: unknown) {
	const response = parseGenerateContentResponse(body);
	if (!response) throw new Error('not parsed');
	const reading = readImageAnswer(response);
	if (!reading.ok) throw new Error('no image');
	return reading.answer;
}

describe("the model's turn", () => {
	it('keeps every part verbatim: text, image, thought flag and thoughtSignature', () => {
		const answer = modelTurnOf(sent);
		expect(answer.modelTurn).toEqual(sent.candidates[0].content);
		// The decoded image is still there for the output item.
		expect(answer.images).toEqual([{ mimeType: 'image/png', bytes: Buffer.from(PNG, 'base64') }]);
	});

	it('reads the snake_case signature a proxy may send', () => {
		const answer = modelTurnOf({
			candidates: [{ content: { parts: [{ inlineData: { mimeType: 'image/png', data: PNG }, thought_signature: 'c2ln' }] } }],
		});
		expect(answer.modelTurn?.parts[0].thoughtSignature).toBe('c2ln');
	});

	it('goes back into a request as a model turn before the new user turn, signatures unchanged', () => {
		const turn = modelTurnOf(sent).modelTurn;
		if (!turn) throw new Error('no turn');
		const request = buildGenerateContentRequest({
			prompt: 'Make the mug blue',
			images: [],
			options: {},
			history: [{ role: 'user', parts: [{ text: 'A yellow mug' }] }, requestTurnFrom(turn)],
		});
		expect(request.contents.map((content) => content.role)).toEqual(['user', 'model', 'user']);
		const body = JSON.parse(encodeGenerateContentRequest(request).body.toString('utf8')) as {
			contents: Array<{ role: string; parts: unknown[] }>;
		};
		expect(body.contents[1]).toEqual(sent.candidates[0].content);
		expect(body.contents[2]).toEqual({ role: 'user', parts: [{ text: 'Make the mug blue' }] });
	});

	it('is not sent unless an operation passes history: Edit and Generate send one user turn', () => {
		const request = buildGenerateContentRequest({ prompt: 'p', images: [], options: {} });
		expect(request.contents).toEqual([{ role: 'user', parts: [{ text: 'p' }] }]);
	});
});
