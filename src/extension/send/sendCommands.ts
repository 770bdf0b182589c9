import { statSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CredentialError, credentialFromEnvironment, type Credential } from '../../core/credentials';
import { countRecords, type RecordCount } from '../../core/recordCount';
import { defaultFailedPath, defaultReportPath } from '../../core/report';
import { FIELD_PLACEHOLDER, renderUrl } from '../../core/render';
import { type RunSummary } from '../../core/runTypes';
import { detectInputFormat } from '../../core/records';
import { type DeliverySettings, type PreparedRequest } from '../../core/types';
import { asUri, isRecord } from '../args';
import { COMMANDS } from '../commands';
import { type CredentialService } from '../credentials/credentialService';
import { requireValid, resolveDestinationUri } from '../destinations/destinationCommands';
import { type DestinationEntry, type DestinationIndex } from '../destinations/destinationIndex';
import { Cancelled, UserFacingError, registerCommand } from '../errors';
import { type ExtensionLog } from '../log';
import { type PromptService } from '../prompts';
import { type RunIndex } from '../runs/runIndex';
import { readSettings, type HotjarSettings } from '../settings';
import { requireTrustedWorkspace } from '../trust';
import { isDataFile, prepareDataFile, requireSelectionEditor, resolveDataFiles, selectedLines } from './dataFiles';
import { type RecentDestinations } from './recentDestinations';
import { type SendController } from './sendController';
import { confirmationFor, type SendPlan } from './sendSummary';

/**
 * Options of `hotjar.sendFile(uri, destinationUri, options)` for keybindings, tasks and tests.
 * None of them can skip the confirmation of a deletion: only the user setting
 * `hotjar.confirmDestructiveSends` can.
 */
export interface SendCommandOptions {
  /** false: no summary before a send that deletes nothing. */
  confirm?: boolean;
  /** For a dirty editor: true saves first, false sends the text as shown; unset asks. */
  save?: boolean;
  /** Only records starting within these 1-based lines. */
  fromLine?: number;
  toLine?: number;
  /** Continue the run of `reportFile`. */
  resume?: boolean;
  reportFile?: string;
  /** Render and check every record, send nothing. */
  dryRun?: boolean;
}

/** Files above this size are not counted before sending (the summary then says so). */
const COUNT_LIMIT_BYTES = 200 * 1024 * 1024;

type ValidEntry = Extract<DestinationEntry, { valid: true }>;

