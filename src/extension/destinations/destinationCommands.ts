import * as path from 'node:path';
import * as vscode from 'vscode';
import { BUILT_IN_TEMPLATES, findTemplate, type EndpointTemplate } from '../../core';
import { apiBaseForTokenUrl, createDestinationFile, destinationFileName } from '../../core/newDestination';
import { asUri, isRecord } from '../args';
import { COMMANDS, REQUEST_EDITOR_VIEW_TYPE } from '../commands';
import { type CredentialService } from '../credentials/credentialService';
import { type TokenProbe } from '../credentials/credentialCommands';
import { Cancelled, UserFacingError, describeError, registerCommand } from '../errors';
import { type ExtensionLog } from '../log';
import { type PromptService } from '../prompts';
import { readSettings } from '../settings';
import { type DestinationEntry, type DestinationIndex } from './destinationIndex';

/** Arguments of "New Destination from Template" for tests and keybindings (no prompts then). */
export interface NewDestinationArgs {
  name: string;
  /** A stored credential's name; omitted: the HOTJAR_CLIENT_ID/SECRET environment variables are used. */
  credential?: string;
  parameters?: Record<string, string>;
  /** Workspace folder to write into (default: the first); the file goes to its destination folder setting. */
  folder?: vscode.Uri;
  /** Open the new file in an editor (default true). */
  open?: boolean;
}

const NO_CREDENTIAL = '$(terminal) No credential: use HOTJAR_CLIENT_ID and HOTJAR_CLIENT_SECRET';
const ADD_CREDENTIAL = '$(add) Add a new credential…';

