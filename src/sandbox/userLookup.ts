import { isPlainObject } from './http';

export interface FieldProblem {
  field: string;
  message: string;
}

export interface UserLookupRequest {
  email?: string;
  siteIdToUserIdMap?: Record<string, string | number>;
  deleteAllHits: boolean;
}

export type UserLookupValidation = { ok: true; request: UserLookupRequest } | { ok: false; problems: FieldProblem[] };

const KNOWN_FIELDS = new Set(['data_subject_email', 'data_subject_site_id_to_user_id_map', 'delete_all_hits']);
// Deliberately loose (Unicode local parts and domains pass), but it needs one @ and a dotted domain.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/u;
const MAX_EMAIL_LENGTH = 254;
const SITE_ID_PATTERN = /^\d+$/;

/** Checks a user-lookup body field by field, the way Hotjar describes it. */
export function validateUserLookup(body: Record<string, unknown>): UserLookupValidation {
  const problems: FieldProblem[] = [];
  for (const field of Object.keys(body)) {
    if (!KNOWN_FIELDS.has(field)) problems.push({ field, message: 'unknown field' });
  }

  const email = body.data_subject_email;
  if (email !== undefined) {
    if (typeof email !== 'string') problems.push({ field: 'data_subject_email', message: 'must be a string' });
    else if (email.length > MAX_EMAIL_LENGTH || !EMAIL_PATTERN.test(email)) {
      problems.push({ field: 'data_subject_email', message: 'must be an email address' });
    }
  }

  const map = body.data_subject_site_id_to_user_id_map;
  if (map !== undefined) problems.push(...siteUserMapProblems(map));

  if (email === undefined && map === undefined) {
    problems.push({
      field: 'data_subject_email',
      message: 'data_subject_email or data_subject_site_id_to_user_id_map is required',
    });
  }

  const deleteAllHits = body.delete_all_hits;
  if (deleteAllHits !== undefined && typeof deleteAllHits !== 'boolean') {
    problems.push({ field: 'delete_all_hits', message: 'must be true or false' });
  }

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    request: {
      email: email as string | undefined,
      siteIdToUserIdMap: map as Record<string, string | number> | undefined,
      deleteAllHits: deleteAllHits === true,
    },
  };
}

function siteUserMapProblems(map: unknown): FieldProblem[] {
  const field = 'data_subject_site_id_to_user_id_map';
  if (!isPlainObject(map)) return [{ field, message: 'must be an object of site id → user id' }];
  const entries = Object.entries(map);
  if (entries.length === 0) return [{ field, message: 'must name at least one site' }];
  const problems: FieldProblem[] = [];
  for (const [siteId, userId] of entries) {
    if (!SITE_ID_PATTERN.test(siteId)) problems.push({ field: `${field}.${siteId}`, message: 'site id must be digits' });
    const validUserId = (typeof userId === 'string' && userId.trim() !== '') || (typeof userId === 'number' && Number.isFinite(userId));
    if (!validUserId) problems.push({ field: `${field}.${siteId}`, message: 'user id must be a non-empty string or a number' });
  }
  return problems;
}

/** The data subject's identity for duplicate counting: the email, else the map as JSON with sorted keys. */
export function subjectOf(request: Pick<UserLookupRequest, 'email' | 'siteIdToUserIdMap'>): string | undefined {
  if (request.email !== undefined) return request.email;
  const map = request.siteIdToUserIdMap;
  if (map === undefined) return undefined;
  const sorted = Object.fromEntries(Object.keys(map).sort().map((key) => [key, map[key]]));
  return JSON.stringify(sorted);
}
