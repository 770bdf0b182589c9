import { randomBytes } from 'node:crypto';

/** Tokens kept at most; the oldest are forgotten first (they then read as unknown, not expired). */
const MAX_REMEMBERED_TOKENS = 20_000;
/** Issued tokens listed for leak scans at most (the oldest are dropped from the list first). */
const MAX_LISTED_TOKENS = 200_000;

export type TokenCheck = { state: 'valid'; clientId: string } | { state: 'expired' } | { state: 'unknown' };

export class TokenStore {
  private readonly tokens = new Map<string, { clientId: string; expiresAt: number }>();
  private readonly issued: string[] = [];

  issue(clientId: string, lifetimeMs: number, now: number): string {
    const token = `sbx_${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, { clientId, expiresAt: now + lifetimeMs });
    this.issued.push(token);
    if (this.issued.length > MAX_LISTED_TOKENS) this.issued.splice(0, this.issued.length - MAX_LISTED_TOKENS);
    for (const oldest of this.tokens.keys()) {
      if (this.tokens.size <= MAX_REMEMBERED_TOKENS) break;
      this.tokens.delete(oldest);
    }
    return token;
  }

  /** Every token still valid at `now` expires at `now`; returns how many did. */
  expireAll(now: number): number {
    let expired = 0;
    for (const entry of this.tokens.values()) {
      if (entry.expiresAt > now) {
        entry.expiresAt = now;
        expired++;
      }
    }
    return expired;
  }

  /** The tokens issued so far, oldest first. */
  list(): string[] {
    return [...this.issued];
  }

  check(token: string, now: number): TokenCheck {
    const entry = this.tokens.get(token);
    if (!entry) return { state: 'unknown' };
    if (now >= entry.expiresAt) return { state: 'expired' };
    return { state: 'valid', clientId: entry.clientId };
  }
}
