/**
 * What the form shows, computed from the document text by the core: the parsed file, its problems
 * (the core's validateDestinationFile, i.e. schemas/destination.schema.json plus the checks the
 * schema cannot express), the URL's `{name}` parameters, and the preview of the first record's
 * request (the core's renderRequest). No vscode import: unit-tested in plain Node.
 */
import { parse as parseJsonc, type ParseError } from 'jsonc-parser';
import { DestinationError, parseDestination, validateDestinationFile } from '../../core/destination';
import { FIELD_PLACEHOLDER, InvalidRecordError, PARAMETER_PLACEHOLDER, redactHeaders, renderRequest, type RecordFields } from '../../core/render';
import { BUILT_IN_TEMPLATES, findTemplate } from '../../core/templates';
import { type EndpointTemplate, type PreparedRequest, type ResolvedDestination } from '../../core/types';
import { type EditorModel, type JsonValue, type PreviewRequest, type PreviewState, type TemplateInfo } from '../../shared/requestEditorProtocol';

type JsonObject = { [key: string]: JsonValue };

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Where JSON.parse gave up, as line and column (JSON.parse itself does not always say). */
function describeJsonError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const problems: ParseError[] = [];
  parseJsonc(text, problems, { disallowComments: true, allowTrailingComma: false });
  const offset = problems[0]?.offset;
  if (offset === undefined) return message;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${message} (line ${line}, column ${column})`;
}

/** The file as a JSON object, or why it is not one. A blank file is an empty destination the form can fill. */
export function parseFileText(text: string): { value: JsonObject } | { error: string } {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') return { value: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    return { error: `The file is not valid JSON: ${describeJsonError(body, error)}` };
  }
  if (!isJsonObject(parsed)) return { error: 'The file is valid JSON but not an object: a destination is a JSON object with at least a "name".' };
  return { value: parsed };
}

/** The `{name}` placeholders of the URL the destination will use (its own, else its template's). */
export function effectiveUrlParameters(value: JsonObject): string[] {
  const request = isJsonObject(value.request) ? value.request : undefined;
  const template = typeof value.template === 'string' ? findTemplate(value.template) : undefined;
  const url = typeof request?.url === 'string' ? request.url : template?.request.url ?? '';
  const names: string[] = [];
  for (const match of url.matchAll(PARAMETER_PLACEHOLDER)) {
    if (!names.includes(match[1])) names.push(match[1]);
  }
  return names;
}

export function buildModel(text: string, version: number): EditorModel {
  const parsed = parseFileText(text);
  if ('error' in parsed) return { parseError: parsed.error, issues: [], urlParameters: [], version };
  return {
    value: parsed.value,
    issues: validateDestinationFile(parsed.value).map(({ field, message }) => ({ field, message })),
    urlParameters: effectiveUrlParameters(parsed.value),
    version,
  };
}

export function templateInfo(template: EndpointTemplate): TemplateInfo {
  const info: TemplateInfo = {
    id: template.id,
    label: template.label,
    description: template.description,
    kind: template.kind,
    destructive: template.destructive,
    parameters: template.parameters.map((p) => ({ ...p })),
    recordFields: template.recordFields.map((p) => ({ ...p })),
    method: template.request.method,
    url: template.request.url,
    contentFormat: template.request.contentFormat,
    headers: { ...template.request.headers },
  };
  if (template.request.body !== undefined) info.body = template.request.body as JsonValue;
  return info;
}

export function allTemplateInfos(): TemplateInfo[] {
  return BUILT_IN_TEMPLATES.map(templateInfo);
}

/** Every `{{field}}` the destination reads from a record: URL, headers and body. */
export function recordFieldsUsed(destination: ResolvedDestination): string[] {
  const texts: string[] = [destination.request.url, ...Object.values(destination.request.headers)];
  const collect = (value: unknown): void => {
    if (typeof value === 'string') texts.push(value);
    else if (Array.isArray(value)) value.forEach(collect);
    else if (isJsonObject(value)) Object.values(value).forEach(collect);
  };
  collect(destination.request.body);
  const fields: string[] = [];
  for (const text of texts) {
    for (const match of text.matchAll(FIELD_PLACEHOLDER)) {
      if (!fields.includes(match[1])) fields.push(match[1]);
    }
  }
  return fields;
}

export interface SampleRecord {
  /** Which record of which file, e.g. `first record of data/users.csv (line 2)`. */
  label: string;
  record: RecordFields;
}

/** A stand-in record whose fields are their own placeholders, so the preview shows where values go. */
function placeholderRecord(destination: ResolvedDestination): RecordFields {
  return Object.fromEntries(recordFieldsUsed(destination).map((field) => [field, `{{${field}}}`]));
}

/** The destination resolved by the core, or why it cannot be. */
export function resolveFromText(text: string, fileName?: string): { destination: ResolvedDestination } | { error: string } {
  try {
    return { destination: parseDestination(text, fileName) };
  } catch (error) {
    if (error instanceof DestinationError) return { error: error.message };
    throw error;
  }
}

/**
 * The first request of a send: for the record given (a batch holding only it in batch mode), or,
 * without one, for a stand-in record showing the placeholders. Throws the core's InvalidRecordError.
 */
export function renderFirstRequest(destination: ResolvedDestination, record: RecordFields | undefined): PreparedRequest {
  const fields = record ?? placeholderRecord(destination);
  return renderRequest(destination, destination.delivery.mode === 'batch' ? [fields] : fields);
}

/** The request's headers as they are shown: redacted, with the Authorization header the client adds. */
export function shownHeaders(request: PreparedRequest): Record<string, string> {
  return { Authorization: 'Bearer ****', ...redactHeaders(request.headers) };
}

/** The exact request for the first record, headers redacted. */
export function buildPreview(text: string, sample: SampleRecord | undefined): PreviewState {
  const resolved = resolveFromText(text);
  // The form lists the problems field by field; the preview only says why it waits.
  if ('error' in resolved) return { status: 'unavailable', reason: 'The request shows here once the destination is valid: see the problems listed above the form.' };
  const { destination } = resolved;
  const batch = destination.delivery.mode === 'batch';
  const source = sample
    ? `${batch ? 'A batch holding only the ' : 'The '}${sample.label}`
    : `No sample data file: record fields are shown as their {{placeholders}}${batch ? ', in a batch of one' : ''}.`;
  try {
    const request = renderFirstRequest(destination, sample?.record);
    const shown: PreviewRequest = { method: request.method, url: request.url, headers: shownHeaders(request) };
    if (request.body !== undefined) shown.body = request.body;
    return { status: 'ready', source, request: shown };
  } catch (error) {
    if (error instanceof InvalidRecordError) {
      return { status: 'unavailable', reason: `${sample ? `The ${sample.label}` : 'The record'} cannot be sent: ${error.message}.` };
    }
    throw error;
  }
}
