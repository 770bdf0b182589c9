/**
 * Destination files (`*.hotjar.json`): schema validation with messages that name the field, then
 * checks the schema cannot express (template, parameters, URL rules), then the merge with the
 * template and defaults. An invalid destination is refused before anything is sent.
 */
import { readFile } from 'node:fs/promises';
import type AjvClass from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { isLoopbackHost } from './credentials';
import { DESTINATION_SCHEMA } from './destinationSchema';
import { formatSupportsBatch } from './formats';
import { PARAMETER_PLACEHOLDER, hasFieldPlaceholder } from './render';
import { BUILT_IN_TEMPLATES, DEFAULT_DELIVERY, findTemplate } from './templates';
import { type DestinationFile, type RequestTemplate, type ResolvedDestination } from './types';

export interface ValidationIssue {
  /** Dotted JSON path of the field at fault (`delivery.concurrency`, `parameters.organization_id`); '' for the whole file. */
  field: string;
  message: string;
}

export class DestinationError extends Error {
  constructor(
    message: string,
    readonly field: string,
    readonly file?: string,
    readonly issues: readonly ValidationIssue[] = [{ field, message }],
  ) {
    super(message);
    this.name = 'DestinationError';
  }
}

let compiledSchema: ValidateFunction | undefined;
function schemaValidator(): ValidateFunction {
  if (!compiledSchema) {
    // Loaded on first use, not with the bundle: ajv's modules took about 4 ms of the extension's
    // activation (npm run bench), and no destination is validated before one is opened or sent.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { default: Ajv } = require('ajv') as { default: typeof AjvClass };
    compiledSchema = new Ajv({ allErrors: true, strict: true }).compile(DESTINATION_SCHEMA);
  }
  return compiledSchema;
}

function joinPath(base: string, key: string): string {
  return base ? `${base}.${key}` : key;
}

/** `/delivery/concurrency` → `delivery.concurrency`. */
function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0];
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j];
      previous[j] = Math.min(above + 1, previous[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length];
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  const ranked = candidates
    .map((candidate) => ({ candidate, distance: editDistance(word.toLowerCase(), candidate.toLowerCase()) }))
    .sort((x, y) => x.distance - y.distance);
  return ranked[0] && ranked[0].distance <= 2 ? ranked[0].candidate : undefined;
}

function knownProperties(schemaPath: string): string[] {
  // schemaPath looks like `#/properties/request/additionalProperties`: walk to the parent schema's properties.
  const parts = schemaPath.replace(/^#\//, '').split('/').slice(0, -1);
  let node: unknown = DESTINATION_SCHEMA;
  for (const part of parts) node = (node as Record<string, unknown> | undefined)?.[part];
  const properties = (node as { properties?: Record<string, unknown> } | undefined)?.properties;
  return properties ? Object.keys(properties) : [];
}

function describeSchemaError(error: ErrorObject): ValidationIssue {
  const path = pointerToPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { field: joinPath(path, String(params.missingProperty)), message: 'is required' };
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const suggestion = closest(name, knownProperties(error.schemaPath));
      return {
        field: joinPath(path, name),
        message: `is not a known property${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
      };
    }
    case 'enum':
      return { field: path, message: `must be one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}` };
    case 'type':
      return { field: path, message: `must be ${/^[aeiou]/.test(String(params.type)) ? 'an' : 'a'} ${String(params.type)}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
      return { field: path, message: `must be ${String(params.comparison)} ${String(params.limit)}` };
    case 'minLength':
      return { field: path, message: 'must not be empty' };
    case 'pattern':
      return { field: path, message: 'may hold only letters, digits, dots, dashes and underscores (1 to 64 of them)' };
    default:
      return { field: path, message: error.message ?? `fails the "${error.keyword}" rule` };
  }
}

function templateIds(): string {
  return BUILT_IN_TEMPLATES.map((t) => t.id).join(', ');
}

