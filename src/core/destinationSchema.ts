/**
 * The JSON schema of `*.hotjar.json` (draft-07: the dialect VS Code's JSON editor supports fully).
 * This object is the source; schemas/destination.schema.json is its published copy, and a unit test
 * fails when the two differ (run it with UPDATE_SCHEMA=1 to rewrite the file).
 * Every property has a description because VS Code shows them on hover.
 */
import { CONTENT_FORMATS, HTTP_METHODS } from './types';

/** The `$schema` value for destination files, and the schema's `$id`. */
export const DESTINATION_SCHEMA_URL =
  'https://raw.githubusercontent.com/hotjar-destinations/hotjar-destinations/main/schemas/destination.schema.json';

const placeholderHelp = '`{{field}}` takes a field of the record (dotted paths such as `{{user.email}}` reach nested fields).';

export const DESTINATION_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: DESTINATION_SCHEMA_URL,
  title: 'Hotjar destination',
  description:
    'Where and how hotjar-send and the Hotjar Destinations extension send the records of a data file. ' +
    'No secrets here: the credential is a name whose client ID and secret live in the OS keychain.',
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    $schema: {
      type: 'string',
      description: 'The JSON schema of this file (optional: VS Code validates `*.hotjar.json` files by their name).',
    },
    name: { type: 'string', minLength: 1, description: 'A name for this destination, shown in the editor, the CLI and reports.' },
    description: { type: 'string', description: 'Free text for the people who share this file.' },
    template: {
      type: 'string',
      description:
        'A built-in endpoint template that supplies the method, URL, body and delivery defaults; the fields of this file override it. ' +
        'One of `hotjar.user-lookup`, `hotjar.user-deletion`, `hotjar.list-surveys`, `hotjar.get-survey`, `hotjar.survey-responses`. ' +
        'Leave it out for a manual configuration (then `request.url` is required).',
      examples: ['hotjar.user-lookup', 'hotjar.user-deletion', 'hotjar.list-surveys', 'hotjar.get-survey', 'hotjar.survey-responses'],
    },
    credential: {
      type: 'string',
      pattern: '^[A-Za-z0-9._-]{1,64}$',
      description:
        'The name of a stored credential (`hotjar-send credentials list`, or the Credentials group in VS Code). ' +
        'The HOTJAR_CLIENT_ID / HOTJAR_CLIENT_SECRET environment variables override it.',
    },
    parameters: {
      type: 'object',
      description: 'Values for the `{name}` placeholders of the URL, such as `organization_id` or `site_id`. URL-encoded when inserted.',
      additionalProperties: { type: 'string', description: 'A parameter value (a string, URL-encoded when inserted).' },
      properties: {
        organization_id: { type: 'string', description: 'Your Hotjar organization ID (Hotjar → Sites & Organizations).' },
        site_id: { type: 'string', description: 'A Hotjar site ID (Hotjar → Sites & Organizations).' },
        survey_id: { type: 'string', description: 'A survey ID (from the "List surveys" template).' },
      },
    },
    request: {
      type: 'object',
      additionalProperties: false,
      description: 'The HTTP request sent for each record (or batch). Each field overrides the template.',
      properties: {
        method: { type: 'string', enum: [...HTTP_METHODS], description: 'The HTTP method.' },
        url: {
          type: 'string',
          minLength: 1,
          description:
            'The endpoint URL, e.g. `https://api.hotjar.io/v1/organizations/{organization_id}/user-lookup`. ' +
            '`{name}` takes a value from `parameters`; ' + placeholderHelp + ' (in the query only). ' +
            'https:// is required except for loopback hosts, and the host must be allowed by the credential.',
        },
        headers: {
          type: 'object',
          description: 'Extra request headers. ' + placeholderHelp + ' Authorization is set from the credential and cannot be given here.',
          additionalProperties: { type: 'string', description: 'A header value.' },
        },
        contentFormat: {
          type: 'string',
          enum: [...CONTENT_FORMATS],
          description:
            'How the body is written: `json`, `ndjson` (one JSON object per line), `csv`, `tsv`, `xml`, ' +
            '`form` (application/x-www-form-urlencoded) or `text`. Content-Type is set to match.',
        },
        body: {
          description:
            'The body template, usually an object. ' + placeholderHelp + ' A string that is exactly one placeholder keeps the ' +
            "field's JSON type (number, boolean, object); otherwise placeholders are inserted as text. A missing field makes the " +
            'record invalid (it is reported, never sent empty). Leave it out to send the record itself.',
        },
      },
    },
    delivery: {
      type: 'object',
      additionalProperties: false,
      description: 'Pacing, batching and retries.',
      properties: {
        mode: {
          type: 'string',
          enum: ['record', 'batch'],
          description: '`record`: one request per record. `batch`: `batchSize` records per request (a JSON array, NDJSON lines, CSV rows...).',
        },
        batchSize: { type: 'integer', minimum: 1, maximum: 10000, description: 'Records per request in `batch` mode.' },
        concurrency: { type: 'integer', minimum: 1, maximum: 256, description: 'Requests in flight at most.' },
        ratePerMinute: {
          type: 'number',
          exclusiveMinimum: 0,
          maximum: 1000000,
          description: 'Requests per minute at most. The run slows down on 429 (honouring Retry-After) and recovers afterwards.',
        },
        maxAttempts: {
          type: 'integer',
          minimum: 1,
          maximum: 20,
          description: 'Attempts per request, the first included. 429, 5xx, timeouts and connection errors are retried with backoff.',
        },
        timeoutMs: { type: 'integer', minimum: 100, maximum: 600000, description: 'Time allowed for one attempt, in milliseconds.' },
        onInvalidRecord: {
          type: 'string',
          enum: ['skip', 'abort'],
          description: '`skip`: report invalid records and send the others. `abort`: refuse the whole file before sending anything.',
        },
      },
    },
  },
} as const;
