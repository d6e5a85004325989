/* eslint-disable @typescript-eslint/no-explicit-any, no-control-regex -- hand-edited JSON of any shape; control characters must not reach a message (README: Lint) */
/**
 * Issue 25, point 5: a conversation JSON that is malformed or hand-edited gets a clear error
 * before any paid call; every field is untrusted and can never pick a field, path, host or file name.
 */
import { parseConversation } from '../../../nodes/NanoBanana/conversation';
import { chain } from './fixtures';

/** A fresh, valid conversation as plain JSON (what n8n hands over), to be spoiled by each test. */
function saved(pairs = 2): any {
	return JSON.parse(JSON.stringify(chain(pairs).conversation));
}

function refusal(value: unknown): string {
	const result = parseConversation(value);
	if (result.ok) throw new Error('accepted');
	return `${result.problem.message} | ${result.problem.description}`;
}

describe('parseConversation', () => {
	it('accepts what Nano Banana wrote, as an object or as JSON text', () => {
		const value = saved();
		expect(parseConversation(value)).toEqual({ ok: true, value });
		expect(parseConversation(JSON.stringify(value))).toEqual({ ok: true, value });
	});

	it('an item without a conversation: says what to connect', () => {
		for (const missing of [undefined, null]) {
			expect(refusal(missing)).toMatch(/no conversation to continue.*Edit Image, Generate Image or Refine Image/s);
		}
	});

	it('text that is not JSON, or too long, is refused without parsing it further', () => {
		expect(refusal('{"version":1,')).toMatch(/not valid JSON/);
		expect(refusal(' '.repeat(4_000_001))).toMatch(/longer than 4000000 characters/);
	});

	it.each([
		['../../etc/passwd'],
		['/tmp/x'],
		['https://evil.example/x'],
		['data'],
		['nanoBananaTurn1Input1/../../x'],
		['nanoBananaTurn1Result1'], // a real name, but not the one this position gives
		['__proto__'],
	])('an image field name %j is refused: names come from positions only', (field) => {
		const value = saved();
		value.turns[0].images[0].field = field;
		expect(refusal(value)).toMatch(/turns\[0\]\.images\[0\]\.field/);
	});

	it('swapping two references (same names, other positions) is refused', () => {
		const value = saved();
		const [first, second] = [value.turns[1].parts[1].image, value.turns[3].parts[1].image];
		value.turns[1].parts[1].image = second;
		value.turns[3].parts[1].image = first;
		expect(refusal(value)).toMatch(/must be "nanoBananaTurn1Result1".*not "nanoBananaTurn2Result1"/);
	});

	it('__proto__, constructor and other unknown keys are named, never used', () => {
		const proto = JSON.parse('{"__proto__": {"polluted": true}}');
		const value = { ...saved(), ...proto };
		expect(refusal(value)).toMatch(/unknown field "__proto__"/);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		const part = saved();
		part.turns[1].parts[0].constructor = 'x';
		expect(refusal(part)).toMatch(/turns\[1\]\.parts\[0\]: has unknown field "constructor"/);
		// Inherited names do not count as fields: an object without own turns is missing them.
		const inherited = Object.create({ turns: saved().turns });
		Object.assign(inherited, { version: 1, model: 'gemini-nano-banana-2.1', droppedTurns: 0 });
		expect(refusal(inherited)).toMatch(/turns: must be a list/);
	});

	it('huge arrays are refused by their length, before their entries are read', () => {
		const value = saved();
		value.turns = new Array(1_000_000).fill(value.turns[0]);
		expect(refusal(value)).toMatch(/turns: has more than 100 entries/);
		const parts = saved();
		parts.turns[1].parts = new Array(33).fill(parts.turns[1].parts[0]);
		expect(refusal(parts)).toMatch(/parts: has more than 32 entries/);
		const images = saved();
		images.turns[0].images = new Array(15).fill(images.turns[0].images[0]);
		expect(refusal(images)).toMatch(/images: has more than 14 entries/);
	});

	it.each<[string, (value: any) => void, RegExp]>([
		['not an object', (v) => Object.assign(v, { turns: 'x' }), /turns: must be a list/],
		['a number model', (v) => (v.model = 42), /model: must be text/],
		['a model id with a slash', (v) => (v.model = 'models/../../x'), /model: has characters that are not allowed/],
		['another version', (v) => (v.version = 2), /version: must be 1/],
		['a negative droppedTurns', (v) => (v.droppedTurns = -1), /droppedTurns: must be a whole number/],
		['an odd number of turns', (v) => v.turns.pop(), /whole user\/model pairs/],
		['roles swapped', (v) => (v.turns[0].role = 'model'), /turns\[0\]\.role: must be "user"/],
		['a system role', (v) => (v.turns[1].role = 'system'), /turns\[1\]\.role: must be "model"/],
		['a non-text prompt', (v) => (v.turns[0].text = { $: 1 }), /turns\[0\]\.text: must be text/],
		['an empty prompt', (v) => (v.turns[2].text = '   '), /turns\[2\]\.text: must not be empty/],
		['a signature outside base64', (v) => (v.turns[1].parts[1].thoughtSignature = 'abc$%'), /thoughtSignature: has characters that are not allowed/],
		['a huge signature', (v) => (v.turns[1].parts[1].thoughtSignature = 'A'.repeat(65_537)), /thoughtSignature: is longer than 65536/],
		['a non-hex sha256', (v) => (v.turns[1].parts[1].image.sha256 = 'Z'.repeat(64)), /sha256: has characters that are not allowed/],
		['an SVG', (v) => (v.turns[1].parts[1].image.mimeType = 'image/svg+xml'), /mimeType: must be one of image\/png/],
		['a fractional size', (v) => (v.turns[1].parts[1].image.bytes = 1.5), /bytes: must be a whole number/],
		['thought: "yes"', (v) => (v.turns[1].parts[0].thought = 'yes'), /thought: must be true or left out/],
		['a part with text and image', (v) => (v.turns[1].parts[1].text = 'x'), /must hold either text or image/],
		['a model turn without a result image', (v) => v.turns[3].parts.splice(1, 1), /has no image/],
	])('%s is refused, naming the field', (_label, spoil, expected) => {
		const value = saved();
		spoil(value);
		expect(refusal(value)).toMatch(expected);
	});

	it('says what to do, and lists at most five problems', () => {
		const value = saved(3);
		for (const turn of value.turns) turn.role = 'assistant';
		const text = refusal(value);
		expect(text).toMatch(/^The conversation saved with this item cannot be continued/);
		expect(text).toMatch(/cannot be edited by hand/);
		expect(text.match(/json\.nanoBanana\.conversation\.turns\[\d\]\.role/g)).toHaveLength(5);
	});

	it('shows an untrusted key safely (no control characters, cut short)', () => {
		const value = { ...saved(), ['\u0000\u001b[31m' + 'k'.repeat(500)]: 1 };
		const text = refusal(value);
		expect(text).not.toMatch(/[\u0000-\u001f]/);
		expect(text).not.toContain('k'.repeat(41));
	});
});