/** Every problem of a destination file (schema and semantics), each naming its field. Empty: valid. */
export function validateDestinationFile(value: unknown): ValidationIssue[] {
  const validate = schemaValidator();
  if (!validate(value)) {
    const issues = (validate.errors ?? []).map(describeSchemaError);
    const seen = new Set<string>();
    return issues.filter((issue) => {
      const key = `${issue.field}\u0000${issue.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
  return semanticIssues(value as DestinationFile);
}

function semanticIssues(file: DestinationFile): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const template = file.template === undefined ? undefined : findTemplate(file.template);
  if (file.template !== undefined && !template) {
    issues.push({ field: 'template', message: `"${file.template}" is not a built-in template; use one of ${templateIds()}, or leave it out and give request.url` });
    return issues;
  }
  const request = mergeRequest(template?.request, file.request);
  const delivery = { ...DEFAULT_DELIVERY, ...template?.delivery, ...file.delivery };
  const parameters = file.parameters ?? {};

  if (!request.url) {
    issues.push({ field: 'request.url', message: 'is required when no template is given' });
    return issues;
  }
  issues.push(...urlIssues(request.url, parameters, file.request?.url !== undefined ? 'request.url' : 'template'));
  for (const required of template?.parameters ?? []) {
    if (required.required && !parameters[required.name] && !issues.some((i) => i.field === `parameters.${required.name}`)) {
      issues.push({ field: `parameters.${required.name}`, message: `is required by the template ${template!.id}: ${required.description}` });
    }
  }
  for (const name of Object.keys(request.headers)) {
    if (name.toLowerCase() === 'authorization') {
      issues.push({ field: `request.headers.${name}`, message: 'cannot be set here: the bearer token of the credential is added to every request' });
    } else if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      issues.push({ field: `request.headers.${name}`, message: 'is not a valid header name' });
    }
  }
  if (request.method === 'GET' && request.body !== undefined && file.request?.body !== undefined) {
    issues.push({ field: 'request.body', message: 'a GET request has no body: remove it or use POST' });
  }
  if (delivery.mode === 'batch') {
    if (!formatSupportsBatch(request.contentFormat)) {
      issues.push({ field: 'request.contentFormat', message: `"${request.contentFormat}" carries one record per request: use another format or delivery.mode "record"` });
    }
    const recordPlaceholderIn = [request.url, ...Object.values(request.headers)].some(hasFieldPlaceholder);
    if (recordPlaceholderIn) {
      issues.push({ field: 'delivery.mode', message: 'batch mode sends several records per request, so the URL and headers cannot hold {{field}} placeholders' });
    }
    if (request.method === 'GET') issues.push({ field: 'delivery.mode', message: 'a GET request has no body to carry a batch: use delivery.mode "record"' });
  }
  return issues;
}

function urlIssues(url: string, parameters: Record<string, string>, field: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const schemeAndHost = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(url)?.[0] ?? '';
  if (schemeAndHost.includes('{')) {
    return [{ field, message: 'placeholders are not allowed in the scheme or host: write the host literally, so it can be checked against the credential' }];
  }
  const queryStart = url.indexOf('?');
  const pathPart = queryStart === -1 ? url : url.slice(0, queryStart);
  if (hasFieldPlaceholder(pathPart)) {
    issues.push({ field, message: 'record fields ({{field}}) are allowed in the query only; put path values in parameters ({name})' });
  }
  for (const match of url.matchAll(PARAMETER_PLACEHOLDER)) {
    const name = match[1];
    if (!parameters[name]) issues.push({ field: `parameters.${name}`, message: `is required: the URL uses {${name}}` });
  }
  let parsed: URL;
  try {
    parsed = new URL(url.replace(/\{\{[^{}]*\}\}/g, 'x').replace(PARAMETER_PLACEHOLDER, 'x'));
  } catch {
    issues.push({ field, message: `"${url}" is not a valid URL` });
    return issues;
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname))) {
    issues.push({ field, message: 'must start with https:// (http:// is accepted only for 127.0.0.1, ::1 and localhost)' });
  }
  if (parsed.username || parsed.password) issues.push({ field, message: 'must not contain a user name or password' });
  return issues;
}

function mergeRequest(template: RequestTemplate | undefined, file: DestinationFile['request']): RequestTemplate {
  const merged: RequestTemplate = {
    method: file?.method ?? template?.method ?? 'POST',
    url: file?.url ?? template?.url ?? '',
    headers: { ...template?.headers, ...file?.headers },
    contentFormat: file?.contentFormat ?? template?.contentFormat ?? 'json',
  };
  const body = file && 'body' in file ? file.body : template?.body;
  if (body !== undefined) merged.body = body;
  return merged;
}

/**
 * Whether any request may delete data: `delete_all_hits` not literally false (as a property, or written
 * in a string body), or the record deciding the body (no body, or a body that is one `{{field}}`) on a
 * URL that is, or through a record field may become, user-lookup. A destination file from someone
 * else's repository must not be able to send deletions without the question.
 */
function mayDelete(request: RequestTemplate): boolean {
  const path = request.url.replace(/^[a-z]+:\/\/[^/]*/i, '').split('?')[0];
  const lookup = /\/user-lookup\b/.test(path) || /\{\{/.test(path);
  const body = request.body;
  if (body === undefined || (typeof body === 'string' && /^\s*\{\{[^{}]+\}\}\s*$/.test(body))) return lookup;
  const search = (value: unknown): boolean => {
    if (typeof value === 'string') return /delete_all_hits/.test(value) && !/delete_all_hits["']?\s*[:=]\s*["']?false\b/.test(value);
    if (Array.isArray(value)) return value.some(search);
    if (value === null || typeof value !== 'object') return false;
    return Object.entries(value).some(([key, field]) => (key === 'delete_all_hits' && field !== false) || search(field));
  };
  return search(body);
}

function jsonPosition(text: string, message: string): string {
  const position = /position (\d+)/.exec(message);
  if (!position) return '';
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return ` at line ${line}, column ${column}`;
}

/** A destination from its JSON text; throws DestinationError naming the file and the field. */
export function parseDestination(text: string, fileName?: string): ResolvedDestination {
  const where = fileName ?? 'the destination';
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new DestinationError(`${where} is not valid JSON${jsonPosition(text, message)}: ${message}`, '', fileName);
  }
  const issues = validateDestinationFile(value);
  if (issues.length > 0) {
    const lines = issues.map((issue) => `${issue.field || '(file)'}: ${issue.message}`);
    const message = `${where} is not a valid destination: ${lines.join('; ')}`;
    throw new DestinationError(message, issues[0].field, fileName, issues);
  }
  return resolveDestination(value as DestinationFile, fileName);
}

/** Merges a valid file with its template and the defaults. */
export function resolveDestination(file: DestinationFile, fileName?: string): ResolvedDestination {
  const template = file.template === undefined ? undefined : findTemplate(file.template);
  const request = mergeRequest(template?.request, file.request);
  const resolved: ResolvedDestination = {
    name: file.name,
    parameters: { ...file.parameters },
    request,
    delivery: { ...DEFAULT_DELIVERY, ...template?.delivery, ...file.delivery },
    destructive: (template?.destructive ?? false) || mayDelete(request),
  };
  if (template) resolved.templateId = template.id;
  if (file.credential !== undefined) resolved.credential = file.credential;
  if (fileName !== undefined) resolved.file = fileName;
  return resolved;
}

export async function loadDestination(path: string): Promise<ResolvedDestination> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as Error).message})`;
    throw new DestinationError(`The destination file ${path} ${reason}.`, '', path);
  }
  return parseDestination(text, path);
}
