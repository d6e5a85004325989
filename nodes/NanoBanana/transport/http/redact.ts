/**
 * Keeping secrets out of everything that leaves the node: error messages, error items and n8n's
 * log. Text is always redacted whole before it is shortened, so a secret cut in half by a length
 * limit can never slip past the patterns below.
 */

const SECRET_PATTERNS: RegExp[] = [
	/AIza[0-9A-Za-z_-]{20,}/g,
	/ya29\.[0-9A-Za-z_.-]+/g,
	/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
	/([?&]key=)[^&\s"']+/g,
	/(Bearer\s+)[0-9A-Za-z._~+/-]+=*/gi,
	// user:password@ in any URL (a proxy's login in the base URL).
	/(\/\/[^/\s:@"']*:)[^@\s/"']+(?=@)/g,
];

const REDACTED = '[redacted]';

/**
 * The spellings of an execution's secrets, worked out once per list: every log line and message
 * of the execution is redacted with the same list, so this is on the path of every item.
 */
const spellingsByList = new WeakMap<readonly string[], string[]>();

function spellingsOf(known: readonly string[]): string[] {
	let cached = spellingsByList.get(known);
	if (cached) return cached;
	const spellings = new Set<string>();
	// A key pasted with a trailing newline is sent trimmed (the credential trims it), so the
	// trimmed form is what shows up in answers and errors.
	for (const secret of known.flatMap((value) => [value, value.trim()])) {
		if (!secret) continue;
		spellings.add(secret);
		spellings.add(JSON.stringify(secret).slice(1, -1));
		spellings.add(encodeURIComponent(secret));
	}
	// Longest first, so a secret containing another is removed whole.
	cached = [...spellings].sort((a, b) => b.length - a.length);
	spellingsByList.set(known, cached);
	return cached;
}

/**
 * Removes anything that looks like a credential. `known` holds the exact secret values of the
 * credential in use, for keys that do not match Google's usual shapes; every one is removed,
 * however short, also trimmed and in its JSON-escaped and URL-encoded spellings.
 */
export function redactSecrets(text: string, known: readonly string[] = []): string {
	let result = text;
	for (const spelling of spellingsOf(known)) {
		if (result.includes(spelling)) result = result.split(spelling).join(REDACTED);
	}
	for (const pattern of SECRET_PATTERNS) {
		result = result.replace(pattern, (match: string, prefix?: string) =>
			typeof prefix === 'string' && match.startsWith(prefix) ? `${prefix}${REDACTED}` : REDACTED,
		);
	}
	return result;
}

/**
 * How much past the shown part is redacted too: more than the longest secret (a 4096-bit PEM key
 * is ~3.3 KB), so every secret that reaches into the shown part is seen whole. Bodies of many
 * megabytes are not scanned to the end for a 200-character snippet.
 */
const REDACTION_MARGIN = 64 * 1024;

/** The start of `text` for a message: redacted first, then cut to `maxLength` characters. */
export function redactedSnippet(text: string, known: readonly string[], maxLength: number): string {
	const redacted = redactSecrets(text.slice(0, maxLength + REDACTION_MARGIN), known);
	return redacted.length > maxLength ? `${redacted.slice(0, maxLength)}…` : redacted;
}

/**
 * The password (and user name) written into a base URL (`https://user:pass@proxy/`), as secrets
 * to redact: they may appear in connection errors that quote the URL.
 */
export function urlSecrets(baseUrl: unknown): string[] {
	if (typeof baseUrl !== 'string' || !baseUrl.includes('@')) return [];
	try {
		const { password } = new URL(baseUrl.trim());
		return [...new Set([password, safeDecode(password)])].filter((value) => value.length > 0);
	} catch {
		return [];
	}
}

function safeDecode(value: string): string {
	try {
		return decodeURIComponent(value);
	} catch {
		return value;
	}
}
