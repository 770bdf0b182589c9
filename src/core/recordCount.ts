/**
 * Counts the records of a data file before a send, so the summary and the deletion confirmation can
 * say how many data subjects are concerned. Streams like the engine (flat memory) and yields to the
 * event loop between chunks, so an editor host stays responsive while it counts.
 */
import { openRecords, type OpenRecordsOptions } from './records';

export interface RecordCount {
  /** Records that parsed (they may still fail rendering, e.g. a missing field). */
  records: number;
  /** Records the reader already knows are broken (bad JSON line, ragged CSV row). */
  invalid: number;
  /** Lines of the first few broken records, for the summary. */
  invalidLines: number[];
}

export class CountAborted extends Error {
  constructor() {
    super('Counting was cancelled.');
    this.name = 'CountAborted';
  }
}

export async function countRecords(file: string, options: OpenRecordsOptions & { signal?: AbortSignal } = {}): Promise<RecordCount> {
  const { signal, ...readOptions } = options;
  const count: RecordCount = { records: 0, invalid: 0, invalidLines: [] };
  let sinceYield = 0;
  for await (const item of openRecords(file, readOptions)) {
    if (item.kind === 'record') {
      count.records++;
    } else {
      count.invalid++;
      if (count.invalidLines.length < 5) count.invalidLines.push(item.line);
    }
    if (++sinceYield >= 5000) {
      sinceYield = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (signal?.aborted) throw new CountAborted();
    }
  }
  return count;
}