export function registerDestinationCommands(deps: {
  log: ExtensionLog;
  destinations: DestinationIndex;
  credentials: CredentialService;
  prompts: PromptService;
  probeToken: TokenProbe;
}): vscode.Disposable[] {
  const { log, destinations, credentials, prompts } = deps;

  const newDestination = async (templateArg?: unknown, args?: unknown): Promise<vscode.Uri> => {
    const template = await resolveTemplate(templateArg, prompts);
    const given = asNewDestinationArgs(args);
    const folder = given?.folder ? vscode.workspace.getWorkspaceFolder(given.folder) : await pickWorkspaceFolder(prompts);
    if (!folder) throw new UserFacingError('Open a folder first: destinations are files in the workspace, shared like any other file.');

    const name =
      given?.name ??
      (await prompts.require({
        title: `New ${template.label} Destination (1/3)`,
        prompt: 'A name for the destination, shown in the tree and in reports',
        placeHolder: template.destructive ? 'e.g. GDPR deletions (prod)' : 'e.g. GDPR lookups (prod)',
        validateInput: (value) => (value.trim() ? undefined : 'A name is required.'),
      }));
    const credential = given ? given.credential : await pickCredential(credentials, prompts);
    const parameters = given?.parameters ?? (await askParameters(template, prompts));
    const missing = template.parameters.filter((p) => p.required && !parameters[p.name]?.trim()).map((p) => p.name);
    if (missing.length > 0) throw new UserFacingError(`The template ${template.id} needs ${missing.join(', ')}.`);

    const stored = credential ? await credentials.get(credential) : undefined;
    const apiBase = stored ? apiBaseForTokenUrl(stored.tokenUrl) : undefined;
    const content = createDestinationFile({ template, name, credential, parameters, apiBase });
    const target = await freeFileName(vscode.Uri.joinPath(folder.uri, readSettings(folder.uri).destinationFolder), name);
    await vscode.workspace.fs.writeFile(target, Buffer.from(JSON.stringify(content, null, 2) + '\n', 'utf8'));
    log.info(`New destination "${content.name}" (${template.id}) written to ${target.fsPath}${apiBase ? `; its URL points at ${apiBase}, the credential's server` : ''}.`);
    await destinations.reload(target);
    if (given?.open !== false) await vscode.window.showTextDocument(target, { preview: false });
    return target;
  };

  const open = async (target?: unknown): Promise<void> => {
    const uri = await resolveDestinationUri(target, destinations, prompts, 'Open which destination?');
    await vscode.window.showTextDocument(uri, { preview: false });
  };

  const editInRequestEditor = async (target?: unknown): Promise<void> => {
    const uri = await resolveDestinationUri(target, destinations, prompts, 'Edit which destination?');
    try {
      await vscode.commands.executeCommand('vscode.openWith', uri, REQUEST_EDITOR_VIEW_TYPE);
    } catch (error) {
      // The request editor arrives with a later version; until then the JSON editor (with the schema) does.
      log.info(`Request editor not available (${describeError(error)}); opening ${uri.fsPath} as text.`);
      await vscode.window.showTextDocument(uri, { preview: false });
    }
  };

  const duplicate = async (target?: unknown): Promise<vscode.Uri> => {
    const uri = await resolveDestinationUri(target, destinations, prompts, 'Duplicate which destination?');
    const parsed: unknown = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8'));
    if (!isRecord(parsed)) throw new UserFacingError(`${vscode.workspace.asRelativePath(uri)} is not a JSON object; fix it before duplicating.`);
    const name = `${typeof parsed.name === 'string' ? parsed.name : path.basename(uri.fsPath, '.hotjar.json')} (copy)`;
    const copy = await freeFileName(vscode.Uri.joinPath(uri, '..'), name);
    await vscode.workspace.fs.writeFile(copy, Buffer.from(JSON.stringify({ ...parsed, name }, null, 2) + '\n', 'utf8'));
    await destinations.reload(copy);
    await vscode.window.showTextDocument(copy, { preview: false });
    return copy;
  };

  const remove = async (target?: unknown, options?: unknown): Promise<boolean> => {
    const uri = await resolveDestinationUri(target, destinations, prompts, 'Delete which destination?');
    if (!(isRecord(options) && options.confirm === false)) {
      const answer = await prompts.current.modal(
        `Delete the destination file ${vscode.workspace.asRelativePath(uri)}?`,
        'The file goes to the trash where the system has one. Reports of earlier runs stay.',
        'Delete',
      );
      if (answer !== 'Delete') throw new Cancelled();
    }
    await vscode.workspace.fs.delete(uri, { useTrash: true }).then(undefined, () => vscode.workspace.fs.delete(uri, { useTrash: false }));
    log.info(`Destination file ${uri.fsPath} deleted.`);
    await destinations.rescan();
    return true;
  };

  return [
    registerCommand(log, COMMANDS.newDestination, 'New Destination from Template', newDestination),
    registerCommand(log, COMMANDS.openDestination, 'Open Destination', open),
    registerCommand(log, COMMANDS.editInRequestEditor, 'Edit in Request Editor', editInRequestEditor),
    // "Test Destination" (COMMANDS.testDestination) is registered by the request editor (src/extension/requestEditor).
    registerCommand(log, COMMANDS.duplicateDestination, 'Duplicate Destination', duplicate),
    registerCommand(log, COMMANDS.deleteDestination, 'Delete Destination', remove),
  ];
}

export function requireValid(entry: DestinationEntry | undefined, uri: vscode.Uri): Extract<DestinationEntry, { valid: true }> {
  if (!entry) throw new UserFacingError(`${vscode.workspace.asRelativePath(uri)} is not a destination file in this workspace (*.hotjar.json).`);
  if (!entry.valid) {
    throw new UserFacingError(`The destination "${entry.name}" cannot be used: ${entry.reason}`, [
      { title: 'Open Destination', command: COMMANDS.openDestination, args: [uri] },
    ]);
  }
  return entry;
}

/** A destination file from a Uri/path/tree node argument, or a quick pick of the workspace's destinations. */
export async function resolveDestinationUri(target: unknown, destinations: DestinationIndex, prompts: PromptService, question: string): Promise<vscode.Uri> {
  const given = asUri(target);
  if (given) return given;
  const entries = (await destinations.all()).sort((a, b) => a.name.localeCompare(b.name));
  if (entries.length === 0) {
    throw new UserFacingError('There are no destinations (*.hotjar.json) in this workspace yet.', [
      { title: 'New Destination from Template', command: COMMANDS.newDestination },
    ]);
  }
  const picked = await prompts.pick(
    entries.map((entry) => ({ label: entry.name, description: vscode.workspace.asRelativePath(entry.uri), detail: entry.valid ? undefined : `$(warning) ${entry.reason}`, uri: entry.uri })),
    { title: question, matchOnDescription: true },
  );
  return picked.uri;
}

async function resolveTemplate(arg: unknown, prompts: PromptService): Promise<EndpointTemplate> {
  const id = typeof arg === 'string' ? arg : isRecord(arg) && typeof arg.templateId === 'string' ? arg.templateId : undefined;
  if (id) {
    const template = findTemplate(id);
    if (!template) throw new UserFacingError(`There is no template "${id}". Templates: ${BUILT_IN_TEMPLATES.map((t) => t.id).join(', ')}.`);
    return template;
  }
  const picked = await prompts.pick(
    BUILT_IN_TEMPLATES.map((template) => ({
      label: `${template.destructive ? '$(trash)' : template.kind === 'read' ? '$(book)' : '$(search)'} ${template.label}`,
      description: template.id,
      detail: template.description,
      template,
    })),
    { title: 'New Destination from Template', matchOnDetail: true },
  );
  return picked.template;
}

async function pickWorkspaceFolder(prompts: PromptService): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) return folders[0];
  const picked = await prompts.pick(
    folders.map((folder) => ({ label: folder.name, description: folder.uri.fsPath, folder })),
    { title: 'Which workspace folder gets the destination file?' },
  );
  return picked.folder;
}

