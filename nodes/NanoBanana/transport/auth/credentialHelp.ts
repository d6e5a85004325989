import type { VertexAuthMethodName } from './vertexSettings';

/**
 * How a credential problem is put to the user, per backend and auth method: which credential to
 * open and what to check there. `transport/failures/explain.ts` adds Google's own words; it never
 * asks which backend it explains for.
 */

export interface Advice {
	message: string;
	description: string;
}

export interface CredentialHelp {
	/** Google said the API key is not valid (description). */
	invalidKey: string;
	/** A 401. */
	refused: Advice;
	/** The API that must be enabled in the project (a 403 SERVICE_DISABLED). */
	api: string;
	/** A 403 for a call that carried no usable key, where the backend takes keys in a header. */
	noKeyReached?: Advice;
	/** Any other 403. */
	forbidden: Advice;
	/** Put before "Choose a model from the list" on a 404. */
	notFoundHint: string;
}

const AI_STUDIO_INVALID_KEY =
	'The key in the "Google AI Studio API" credential is not valid. Create or copy a key at https://aistudio.google.com/apikey and paste it into the credential.';

export const AI_STUDIO_HELP: CredentialHelp = {
	invalidKey: AI_STUDIO_INVALID_KEY,
	refused: { message: 'Google did not accept the credentials', description: 'Check the API key in the "Google AI Studio API" credential.' },
	api: 'Generative Language API',
	noKeyReached: {
		message: 'No usable API key reached Google',
		description:
			'Open the "Google AI Studio API" credential and paste your key from https://aistudio.google.com/apikey. If a proxy sits in front of Google (Base URL), make sure it forwards the x-goog-api-key header.',
	},
	forbidden: {
		message: 'This API key is not allowed to use the Gemini API',
		description:
			"Check the key's API restrictions in Google Cloud Console → APIs & Services → Credentials: it must allow the Generative Language API.",
	},
	notFoundHint: '',
};

const VERTEX_FORBIDDEN_DESCRIPTION =
	'Grant the service account the "Vertex AI User" role (roles/aiplatform.user) on the project in Google Cloud Console → IAM, and check the project id and location in the credential.';

const VERTEX_COMMON = {
	api: 'Vertex AI API (aiplatform.googleapis.com)',
	notFoundHint: 'On Vertex AI some models exist only in the "global" location. ',
};

const VERTEX_HELP = {
	serviceAccountKey: {
		...VERTEX_COMMON,
		// A token exchange never yields API_KEY_INVALID; kept as it has always read.
		invalidKey: AI_STUDIO_INVALID_KEY,
		refused: {
			message: 'Google did not accept the service account token',
			description:
				'A fresh access token was fetched and still refused. Check that the service account and its key still exist and are enabled in Google Cloud (IAM & Admin → Service Accounts).',
		},
		forbidden: { message: 'The service account is not allowed to use Vertex AI in this project', description: VERTEX_FORBIDDEN_DESCRIPTION },
	},
	metadataServer: {
		...VERTEX_COMMON,
		invalidKey: AI_STUDIO_INVALID_KEY,
		refused: {
			message: "Google did not accept the runtime's access token",
			description:
				'A fresh token from the metadata server was refused. Check that the service account attached to the runtime (VM, GKE Workload Identity, Cloud Run service) exists and is enabled.',
		},
		forbidden: { message: 'The service account is not allowed to use Vertex AI in this project', description: VERTEX_FORBIDDEN_DESCRIPTION },
	},
	apiKey: {
		...VERTEX_COMMON,
		invalidKey:
			'The key in the "Google Vertex AI API" credential is not valid. Create a Vertex AI API key in Google Cloud Console → Vertex AI (or APIs & Services → Credentials) and paste it into the credential.',
		refused: {
			message: 'Google did not accept the Vertex AI API key',
			description:
				'Use a Vertex AI API key (express mode, or a key bound to a service account); a Gemini API key from AI Studio does not work on Vertex AI. Without a Project ID the node uses express mode.',
		},
		forbidden: { message: 'This API key is not allowed to use Vertex AI in this project', description: VERTEX_FORBIDDEN_DESCRIPTION },
	},
} satisfies Record<VertexAuthMethodName, CredentialHelp>;

export function vertexHelp(method: VertexAuthMethodName): CredentialHelp {
	return VERTEX_HELP[method];
}
