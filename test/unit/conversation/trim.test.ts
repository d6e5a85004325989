/**
 * Issue 25, point 4: Turns to Keep and the model's input-image limit drop the oldest whole
 * user/model pairs; a trimmed conversation still reads back and never fails later for a reason
 * that could be checked first.
 */
import { parseConversation, referencedImages, trimConversation } from '../../../nodes/NanoBanana/conversation';
import type { Conversation, Trimmed } from '../../../nodes/NanoBanana/conversation';
import { chain } from './fixtures';

function trimmed(conversation: Conversation, limits: Parameters<typeof trimConversation>[1]): Trimmed {
	const result = trimConversation(conversation, limits);
	if (!result.ok) throw new Error(result.problem.description);
	return result.value;
}
const prompts = (conversation: Conversation) => conversation.turns.flatMap((turn) => (turn.role === 'user' ? [turn.text] : []));
const imageFields = (conversation: Conversation) => referencedImages(conversation).map((image) => image.field);

describe('trimConversation', () => {
	it('keeps the latest Turns to Keep pairs, oldest dropped whole; names and numbers stay', () => {
		const { conversation } = chain(6);
		const { conversation: kept, droppedFields } = trimmed(conversation, { turnsToKeep: 2, maxInputImages: 14 });
		expect(prompts(kept)).toEqual(['instruction 5', 'instruction 6']);
		expect(kept.turns.map((turn) => turn.role)).toEqual(['user', 'model', 'user', 'model']);
		expect(kept.droppedTurns).toBe(4);
		expect(imageFields(kept)).toEqual(['nanoBananaTurn5Result1', 'nanoBananaTurn6Result1']);
		expect(droppedFields).toEqual(['nanoBananaTurn1Input1', 'nanoBananaTurn1Result1', 'nanoBananaTurn2Result1', 'nanoBananaTurn3Result1', 'nanoBananaTurn4Result1']);
		// What is kept reads back: the positional names match the new droppedTurns.
		expect(parseConversation(JSON.parse(JSON.stringify(kept)))).toEqual({ ok: true, value: kept });
	});

	it('changes nothing when the conversation fits', () => {
		const { conversation } = chain(3);
		expect(trimmed(conversation, { turnsToKeep: 5, maxInputImages: 14 })).toEqual({ conversation, droppedFields: [] });
	});

	it('drops older pairs until every image of the request fits the model\'s limit (new images counted)', () => {
		const { conversation } = chain(5); // 1 input + 5 results = 6 images
		const kept = trimmed(conversation, { turnsToKeep: 5, maxInputImages: 4, newImages: 1 }).conversation;
		expect(referencedImages(kept).length + 1).toBeLessThanOrEqual(4);
		expect(prompts(kept)).toEqual(['instruction 3', 'instruction 4', 'instruction 5']);
	});

	it('with one pair left, its user images go (last first) before the request is refused; the model turn stays', () => {
		const { conversation } = chain(1); // Input1 + Result1
		const kept = trimmed(conversation, { turnsToKeep: 1, maxInputImages: 2, newImages: 1 }).conversation;
		expect(imageFields(kept)).toEqual(['nanoBananaTurn1Result1']);
		expect(kept.turns).toHaveLength(2);
		expect(parseConversation(kept).ok).toBe(true);
		const refused = trimConversation(conversation, { turnsToKeep: 1, maxInputImages: 2, newImages: 2 });
		expect(refused.ok).toBe(false);
		if (!refused.ok) expect(refused.problem.description).toMatch(/needs 3 images.*takes at most 2/);
	});

	it('holds a byte budget the same way', () => {
		const { conversation } = chain(3);
		const sizes = referencedImages(conversation).map((image) => image.bytes);
		const budget = sizes[sizes.length - 1] + sizes[sizes.length - 2];
		const kept = trimmed(conversation, { turnsToKeep: 5, maxInputImages: 14, maxImageBytes: budget }).conversation;
		expect(prompts(kept)).toEqual(['instruction 2', 'instruction 3']);
	});

	it('holds a per-image limit (Vertex AI: 7 MB inline): older pairs go; a latest result over it is refused before any call', () => {
		const { conversation } = chain(3);
		const latest = referencedImages(conversation).slice(-1)[0].bytes;
		// Make turn 2's result too big: pairs 1 and 2 must go.
		const big = JSON.parse(JSON.stringify(conversation)) as Conversation;
		const turn2 = big.turns[3];
		if (turn2.role !== 'model' || !('image' in turn2.parts[1])) throw new Error('fixture shape');
		turn2.parts[1].image.bytes = 8_000_000;
		expect(prompts(trimmed(big, { turnsToKeep: 5, maxInputImages: 14, maxBytesPerImage: 7_340_032 }).conversation)).toEqual(['instruction 3']);
		const refused = trimConversation(big, { turnsToKeep: 5, maxInputImages: 14, maxBytesPerImage: latest - 1 });
		expect(refused.ok).toBe(false);
		if (!refused.ok) expect(refused.problem.description).toMatch(/larger than this backend takes back.*7 MB/);
	});

	it.each([0, 21, 2.5, Number.NaN])('refuses Turns to Keep %p with the allowed range', (turnsToKeep) => {
		const result = trimConversation(chain(1).conversation, { turnsToKeep, maxInputImages: 14 });
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.problem.message).toBe('Turns to Keep must be a whole number from 1 to 20');
	});

	it('never splits a pair, whatever the limits', () => {
		const { conversation } = chain(7);
		for (let turnsToKeep = 1; turnsToKeep <= 8 && turnsToKeep <= 20; turnsToKeep++) {
			for (let maxInputImages = 1; maxInputImages <= 9; maxInputImages++) {
				const result = trimConversation(conversation, { turnsToKeep, maxInputImages });
				if (!result.ok) continue;
				const { turns } = result.value.conversation;
				expect(turns.length % 2).toBe(0);
				expect(turns[turns.length - 1]).toEqual(conversation.turns[conversation.turns.length - 1]);
				expect(parseConversation(result.value.conversation).ok).toBe(true);
			}
		}
	});
});
