/**
 * Streams the records of a data file with the 1-based line where each starts, in flat memory:
 * CSV/TSV through csv-parse (quoted fields, embedded newlines, BOM, CRLF), JSON arrays and JSON Lines
 * through a byte scanner of our own — it knows line numbers (stream-json does not) and hands each
 * record to the native JSON.parse, which is several times faster than a token stream.
 * Broken records come out as `invalid` items with their line and reason; problems with the whole
 * file (UTF-16, binary, duplicate CSV headers) throw a DataFileError before any record.
 */
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { type InputFormat, type RecordFields } from './types';

export type RecordItem =
  | { kind: 'record'; index: number; line: number; fields: RecordFields }
  | { kind: 'invalid'; index: number; line: number; reason: string; raw: string };

export interface OpenRecordsOptions {
  format?: InputFormat;
  /** Only records starting on this line or later (1-based). */
  fromLine?: number;
  /** Only records starting on this line or earlier. */
  toLine?: number;
  /** A longer record is reported invalid instead of being held in memory (default 8 MiB). */
  maxRecordBytes?: number;
  /** Nesting deeper than this is reported invalid (default 256). */
  maxDepth?: number;
}

export interface RecordSource extends AsyncIterable<RecordItem> {
  readonly file: string;
  readonly format: InputFormat;
  readonly totalBytes: number;
  /** Bytes consumed so far (progress when the record count is not known yet). */
  readonly bytesRead: number;
  /** The CSV/TSV header, once read. */
  readonly columns: readonly string[] | undefined;
  /** The records in file order, a read chunk at a time (cheaper than one by one for big files). */
  batches(): AsyncIterable<RecordItem[]>;
  /**
   * Reads the start of the file and throws the DataFileError of a whole-file problem (UTF-16 or binary,
   * not a JSON array or object, a bad CSV header), so that it is refused before anything is sent.
   */
  check(): Promise<void>;
}

export class DataFileError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'DataFileError';
  }
}

/**
 * Read size of the JSON readers, which hand the engine one array of records per chunk. 64 KB keeps
 * fewer records alive at once than 256 KB did, so fewer survive into V8's old space: a dry run over
 * 1 GB of JSON Lines peaked at about 155 MB resident with 256 KB and 144 MB with 64 KB, at the same
 * speed (npm run bench, memory row).
 */
const JSON_CHUNK_BYTES = 64 * 1024;
const DEFAULT_MAX_RECORD_BYTES = 8 * 1024 * 1024;
const DEFAULT_MAX_DEPTH = 256;
const RAW_EXCERPT_CHARS = 200;
const NEWLINE = 0x0a;

const EXTENSION_FORMATS: Readonly<Record<string, InputFormat>> = {
  '.json': 'json',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.tab': 'tsv',
};

function readHead(file: string, bytes: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const read = readSync(fd, buffer, 0, bytes, 0);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** The format by extension; for other names, by the first bytes. */
export function detectInputFormat(file: string): InputFormat {
  const byExtension = EXTENSION_FORMATS[path.extname(file).toLowerCase()];
  if (byExtension) return byExtension;
  const head = stripBom(readHead(file, 64 * 1024)).toString('utf8');
  const start = head.trimStart();
  if (start.startsWith('[')) return 'json';
  if (start.startsWith('{')) {
    const firstLine = start.split('\n', 1)[0].trim();
    try {
      JSON.parse(firstLine);
      return 'jsonl';
    } catch {
      return 'json';
    }
  }
  return (head.split('\n', 1)[0] ?? '').includes('\t') ? 'tsv' : 'csv';
}

function stripBom(buffer: Buffer): Buffer {
  return buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? buffer.subarray(3) : buffer;
}

/** Refuses files that are not UTF-8 text before any record is read. */
function checkEncoding(file: string): void {
  const head = readHead(file, 64 * 1024);
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new DataFileError(`${file} is UTF-16 text: save it as UTF-8 and try again.`, file);
  }
  const nul = head.indexOf(0);
  if (nul !== -1) {
    const line = 1 + countNewlines(head, 0, nul);
    throw new DataFileError(`${file} holds a NUL byte at line ${line}: it looks binary (or UTF-16 without a byte order mark); save it as UTF-8 text.`, file, line);
  }
}

function countNewlines(buffer: Buffer, from: number, to: number): number {
  let count = 0;
  let at = buffer.indexOf(NEWLINE, from);
  while (at !== -1 && at < to) {
    count++;
    at = buffer.indexOf(NEWLINE, at + 1);
  }
  return count;
}

