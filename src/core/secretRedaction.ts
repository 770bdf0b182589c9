/**
 * Removes secrets from free text before it reaches a log, a message or a file. Two layers: the exact
 * values the caller knows are secret (client secrets, issued tokens), and patterns that catch a secret
 * nobody registered (a bearer token in a header dump, `client_secret=` in a form body, `access_token`
 * in a JSON answer).
 */

export const REDACTED = '****';

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/\b(Bearer\s+)[^\s"',;]+/gi, `$1${REDACTED}`],
  [/\b(Basic\s+)[A-Za-z0-9+/=]{8,}/g, `$1${REDACTED}`],
  [/((?:client_secret|access_token|refresh_token|clientSecret|accessToken)["']?\s*[:=]\s*["']?)[^"'&\s,}]+/gi, `$1${REDACTED}`],
];

/** Secrets shorter than this are not replaced verbatim: "a" would blank every a in the log. */
const MIN_EXACT_LENGTH = 6;

export class SecretRedactor {
  private readonly known = new Set<string>();

  /** Remembers a value that must never appear in output (kept in memory only, for this session). */
  add(secret: string | undefined | null): void {
    if (secret && secret.length >= MIN_EXACT_LENGTH) this.known.add(secret);
  }

  redact(text: string): string {
    let result = text;
    // Longest first, so a secret that contains another is replaced whole.
    for (const secret of [...this.known].sort((a, b) => b.length - a.length)) {
      if (result.includes(secret)) result = result.split(secret).join(REDACTED);
    }
    for (const [pattern, replacement] of PATTERNS) result = result.replace(pattern, replacement);
    return result;
  }
}
