import { bodyAsJson, isJsonDocument, jsonInString } from '../../../nodes/NanoBanana/shared/json';

/** Issue 23: one reader for JSON inside a string, used by the transport, the key file and the metadata server. */
describe('jsonInString', () => {
	it('parses a string, and leaves a value that is already parsed as it is', () => {
		expect(jsonInString('{"a":1}')).toEqual({ a: 1 });
		const object = { b: 2 };
		expect(jsonInString(object)).toBe(object);
		expect(jsonInString(undefined)).toBeUndefined();
	});

	it('gives undefined for a string that is not JSON', () => {
		expect(jsonInString('<html>')).toBeUndefined();
		expect(jsonInString('{"cut off')).toBeUndefined();
	});

	it('bodyAsJson keeps text that is not JSON as text (a proxy page stays readable)', () => {
		expect(bodyAsJson('<html>')).toBe('<html>');
		expect(bodyAsJson('[1]')).toEqual([1]);
		expect(isJsonDocument('"just a string"')).toBe(false);
	});
});