export function registerSendCommands(deps: {
  log: ExtensionLog;
  destinations: DestinationIndex;
  credentials: CredentialService;
  prompts: PromptService;
  recent: RecentDestinations;
  controller: SendController;
  runs: RunIndex;
  /** A private folder for copies of unsaved editors. */
  scratch: vscode.Uri;
}): vscode.Disposable[] {
  const { log, destinations, credentials, prompts, recent, controller, runs } = deps;

  /** The destination given, or a quick pick with the most recently used first. */
  const chooseDestination = async (arg: unknown): Promise<{ uri: vscode.Uri; entry: ValidEntry }> => {
    let uri = asUri(arg);
    if (!uri) {
      const valid = await destinations.valid();
      if (valid.length === 0) {
        const invalid = (await destinations.all()).length;
        throw new UserFacingError(
          invalid > 0 ? `None of the ${invalid} destination files of this workspace is valid: hover them in the Destinations view to see why.` : 'There is no destination in this workspace yet: create one first.',
          [{ title: 'New Destination from Template', command: COMMANDS.newDestination }],
        );
      }
      const sorted = [...valid].sort((a, b) => recent.rank(a.uri) - recent.rank(b.uri));
      const picked = await prompts.pick(
        sorted.map((entry) => ({
          label: `${entry.destination.destructive ? '$(trash)' : '$(cloud-upload)'} ${entry.name}`,
          description: entry.destination.templateId ?? entry.destination.request.method,
          detail: `${vscode.workspace.asRelativePath(entry.uri)}${recent.rank(entry.uri) === 0 ? ' · last used' : ''}`,
          uri: entry.uri,
        })),
        { title: 'Send to which destination?', matchOnDetail: true },
      );
      uri = picked.uri;
    }
    // Read again: the file may have been edited since the index saw it.
    return { uri, entry: requireValid(await destinations.reload(uri), uri) };
  };

  const send = async (fileArg?: unknown, destinationArg?: unknown, optionsArg?: unknown): Promise<RunSummary | RunSummary[] | undefined> => {
    const options = asSendOptions(optionsArg);
    if (!options.dryRun) requireTrustedWorkspace('Sending records');
    // From the explorer with several files selected, the second argument is the selection.
    const files = await resolveDataFiles(fileArg, destinationArg, prompts);
    const { uri: destinationUri, entry } = await chooseDestination(Array.isArray(destinationArg) ? undefined : destinationArg);
    const summaries: RunSummary[] = [];
    for (const file of files) {
      const summary = await sendOne(file, destinationUri, entry, options);
      if (summary) summaries.push(summary);
    }
    return files.length === 1 ? summaries[0] : summaries;
  };

  const sendOne = async (file: vscode.Uri, destinationUri: vscode.Uri, entry: ValidEntry, options: SendCommandOptions): Promise<RunSummary | undefined> => {
    if (!isDataFile(file)) throw new UserFacingError(`${path.basename(file.fsPath)} is not a data file: send .csv, .tsv, .json, .jsonl or .ndjson files.`);
    const settings = readSettings(file);
    const { destination } = entry;
    const prepared = await prepareDataFile(file, options.save, prompts, deps.scratch);
    const credential = options.dryRun ? undefined : await pickCredential(credentials, destination.credential, entry.name);
    const reports = reportFiles(file, prepared.dataFile, settings, options);
    // A report folder from the settings is created on first use.
    if (reports.reportFile) await vscode.workspace.fs.createDirectory(vscode.Uri.file(path.dirname(reports.reportFile)));
    const overrides = await settingOverrides(destinationUri, settings);
    const delivery = { ...destination.delivery, ...overrides };
    const lines = options.fromLine !== undefined || options.toLine !== undefined ? { from: options.fromLine ?? 1, to: options.toLine ?? Number.MAX_SAFE_INTEGER } : undefined;

    if (!options.dryRun) {
      const count = await countIfCheap(prepared.dataFile, lines);
      const plan: SendPlan = {
        dataFileName: path.basename(file.fsPath),
        destinationName: entry.name,
        method: destination.request.method,
        url: displayUrl(destination),
        credentialName: credential?.name,
        destructive: destination.destructive,
        records: count?.records,
        invalid: count?.invalid,
        invalidLines: count?.invalidLines,
        concurrency: delivery.concurrency,
        ratePerMinute: delivery.ratePerMinute,
        lines,
        unsaved: prepared.unsaved,
        reportFile: reports.reportFile ?? defaultReportPath(prepared.dataFile),
      };
      if (count && count.records === 0 && !options.resume) {
        throw new UserFacingError(`${plan.dataFileName}${lines ? ` (lines ${lines.from}–${lines.to})` : ''} holds no records to send${count.invalid ? ` (${count.invalid} cannot be read)` : ''}.`);
      }
      await confirm(plan, settings, options);
    }
    await recent.remember(destinationUri);
    const verb = options.dryRun ? 'Dry run of' : options.resume ? 'Resuming' : 'Sending';
    const summary = await controller.run({
      title: `${verb} ${path.basename(file.fsPath)} → ${entry.name}`,
      destinationUri,
      originalUri: file,
      options: {
        dataFile: prepared.dataFile,
        destination,
        credential,
        dryRun: options.dryRun,
        resume: options.resume,
        reportFile: reports.reportFile,
        failedFile: reports.failedFile,
        overrides,
        fromLine: lines?.from,
        toLine: options.toLine,
      },
    });
    if (summary.reportFile) await runs.reload(vscode.Uri.file(summary.reportFile));
    if (summary.dryRun) await showDryRun(summary, entry, file, log);
    return summary;
  };

  /** Summary for every send unless switched off; for a deletion always, unless the user setting says otherwise. */
  const confirm = async (plan: SendPlan, settings: HotjarSettings, options: SendCommandOptions): Promise<void> => {
    const ask = plan.destructive ? settings.confirmDestructiveSends : settings.confirmBeforeSend && options.confirm !== false;
    if (!ask) {
      if (plan.destructive) log.warn(`Deletion requests for ${plan.dataFileName} sent without confirmation: the user setting hotjar.confirmDestructiveSends is off.`);
      return;
    }
    const { message, detail, confirmLabel } = confirmationFor(plan);
    const answer = await prompts.current.modal(message, detail, confirmLabel);
    if (answer !== confirmLabel) {
      log.info(`Not sent: ${plan.dataFileName} to "${plan.destinationName}" was not confirmed.`);
      throw new Cancelled();
    }
  };

  const dryRun = (fileArg?: unknown, destinationArg?: unknown, optionsArg?: unknown) =>
    send(fileArg, destinationArg, { ...asSendOptions(optionsArg), dryRun: true });

  const sendSelection = async (fileArg?: unknown, destinationArg?: unknown, optionsArg?: unknown) => {
    requireTrustedWorkspace('Sending records');
    const editor = requireSelectionEditor(fileArg);
    const { from, to } = selectedLines(editor);
    return send(editor.document.uri, destinationArg, { ...asSendOptions(optionsArg), fromLine: from, toLine: to });
  };

  /** From a destination in the tree: choose the data file. */
  const pickFileFor = async (destinationArg: unknown, dryRunOnly: boolean) => {
    const destinationUri = await resolveDestinationUri(destinationArg, destinations, prompts, 'Which destination?');
    const picked = await prompts.current.openDialog({
      title: `${dryRunOnly ? 'Dry run' : 'Send'} which file to ${vscode.workspace.asRelativePath(destinationUri)}?`,
      canSelectMany: false,
      defaultUri: vscode.workspace.getWorkspaceFolder(destinationUri)?.uri,
      filters: { 'Data files': ['csv', 'tsv', 'json', 'jsonl', 'ndjson'] },
      openLabel: dryRunOnly ? 'Dry Run' : 'Send',
    });
    if (!picked?.[0]) throw new Cancelled();
    return send(picked[0], destinationUri, { dryRun: dryRunOnly });
  };

  const retryFailed = async (arg?: unknown) => {
    requireTrustedWorkspace('Retrying failed records');
    const run = await runArgument(arg, runs, prompts, 'Retry the failed records of which run?', (r) => r.failed + r.skipped > 0);
    if (!run.failedFile) throw new UserFacingError('This run has no failed-records file to retry.');
    return send(vscode.Uri.file(run.failedFile), run.destinationUri, { confirm: confirmOption(arg) });
  };

  const resume = async (arg?: unknown) => {
    requireTrustedWorkspace('Resuming a run');
    const run = await runArgument(arg, runs, prompts, 'Resume which run?', (r) => r.interrupted);
    return send(vscode.Uri.file(run.dataFile), run.destinationUri, { resume: true, reportFile: run.reportFile, confirm: confirmOption(arg) });
  };

  const openReport = async (arg?: unknown) => {
    const run = await runArgument(arg, runs, prompts, 'Open the report of which run?', () => true);
    await vscode.window.showTextDocument(vscode.Uri.file(run.reportFile), { preview: false });
  };

  return [
    registerCommand(log, COMMANDS.sendFile, 'Send to Hotjar', send),
    registerCommand(log, COMMANDS.dryRun, 'Dry Run', dryRun),
    registerCommand(log, COMMANDS.sendSelection, 'Send Selection', sendSelection),
    registerCommand(log, COMMANDS.sendFileToDestination, 'Send File', (arg) => pickFileFor(arg, false)),
    registerCommand(log, COMMANDS.dryRunFileToDestination, 'Dry Run File', (arg) => pickFileFor(arg, true)),
    registerCommand(log, COMMANDS.cancelSend, 'Cancel Send', async () => {
      if (!controller.isRunning) return false;
      const answer = await prompts.current.modal('Cancel the running send?', 'Requests in flight finish; the rest can be sent later with Resume.', 'Cancel Send');
      return answer === 'Cancel Send' && controller.cancel();
    }),
    registerCommand(log, COMMANDS.retryFailed, 'Retry Failed Records', retryFailed),
    registerCommand(log, COMMANDS.resumeRun, 'Resume Run', resume),
    registerCommand(log, COMMANDS.openReport, 'Open Report', openReport),
  ];
}

