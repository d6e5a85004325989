/**
 * Issue 25, point 3: the request is Google's chat. buildContents sends the earlier user turns,
 * each model turn exactly as received (signatures verbatim) with its image bytes checked against
 * the recorded sha256, then the new prompt; a missing or changed image is refused before any call.
 */
import { buildContents, checkModel, latestResults, parseConversation } from '../../../nodes/NanoBanana/conversation';
import type { RequestContent } from '../../../nodes/NanoBanana/conversation';
import { bytes, chain, signature } from './fixtures';

function built(...args: Parameters<typeof buildContents>): RequestContent[] {
	const result = buildContents(...args);
	if (!result.ok) throw new Error(result.problem.description);
	return result.value.contents;
}

describe('buildContents', () => {
	it('user turns (images then text), model turns verbatim with signatures, the new prompt last', () => {
		const { conversation, images } = chain(2);
		expect(built(conversation, images, 'Remove the sign')).toEqual([
			{ role: 'user', parts: [{ inlineData: { mimeType: 'image/png', data: bytes('photo') } }, { text: 'instruction 1' }] },
			{
				role: 'model',
				parts: [
					{ text: 'Here is result 1.', thoughtSignature: signature('text result 1') },
					{ inlineData: { mimeType: 'image/png', data: bytes('result 1') }, thoughtSignature: signature('image result 1') },
				],
			},
			{ role: 'user', parts: [{ text: 'instruction 2' }] },
			{
				role: 'model',
				parts: [
					{ text: 'Here is result 2.', thoughtSignature: signature('text result 2') },
					{ inlineData: { mimeType: 'image/png', data: bytes('result 2') }, thoughtSignature: signature('image result 2') },
				],
			},
			{ role: 'user', parts: [{ text: 'Remove the sign' }] },
		]);
	});

	it('returns the conversation as sent and no omissions when every image is there', () => {
		const { conversation, images } = chain(2);
		const result = buildContents(conversation, images, 'x');
		expect(result.ok && result.value).toMatchObject({ conversation, omittedFields: [] });
	});

	it('a user turn whose images are gone goes back as its prompt alone; the conversation as sent says so', () => {
		const { conversation, images } = chain(2);
		images.delete('nanoBananaTurn1Input1');
		const result = buildContents(conversation, images, 'x');
		if (!result.ok) throw new Error(result.problem.description);
		expect(result.value.contents[0]).toEqual({ role: 'user', parts: [{ text: 'instruction 1' }] });
		expect(result.value.omittedFields).toEqual(['nanoBananaTurn1Input1']);
		expect(result.value.conversation.turns[0]).toEqual({ role: 'user', text: 'instruction 1', images: [] });
		expect(parseConversation(result.value.conversation).ok).toBe(true);
	});

	it('a user image that is there but changed is still refused', () => {
		const { conversation, images } = chain(1);
		images.set('nanoBananaTurn1Input1', { mimeType: 'image/png', data: bytes('cropped photo') });
		const result = buildContents(conversation, images, 'x');
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.problem.message).toMatch(/"nanoBananaTurn1Input1" is not the one the conversation recorded/);
	});

	it('a missing model image is refused, naming the field, the turn and what to do', () => {
		const { conversation, images } = chain(2);
		images.delete('nanoBananaTurn2Result1');
		const result = buildContents(conversation, images, 'x');
		expect(result).toMatchObject({
			ok: false,
			problem: {
				message: 'The item has no binary field "nanoBananaTurn2Result1", which holds the model\'s image of turn 2 of the conversation',
				description: expect.stringMatching(/Include Other Input Fields/),
			},
		});
	});

	it('an image changed on the way (other bytes under the same name) is refused', () => {
		const { conversation, images } = chain(2);
		images.set('nanoBananaTurn1Result1', { mimeType: 'image/png', data: bytes('result 2') });
		const result = buildContents(conversation, images, 'x');
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.problem.message).toBe('The image in binary field "nanoBananaTurn1Result1" is not the one the conversation recorded (turn 1)');
	});

	it('sends the recorded image type, whatever the binary now claims', () => {
		const { conversation, images } = chain(1);
		images.set('nanoBananaTurn1Result1', { mimeType: 'application/octet-stream', data: bytes('result 1') });
		expect(built(conversation, images, 'x')[1].parts[1].inlineData?.mimeType).toBe('image/png');
	});

	it('refuses an empty prompt', () => {
		const { conversation, images } = chain(1);
		expect(buildContents(conversation, images, ' \n').ok).toBe(false);
	});
});

describe('checkModel', () => {
	it('a conversation stays with its model: another model is refused with the reason', () => {
		const { conversation } = chain(1);
		expect(checkModel(conversation, 'gemini-nano-banana-2.1')).toBeUndefined();
		expect(checkModel(conversation, 'gemini-3-pro-image')).toEqual({
			message: 'This conversation was made with gemini-nano-banana-2.1, not gemini-3-pro-image',
			description: expect.stringMatching(/thought signatures to the model.*Set Model to gemini-nano-banana-2.1/),
		});
	});
});

describe('latestResults', () => {
	it('names the result being refined: the last model turn\'s non-thought images', () => {
		expect(latestResults(chain(3).conversation).map((image) => image.field)).toEqual(['nanoBananaTurn3Result1']);
	});
});