function excerpt(text: string): string {
  return text.length > RAW_EXCERPT_CHARS ? `${text.slice(0, RAW_EXCERPT_CHARS)}…` : text;
}

/** Opens a data file for streaming. Throws DataFileError when the file cannot be read at all. */
export function openRecords(file: string, options: OpenRecordsOptions = {}): RecordSource {
  let totalBytes: number;
  try {
    const stats = statSync(file);
    if (!stats.isFile()) throw new DataFileError(`${file} is not a file.`, file);
    totalBytes = stats.size;
  } catch (error) {
    if (error instanceof DataFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new DataFileError(code === 'ENOENT' ? `The data file ${file} does not exist.` : `The data file ${file} cannot be read (${(error as Error).message}).`, file);
  }
  const format = options.format ?? detectInputFormat(file);
  const state = { bytesRead: 0, columns: undefined as string[] | undefined };
  const limits = { maxRecordBytes: options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES, maxDepth: options.maxDepth ?? DEFAULT_MAX_DEPTH };
  const fromLine = options.fromLine ?? 1;
  const toLine = options.toLine ?? Number.POSITIVE_INFINITY;

  async function* batches(): AsyncGenerator<RecordItem[]> {
    checkEncoding(file);
    // Each reading starts from the top: what check() (or an earlier reading) read is not progress.
    state.bytesRead = 0;
    const reader =
      format === 'csv' || format === 'tsv'
        ? readDelimited(file, format === 'tsv' ? '\t' : ',', limits, state)
        : format === 'jsonl'
          ? readJsonLines(file, limits, state)
          : readJsonDocument(file, limits, state);
    const selecting = fromLine > 1 || toLine !== Number.POSITIVE_INFINITY;
    for await (const items of reader) {
      if (!selecting) {
        yield items;
        continue;
      }
      const selected = items.filter((item) => item.line >= fromLine && item.line <= toLine);
      if (selected.length > 0) yield selected;
      if (items.some((item) => item.line > toLine)) return;
    }
  }

  async function* each(): AsyncGenerator<RecordItem> {
    for await (const items of batches()) yield* items;
  }

  async function check(): Promise<void> {
    const reading = batches();
    try {
      await reading.next();
    } finally {
      await reading.return(undefined);
    }
  }

  return {
    file,
    format,
    totalBytes,
    get bytesRead() {
      return state.bytesRead;
    },
    get columns() {
      return state.columns;
    },
    batches,
    check,
    [Symbol.asyncIterator]: () => each(),
  };
}

interface Limits {
  maxRecordBytes: number;
  maxDepth: number;
}
interface ReadState {
  bytesRead: number;
  columns: string[] | undefined;
}

/** A field path holding an integer beyond 2^53 (JSON.parse rounds it) or beyond a double's range (Infinity), or undefined. */
function findUnsafeInteger(value: unknown, where = ''): string | undefined {
  if (typeof value === 'number') return !Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value)) ? where || '(value)' : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    const found = findUnsafeInteger(child, where ? `${where}.${key}` : key);
    if (found) return found;
  }
  return undefined;
}

/** What the UTF-8 decoder puts in place of bytes that are not UTF-8. */
const REPLACEMENT_CHARACTER = '\uFFFD';

/**
 * A record holding bytes that are not UTF-8 (a Latin-1 or Windows-1252 file, a corrupted one) would
 * be sent with � in place of its characters: an email that names nobody, reported delivered.
 */
function notUtf8(index: number, line: number, nameOfUnit: string, raw: string): RecordItem {
  return {
    kind: 'invalid',
    index,
    line,
    reason: `${nameOfUnit} holds bytes that are not UTF-8 text (shown as ${REPLACEMENT_CHARACTER}): save the file as UTF-8 and send it again`,
    raw: excerpt(raw),
  };
}

function describeJsonValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}

