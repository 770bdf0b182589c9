import * as vscode from 'vscode';
import { CredentialError, DEFAULT_TOKEN_URL, defaultAllowedHosts, normalizeCredential, type Credential } from '../../core/credentials';
import { isRecord } from '../args';
import { COMMANDS } from '../commands';
import { Cancelled, UserFacingError, describeError, registerCommand } from '../errors';
import { type ExtensionLog } from '../log';
import { type PromptService } from '../prompts';
import { requireTrustedWorkspace } from '../trust';
import { type CredentialService } from './credentialService';

/** What "Test Credential" learns; the command returns it so tests and callers can read the outcome. */
export interface CredentialTestResult {
  name: string;
  ok: boolean;
  message: string;
}

/** Gets a token for a credential (the core's TokenProvider); injected so this file stays a thin front. */
export type TokenProbe = (credential: Credential) => Promise<{ expiresInSeconds?: number }>;

/** Arguments tests and keybindings may pass to "Add Credential" instead of answering prompts. */
export interface CredentialArgs {
  name: string;
  clientId: string;
  clientSecret: string;
  tokenUrl?: string;
  allowedHosts?: string[];
  /** Replace an existing credential of that name without asking. */
  replace?: boolean;
}

export function registerCredentialCommands(deps: {
  log: ExtensionLog;
  credentials: CredentialService;
  prompts: PromptService;
  probeToken: TokenProbe;
}): vscode.Disposable[] {
  const { log, credentials, prompts } = deps;

  const add = async (args?: unknown): Promise<string> => {
    const given = asCredentialArgs(args);
    const credential = given ? normalizeOrExplain(given) : await askForCredential(prompts, credentials);
    const exists = (await credentials.list()).includes(credential.name);
    if (exists && !given?.replace) {
      const answer = await prompts.current.modal(
        `Replace the credential "${credential.name}"?`,
        `A credential of that name is already in ${credentials.location}; the hotjar-send CLI uses the same entry.`,
        'Replace',
      );
      if (answer !== 'Replace') throw new Cancelled();
    }
    await credentials.save(credential);
    log.info(`Credential "${credential.name}" saved in ${credentials.location} (token URL ${credential.tokenUrl}, token allowed for ${credential.allowedHosts.join(', ')}).`);
    if (!given) {
      void vscode.window.showInformationMessage(`Credential "${credential.name}" saved in ${credentials.location}.`);
    }
    return credential.name;
  };

  const edit = async (target?: unknown): Promise<string> => {
    const name = await resolveName(target, credentials, prompts, 'Edit which credential?');
    const current = await credentials.get(name);
    if (!current) throw new UserFacingError(`The credential "${name}" is not in ${credentials.location} any more.`);
    const updated = await askForCredential(prompts, credentials, current);
    await credentials.save(updated);
    log.info(`Credential "${name}" updated (token URL ${updated.tokenUrl}, token allowed for ${updated.allowedHosts.join(', ')}).`);
    void vscode.window.showInformationMessage(`Credential "${name}" updated.`);
    return name;
  };

  const remove = async (target?: unknown, options?: unknown): Promise<boolean> => {
    const name = await resolveName(target, credentials, prompts, 'Remove which credential?');
    const skipConfirmation = isRecord(options) && options.confirm === false;
    if (!skipConfirmation) {
      const answer = await prompts.current.modal(
        `Remove the credential "${name}"?`,
        `It is deleted from ${credentials.location}, for the editor and the hotjar-send CLI alike. Destinations that name it stop working until you add it again.`,
        'Remove',
      );
      if (answer !== 'Remove') throw new Cancelled();
    }
    const removed = await credentials.remove(name);
    log.info(removed ? `Credential "${name}" removed from ${credentials.location}.` : `Credential "${name}" was not in ${credentials.location}.`);
    return removed;
  };

  const test = async (target?: unknown): Promise<CredentialTestResult> => {
    requireTrustedWorkspace('Testing a credential');
    const name = await resolveName(target, credentials, prompts, 'Test which credential?');
    const credential = await credentials.get(name);
    if (!credential) throw new UserFacingError(`The credential "${name}" is not in ${credentials.location}.`);
    const host = new URL(credential.tokenUrl).host;
    log.info(`Testing credential "${name}": requesting a token from ${credential.tokenUrl}.`);
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Testing credential "${name}" against ${host}…` },
      async (): Promise<CredentialTestResult> => {
        try {
          const token = await deps.probeToken(credential);
          credentials.markTokenObtained(name);
          const lifetime = token.expiresInSeconds ? `, valid for ${formatDuration(token.expiresInSeconds)}` : '';
          return { name, ok: true, message: `Credential "${name}" works: ${host} issued a token${lifetime}.` };
        } catch (error) {
          return { name, ok: false, message: `Credential "${name}" did not get a token from ${host}: ${describeError(error)}` };
        }
      },
    );
    const safeMessage = log.redactor.redact(result.message);
    if (result.ok) {
      log.info(safeMessage);
      void vscode.window.showInformationMessage(safeMessage);
    } else {
      log.warn(safeMessage);
      void Promise.resolve(vscode.window.showErrorMessage(safeMessage, 'Edit Credential'))
        .then(async (picked) => {
          if (picked) await vscode.commands.executeCommand(COMMANDS.editCredential, name);
        })
        .catch(() => undefined);
    }
    return { ...result, message: safeMessage };
  };

  return [
    registerCommand(log, COMMANDS.addCredential, 'Add Credential', add),
    registerCommand(log, COMMANDS.editCredential, 'Edit Credential', edit),
    registerCommand(log, COMMANDS.removeCredential, 'Remove Credential', remove),
    registerCommand(log, COMMANDS.testCredential, 'Test Credential', test),
  ];
}

/** Asks for every field; with `current`, the fields start filled and an empty secret keeps the old one. */
async function askForCredential(prompts: PromptService, credentials: CredentialService, current?: Credential): Promise<Credential> {
  const existing = current ? [] : await credentials.list();
  const name =
    current?.name ??
    (await prompts.require({
      title: 'Add Hotjar Credential (1/5)',
      prompt: 'A name for this credential, used by destination files and by `hotjar-send --credential`',
      placeHolder: 'e.g. prod',
      validateInput: (value) => validateName(value, existing),
    })).trim();
  const step = (n: number) => `${current ? 'Edit' : 'Add'} Hotjar Credential "${name}" (${n}/5)`;
  const clientId = await prompts.require({
    title: step(2),
    prompt: 'Client ID (Hotjar → Settings → API)',
    value: current?.clientId ?? '',
    validateInput: (value) => (value.trim() ? undefined : 'The client ID is required.'),
  });
  const secretInput = await prompts.require({
    title: step(3),
    prompt: current
      ? 'Client secret: leave empty to keep the stored one. It goes to the OS keychain only.'
      : 'Client secret (Hotjar → Settings → API). It goes to the OS keychain only, never to settings or logs.',
    password: true,
    validateInput: (value) => (value || current ? undefined : 'The client secret is required.'),
  });
  const clientSecret = secretInput || current?.clientSecret || '';
  const tokenUrl = (
    await prompts.require({
      title: step(4),
      prompt: `Token URL: leave empty for Hotjar's (${DEFAULT_TOKEN_URL}); http:// only for 127.0.0.1 or localhost`,
      value: current && current.tokenUrl !== DEFAULT_TOKEN_URL ? current.tokenUrl : '',
      validateInput: (value) => validateField({ name, clientId, clientSecret: clientSecret || 'x', tokenUrl: value }),
    })
  ).trim();
  const effectiveTokenUrl = tokenUrl || DEFAULT_TOKEN_URL;
  const defaultHosts = defaultAllowedHosts(effectiveTokenUrl).join(', ');
  const keepsDefaultHosts = !current || current.allowedHosts.join(', ') === defaultAllowedHosts(current.tokenUrl).join(', ');
  const hostsInput = await prompts.require({
    title: step(5),
    prompt: `Hosts the bearer token may be sent to, comma-separated: leave empty for the token URL's host (${defaultHosts})`,
    value: keepsDefaultHosts ? '' : (current?.allowedHosts.join(', ') ?? ''),
  });
  const allowedHosts = hostsInput.split(',').map((h) => h.trim()).filter((h) => h.length > 0);
  return normalizeOrExplain({ name, clientId, clientSecret, tokenUrl, allowedHosts });
}

