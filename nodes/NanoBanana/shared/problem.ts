/**
 * Something the user can fix, found before (or instead of) a call to Google: a parameter the node
 * cannot use, an input image it cannot send, a credential filled in wrongly. `message` says what
 * is wrong, `description` what to change; `reason` goes to `json.error.reason`. Never carries a
 * secret.
 */
export type ProblemReason = 'INVALID_INPUT' | 'INVALID_PARAMETER' | 'INVALID_CREDENTIAL';

export class Problem extends Error {
	constructor(
		readonly reason: ProblemReason,
		message: string,
		readonly description: string,
	) {
		super(message);
	}
}