/** One JSON text → a record or the reason it is not one. */
function parseJsonRecord(text: string, index: number, line: number, nameOfUnit: string): RecordItem {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { kind: 'invalid', index, line, reason: `${nameOfUnit} is not valid JSON: ${(error as Error).message}`, raw: excerpt(text) };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { kind: 'invalid', index, line, reason: `${nameOfUnit} is ${describeJsonValue(value)}, not an object`, raw: excerpt(text) };
  }
  // Digits runs this long are the only way to write an integer JSON.parse cannot hold exactly, and
  // exponents this long the only way to overflow a double (1e400 would be sent as null).
  if (/\d{16,}|[eE]\+?\d{3,}/.test(text)) {
    const field = findUnsafeInteger(value);
    if (field) {
      return {
        kind: 'invalid',
        index,
        line,
        reason: /[eE]\+?\d{3,}/.test(text) && !/\d{16,}/.test(text)
          ? `field "${field}" holds a number too large for JSON numbers here (it would be sent as null): write it as a string ("...") in the file`
          : `field "${field}" holds a number beyond 2^53 that would be sent rounded: write it as a string ("...") in the file`,
        raw: excerpt(text),
      };
    }
  }
  if (text.includes(REPLACEMENT_CHARACTER)) return notUtf8(index, line, nameOfUnit, text);
  return { kind: 'record', index, line, fields: value as RecordFields };
}

