import { type DeliverySettings, type EndpointTemplate } from './types';

export const HOTJAR_API_BASE = 'https://api.hotjar.io';

/** Defaults for every destination; Hotjar's rate limit is unconfirmed, so 3000/min is only a start. */
export const DEFAULT_DELIVERY: Readonly<DeliverySettings> = Object.freeze({
  mode: 'record',
  batchSize: 1,
  concurrency: 4,
  ratePerMinute: 3000,
  maxAttempts: 5,
  timeoutMs: 30000,
  onInvalidRecord: 'skip',
});

const ORGANIZATION_ID = {
  name: 'organization_id',
  description: 'Your Hotjar organization ID (Hotjar → Sites & Organizations).',
  required: true,
} as const;
const SITE_ID = {
  name: 'site_id',
  description: 'The Hotjar site ID (Hotjar → Sites & Organizations).',
  required: true,
} as const;
const SURVEY_ID = { name: 'survey_id', description: 'The survey ID (from "List surveys").', required: true } as const;
const EMAIL_FIELD = {
  name: 'email',
  description: "The data subject's email address; sent as data_subject_email. One record = one data subject.",
  required: true,
} as const;

const USER_LOOKUP_URL = `${HOTJAR_API_BASE}/v1/organizations/{organization_id}/user-lookup`;

export const BUILT_IN_TEMPLATES: readonly EndpointTemplate[] = Object.freeze([
  {
    id: 'hotjar.user-lookup',
    label: 'GDPR user lookup',
    description:
      'Asks Hotjar for the data it holds on each data subject (POST user-lookup with delete_all_hits false). ' +
      'Needs an Observe or Ask Scale plan.',
    parameters: [ORGANIZATION_ID],
    recordFields: [EMAIL_FIELD],
    kind: 'write',
    destructive: false,
    request: {
      method: 'POST',
      url: USER_LOOKUP_URL,
      headers: {},
      contentFormat: 'json',
      body: { data_subject_email: '{{email}}', delete_all_hits: false },
    },
    delivery: { ...DEFAULT_DELIVERY },
  },
  {
    id: 'hotjar.user-deletion',
    label: 'GDPR deletion request',
    description:
      'Submits a deletion request for each data subject (POST user-lookup with delete_all_hits true). ' +
      'Irreversible: every run asks for confirmation. Needs an Observe or Ask Scale plan.',
    parameters: [ORGANIZATION_ID],
    recordFields: [EMAIL_FIELD],
    kind: 'write',
    destructive: true,
    request: {
      method: 'POST',
      url: USER_LOOKUP_URL,
      headers: {},
      contentFormat: 'json',
      body: { data_subject_email: '{{email}}', delete_all_hits: true },
    },
    delivery: { ...DEFAULT_DELIVERY },
  },
  {
    id: 'hotjar.list-surveys',
    label: 'List surveys',
    description: "Lists a site's surveys (GET, up to 100). Read-only: useful to test a credential and a site ID.",
    parameters: [SITE_ID],
    recordFields: [],
    kind: 'read',
    destructive: false,
    request: { method: 'GET', url: `${HOTJAR_API_BASE}/v1/sites/{site_id}/surveys?limit=100`, headers: {}, contentFormat: 'json' },
    delivery: { ...DEFAULT_DELIVERY },
  },
  {
    id: 'hotjar.get-survey',
    label: 'Get a survey',
    description: 'Reads one survey with its questions (GET). Read-only.',
    parameters: [SITE_ID, SURVEY_ID],
    recordFields: [],
    kind: 'read',
    destructive: false,
    request: { method: 'GET', url: `${HOTJAR_API_BASE}/v1/sites/{site_id}/surveys/{survey_id}`, headers: {}, contentFormat: 'json' },
    delivery: { ...DEFAULT_DELIVERY },
  },
  {
    id: 'hotjar.survey-responses',
    label: 'Survey responses',
    description: "Reads a survey's responses (GET, up to 100). Read-only; needs an Ask Scale plan.",
    parameters: [SITE_ID, SURVEY_ID],
    recordFields: [],
    kind: 'read',
    destructive: false,
    request: {
      method: 'GET',
      url: `${HOTJAR_API_BASE}/v1/sites/{site_id}/surveys/{survey_id}/responses?limit=100`,
      headers: {},
      contentFormat: 'json',
    },
    delivery: { ...DEFAULT_DELIVERY },
  },
]);

export function findTemplate(id: string): EndpointTemplate | undefined {
  return BUILT_IN_TEMPLATES.find((template) => template.id === id);
}
