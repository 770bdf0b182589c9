/**
 * The shapes shared by the core, the extension and the CLI. `DestinationFile` is a contract with
 * files in users' repositories: fields may be added, never renamed.
 */

/** One record's fields as read from the data file (CSV values are strings). */
export type RecordFields = Record<string, unknown>;

/** How a record (or a batch of records) is written into the request body. */
export type ContentFormat = 'json' | 'ndjson' | 'csv' | 'tsv' | 'xml' | 'form' | 'text';
export const CONTENT_FORMATS: readonly ContentFormat[] = ['json', 'ndjson', 'csv', 'tsv', 'xml', 'form', 'text'];

/** The data file's format. */
export type InputFormat = 'json' | 'jsonl' | 'csv' | 'tsv';
export const INPUT_FORMATS: readonly InputFormat[] = ['json', 'jsonl', 'csv', 'tsv'];

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export const HTTP_METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

export interface DeliverySettings {
  /** `record`: one request per record; `batch`: `batchSize` records per request. */
  mode: 'record' | 'batch';
  batchSize: number;
  /** Requests in flight at most. */
  concurrency: number;
  /** Requests started per minute at most (the run slows down further on 429). */
  ratePerMinute: number;
  /** Attempts per request, the first one included. */
  maxAttempts: number;
  /** Time allowed for one attempt, from sending to the end of the response body. */
  timeoutMs: number;
  /** `skip`: report invalid records and go on; `abort`: refuse the whole file before sending anything. */
  onInvalidRecord: 'skip' | 'abort';
}

/** The JSON shape of a `*.hotjar.json` file. */
export interface DestinationFile {
  $schema?: string;
  name: string;
  description?: string;
  template?: string;
  credential?: string;
  parameters?: Record<string, string>;
  request?: {
    method?: HttpMethod;
    url?: string;
    headers?: Record<string, string>;
    contentFormat?: ContentFormat;
    body?: unknown;
  };
  delivery?: Partial<DeliverySettings>;
}

export interface RequestTemplate {
  method: HttpMethod;
  /** `{name}` placeholders come from parameters; `{{field}}` (query only) from the record. */
  url: string;
  headers: Record<string, string>;
  contentFormat: ContentFormat;
  /** `{{field}}` placeholders come from the record; absent: the record itself is the body. */
  body?: unknown;
}

/** A destination file merged with its template and defaults, checked, ready to render. */
export interface ResolvedDestination {
  name: string;
  templateId?: string;
  credential?: string;
  parameters: Record<string, string>;
  request: RequestTemplate;
  delivery: DeliverySettings;
  /** True when a request may delete data (deletion template, or `delete_all_hits` not literally false). */
  destructive: boolean;
  /** The file it was read from, when it came from a file. */
  file?: string;
}

export interface TemplateField {
  name: string;
  description: string;
  required: boolean;
}

export interface EndpointTemplate {
  id: string;
  label: string;
  description: string;
  parameters: readonly TemplateField[];
  recordFields: readonly TemplateField[];
  kind: 'read' | 'write';
  destructive: boolean;
  request: RequestTemplate;
  delivery: DeliverySettings;
}

/** A request as it goes on the wire (before the Authorization header is added). */
export interface PreparedRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body?: string;
  contentType?: string;
}

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const SILENT_LOGGER: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