/** The destination's credential from the keychain, or the environment's; a clear error when neither. */
async function pickCredential(credentials: CredentialService, name: string | undefined, destinationName: string): Promise<Credential> {
  let fromEnvironment: Credential | undefined;
  try {
    fromEnvironment = credentialFromEnvironment(process.env);
  } catch (error) {
    if (error instanceof CredentialError) throw new UserFacingError(error.message);
    throw error;
  }
  // As in the CLI: the environment's credential overrides the destination's.
  if (fromEnvironment) return fromEnvironment;
  if (!name) {
    throw new UserFacingError(`"${destinationName}" names no credential, and HOTJAR_CLIENT_ID / HOTJAR_CLIENT_SECRET are not set. Add "credential" to the destination file.`, [
      { title: 'Add Credential', command: COMMANDS.addCredential },
    ]);
  }
  const credential = await credentials.get(name);
  if (!credential) {
    throw new UserFacingError(`"${destinationName}" uses the credential "${name}", which is not stored in ${credentials.location}.`, [
      { title: 'Add Credential', command: COMMANDS.addCredential },
    ]);
  }
  return credential;
}

/**
 * Where the report and failed-records file go: the engine's default beside the data file, unless a
 * report folder is set, the text is an unsaved copy (reports still go beside the original), or only
 * some lines are sent (their own report, so the whole file's report stays).
 */
