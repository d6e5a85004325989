import type { IBinaryData, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { createHash } from 'crypto';

import { carryConversation, sentImages } from '../../../nodes/NanoBanana/actions/turn';
import type { InputImage } from '../../../nodes/NanoBanana/media/inputImages';
import type { ImageAnswer } from '../../../nodes/NanoBanana/transport/google/response';

/** actions/turn.ts: what an output item carries forward for Refine Image (issue 25). */

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108020000009077', 'hex');
const PNG_SHA256 = createHash('sha256').update(PNG).digest('hex');
const binaryData = (id: string): IBinaryData => ({ id, data: 'filesystem-v2', mimeType: 'image/png' });

function fakeContext(input: INodeExecutionData): { context: IExecuteFunctions; stored: string[] } {
	const stored: string[] = [];
	const context = {
		getInputData: () => [input],
		helpers: {
			// The output never reads an input image again: its digest was taken when the request was built.
			getBinaryDataBuffer: async () => {
				throw new Error('an input image was read a second time');
			},
			prepareBinaryData: async (_data: Buffer, fileName: string) => {
				stored.push(fileName);
				return binaryData(`stored-${fileName}`);
			},
		},
	} as unknown as IExecuteFunctions;
	return { context, stored };
}

function output(): INodeExecutionData {
	return {
		json: { nanoBanana: { model: 'gemini-nano-banana-2.1' } },
		// As buildOutputItem leaves it with Keep Input Binaries on: the input's fields, a stale conversation field among them.
		binary: { data: binaryData('result'), photo: binaryData('photo'), nanoBananaTurn7Result1: binaryData('old') },
		pairedItem: { item: 0 },
	};
}

const answer = (parts: ImageAnswer['modelTurn']): ImageAnswer => ({ images: [{ mimeType: 'image/png', bytes: PNG }], modelTurn: parts });

describe('carryConversation', () => {
	it('records the turn, passes the input image on by reference and shares the result\'s stored file; no older conversation field stays', async () => {
		const { context, stored } = fakeContext({ json: {}, binary: { photo: binaryData('photo') } });
		const item = output();
		await carryConversation(
			context,
			0,
			item,
			{ prompt: 'Make the car red', images: [{ field: 'photo', mimeType: 'image/png', sha256: PNG_SHA256, bytes: PNG.length }] },
			'gemini-nano-banana-2.1',
			answer({ role: 'model', parts: [{ inlineData: { mimeType: 'image/png', data: PNG.toString('base64') }, thoughtSignature: 'c2ln' }] }),
			'data',
		);
		expect(Object.keys(item.binary ?? {}).sort()).toEqual(['data', 'nanoBananaTurn1Input1', 'nanoBananaTurn1Result1', 'photo']);
		expect(item.binary?.nanoBananaTurn1Input1?.id).toBe('photo');
		expect(item.binary?.nanoBananaTurn1Result1?.id).toBe('result');
		expect(stored).toEqual([]);
		expect((item.json.nanoBanana as { conversation: unknown }).conversation).toMatchObject({
			version: 1,
			model: 'gemini-nano-banana-2.1',
			turns: [
				{ role: 'user', text: 'Make the car red', images: [{ field: 'nanoBananaTurn1Input1', sha256: PNG_SHA256, bytes: PNG.length }] },
				{ role: 'model', parts: [{ thoughtSignature: 'c2ln' }] },
			],
		});
	});

	it("sentImages: a request's inline images with their digests, or none when one went through the Files API", () => {
		const inline = { field: 'photo', mimeType: 'image/png', bytes: PNG } as InputImage;
		const uploaded = { field: 'big', mimeType: 'image/png' } as InputImage;
		expect(sentImages([inline])).toEqual([{ field: 'photo', mimeType: 'image/png', sha256: PNG_SHA256, bytes: PNG.length }]);
		expect(sentImages([inline, uploaded])).toEqual([]);
	});

	it('an answer it cannot continue from keeps its image and says why, without a conversation', async () => {
		const { context } = fakeContext({ json: {} });
		const item = output();
		await carryConversation(context, 0, item, { prompt: 'p', images: [] }, 'gemini-nano-banana-2.1', answer({ role: 'model', parts: [{ text: 'only text' }] }), 'data');
		const summary = item.json.nanoBanana as Record<string, unknown>;
		expect(summary.conversation).toBeUndefined();
		expect(summary.conversationError).toMatch(/^This result cannot be refined later: .*no image to continue from/);
		expect(Object.keys(item.binary ?? {}).sort()).toEqual(['data', 'photo']);
	});
});