async function* readJsonLines(file: string, limits: Limits, state: ReadState): AsyncGenerator<RecordItem[]> {
  let index = 0;
  let line = 1;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let tooLong = false;
  let first = true;

  const finishLine = (tail: Buffer): RecordItem | undefined => {
    const parts = pendingBytes > 0 ? [...pending, tail] : [tail];
    const wasTooLong = tooLong;
    const size = pendingBytes + tail.length;
    pending = [];
    pendingBytes = 0;
    tooLong = false;
    if (wasTooLong) {
      return { kind: 'invalid', index: index++, line, reason: `the line is longer than ${limits.maxRecordBytes} bytes`, raw: '' };
    }
    const text = (parts.length === 1 ? parts[0] : Buffer.concat(parts, size)).toString('utf8').trim();
    if (text === '') return undefined;
    const item = parseJsonRecord(text, index++, line, `line ${line}`);
    return item;
  };

  for await (const chunk of createReadStream(file, { highWaterMark: JSON_CHUNK_BYTES })) {
    let buffer = chunk as Buffer;
    state.bytesRead += buffer.length;
    if (first) {
      buffer = stripBom(buffer);
      first = false;
    }
    const out: RecordItem[] = [];
    let start = 0;
    let newline = buffer.indexOf(NEWLINE, start);
    while (newline !== -1) {
      const item = finishLine(buffer.subarray(start, newline));
      if (item) out.push(item);
      line++;
      start = newline + 1;
      newline = buffer.indexOf(NEWLINE, start);
    }
    if (start < buffer.length) {
      const rest = buffer.subarray(start);
      if (tooLong || pendingBytes + rest.length > limits.maxRecordBytes) {
        tooLong = true;
        pending = [];
        pendingBytes = 0;
      } else {
        pending.push(rest);
        pendingBytes += rest.length;
      }
    }
    if (out.length > 0) yield out;
  }
  const last = finishLine(Buffer.alloc(0));
  if (last) yield [last];
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

function isJsonWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/**
 * A JSON array of objects (streamed element by element) or a single object. The scanner only finds
 * where each element starts and ends (depth, strings, escapes); JSON.parse checks each element.
 */
async function* readJsonDocument(file: string, limits: Limits, state: ReadState): AsyncGenerator<RecordItem[]> {
  type Phase = 'start' | 'beforeElement' | 'inElement' | 'afterElement' | 'afterSingle' | 'end';
  let phase = 'start' as Phase;
  let single = false;
  let index = 0;
  let line = 1;
  let elementLine = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let scalar = false;
  let parts: Buffer[] = [];
  let partsBytes = 0;
  let tooLong = false;
  let tooDeep = false;
  let first = true;

  const keep = (buffer: Buffer, from: number, to: number): void => {
    if (tooLong || to <= from) return;
    if (partsBytes + (to - from) > limits.maxRecordBytes) {
      tooLong = true;
      parts = [];
      partsBytes = 0;
      return;
    }
    parts.push(buffer.subarray(from, to));
    partsBytes += to - from;
  };
  const finishElement = (): RecordItem => {
    const unit = single ? 'the object' : `the record at line ${elementLine}`;
    let item: RecordItem;
    if (tooLong) item = { kind: 'invalid', index, line: elementLine, reason: `${unit} is larger than ${limits.maxRecordBytes} bytes`, raw: '' };
    else if (tooDeep) item = { kind: 'invalid', index, line: elementLine, reason: `${unit} is nested deeper than ${limits.maxDepth} levels`, raw: '' };
    else item = parseJsonRecord(Buffer.concat(parts, partsBytes).toString('utf8'), index, elementLine, unit);
    index++;
    parts = [];
    partsBytes = 0;
    tooLong = false;
    tooDeep = false;
    return item;
  };
  const structureError = (reason: string): RecordItem => ({ kind: 'invalid', index: index++, line, reason, raw: '' });

  for await (const chunk of createReadStream(file, { highWaterMark: JSON_CHUNK_BYTES })) {
    let buffer = chunk as Buffer;
    state.bytesRead += buffer.length;
    if (first) {
      buffer = stripBom(buffer);
      first = false;
    }
    const out: RecordItem[] = [];
    let elementStart = phase === 'inElement' ? 0 : -1;
    for (let i = 0; i < buffer.length; i++) {
      const byte = buffer[i];
      if (byte === NEWLINE) line++;
      if (phase === 'inElement') {
        if (inString) {
          if (escaped) escaped = false;
          else if (byte === BACKSLASH) escaped = true;
          else if (byte === QUOTE) {
            inString = false;
            if (depth === 0) {
              // A string element is complete.
              keep(buffer, elementStart, i + 1);
              out.push(finishElement());
              phase = 'afterElement';
            }
          }
          continue;
        }
        if (scalar) {
          if (byte === COMMA || byte === CLOSE_BRACKET || isJsonWhitespace(byte)) {
            keep(buffer, elementStart, i);
            out.push(finishElement());
            scalar = false;
            phase = 'afterElement';
            i--; // the separator is handled by the afterElement phase
            if (byte === NEWLINE) line--;
          }
          continue;
        }
        if (byte === QUOTE) inString = true;
        else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
          depth++;
          if (depth > limits.maxDepth) tooDeep = true;
        } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
          depth--;
          if (depth === 0) {
            keep(buffer, elementStart, i + 1);
            out.push(finishElement());
            phase = single ? 'afterSingle' : 'afterElement';
          }
        }
        continue;
      }
      if (isJsonWhitespace(byte)) continue;
      switch (phase) {
        case 'start':
          if (byte === OPEN_BRACKET) phase = 'beforeElement';
          else if (byte === OPEN_BRACE) {
            single = true;
            phase = 'inElement';
            elementStart = i;
            elementLine = line;
            depth = 1;
          } else {
            throw new DataFileError(`${file} is not a JSON array or object: it starts with "${String.fromCharCode(byte)}" at line ${line}. Use --format if it is another format.`, file, line);
          }
          break;
        case 'beforeElement':
          if (byte === CLOSE_BRACKET) {
            // `[]`, and a trailing comma before `]`, which people write and JSON5 allows.
            phase = 'end';
            break;
          }
          phase = 'inElement';
          elementStart = i;
          elementLine = line;
          depth = 0;
          if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth = 1;
          else if (byte === QUOTE) inString = true;
          else scalar = true;
          break;
        case 'afterElement':
          if (byte === COMMA) phase = 'beforeElement';
          else if (byte === CLOSE_BRACKET) phase = 'end';
          else {
            out.push(structureError(`expected "," or "]" after the record but found "${String.fromCharCode(byte)}"; reading stopped here, records after line ${line} were not read`));
            yield out;
            return;
          }
          break;
        case 'afterSingle':
        case 'end':
          out.push(structureError(`unexpected "${String.fromCharCode(byte)}" after the end of the JSON ${phase === 'end' ? 'array' : 'object'}; the rest was not read`));
          yield out;
          return;
      }
    }
    if (phase === 'inElement') keep(buffer, elementStart, buffer.length);
    if (out.length > 0) yield out;
  }
  if (phase === 'inElement' && scalar) {
    yield [finishElement()];
    phase = 'afterElement';
  }
  if (phase === 'inElement') {
    const item = finishElement();
    yield [item.kind === 'invalid' ? { ...item, reason: `the file ends inside the record that starts at line ${elementLine} (truncated?): ${item.reason}` } : item];
  } else if (phase === 'beforeElement' || phase === 'afterElement') {
    yield [structureError('the JSON array is not closed (no final "]"): the file may be truncated')];
  }
}

/** Counts newlines up to a byte offset in a stream it sees pass by, keeping only the bytes not counted yet. */
class NewlineCounter extends Transform {
  private readonly chunks: Buffer[] = [];
  private chunkStart = 0;
  private countedTo = 0;
  private newlines = 0;

