import { quoted } from '../../../../nodes/NanoBanana/transport/auth/vertexSettings';

/** A user's value quoted in an error message: one line, each C0 control character or DEL a space. */

describe('quoted', () => {
	it('turns each C0 control character and DEL into one space', () => {
		expect(quoted('us-\r\ncentral1')).toBe('"us-  central1"');
		expect(quoted('\u0000a\u001fb\u007f')).toBe('" a b "');
	});

	it('leaves every other character as it is (C1 controls included, as before)', () => {
		expect(quoted('é\u0080\u0085\u00a0 ~')).toBe('"é\u0080\u0085\u00a0 ~"');
	});

	it('cuts long values after 60 characters, counting a replaced character as one', () => {
		expect(quoted(`\n${'x'.repeat(70)}`)).toBe(`" ${'x'.repeat(59)}…"`);
	});
});
