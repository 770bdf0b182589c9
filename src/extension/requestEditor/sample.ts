/**
 * The sample data file behind the preview: its first valid record, read with the core's openRecords
 * (the same reader a send uses, so the preview sees the record exactly as a send would).
 * No vscode import: unit-tested in plain Node.
 */
import { DataFileError, openRecords } from '../../core/records';
import { type RecordFields } from '../../core/types';

/** Invalid lines skipped at most before giving up on finding a first record. */
const MAX_ITEMS_SCANNED = 1000;
const MAX_LISTED_FIELDS = 200;
const MAX_FIELD_DEPTH = 4;

export interface FirstRecord {
  record: RecordFields;
  /** 1-based line where the record starts. */
  line: number;
  /** Dotted paths of its fields, nested objects flattened (what `{{field}}` can name). */
  fields: string[];
  /** Invalid records before it, each "line N: reason". */
  skipped: string[];
}

export class SampleFileError extends Error {}

/** Dotted paths of a record's fields, e.g. `email`, `user.id`; arrays and scalars are leaves. */
export function fieldPaths(record: RecordFields): string[] {
  const paths: string[] = [];
  const walk = (value: unknown, prefix: string, depth: number): void => {
    if (paths.length >= MAX_LISTED_FIELDS) return;
    const nested = value !== null && typeof value === 'object' && !Array.isArray(value) && depth < MAX_FIELD_DEPTH;
    if (!nested || Object.keys(value).length === 0) {
      if (prefix) paths.push(prefix);
      return;
    }
    for (const [key, child] of Object.entries(value)) walk(child, prefix ? `${prefix}.${key}` : key, depth + 1);
  };
  walk(record, '', 0);
  return paths;
}

export async function readFirstRecord(file: string): Promise<FirstRecord> {
  const skipped: string[] = [];
  let scanned = 0;
  try {
    for await (const item of openRecords(file)) {
      if (item.kind === 'record') return { record: item.fields, line: item.line, fields: fieldPaths(item.fields), skipped };
      skipped.push(`line ${item.line}: ${item.reason}`);
      if (++scanned >= MAX_ITEMS_SCANNED) break;
    }
  } catch (error) {
    if (error instanceof DataFileError) throw new SampleFileError(error.message);
    throw error;
  }
  const why = skipped.length > 0 ? ` (${skipped.length} invalid record${skipped.length === 1 ? '' : 's'}, first: ${skipped[0]})` : '';
  throw new SampleFileError(`${file} holds no valid record${why}.`);
}
