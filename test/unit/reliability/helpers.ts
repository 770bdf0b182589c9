// Shared by the reliability, bad-input and security suites: soak switch, figures, record bookkeeping.
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { RecordMark, readReport, type RunReport } from '../../../src/core/report';
import { type SandboxStats } from '../../../src/sandbox/server';
import { repoRoot } from '../core/paths';

/** `npm run test:soak` sets HOTJAR_SOAK=1: the long variants (bounded to a few minutes in all). */
export const SOAK = process.env.HOTJAR_SOAK === '1';

/** The quick variant's value, or the soak variant's. */
export function scaled<T>(quick: T, soak: T): T {
  return SOAK ? soak : quick;
}

/**
 * Prints one line of figures for the README and appends it to test-output/unit/reliability-figures.jsonl.
 * Figures are facts measured by a passing test (records sent, faults injected, kills, leaks found).
 */
export function recordFigures(suite: string, figures: Record<string, number | string>): void {
  const line = { suite, variant: SOAK ? 'soak' : 'quick', at: new Date().toISOString(), ...figures };
  console.log(`      figures: ${suite}: ${Object.entries(figures).map(([key, value]) => `${key} ${value}`).join(', ')}`);
  try {
    const dir = path.join(process.env.HOTJAR_TEST_OUTPUT ? path.resolve(process.env.HOTJAR_TEST_OUTPUT) : path.join(repoRoot(), 'test-output'), 'unit');
    mkdirSync(dir, { recursive: true });
    appendFileSync(path.join(dir, 'reliability-figures.jsonl'), `${JSON.stringify(line)}\n`);
  } catch {
    // the figures are printed anyway
  }
}

/** `person17@example.com` → 17 (the index of the record that carries it). */
export function indexOfSubject(subject: string, prefix = 'person'): number {
  const match = new RegExp(`^${prefix}(\\d+)@`).exec(subject);
  if (!match) throw new Error(`unexpected subject ${subject}`);
  return Number(match[1]);
}

/** Every record index the sandbox received at least once. */
export function receivedIndices(stats: SandboxStats, prefix = 'person'): Set<number> {
  const indices = new Set<number>();
  for (const call of stats.received) if (call.subject !== undefined) indices.add(indexOfSubject(call.subject, prefix));
  return indices;
}

/** The indices a report says were delivered. */
export function deliveredIndices(report: RunReport, total: number): Set<number> {
  const delivered = new Set<number>();
  for (let index = 0; index < total; index++) if (report.marks.get(index) === RecordMark.Delivered) delivered.add(index);
  return delivered;
}

export { readReport };

/** Polls `condition` until it holds; fails with `what` after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs: number, what: string, intervalMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
