import { NodeApiError } from 'n8n-workflow';

import { aiStudioBackend, vertexBackend } from '../../../../nodes/NanoBanana/transport/auth/backends';
import { explainFailure, type FailureContext } from '../../../../nodes/NanoBanana/transport/failures/explain';
import { failureFromThrown, type TransportFailure } from '../../../../nodes/NanoBanana/transport/failures/kinds';
import { parseGoogleError } from '../../../../nodes/NanoBanana/transport/google/parse';

const aiStudio: FailureContext = {
	backend: aiStudioBackend({ apiKey: 'k' }),
	modelId: 'gemini-2.5-flash-image',
	attempts: 1,
	timeoutMs: 300_000,
};
const vertex: FailureContext = {
	...aiStudio,
	backend: vertexBackend({
		serviceAccountJson: JSON.stringify({ client_email: 'a@b', private_key: 'k', project_id: 'my-project' }),
		location: 'global',
	}),
};

function api(statusCode: number, body: unknown, retryAfterMs?: number): TransportFailure {
	return { kind: 'api', statusCode, error: parseGoogleError(statusCode, body), retryAfterMs };
}

const googleError = (code: number, status: string, message: string, details: unknown[] = []) => ({
	error: { code, status, message, details },
});

describe('explainFailure', () => {
	describe('404 for a shut-down or closed id names its successor (issue 18)', () => {
		const notFound = (id: string) => api(404, googleError(404, 'NOT_FOUND', `models/${id} is not found for API version v1beta, or is not supported for generateContent.`));

		it.each([
			['gemini-3-pro-image-preview', 'gemini-3-pro-image'],
			['gemini-3.1-flash-image-preview', 'gemini-3.1-flash-image'],
			['gemini-2.5-flash-image-preview', 'gemini-nano-banana-2.1'],
			['imagen-4.0-generate-001', 'gemini-nano-banana-2.1'],
		])('%s → %s, and how to switch', (modelId, successor) => {
			const explained = explainFailure(notFound(modelId), { ...aiStudio, modelId });
			expect(explained.message).toBe(`The model "${modelId}" is no longer available: use ${successor}`);
			expect(explained.description).toContain(`set "Model" to ${successor}`);
			expect(explained.description).toContain('Fallback Models');
			expect(explained.description).toContain('Google said: "models/');
			expect(explained.httpCode).toBe('404');
		});

		it('names 2.1 as well for the 3.1 Flash preview (Nano Banana 2 is deprecated)', () => {
			const explained = explainFailure(notFound('gemini-3.1-flash-image-preview'), { ...aiStudio, modelId: 'gemini-3.1-flash-image-preview' });
			expect(explained.description).toContain('Nano Banana 2 (gemini-3.1-flash-image) (or Nano Banana 2.1 (gemini-nano-banana-2.1))');
		});

		it('gemini-2.5-flash-image: new Google projects cannot use it; names gemini-nano-banana-2.1', () => {
			const explained = explainFailure(notFound('gemini-2.5-flash-image'), aiStudio);
			expect(explained.message).toBe('The model "gemini-2.5-flash-image" is not available to this Google project: use gemini-nano-banana-2.1');
			expect(explained.description).toMatch(/new Google projects cannot use it\. Use Nano Banana 2\.1 \(gemini-nano-banana-2\.1\)/);
		});
	});

	it('says an invalid API key was rejected and where to get one', () => {
		const explained = explainFailure(
			api(400, googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
				{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' },
			])),
			aiStudio,
		);
		expect(explained.message).toBe('Google rejected the API key');
		expect(explained.description).toContain('https://aistudio.google.com/apikey');
		expect(explained.reason).toBe('API_KEY_INVALID');
		expect(explained.httpCode).toBe('400');
	});

	it('names the Vertex AI User role for a missing permission', () => {
		const explained = explainFailure(
			api(403, googleError(403, 'PERMISSION_DENIED', "Permission 'aiplatform.endpoints.predict' denied")),
			vertex,
		);
		expect(explained.message).toBe('The service account is not allowed to use Vertex AI in this project');
		expect(explained.description).toContain('Vertex AI User');
		expect(explained.description).toContain('roles/aiplatform.user');
	});

	it('names the API to enable when it is disabled', () => {
		const explained = explainFailure(
			api(403, googleError(403, 'PERMISSION_DENIED', 'Vertex AI API has not been used in project p before or it is disabled.', [
				{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'SERVICE_DISABLED', metadata: { activationUrl: 'https://console.developers.google.com/apis/api/aiplatform.googleapis.com/overview?project=p' } },
			])),
			vertex,
		);
		expect(explained.message).toBe('The Vertex AI API (aiplatform.googleapis.com) is not enabled for this Google Cloud project');
		expect(explained.description).toContain('https://console.developers.google.com/apis/api/aiplatform.googleapis.com');
	});

	it('suggests the model list for an unknown model', () => {
		const explained = explainFailure(api(404, googleError(404, 'NOT_FOUND', 'models/gemini-9 is not found')), {
			...aiStudio,
			modelId: 'gemini-9',
		});
		expect(explained.message).toBe('The model "gemini-9" was not found');
		expect(explained.description).toContain('From List');
	});

	it('gives the retry delay for quota errors and the attempts made', () => {
		const explained = explainFailure(
			api(429, googleError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded', [
				{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '26s' },
			])),
			{ ...aiStudio, attempts: 5 },
		);
		expect(explained.message).toBe("Google's rate limit or quota was hit (tried 5 times)");
		expect(explained.description).toContain('Google asked to wait 26 s');
	});

	it('says a daily quota will not come back soon', () => {
		const explained = explainFailure(
			api(429, googleError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded', [
				{ '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier' }] },
			])),
			aiStudio,
		);
		expect(explained.message).toBe('The daily quota for "gemini-2.5-flash-image" is used up');
	});

	it.each([
		['a per-day quota', [{ '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaId: 'GenerateRequestsPerDayPerProjectPerModel' }] }], 'Quota exceeded'],
		['a spend cap', [], 'Your project has exceeded its spending cap.'],
	])('after %s says what is no longer sent: this model, while Fallback Models are still tried', (_, details, message) => {
		const { description } = explainFailure(api(429, googleError(429, 'RESOURCE_EXHAUSTED', message, details)), aiStudio);
		expect(description).toMatch(/no more requests to this model \(Fallback Models, where set, are still tried/);
		expect(description).not.toMatch(/other items .* were not sent/);
	});

	it('explains server errors, timeouts and dropped connections', () => {
		expect(explainFailure(api(503, googleError(503, 'UNAVAILABLE', 'The model is overloaded.')), { ...aiStudio, attempts: 3 }).message).toBe(
			"Google's servers could not complete the request (503 UNAVAILABLE) (tried 3 times)",
		);
		expect(explainFailure({ kind: 'network', code: 'ETIMEDOUT', message: '' }, { ...aiStudio, timeoutMs: 90_000 }).message).toBe(
			'No answer from Google within 90 s',
		);
		expect(explainFailure({ kind: 'network', code: 'ECONNRESET', message: '' }, aiStudio).message).toBe(
			'The connection to Google AI Studio (Gemini API) failed (ECONNRESET)',
		);
	});

	it("quotes Google's message in every API explanation", () => {
		for (const status of [400, 401, 403, 404, 429, 500]) {
			const explained = explainFailure(api(status, googleError(status, 'X', `google says ${status}`)), aiStudio);
			expect(explained.description).toContain(`Google said: "google says ${status}"`);
		}
	});
});

describe('failureFromThrown', () => {
	it('reads the status and Google body n8n keeps on a NodeApiError for a 401', () => {
		const thrown = new NodeApiError({ id: '1', name: 'n', type: 't', typeVersion: 1, position: [0, 0], parameters: {} }, {
			message: 'Request failed with status code 401',
			httpCode: '401',
		});
		thrown.context.data = googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
		const failure = failureFromThrown(thrown);
		expect(failure).toMatchObject({ kind: 'api', statusCode: 401, error: { status: 'UNAUTHENTICATED' } });
	});

	it('recognises timeouts, resets and cancellation', () => {
		expect(failureFromThrown({ message: 'timeout of 1000ms exceeded', code: 'ECONNABORTED' })).toMatchObject({ kind: 'network', code: 'ECONNABORTED' });
		expect(failureFromThrown({ message: 'socket hang up' })).toMatchObject({ kind: 'network', code: 'ECONNRESET' });
		expect(failureFromThrown({ message: 'canceled', code: 'ERR_CANCELED' })).toEqual({ kind: 'cancelled' });
		const controller = new AbortController();
		controller.abort();
		expect(failureFromThrown(new Error('anything'), controller.signal)).toEqual({ kind: 'cancelled' });
		expect(failureFromThrown(new Error('Google did not issue an access token'))).toEqual({
			kind: 'other',
			message: 'Google did not issue an access token',
		});
	});
});
