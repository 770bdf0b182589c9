import { HttpError, isJsonMediaType, parseJsonOrThrow } from './http';

export type BodyFormat = 'empty' | 'json' | 'ndjson' | 'form' | 'text';

export interface ParsedBody {
  format: BodyFormat;
  /** JSON value, array of NDJSON values, form object, or the raw text. */
  value: unknown;
}

const NDJSON_TYPES = new Set(['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/jsonlines']);

/** Parses a body by its media type, the way the echo endpoint reports it; malformed JSON or NDJSON is a 400. */
export function parseBody(bytes: Buffer, type: string | undefined): ParsedBody {
  if (bytes.length === 0) return { format: 'empty', value: '' };
  const text = bytes.toString('utf8');
  if (isJsonMediaType(type)) return { format: 'json', value: parseJsonOrThrow(text) };
  if (type !== undefined && NDJSON_TYPES.has(type)) return { format: 'ndjson', value: parseNdjson(text) };
  if (type === 'application/x-www-form-urlencoded') return { format: 'form', value: parseForm(text) };
  return { format: 'text', value: text };
}

function parseNdjson(text: string): unknown[] {
  const values: unknown[] = [];
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index];
    if (line.trim() === '') continue;
    try {
      values.push(JSON.parse(line) as unknown);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new HttpError(400, 'malformed_ndjson', `Line ${index + 1} of the NDJSON body is not valid JSON: ${reason}`);
    }
  }
  return values;
}

/** Form fields as an object; a repeated name becomes an array of its values. */
function parseForm(text: string): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const existing = fields[name];
    if (existing === undefined) fields[name] = value;
    else fields[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return fields;
}
