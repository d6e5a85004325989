/**
 * A credential that cannot be used as it is filled in (a bad location, project id, URL or key
 * file). Thrown before any request; `message` says what is wrong, `description` what to change.
 * Never carries a secret.
 */
export class CredentialProblem extends Error {
	constructor(
		message: string,
		readonly description: string,
	) {
		super(message);
	}
}