  constructor(private readonly state: ReadState) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.chunks.push(chunk);
    this.state.bytesRead += chunk.length;
    callback(null, chunk);
  }

  /** Newlines in bytes [0, offset) of the stream; offsets must not go backwards. */
  newlinesBefore(offset: number): number {
    while (this.countedTo < offset && this.chunks.length > 0) {
      const head = this.chunks[0];
      const headEnd = this.chunkStart + head.length;
      const to = Math.min(offset, headEnd);
      this.newlines += countNewlines(head, this.countedTo - this.chunkStart, to - this.chunkStart);
      this.countedTo = to;
      if (to === headEnd) {
        this.chunks.shift();
        this.chunkStart = headEnd;
      }
    }
    return this.newlines;
  }
}

function countTextNewlines(fields: readonly string[]): number {
  let count = 0;
  for (const field of fields) {
    for (let at = field.indexOf('\n'); at !== -1; at = field.indexOf('\n', at + 1)) count++;
  }
  return count;
}

interface CsvRow {
  record: string[];
  info: { bytes: number };
}

async function* readDelimited(file: string, delimiter: string, limits: Limits, state: ReadState): AsyncGenerator<RecordItem[]> {
  const counter = new NewlineCounter(state);
  const parser = parseCsv({
    delimiter,
    bom: true,
    info: true,
    skip_empty_lines: true,
    relax_column_count: true,
    // A quote inside an unquoted field (5" screen) is a character, not the start of a quoted field.
    relax_quotes: true,
    max_record_size: limits.maxRecordBytes,
  });
  const input = createReadStream(file, { highWaterMark: 256 * 1024 });
  // Rows are drained with read() as they come: one await per read chunk, not per row.
  let ended = false;
  let failure: Error | undefined;
  let signalled = true;
  let notify: (() => void) | undefined;
  const wake = (): void => {
    signalled = true;
    notify?.();
    notify = undefined;
  };
  parser.on('readable', wake);
  parser.on('end', () => {
    ended = true;
    wake();
  });
  parser.on('error', (error: Error) => {
    failure = error;
    wake();
  });
  input.on('error', (error) => parser.destroy(error));
  input.pipe(counter).pipe(parser);

  let columns: string[] | undefined;
  let index = 0;
  let lastEndLine = 0;
  try {
    for (;;) {
      signalled = false;
      const out: RecordItem[] = [];
      for (let row = parser.read() as CsvRow | null; row !== null; row = parser.read() as CsvRow | null) {
        // info.bytes is the offset just past the row's delimiter; the row's last line is where byte offset-1 sits.
        const endLine = 1 + counter.newlinesBefore(Math.max(0, row.info.bytes - 1));
        const line = endLine - countTextNewlines(row.record);
        lastEndLine = endLine;
        if (!columns) {
          columns = checkHeader(file, row.record, line);
          state.columns = columns;
          continue;
        }
        if (row.record.length !== columns.length) {
          out.push({
            kind: 'invalid',
            index: index++,
            line,
            reason: `the row has ${row.record.length} field${row.record.length === 1 ? '' : 's'} but the header has ${columns.length}`,
            raw: excerpt(row.record.join(delimiter)),
          });
          continue;
        }
        if (row.record.some((field) => field.includes(REPLACEMENT_CHARACTER))) {
          out.push(notUtf8(index++, line, `the row at line ${line}`, row.record.join(delimiter)));
          continue;
        }
        const fields: RecordFields = {};
        for (let i = 0; i < columns.length; i++) fields[columns[i]] = row.record[i];
        out.push({ kind: 'record', index: index++, line, fields });
      }
      if (out.length > 0) yield out;
      if (failure) {
        const reason = failure.message.replace(/ at line \d+/, '');
        yield [{ kind: 'invalid', index, line: lastEndLine + 1, reason: `${reason}; reading stopped here, records after line ${lastEndLine} were not read`, raw: '' }];
        return;
      }
      if (ended) return;
      if (!signalled) await new Promise<void>((resolve) => (notify = resolve));
    }
  } finally {
    input.destroy();
    parser.destroy();
  }
}

function checkHeader(file: string, header: string[], line: number): string[] {
  const seen = new Map<string, number>();
  header.forEach((name, position) => {
    if (name.trim() === '') throw new DataFileError(`${file}: column ${position + 1} of the header (line ${line}) has no name; every column needs one.`, file, line);
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      throw new DataFileError(`${file}: the header (line ${line}) names "${name}" twice (columns ${earlier + 1} and ${position + 1}); rename one.`, file, line);
    }
    seen.set(name, position);
  });
  return header;
}
