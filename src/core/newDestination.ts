/**
 * A new destination file from a built-in template: what "New Destination from Template" writes.
 * The file stays small (template, credential, parameters) so the template's later fixes reach it;
 * only a URL that must point elsewhere (a sandbox, a proxy) is written out.
 */
import { DEFAULT_TOKEN_URL } from './credentials';
import { HOTJAR_API_BASE } from './templates';
import { type DestinationFile, type EndpointTemplate } from './types';

export interface NewDestinationInput {
  template: EndpointTemplate;
  name: string;
  credential?: string;
  parameters: Record<string, string>;
  /**
   * Where the API lives when it is not api.hotjar.io, e.g. the sandbox's `http://127.0.0.1:4380`.
   * The template's URL is moved to this origin, keeping its path.
   */
  apiBase?: string;
}

export function createDestinationFile(input: NewDestinationInput): DestinationFile {
  // No `$schema`: VS Code ties *.hotjar.json to the schema the extension ships (jsonValidation), and a URL
  // that cannot be fetched (offline, or before the schema is published there) would only add a warning.
  const file: DestinationFile = { name: input.name.trim(), template: input.template.id };
  if (input.credential) file.credential = input.credential;
  const parameters: Record<string, string> = {};
  for (const [key, value] of Object.entries(input.parameters)) {
    if (value.trim() !== '') parameters[key] = value.trim();
  }
  if (Object.keys(parameters).length > 0) file.parameters = parameters;
  const base = input.apiBase?.replace(/\/+$/, '');
  if (base && base !== HOTJAR_API_BASE && input.template.request.url.startsWith(HOTJAR_API_BASE)) {
    file.request = { url: base + input.template.request.url.slice(HOTJAR_API_BASE.length) };
  }
  return file;
}

/**
 * The API origin to use with a credential whose token URL is not Hotjar's (the sandbox, a proxy):
 * the token goes only to allowed hosts, so requests must go to that origin too. Undefined for Hotjar.
 */
export function apiBaseForTokenUrl(tokenUrl: string): string | undefined {
  if (tokenUrl === DEFAULT_TOKEN_URL) return undefined;
  const origin = new URL(tokenUrl).origin;
  return origin === HOTJAR_API_BASE ? undefined : origin;
}

/** `GDPR deletions (prod)` → `gdpr-deletions-prod.hotjar.json`. */
export function destinationFileName(name: string, suffix = ''): string {
  const slug =
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60)
      .replace(/-+$/, '') || 'destination';
  return `${slug}${suffix}.hotjar.json`;
}
