/**
 * The one message protocol between the request editor's host (src/extension/requestEditor) and its
 * webview (media/webview/requestEditor.ts). Both sides compile this file: it imports neither
 * `vscode` nor the DOM (the root tsconfig has no DOM library and the webview's has no vscode types,
 * so either import fails one of the two type checks).
 *
 * Handshake: the webview posts `ready` each time its page loads (first open, shown again after
 * being hidden, window reload); the host answers with `init`, the whole state. Requests that
 * expect an answer carry a `requestId` the host echoes in its reply.
 *
 * Messages from the webview are untrusted input: the host passes each one through
 * `parseWebviewMessage` and drops what does not fit.
 */
import { type ContentFormat, type DeliverySettings, type HttpMethod } from '../core/types';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The top-level properties of a destination file the form may write. */
export const EDITABLE_ROOTS = ['name', 'description', 'template', 'credential', 'parameters', 'request', 'delivery'] as const;
export type EditableRoot = (typeof EDITABLE_ROOTS)[number];

/** One change of the destination file: `value` absent removes the property. */
export interface FieldEdit {
  /** Property names from the root, e.g. `['request', 'url']`; the first is an EditableRoot. */
  path: string[];
  value?: JsonValue;
}

// ---------------------------------------------------------------------------------------------
// Host → webview

export interface TemplateFieldInfo {
  name: string;
  description: string;
  required: boolean;
}

export interface TemplateInfo {
  id: string;
  label: string;
  description: string;
  kind: 'read' | 'write';
  destructive: boolean;
  parameters: TemplateFieldInfo[];
  recordFields: TemplateFieldInfo[];
  method: HttpMethod;
  url: string;
  contentFormat: ContentFormat;
  headers: Record<string, string>;
  /** Absent: the template sends the record itself. */
  body?: JsonValue;
}

export interface ValidationIssueInfo {
  /** Dotted path of the field at fault, '' for the whole file (the core's ValidationIssue). */
  field: string;
  message: string;
}

/** The destination file as the form sees it. */
export interface EditorModel {
  /** The file's JSON object; undefined when the text is not a JSON object (see parseError). */
  value?: { [key: string]: JsonValue };
  parseError?: string;
  /** Problems from the core's validateDestinationFile, the same JSON schema the CLI uses. */
  issues: ValidationIssueInfo[];
  /** The `{name}` placeholders of the effective URL (the file's, else the template's), in order. */
  urlParameters: string[];
  /** The text document's version this model was read from. */
  version: number;
}

/** The data file whose first record feeds the preview and a write Test. */
export interface SampleInfo {
  /** Workspace-relative path; absent when none was chosen. */
  label?: string;
  /** Dotted field paths of the first record (nested objects flattened). */
  fields: string[];
  /** Why the file could not be read, in words. */
  error?: string;
}

/** The request as it would go on the wire, Authorization redacted. */
export interface PreviewRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export type PreviewState =
  | { status: 'ready'; request: PreviewRequest; source: string }
  | { status: 'unavailable'; reason: string };

export type TestOutcome =
  | {
      kind: 'response';
      ok: boolean;
      method: HttpMethod;
      url: string;
      status: number;
      statusText: string;
      durationMs: number;
      headers: Record<string, string>;
      body: string;
      bodyTruncated: boolean;
      /** The status in words: what it means for this destination. */
      summary: string;
    }
  | {
      kind: 'error';
      /** Short heading: "Bad credentials", "Host not allowed", "Network error"… */
      title: string;
      message: string;
      durationMs?: number;
    }
  | { kind: 'cancelled'; message: string };

export interface TrustState {
  trusted: boolean;
  /** Why Test is disabled, when it is. */
  message?: string;
}

export interface InitMessage {
  type: 'init';
  fileName: string;
  templates: TemplateInfo[];
  methods: HttpMethod[];
  contentFormats: ContentFormat[];
  /** What an absent delivery setting means (the core's DEFAULT_DELIVERY). */
  deliveryDefaults: DeliverySettings;
  credentials: string[];
  trust: TrustState;
  model: EditorModel;
  sample: SampleInfo;
  preview: PreviewState;
  lastTest?: TestOutcome;
}

export type HostMessage =
  | InitMessage
  /** The document changed; `origin` says whether the form's own edit caused it. */
  | { type: 'document'; model: EditorModel; origin: 'webview' | 'external' }
  | { type: 'preview'; preview: PreviewState }
  | { type: 'sample'; sample: SampleInfo }
  | { type: 'credentials'; names: string[] }
  | { type: 'trust'; trust: TrustState }
  | { type: 'testStarted'; requestId: string; description: string }
  | { type: 'testResult'; requestId: string; outcome: TestOutcome }
  /** The answer to a request that needs no more than done / not done. */
  | { type: 'reply'; requestId: string; ok: boolean; message?: string; value?: string };

