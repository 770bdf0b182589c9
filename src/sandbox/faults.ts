import { type FaultKind, type FaultOptions } from './contract';

export const DEFAULT_FAULT_SEED = 1;
export const DEFAULT_FAULT_RETRY_AFTER_SECONDS = 1;

/** mulberry32: a tiny seeded PRNG, so a run's fault sequence can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** Decides, call by call, which API calls fail and how. */
export class FaultPlan {
  private readonly random: () => number;

  constructor(private readonly options: FaultOptions | null) {
    this.random = seededRandom(options?.seed ?? DEFAULT_FAULT_SEED);
  }

  get retryAfterSeconds(): number {
    return this.options?.retryAfterSeconds ?? DEFAULT_FAULT_RETRY_AFTER_SECONDS;
  }

  /** The Retry-After header of an injected 429: seconds, or an HTTP date that many seconds after `now`. */
  retryAfterHeader(now: number): string {
    const seconds = this.retryAfterSeconds;
    if (this.options?.retryAfterFormat !== 'date') return String(seconds);
    // HTTP dates have whole seconds: round up so the client never comes back early.
    return new Date(Math.ceil((now + seconds * 1000) / 1000) * 1000).toUTCString();
  }

  /** The fault for the next call, or undefined to serve it normally. */
  next(): FaultKind | undefined {
    const options = this.options;
    if (!options || options.rate <= 0 || options.kinds.length === 0) return undefined;
    // Always draw both numbers so the sequence does not depend on which branch was taken.
    const roll = this.random();
    const pick = this.random();
    if (roll >= options.rate) return undefined;
    return options.kinds[Math.min(options.kinds.length - 1, Math.floor(pick * options.kinds.length))];
  }
}
