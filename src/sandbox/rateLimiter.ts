export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the oldest counted call leaves the window (X-RateLimit-Reset). */
  resetSeconds: number;
  /** For a refused call: seconds until one slot is free again (at least 1). */
  retryAfterSeconds: number;
}

/**
 * A sliding-window log: a call is accepted when fewer than `limit` calls were accepted in the last
 * `windowMs`. Refused calls do not count. The log is a ring of at most `limit` timestamps.
 */
export class SlidingWindowLimiter {
  private readonly acceptedAt: number[];
  private oldestIndex = 0;
  private count = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {
    this.acceptedAt = new Array<number>(limit).fill(0);
  }

  take(now: number): RateDecision {
    const windowStart = now - this.windowMs;
    while (this.count > 0 && this.acceptedAt[this.oldestIndex] <= windowStart) {
      this.oldestIndex = (this.oldestIndex + 1) % this.limit;
      this.count -= 1;
    }
    const allowed = this.count < this.limit;
    if (allowed) {
      this.acceptedAt[(this.oldestIndex + this.count) % this.limit] = now;
      this.count += 1;
    }
    const secondsUntilOldestLeaves = Math.max(1, Math.ceil((this.acceptedAt[this.oldestIndex] + this.windowMs - now) / 1000));
    return {
      allowed,
      limit: this.limit,
      remaining: this.limit - this.count,
      resetSeconds: secondsUntilOldestLeaves,
      retryAfterSeconds: allowed ? 0 : secondsUntilOldestLeaves,
    };
  }
}