function normalizeOrExplain(input: CredentialArgs): Credential {
  try {
    return normalizeCredential(input);
  } catch (error) {
    if (error instanceof CredentialError) throw new UserFacingError(error.message);
    throw error;
  }
}

function validateName(value: string, existing: readonly string[]): string | undefined {
  const problem = validateField({ name: value, clientId: 'x', clientSecret: 'x' });
  if (problem) return problem;
  return existing.includes(value.trim()) ? `"${value.trim()}" exists already: use Edit Credential, or you will be asked to replace it.` : undefined;
}

function validateField(input: CredentialArgs): string | undefined {
  try {
    normalizeCredential(input);
    return undefined;
  } catch (error) {
    return describeError(error);
  }
}

/** A credential name from a tree node, a string argument, or a quick pick. */
async function resolveName(target: unknown, credentials: CredentialService, prompts: PromptService, question: string): Promise<string> {
  if (typeof target === 'string' && target) return target;
  if (isRecord(target) && typeof target.credentialName === 'string') return target.credentialName;
  const names = await credentials.list();
  if (names.length === 0) {
    throw new UserFacingError('There are no Hotjar credentials yet.', [{ title: 'Add Credential', command: COMMANDS.addCredential }]);
  }
  const picked = await prompts.pick(names.map((label) => ({ label })), { title: question });
  return picked.label;
}

function asCredentialArgs(args: unknown): CredentialArgs | undefined {
  if (!isRecord(args)) return undefined;
  const { name, clientId, clientSecret, tokenUrl, allowedHosts, replace } = args;
  if (typeof name !== 'string' || typeof clientId !== 'string' || typeof clientSecret !== 'string') return undefined;
  return {
    name,
    clientId,
    clientSecret,
    tokenUrl: typeof tokenUrl === 'string' ? tokenUrl : undefined,
    allowedHosts: Array.isArray(allowedHosts) ? allowedHosts.filter((h): h is string => typeof h === 'string') : undefined,
    replace: replace === true,
  };
}

function formatDuration(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60) return `${Math.round(seconds / 60)} min`;
  return `${seconds} s`;
}
