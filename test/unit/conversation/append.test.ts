/**
 * Issue 25: what a result carries forward. appendTurn turns the previous conversation, this
 * request and Google's answer parts into the next conversation plus the images the output item
 * must hold, named by the documented scheme; the model's parts are kept exactly as received.
 */
import { appendTurn, parseConversation, referencedImages } from '../../../nodes/NanoBanana/conversation';
import { answer, bytes, chain, fields, input, sha, signature } from './fixtures';

const NB21 = 'gemini-nano-banana-2.1';

describe('appendTurn', () => {
	it('begins a conversation (Edit): inputs and results under their turn-1 names, sha256 and size recorded, no bytes in json', () => {
		const next = appendTurn(undefined, NB21, { prompt: 'Make the car red', images: [input('photo'), input('logo')] }, answer('red car'));
		if (!next.ok) throw new Error(next.problem.description);
		const { conversation, images } = next.value;
		expect(fields(images)).toEqual(['nanoBananaTurn1Input1', 'nanoBananaTurn1Input2', 'nanoBananaTurn1Result1']);
		expect(images[2]).toMatchObject({ mimeType: 'image/png', data: bytes('red car'), sha256: sha(bytes('red car')) });
		expect(conversation).toEqual({
			version: 1,
			model: NB21,
			droppedTurns: 0,
			turns: [
				{
					role: 'user',
					text: 'Make the car red',
					images: [
						{ field: 'nanoBananaTurn1Input1', sha256: sha(bytes('photo')), mimeType: 'image/png', bytes: bytes('photo').length },
						{ field: 'nanoBananaTurn1Input2', sha256: sha(bytes('logo')), mimeType: 'image/png', bytes: bytes('logo').length },
					],
				},
				{
					role: 'model',
					parts: [
						// The unsigned thought is left out; the rest in order, signatures verbatim.
						{ text: 'Here is red car.', thoughtSignature: signature('text red car') },
						{
							image: { field: 'nanoBananaTurn1Result1', sha256: sha(bytes('red car')), mimeType: 'image/png', bytes: bytes('red car').length },
							thoughtSignature: signature('image red car'),
						},
					],
				},
			],
		});
		expect(JSON.stringify(conversation)).not.toContain(bytes('red car').toString('base64'));
	});

	it('continues it (Refine): turn numbers grow, earlier turns unchanged, only this turn\'s images returned', () => {
		const { conversation } = chain(1);
		const next = appendTurn(conversation, NB21, { prompt: 'Now make it night', images: [] }, answer('night'));
		if (!next.ok) throw new Error(next.problem.description);
		expect(next.value.conversation.turns.slice(0, 2)).toEqual(conversation.turns);
		expect(next.value.conversation.turns[2]).toEqual({ role: 'user', text: 'Now make it night', images: [] });
		expect(fields(next.value.images)).toEqual(['nanoBananaTurn2Result1']);
		expect(referencedImages(next.value.conversation).map((image) => image.field)).toEqual([
			'nanoBananaTurn1Input1',
			'nanoBananaTurn1Result1',
			'nanoBananaTurn2Result1',
		]);
	});

	it('keeps signed thought parts (text and image) and several result images, in order', () => {
		const extra = [
			{ inlineData: { mimeType: 'image/png', data: bytes('thought image').toString('base64') }, thought: true, thoughtSignature: signature('t') },
			{ inlineData: { mimeType: 'image/jpeg', data: bytes('second').toString('base64') }, thoughtSignature: signature('second') },
			{ inlineData: { mimeType: 'image/png', data: bytes('unsigned thought').toString('base64') }, thought: true },
			{ text: '' },
		];
		const next = appendTurn(undefined, NB21, { prompt: 'p', images: [] }, answer('x', extra));
		if (!next.ok) throw new Error(next.problem.description);
		expect(fields(next.value.images)).toEqual(['nanoBananaTurn1Result1', 'nanoBananaTurn1Thought1', 'nanoBananaTurn1Result2']);
		const parts = next.value.conversation.turns[1].role === 'model' ? next.value.conversation.turns[1].parts : [];
		expect(parts.map((part) => ('image' in part ? part.image.field : part.text))).toEqual([
			'Here is x.',
			'nanoBananaTurn1Result1',
			'nanoBananaTurn1Thought1',
			'nanoBananaTurn1Result2',
		]);
		expect(parts[2]).toMatchObject({ thought: true, thoughtSignature: signature('t') });
	});

	it('what it builds always reads back (also through JSON text, as a Data Table would store it)', () => {
		const { conversation } = chain(4);
		expect(parseConversation(conversation)).toEqual({ ok: true, value: conversation });
		expect(parseConversation(JSON.stringify(conversation))).toEqual({ ok: true, value: conversation });
	});

	it('refuses what a later Refine could not send back, saying why', () => {
		const problem = (result: ReturnType<typeof appendTurn>) => (result.ok ? 'ok' : result.problem.description);
		const { conversation } = chain(1);
		expect(problem(appendTurn(conversation, 'gemini-3-pro-image', { prompt: 'p', images: [] }, answer('a')))).toMatch(/belongs to gemini-nano-banana-2.1, this turn used gemini-3-pro-image/);
		expect(problem(appendTurn(undefined, NB21, { prompt: 'p', images: [] }, [{ text: 'I cannot help with that.' }]))).toMatch(/no image/);
		const gif = [{ inlineData: { mimeType: 'image/gif', data: 'R0lG' }, thoughtSignature: signature('g') }];
		expect(problem(appendTurn(undefined, NB21, { prompt: 'p', images: [] }, gif))).toMatch(/image\/gif/);
		const badSignature = [{ inlineData: { mimeType: 'image/png', data: 'AAAA' }, thoughtSignature: 'not base64 !' }];
		expect(problem(appendTurn(undefined, NB21, { prompt: 'p', images: [] }, badSignature))).toMatch(/signature/);
		expect(problem(appendTurn(undefined, 'models/../x', { prompt: 'p', images: [] }, answer('a')))).toMatch(/model id/);
		expect(problem(appendTurn(undefined, NB21, { prompt: '  ', images: [] }, answer('a')))).toMatch(/prompt is empty/);
		expect(problem(appendTurn(undefined, NB21, { prompt: 'p', images: [{ mimeType: 'application/pdf', data: bytes('x') }] }, answer('a')))).toMatch(/input image 1/);
	});
});
