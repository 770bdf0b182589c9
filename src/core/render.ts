/**
 * Turns a destination and records into requests. Placeholders: `{name}` (URL only) from the
 * destination's parameters, URL-encoded; `{{field}}` (URL query, headers, body) from the record,
 * dotted paths for nested fields. A missing or empty field makes the record invalid: nothing is
 * ever sent with a hole in it.
 */
import { CONTENT_TYPES, serializeBody, valueAsText } from './formats';
import { type PreparedRequest, type RecordFields, type ResolvedDestination } from './types';

export type { RecordFields } from './types';

/** `{name}` with single braces (not part of `{{...}}`). */
export const PARAMETER_PLACEHOLDER = /(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)\}(?!\})/g;
/** `{{field}}` or `{{ user.email }}`. */
export const FIELD_PLACEHOLDER = /\{\{\s*([^{}\s]+)\s*\}\}/g;
const EXACT_FIELD_PLACEHOLDER = /^\{\{\s*([^{}\s]+)\s*\}\}$/;

export function hasFieldPlaceholder(text: string): boolean {
  return /\{\{\s*[^{}\s]+\s*\}\}/.test(text);
}

export class InvalidRecordError extends Error {
  constructor(
    message: string,
    /** The record field at fault (a dotted path), when one is. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'InvalidRecordError';
  }
}

/**
 * A field's value: the exact key first (CSV headers may contain dots), then the dotted path.
 * `undefined` when absent.
 */
export function lookupField(record: RecordFields, path: string): unknown {
  if (Object.prototype.hasOwnProperty.call(record, path)) return record[path];
  let current: unknown = record;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function requireField(record: RecordFields, path: string): unknown {
  const value = lookupField(record, path);
  if (value === undefined || value === null) {
    throw new InvalidRecordError(`the record has no field "${path}"`, path);
  }
  if (value === '') throw new InvalidRecordError(`the field "${path}" is empty`, path);
  return value;
}

/** String interpolation of `{{field}}`; `encode` is applied to each inserted value. */
export function interpolateFields(template: string, record: RecordFields, encode: (text: string) => string = (t) => t): string {
  return template.replace(FIELD_PLACEHOLDER, (_match, path: string) => encode(valueAsText(requireField(record, path))));
}

type Renderer = (record: RecordFields) => unknown;

/** Compiled body templates, by template object: a run renders the same template for every record. */
const compiledBodies = new WeakMap<object, Renderer>();

/** The body template with the record's values in it; no template: the record itself. */
export function renderRecordBody(destination: ResolvedDestination, record: RecordFields): unknown {
  const template = destination.request.body;
  if (template === undefined) return record;
  if (template === null || typeof template !== 'object') return compileValue(template)(record);
  let renderer = compiledBodies.get(template);
  if (!renderer) {
    renderer = compileValue(template);
    compiledBodies.set(template, renderer);
  }
  return renderer(record);
}

/** Turns a template value into a function of the record, so placeholders are found once, not per record. */
function compileValue(template: unknown): Renderer {
  if (typeof template === 'string') {
    const exact = EXACT_FIELD_PLACEHOLDER.exec(template);
    if (exact) {
      const path = exact[1];
      return (record) => requireField(record, path);
    }
    if (!hasFieldPlaceholder(template)) return () => template;
    return (record) => interpolateFields(template, record);
  }
  if (Array.isArray(template)) {
    const items = template.map(compileValue);
    return (record) => items.map((item) => item(record));
  }
  if (template !== null && typeof template === 'object') {
    const entries = Object.entries(template).map(([key, value]) => [key, compileValue(value)] as const);
    return (record) => {
      const out: Record<string, unknown> = {};
      for (const [key, render] of entries) out[key] = render(record);
      return out;
    };
  }
  return () => template;
}

/** URL templates with their parameters in, per destination object (a run renders the same URL for every record). */
const urlsWithParameters = new WeakMap<ResolvedDestination, { template: string; parameters: Record<string, string>; url: string }>();

function urlWithParameters(destination: ResolvedDestination): string {
  const cached = urlsWithParameters.get(destination);
  if (cached && cached.template === destination.request.url && cached.parameters === destination.parameters) return cached.url;
  const url = destination.request.url.replace(PARAMETER_PLACEHOLDER, (match, name: string) => {
    const value = destination.parameters[name];
    // parseDestination refuses unknown parameters; this only guards direct callers.
    if (value === undefined) throw new InvalidRecordError(`the destination has no parameter "${name}" for ${match} in the URL`);
    return encodeURIComponent(value);
  });
  urlsWithParameters.set(destination, { template: destination.request.url, parameters: destination.parameters, url });
  return url;
}

/** The URL with parameters in the path and record fields in the query (both URL-encoded). */
export function renderUrl(destination: ResolvedDestination, record?: RecordFields): string {
  const withParameters = urlWithParameters(destination);
  if (!hasFieldPlaceholder(withParameters)) return withParameters;
  if (!record) throw new InvalidRecordError('the URL needs record fields, but there is no record');
  return interpolateFields(withParameters, record, encodeURIComponent);
}

export function renderHeaders(destination: ResolvedDestination, record?: RecordFields): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, template] of Object.entries(destination.request.headers)) {
    const value = record ? interpolateFields(template, record) : template;
    if (/[\r\n]/.test(value)) throw new InvalidRecordError(`the header "${name}" would contain a line break`, name);
    headers[name] = value;
  }
  return headers;
}

