import { nodeLog } from '../../../../nodes/NanoBanana/transport/http/log';

/**
 * Log lines cannot be forged: each run of C0 control characters or DEL in a message or a text
 * value becomes a single space.
 */

function recordingLogger() {
	const lines: Array<{ message: string; metadata: Record<string, unknown> }> = [];
	const record = (message: string, metadata: Record<string, unknown> = {}) => lines.push({ message, metadata });
	return { lines, logger: { debug: record, info: record, warn: record } };
}

describe('control characters in log lines', () => {
	it('turns a run of control characters into one space, in messages and in values', () => {
		const { lines, logger } = recordingLogger();
		nodeLog(logger, []).debug('answered\r\n\tFAKE', { responseId: 'abc\r\n\u0000\u001f\u007fFAKE LINE', model: 'm\u001bx' });
		expect(lines[0].message).toBe('Nano Banana: answered FAKE');
		expect(lines[0].metadata).toEqual({ responseId: 'abc FAKE LINE', model: 'm x' });
	});

	it('keeps separate runs separate and leaves other characters (C1 included, as before)', () => {
		const { lines, logger } = recordingLogger();
		nodeLog(logger, []).info('x', { a: '\na\nb\n', b: 'é\u0085\u00a0🍌' });
		expect(lines[0].metadata).toEqual({ a: ' a b ', b: 'é\u0085\u00a0🍌' });
	});
});
