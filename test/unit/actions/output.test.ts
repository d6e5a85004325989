import type { IExecuteFunctions } from 'n8n-workflow';

import { buildOutputItem } from '../../../nodes/NanoBanana/actions/output';

/** Issue 23: an operation's extra json (OperationExtras.extraJson) reaches json.nanoBanana. */

const context = {
	getInputData: () => [{ json: { upstream: 1 } }],
	helpers: { prepareBinaryData: async (bytes: Buffer, fileName: string, mimeType: string) => ({ data: '', fileName, mimeType }) },
} as unknown as IExecuteFunctions;

const answer = { images: [{ mimeType: 'image/png' as const, bytes: Buffer.from('png') }], responseId: 'r1' };
const settings = { outputBinaryField: 'data', modelId: 'gemini-x', attempts: 1, shared: false, includeModelText: true, keepInputBinaries: false };

describe('buildOutputItem', () => {
	it("adds the operation's extra fields to json.nanoBanana beside the answer's summary, which wins on a clash", async () => {
		const item = await buildOutputItem(context, 0, answer, { ...settings, extraJson: { turn: 2, model: 'not this' } });
		expect(item.json.upstream).toBe(1);
		expect(item.json.nanoBanana).toMatchObject({ turn: 2, model: 'gemini-x' });
	});

	it('adds nothing when the operation has no extras', async () => {
		const item = await buildOutputItem(context, 0, answer, settings);
		expect(item.json.nanoBanana).not.toHaveProperty('turn');
	});
});