// ---------------------------------------------------------------------------------------------
// Webview → host

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'edit'; requestId: string; edits: FieldEdit[] }
  | { type: 'pickSample'; requestId: string }
  | { type: 'clearSample'; requestId: string }
  | { type: 'test'; requestId: string }
  | { type: 'copyCurl'; requestId: string; includeToken: boolean }
  | { type: 'addCredential'; requestId: string }
  | { type: 'openAsText' };

export type WebviewMessageType = WebviewMessage['type'];

/** Limits that keep a malformed or hostile message from costing much. */
export const PROTOCOL_LIMITS = Object.freeze({
  requestIdLength: 64,
  editsPerMessage: 64,
  pathDepth: 4,
  keyLength: 256,
  jsonDepth: 32,
  /** Characters of JSON in one edit's value. */
  valueSize: 256 * 1024,
});

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRequestId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= PROTOCOL_LIMITS.requestIdLength && /^[A-Za-z0-9_.:-]+$/.test(value);
}

/** A JSON value of bounded depth (no undefined, functions, NaN or Infinity). */
export function isJsonValue(value: unknown, depth = 0): value is JsonValue {
  if (depth > PROTOCOL_LIMITS.jsonDepth) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((item) => isJsonValue(item, depth + 1));
  if (isPlainObject(value)) {
    return Object.entries(value).every(([key, item]) => key.length <= PROTOCOL_LIMITS.keyLength && isJsonValue(item, depth + 1));
  }
  return false;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function isFieldEdit(value: unknown): value is FieldEdit {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  if (keys.some((key) => key !== 'path' && key !== 'value')) return false;
  const { path } = value;
  if (!Array.isArray(path) || path.length === 0 || path.length > PROTOCOL_LIMITS.pathDepth) return false;
  if (!path.every((part): part is string => typeof part === 'string' && part.length > 0 && part.length <= PROTOCOL_LIMITS.keyLength)) return false;
  if (path.some((part) => FORBIDDEN_KEYS.has(part))) return false;
  if (!(EDITABLE_ROOTS as readonly string[]).includes(path[0])) return false;
  if (!('value' in value)) return true;
  if (!isJsonValue(value.value)) return false;
  return JSON.stringify(value.value).length <= PROTOCOL_LIMITS.valueSize;
}

/**
 * The message if it is a well-formed WebviewMessage, else undefined. Unknown properties are not
 * allowed either: the result is rebuilt from the checked fields only.
 */
export function parseWebviewMessage(raw: unknown): WebviewMessage | undefined {
  if (!isPlainObject(raw) || typeof raw.type !== 'string') return undefined;
  const onlyKeys = (...allowed: string[]): boolean => Object.keys(raw).every((key) => key === 'type' || allowed.includes(key));
  switch (raw.type) {
    case 'ready':
      return onlyKeys() ? { type: 'ready' } : undefined;
    case 'openAsText':
      return onlyKeys() ? { type: 'openAsText' } : undefined;
    case 'pickSample':
    case 'clearSample':
    case 'test':
    case 'addCredential':
      return onlyKeys('requestId') && isRequestId(raw.requestId) ? { type: raw.type, requestId: raw.requestId } : undefined;
    case 'copyCurl':
      return onlyKeys('requestId', 'includeToken') && isRequestId(raw.requestId) && typeof raw.includeToken === 'boolean'
        ? { type: 'copyCurl', requestId: raw.requestId, includeToken: raw.includeToken }
        : undefined;
    case 'edit': {
      if (!onlyKeys('requestId', 'edits') || !isRequestId(raw.requestId)) return undefined;
      const { edits } = raw;
      if (!Array.isArray(edits) || edits.length === 0 || edits.length > PROTOCOL_LIMITS.editsPerMessage) return undefined;
      if (!edits.every(isFieldEdit)) return undefined;
      return {
        type: 'edit',
        requestId: raw.requestId,
        edits: edits.map((edit) => ('value' in edit ? { path: [...edit.path], value: edit.value } : { path: [...edit.path] })),
      };
    }
    default:
      return undefined;
  }
}

const HOST_MESSAGE_TYPES: ReadonlySet<string> = new Set<HostMessage['type']>([
  'init',
  'document',
  'preview',
  'sample',
  'credentials',
  'trust',
  'testStarted',
  'testResult',
  'reply',
]);

/**
 * The webview's check of what it receives. The host is trusted code, so this checks the
 * discriminant only; it keeps messages from other senders (e.g. a stray postMessage) out.
 */
export function isHostMessage(raw: unknown): raw is HostMessage {
  return isPlainObject(raw) && typeof raw.type === 'string' && HOST_MESSAGE_TYPES.has(raw.type);
}