function reportFiles(original: vscode.Uri, dataFile: string, settings: HotjarSettings, options: SendCommandOptions): { reportFile?: string; failedFile?: string } {
  if (options.reportFile) return { reportFile: options.reportFile };
  const unsaved = dataFile !== original.fsPath;
  const selection = options.fromLine !== undefined || options.toLine !== undefined;
  if (!settings.reportFolder && !unsaved && !selection) return {};
  const folder = settings.reportFolder
    ? path.resolve(vscode.workspace.getWorkspaceFolder(original)?.uri.fsPath ?? path.dirname(original.fsPath), settings.reportFolder)
    : path.dirname(original.fsPath);
  const extension = path.extname(original.fsPath);
  const stem = path.basename(original.fsPath, extension);
  const suffix = selection ? `.lines-${options.fromLine ?? 1}-${options.toLine ?? 'end'}` : '';
  const named = path.join(folder, `${stem}${suffix}${extension}`);
  return { reportFile: defaultReportPath(named), failedFile: defaultFailedPath(named, detectInputFormat(original.fsPath)) };
}

/** The settings' concurrency and rate, for destinations whose own file does not set them. */
async function settingOverrides(destinationUri: vscode.Uri, settings: HotjarSettings): Promise<Partial<DeliverySettings>> {
  if (settings.concurrency === null && settings.ratePerMinute === null) return {};
  const raw: unknown = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(destinationUri)).toString('utf8'));
  const delivery = isRecord(raw) && isRecord(raw.delivery) ? raw.delivery : {};
  const overrides: Partial<DeliverySettings> = {};
  if (settings.concurrency !== null && delivery.concurrency === undefined) overrides.concurrency = settings.concurrency;
  if (settings.ratePerMinute !== null && delivery.ratePerMinute === undefined) overrides.ratePerMinute = settings.ratePerMinute;
  return overrides;
}

async function countIfCheap(dataFile: string, lines: { from: number; to: number } | undefined): Promise<RecordCount | undefined> {
  if (statSync(dataFile).size > COUNT_LIMIT_BYTES) return undefined;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: `Counting the records of ${path.basename(dataFile)}` },
    () => countRecords(dataFile, { fromLine: lines?.from, toLine: lines?.to }),
  );
}

function displayUrl(destination: ValidEntry['destination']): string {
  try {
    return renderUrl(destination);
  } catch {
    // Record fields in the query are shown as placeholders.
    return renderUrl({ ...destination, request: { ...destination.request, url: destination.request.url.replace(FIELD_PLACEHOLDER, (m) => m.replace(/[{}]/g, '')) } });
  }
}

interface RunTarget {
  reportFile: string;
  dataFile: string;
  failedFile?: string;
  destinationUri?: vscode.Uri;
  failed: number;
  skipped: number;
  interrupted: boolean;
}

