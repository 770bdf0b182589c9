/**
 * Pacing: a token bucket at the run's rate that slows the whole run on 429 (multiplicative decrease,
 * Retry-After honoured as a pause for everyone) and recovers step by step (additive increase): AIMD.
 * And the backoff for retries: exponential with jitter.
 */

export interface PacerOptions {
  ratePerMinute: number;
  clock?: () => number;
  /** Share of the rate kept after a 429 (default 0.7). */
  decreaseFactor?: number;
  /** Rate regained per recovery step, as a share of the configured rate (default 0.05). */
  increaseShare?: number;
  /** Time without 429 per recovery step (default 2000 ms). */
  increaseIntervalMs?: number;
  /** The rate never drops below this share of the configured one (default 0.02). */
  minimumShare?: number;
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export class PacingAborted extends Error {
  constructor() {
    super('pacing wait cancelled');
    this.name = 'PacingAborted';
  }
}

/**
 * Requests start at 99 % of the rate in force. A request's start and its arrival at the API are never
 * exactly as far apart as the next ones', so a pacer at exactly the limit trips a sliding window as
 * soon as the window first turns over (measured: one 429 at the 60-s mark of a 3000/min run, whose
 * pause and slowdown cost 4 % of the run).
 */
const PACE_SHARE = 0.99;

export class AdaptivePacer {
  readonly configuredRate: number;
  private readonly clock: () => number;
  private readonly decreaseFactor: number;
  private readonly increaseShare: number;
  private readonly increaseIntervalMs: number;
  private readonly minimumRate: number;
  private readonly capacity: number;
  private tokens = 1;
  private lastRefill: number;
  private rateAfterDecrease: number;
  private lastDecreaseAt = Number.NEGATIVE_INFINITY;
  private pausedUntil = 0;
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(options: PacerOptions) {
    this.configuredRate = options.ratePerMinute;
    this.clock = options.clock ?? Date.now;
    this.decreaseFactor = options.decreaseFactor ?? 0.7;
    this.increaseShare = options.increaseShare ?? 0.05;
    this.increaseIntervalMs = options.increaseIntervalMs ?? 2000;
    this.minimumRate = Math.max(options.ratePerMinute * (options.minimumShare ?? 0.02), 1);
    this.rateAfterDecrease = options.ratePerMinute;
    // 100 ms worth of tokens: a send loop held up by garbage collection or a busy machine catches up
    // instead of losing its share of the rate (with 50 ms, a loaded 2-core machine lost 3-4 % of a
    // 3000/min run); with the headroom below, no window of 10 s or more sees more than the limit.
    this.capacity = Math.max(1, Math.floor(options.ratePerMinute / 60 / 10));
    this.lastRefill = this.clock();
  }

  /** The rate in force now, requests per minute. */
  currentRate(now: number = this.clock()): number {
    const steps = Math.floor((now - this.lastDecreaseAt) / this.increaseIntervalMs);
    if (!Number.isFinite(steps)) return this.configuredRate;
    return Math.min(this.configuredRate, this.rateAfterDecrease + steps * this.increaseShare * this.configuredRate);
  }

  /** Epoch ms until which nothing starts (a Retry-After), 0 when not paused. */
  get pausedUntilMs(): number {
    return this.pausedUntil;
  }

  /** Resolves when a request may start; rejects with PacingAborted when `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new PacingAborted());
    if (this.waiters.length === 0 && this.takeToken()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const at = this.waiters.indexOf(waiter);
          if (at !== -1) this.waiters.splice(at, 1);
          reject(new PacingAborted());
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
      this.schedule();
    });
  }

  /** A 429: pause everyone for `retryAfterMs` and slow down (once per episode). */
  onRateLimited(retryAfterMs: number | undefined): void {
    const now = this.clock();
    if (retryAfterMs !== undefined && retryAfterMs > 0) this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs);
    // Requests in flight when the limit hit answer 429 together: decrease once per episode.
    const episode = Math.max(1000, retryAfterMs ?? 0);
    if (now - this.lastDecreaseAt >= episode) {
      this.rateAfterDecrease = Math.max(this.minimumRate, this.currentRate(now) * this.decreaseFactor);
      this.lastDecreaseAt = now;
    }
    this.tokens = 0;
    this.lastRefill = Math.max(now, this.pausedUntil);
    this.schedule();
  }

  /** Rejects every waiter (the run stops). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const waiter of this.waiters.splice(0)) {
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.reject(new PacingAborted());
    }
  }

  private refill(now: number): void {
    if (now < this.pausedUntil) return;
    const from = Math.max(this.lastRefill, this.pausedUntil);
    if (now > from) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - from) * this.currentRate(now) * PACE_SHARE) / 60000);
    }
    this.lastRefill = now;
  }

  private takeToken(): boolean {
    const now = this.clock();
    this.refill(now);
    if (now >= this.pausedUntil && this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  private schedule(): void {
    if (this.timer || this.waiters.length === 0) return;
    const now = this.clock();
    const untilToken = this.tokens >= 1 ? 0 : ((1 - this.tokens) * 60000) / (this.currentRate(now) * PACE_SHARE);
    const delay = Math.max(0, this.pausedUntil - now) + untilToken;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.release();
    }, Math.ceil(delay));
  }

  private release(): void {
    while (this.waiters.length > 0 && this.takeToken()) {
      const waiter = this.waiters.shift()!;
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve();
    }
    this.schedule();
  }
}

/** Retry-After as milliseconds from now: seconds or an HTTP date; undefined when absent or unreadable. Capped at 10 minutes. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const cap = 10 * 60 * 1000;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.min(cap, Math.round(Number(text) * 1000));
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.min(cap, Math.max(0, date - now));
}

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  random?: () => number;
}

/**
 * Delay before attempt `attempt + 1` after a failed `attempt` (1-based): exponential with "equal
 * jitter" (half fixed, half random), so retries of many records spread out but never come at once.
 * A Retry-After wins when it is longer.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, retryAfterMs?: number): number {
  const random = options.random ?? Math.random;
  const exponential = Math.min(options.maxMs, options.baseMs * 2 ** (attempt - 1));
  const jittered = exponential / 2 + random() * (exponential / 2);
  if (retryAfterMs === undefined) return Math.round(jittered);
  // Everyone waits for Retry-After; a little jitter avoids all retries landing on the same millisecond.
  return Math.round(Math.max(retryAfterMs + random() * Math.min(250, retryAfterMs * 0.1 + 10), jittered / 4));
}
