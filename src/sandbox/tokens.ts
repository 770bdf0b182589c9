import { randomBytes } from 'node:crypto';

/** Tokens kept at most; the oldest are forgotten first (they then read as unknown, not expired). */
const MAX_REMEMBERED_TOKENS = 20_000;

export type TokenCheck = { state: 'valid'; clientId: string } | { state: 'expired' } | { state: 'unknown' };

export class TokenStore {
  private readonly tokens = new Map<string, { clientId: string; expiresAt: number }>();

  issue(clientId: string, lifetimeMs: number, now: number): string {
    const token = `sbx_${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, { clientId, expiresAt: now + lifetimeMs });
    for (const oldest of this.tokens.keys()) {
      if (this.tokens.size <= MAX_REMEMBERED_TOKENS) break;
      this.tokens.delete(oldest);
    }
    return token;
  }

  check(token: string, now: number): TokenCheck {
    const entry = this.tokens.get(token);
    if (!entry) return { state: 'unknown' };
    if (now >= entry.expiresAt) return { state: 'expired' };
    return { state: 'valid', clientId: entry.clientId };
  }
}
