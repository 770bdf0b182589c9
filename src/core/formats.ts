/** Writes rendered record bodies in a destination's content format, one record or a batch per body. */
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { XMLBuilder } from 'fast-xml-parser';
import { type ContentFormat } from './types';

export const CONTENT_TYPES: Readonly<Record<ContentFormat, string>> = {
  json: 'application/json',
  ndjson: 'application/x-ndjson',
  csv: 'text/csv; charset=utf-8',
  tsv: 'text/tab-separated-values; charset=utf-8',
  xml: 'application/xml',
  form: 'application/x-www-form-urlencoded',
  text: 'text/plain; charset=utf-8',
};

/** Formats that can carry several records in one body. */
export function formatSupportsBatch(format: ContentFormat): boolean {
  return format !== 'form';
}

/**
 * The body for one record (`batch` false, exactly one value) or for a batch (a JSON array,
 * NDJSON lines, CSV/TSV rows under one header, `<records>` in XML, text lines).
 */
export function serializeBody(format: ContentFormat, values: readonly unknown[], batch: boolean): string {
  switch (format) {
    case 'json':
      return JSON.stringify(batch ? values : values[0]);
    case 'ndjson':
      return values.map((value) => JSON.stringify(value)).join('\n') + '\n';
    case 'csv':
      return toDelimited(values, ',');
    case 'tsv':
      return toDelimited(values, '\t');
    case 'xml':
      return toXml(values, batch);
    case 'form':
      return toForm(values[0]);
    case 'text':
      return values.map(toText).join('\n');
  }
}

/** Text for a value placed in text: strings as they are, numbers and booleans printed, the rest as JSON. */
export function valueAsText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return value.toString();
  return JSON.stringify(value) ?? '';
}

function toText(value: unknown): string {
  return valueAsText(value);
}

/** A cell: like valueAsText, with null as empty. */
function toCell(value: unknown): string {
  return value === null || value === undefined ? '' : valueAsText(value);
}

function asRow(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
}

/** Header + rows; the columns are every key seen, in order of first appearance. */
function toDelimited(values: readonly unknown[], delimiter: string): string {
  const rows = values.map(asRow);
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
    }
  }
  const lines = rows.map((row) => columns.map((column) => toCell(row[column])));
  return stringifyCsv([columns, ...lines], { delimiter, record_delimiter: 'unix' });
}

function toForm(value: unknown): string {
  const params = new URLSearchParams();
  for (const [key, field] of Object.entries(asRow(value))) params.append(key, toCell(field));
  return params.toString();
}

const xmlBuilder = new XMLBuilder({ ignoreAttributes: true, suppressEmptyNode: false });

/** XML element names cannot start with a digit or hold spaces: such keys get an underscore. */
function xmlSafe(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(xmlSafe);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    let name = key.replace(/[^A-Za-z0-9_.-]/g, '_');
    if (!/^[A-Za-z_]/.test(name)) name = `_${name}`;
    out[name] = xmlSafe(field);
  }
  return out;
}

function toXml(values: readonly unknown[], batch: boolean): string {
  const declaration = '<?xml version="1.0" encoding="UTF-8"?>';
  const content = batch ? { records: { record: values.map(xmlSafe) } } : { record: xmlSafe(values[0]) };
  return declaration + String(xmlBuilder.build(content));
}