/**
 * The request for one record, or for a batch (`mode: "batch"`, several records in one body; URL and
 * headers then hold no record placeholders, which parseDestination ensures).
 * Throws InvalidRecordError naming the field when a record cannot be rendered.
 */
export function renderRequest(destination: ResolvedDestination, records: RecordFields | readonly RecordFields[]): PreparedRequest {
  const list = Array.isArray(records) ? (records as readonly RecordFields[]) : [records as RecordFields];
  const batch = Array.isArray(records);
  return buildRequest(
    destination,
    list.map((record) => renderRecordBody(destination, record)),
    batch,
    list[0],
  );
}

/** A request from bodies rendered already (the engine renders record by record to skip invalid ones). */
export function buildRequest(destination: ResolvedDestination, bodies: readonly unknown[], batch: boolean, firstRecord?: RecordFields): PreparedRequest {
  const { method, contentFormat } = destination.request;
  const url = renderUrl(destination, firstRecord);
  const withBody = method !== 'GET' && bodies.length > 0;
  const { headers, contentType } = requestHeaders(destination, firstRecord, withBody);
  if (!withBody) return { method, url, headers };
  return { method, url, headers, body: serializeBody(contentFormat, bodies, batch), contentType };
}

interface HeaderSet {
  headers: Record<string, string>;
  contentType: string;
}

/** Headers without record fields are the same for every request of a run: built once, shared (read-only). */
const constantHeaders = new WeakMap<ResolvedDestination, { source: Record<string, string>; withBody: HeaderSet; withoutBody: HeaderSet }>();

function requestHeaders(destination: ResolvedDestination, record: RecordFields | undefined, withBody: boolean): HeaderSet {
  const source = destination.request.headers;
  const constant = !Object.values(source).some(hasFieldPlaceholder);
  if (constant) {
    const cached = constantHeaders.get(destination);
    if (cached && cached.source === source) return withBody ? cached.withBody : cached.withoutBody;
  }
  const plain = renderHeaders(destination, record);
  const given = Object.keys(plain).find((key) => key.toLowerCase() === 'content-type');
  const contentType = given ? plain[given] : CONTENT_TYPES[destination.request.contentFormat];
  const sets = { source, withBody: { headers: given ? plain : { ...plain, 'Content-Type': contentType }, contentType }, withoutBody: { headers: plain, contentType } };
  if (constant) constantHeaders.set(destination, sets);
  return withBody ? sets.withBody : sets.withoutBody;
}

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);

/** Headers safe to show: credentials become `Bearer ****` / `****`. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!SECRET_HEADERS.has(name.toLowerCase())) out[name] = value;
    else out[name] = /^bearer\s/i.test(value) ? 'Bearer ****' : '****';
  }
  return out;
}

export function redactRequest(request: PreparedRequest): PreparedRequest {
  return { ...request, headers: redactHeaders(request.headers) };
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The request as a curl command line; `redact` (default true) hides the token. */
export function toCurl(request: PreparedRequest, options: { redact?: boolean } = {}): string {
  const headers = options.redact === false ? request.headers : redactHeaders(request.headers);
  const parts = ['curl', '-X', request.method, shellQuote(request.url)];
  for (const [name, value] of Object.entries(headers)) parts.push('-H', shellQuote(`${name}: ${value}`));
  if (request.body !== undefined) parts.push('--data-binary', shellQuote(request.body));
  return parts.join(' ');
}