async function pickCredential(credentials: CredentialService, prompts: PromptService): Promise<string | undefined> {
  const names = await credentials.list();
  const picked = await prompts.pick(
    [
      ...names.map((name) => ({ label: name, description: credentials.hasToken(name) ? '$(pass-filled) token obtained' : '' })),
      { label: ADD_CREDENTIAL },
      { label: NO_CREDENTIAL },
    ],
    { title: 'Which credential does this destination use? (2/3)' },
  );
  if (picked.label === NO_CREDENTIAL) return undefined;
  if (picked.label === ADD_CREDENTIAL) {
    const added = await vscode.commands.executeCommand<string | undefined>(COMMANDS.addCredential);
    if (!added) throw new Cancelled();
    return added;
  }
  return picked.label;
}

async function askParameters(template: EndpointTemplate, prompts: PromptService): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const parameter of template.parameters) {
    values[parameter.name] = (
      await prompts.require({
        title: `New ${template.label} Destination (3/3): ${parameter.name}`,
        prompt: parameter.description,
        validateInput: (value) => (parameter.required && !value.trim() ? `${parameter.name} is required.` : undefined),
      })
    ).trim();
  }
  return values;
}

/** `<folder>/<slug>.hotjar.json`, or `<slug>-2.hotjar.json`… when taken: never overwrite a file. */
async function freeFileName(folder: vscode.Uri, name: string): Promise<vscode.Uri> {
  for (let n = 1; n < 1000; n++) {
    const candidate = vscode.Uri.joinPath(folder, destinationFileName(name, n === 1 ? '' : `-${n}`));
    try {
      await vscode.workspace.fs.stat(candidate);
    } catch {
      return candidate;
    }
  }
  throw new UserFacingError(`Too many destination files named like "${name}" in ${folder.fsPath}.`);
}

function asNewDestinationArgs(args: unknown): NewDestinationArgs | undefined {
  if (!isRecord(args) || typeof args.name !== 'string') return undefined;
  const parameters = isRecord(args.parameters)
    ? Object.fromEntries(Object.entries(args.parameters).filter((e): e is [string, string] => typeof e[1] === 'string'))
    : undefined;
  return {
    name: args.name,
    credential: typeof args.credential === 'string' && args.credential ? args.credential : undefined,
    parameters,
    folder: asUri(args.folder),
    open: args.open !== false,
  };
}