/** A run from a notification's arguments, a Runs tree node, a report Uri, or a quick pick. */
async function runArgument(arg: unknown, runs: RunIndex, prompts: PromptService, question: string, offered: (run: RunTarget) => boolean): Promise<RunTarget> {
  if (isRecord(arg) && typeof arg.reportFile === 'string' && !('run' in arg)) {
    const entry = await runs.reload(vscode.Uri.file(arg.reportFile));
    const destinationUri = asUri(arg.destinationUri) ?? (entry?.destinationFile ? vscode.Uri.file(entry.destinationFile) : undefined);
    if (typeof arg.failedFile === 'string' && !entry) {
      return { reportFile: arg.reportFile, dataFile: arg.failedFile, failedFile: arg.failedFile, destinationUri, failed: 1, skipped: 0, interrupted: false };
    }
    if (!entry) throw new UserFacingError(`The report ${arg.reportFile} cannot be read.`);
    return { ...fromEntry(entry), destinationUri, failedFile: typeof arg.failedFile === 'string' ? arg.failedFile : entry.failedFile };
  }
  const uri = asUri(arg);
  if (uri) {
    const entry = await runs.reload(uri);
    if (!entry) throw new UserFacingError(`${uri.fsPath} is not a run report.`);
    return fromEntry(entry);
  }
  const candidates = (await runs.newestFirst()).map(fromEntryWithLabel).filter((c) => offered(c.target));
  if (candidates.length === 0) throw new UserFacingError('There is no such run in this workspace.');
  return (await prompts.pick(candidates, { title: question })).target;
}

function fromEntry(entry: Awaited<ReturnType<RunIndex['newestFirst']>>[number]): RunTarget {
  return {
    reportFile: entry.reportUri.fsPath,
    dataFile: entry.dataFile,
    failedFile: entry.failedFile,
    destinationUri: entry.destinationFile ? vscode.Uri.file(entry.destinationFile) : undefined,
    failed: entry.failed,
    skipped: entry.skipped,
    interrupted: entry.interrupted,
  };
}

function fromEntryWithLabel(entry: Awaited<ReturnType<RunIndex['newestFirst']>>[number]) {
  return {
    label: `${path.basename(entry.dataFile)} → ${entry.destinationName}`,
    description: `${entry.delivered} delivered, ${entry.failed} failed, ${entry.skipped} skipped${entry.interrupted ? ' · interrupted' : ''}`,
    detail: entry.startedAt?.toLocaleString(),
    target: fromEntry(entry),
  };
}

/** The first rendered requests of a dry run in an editor, headers redacted; nothing was sent. */
async function showDryRun(summary: RunSummary, entry: ValidEntry, file: vscode.Uri, log: ExtensionLog): Promise<void> {
  const previews = summary.preview ?? [];
  const lines = [
    `# Dry run: ${path.basename(file.fsPath)} → ${entry.name}`,
    '',
    `Nothing was sent. ${summary.total} records read: ${summary.total - summary.skipped} would be sent in ${summary.requests} request${summary.requests === 1 ? '' : 's'}, ${summary.skipped} would be skipped.`,
    '',
    `The first ${previews.length} request${previews.length === 1 ? '' : 's'} (the Authorization header is added when sending; secrets are never shown):`,
  ];
  previews.forEach((request, i) => lines.push('', `## Request ${i + 1}`, '', '```http', ...httpText(request), '```'));
  const text = log.redactor.redact(lines.join('\n') + '\n');
  const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: text });
  await vscode.window.showTextDocument(document, { preview: false });
}

function httpText(request: PreparedRequest): string[] {
  const headers = Object.entries(request.headers).map(([name, value]) => `${name}: ${/^authorization$/i.test(name) ? 'Bearer ****' : value}`);
  if (request.contentType && !Object.keys(request.headers).some((h) => h.toLowerCase() === 'content-type')) headers.push(`Content-Type: ${request.contentType}`);
  const body = request.body === undefined ? [] : ['', prettyBody(request.body)];
  return [`${request.method} ${request.url}`, ...headers, ...body];
}

function prettyBody(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

/** `confirm: false` in a Retry/Resume argument skips the summary (never a deletion's confirmation). */
function confirmOption(arg: unknown): boolean | undefined {
  return isRecord(arg) && arg.confirm === false ? false : undefined;
}

function asSendOptions(value: unknown): SendCommandOptions {
  if (!isRecord(value)) return {};
  const line = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);
  return {
    confirm: typeof value.confirm === 'boolean' ? value.confirm : undefined,
    save: typeof value.save === 'boolean' ? value.save : undefined,
    fromLine: line(value.fromLine),
    toLine: line(value.toLine),
    resume: value.resume === true,
    reportFile: typeof value.reportFile === 'string' ? value.reportFile : undefined,
    dryRun: value.dryRun === true,
  };
}
