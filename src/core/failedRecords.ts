/**
 * The failed-records file: failed and skipped records in the input's own format (CSV/TSV header +
 * rows, JSON Lines, a JSON array), ready to fix and send again. Opened at the first record, written
 * synchronously like the report; a JSON array is kept closed after every write (the closing bracket
 * is overwritten by the next record), so the file is valid even after a kill.
 */
import { closeSync, openSync } from 'node:fs';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { ReportFileError, writeWholeSync } from './report';
import { type InputFormat, type RecordFields } from './types';

const JSON_ARRAY_END = '\n]\n';

export class FailedRecordsWriter {
  private fd: number | undefined;
  private jsonEnd = 0;
  count = 0;

  constructor(
    readonly file: string,
    private readonly format: InputFormat,
    /** The CSV/TSV header (the reader knows it once the file is open). */
    private readonly columns: () => readonly string[] | undefined,
  ) {}

  add(fields: RecordFields): void {
    const fd = this.open();
    try {
      switch (this.format) {
        case 'jsonl':
          writeWholeSync(fd, JSON.stringify(fields) + '\n');
          break;
        case 'json': {
          const text = (this.count === 0 ? '[\n' : ',\n') + JSON.stringify(fields) + JSON_ARRAY_END;
          const position = this.count === 0 ? 0 : this.jsonEnd - JSON_ARRAY_END.length;
          writeWholeSync(fd, text, position);
          this.jsonEnd = position + Buffer.byteLength(text);
          break;
        }
        case 'csv':
        case 'tsv': {
          const columns = this.columns() ?? Object.keys(fields);
          const rows: unknown[][] = [];
          if (this.count === 0) rows.push([...columns]);
          rows.push(columns.map((column) => fields[column] ?? ''));
          writeWholeSync(fd, stringifyCsv(rows, { delimiter: this.format === 'tsv' ? '\t' : ',', record_delimiter: 'unix' }));
          break;
        }
      }
    } catch (error) {
      throw new ReportFileError(`Cannot write the failed-records file ${this.file}: ${(error as Error).message}.`, this.file);
    }
    this.count++;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): number {
    if (this.fd === undefined) {
      try {
        this.fd = openSync(this.file, 'w');
      } catch (error) {
        throw new ReportFileError(`Cannot write the failed-records file ${this.file}: ${(error as Error).message}.`, this.file);
      }
    }
    return this.fd;
  }
}
