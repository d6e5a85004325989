import { parseServiceAccountKey } from '../serviceAccount';
import { exchangeServiceAccountToken } from '../serviceAccountToken';
import { checkedProjectId } from '../vertexSettings';
import { bearer, stringField, type VertexAuthMethod } from './method';

/** A service account's JSON key file: a signed JWT is exchanged for an access token. */
export const serviceAccountKeyAuth: VertexAuthMethod = {
	name: 'serviceAccountKey',
	async preAuthenticate(request, credentials) {
		return { accessToken: await exchangeServiceAccountToken(request, credentials.serviceAccountJson) };
	},
	headers: bearer,
	implicitProject: (credentials) =>
		checkedProjectId(parseServiceAccountKey(credentials.serviceAccountJson).projectId, 'in the service account key'),
	projectOptional: false,
	missingProject:
		'The service account key has no "project_id". Enter the Google Cloud project to bill in the credential\'s Project ID.',
	secrets(credentials) {
		const secrets = [stringField(credentials, 'accessToken')];
		try {
			secrets.push(parseServiceAccountKey(credentials.serviceAccountJson).privateKey);
		} catch {
			// An unreadable key is reported where it is used; there is nothing to scrub.
		}
		return secrets;
	},
};
