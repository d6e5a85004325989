import { parseModelIds, shouldTryFallback } from '../../../nodes/NanoBanana/actions/item';
import { TransportError } from '../../../nodes/NanoBanana/transport/http/client';
import type { TransportFailure } from '../../../nodes/NanoBanana/transport/failures/kinds';

function apiFailure(statusCode: number, quotaId?: string): TransportError {
	const failure: TransportFailure = {
		kind: 'api',
		statusCode,
		error: { code: statusCode, message: 'x', details: { quotaViolations: quotaId ? [{ quotaId }] : [] } },
	};
	return new TransportError(failure, 1);
}

describe('fallback models', () => {
	it('are tried after a missing model, lasting overload or a per-model quota', () => {
		expect(shouldTryFallback(apiFailure(404))).toBe(true);
		expect(shouldTryFallback(apiFailure(503))).toBe(true);
		expect(shouldTryFallback(apiFailure(429, 'GenerateRequestsPerDayPerProjectPerModel-FreeTier'))).toBe(true);
		expect(shouldTryFallback(new TransportError({ kind: 'network', code: 'ETIMEDOUT', message: '' }, 3))).toBe(true);
	});

	it('are not tried for problems every model would share', () => {
		for (const status of [400, 401, 403]) expect(shouldTryFallback(apiFailure(status))).toBe(false);
		expect(shouldTryFallback(new TransportError({ kind: 'cancelled' }, 1))).toBe(false);
		expect(shouldTryFallback(new Error('input'))).toBe(false);
	});

	it('reads the list as model ids', () => {
		expect(parseModelIds(' models/gemini-3-pro-image, ,gemini-3.1-flash-image ')).toEqual([
			'gemini-3-pro-image',
			'gemini-3.1-flash-image',
		]);
	});
});
