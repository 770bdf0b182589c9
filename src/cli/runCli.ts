/**
 * hotjar-send: sends the records of a data file to a Hotjar destination, manages keychain
 * credentials, and prints run reports. Exit codes: 0 every record delivered, 1 some record failed,
 * was skipped or not sent, 2 a usage or configuration error (nothing was sent).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  CredentialError,
  DEFAULT_TOKEN_URL,
  credentialFromEnvironment,
  normalizeCredential,
  type Credential,
  type CredentialStore,
} from '../core/credentials';
import { DestinationError, loadDestination } from '../core/destination';
import { InvalidRecordsError, RunSetupError, runDelivery } from '../core/engine';
import { HostNotAllowedError, TokenError, TokenProvider, createHttpTransport } from '../core/http';
import { countRecords } from '../core/recordCount';
import { DataFileError } from '../core/records';
import { toCurl } from '../core/render';
import { ReportFileError, defaultReportPath } from '../core/report';
import { readRunStats, type RunStats } from '../core/runStats';
import { type RunSummary } from '../core/runTypes';
import { INPUT_FORMATS, type InputFormat, type Logger, type ResolvedDestination } from '../core/types';
import { type CliIo, openKeychain, packageVersion, readAll, readHidden, readLine } from './io';
import { ProgressBar } from './progress';
import { factsOfSummary, jsonSummaryLine, runStatsJson, runSummaryLines, shellArgument, summaryLines } from './summary';

export const EXIT_OK = 0;
export const EXIT_NOT_ALL_DELIVERED = 1;
export const EXIT_USAGE = 2;

/** A mistake in the command line or the configuration: exit 2 with this message. */
export class UsageError extends Error {}

export const HELP = `Usage:
  hotjar-send <data-file> --destination <file.hotjar.json> [options]
  hotjar-send credentials set <name> --client-id <id> [--token-url <url>] [--allow-host <host>]...
  hotjar-send credentials list | delete <name> | test [<name>]
  hotjar-send report <report-file> [--json]

Sends every record of a CSV, TSV, JSON (array or object) or JSON Lines file to the Hotjar API,
paced, retried and recorded in a report beside the data file.

Options:
  -d, --destination FILE   the destination (*.hotjar.json)
  -c, --credential NAME    keychain credential (default: the destination's "credential")
      --format FORMAT      json | jsonl | csv | tsv (default: from the file name)
      --dry-run            validate and render every record, send nothing, show the first requests
      --resume             continue the run recorded in the report; delivered records are not sent again
      --report FILE        report file (default: <data>.hotjar-report.jsonl)
      --failed FILE        failed-records file (default: <data>.hotjar-failed.<ext>)
      --concurrency N      requests in flight at most
      --rate N             requests per minute at most
      --from-line N        only records starting on line N or later
      --to-line N          only records starting on line N or earlier
  -y, --yes                confirm a destructive destination (deletion requests) without asking
      --json               print a JSON summary as the last line of stdout
  -v, --verbose            log each retry and request on stderr
  -h, --help               this help
  -V, --version            the version

Credentials: HOTJAR_CLIENT_ID and HOTJAR_CLIENT_SECRET (and optional HOTJAR_TOKEN_URL,
HOTJAR_ALLOWED_HOSTS) override the keychain. The secret is read from stdin or a hidden prompt,
never from an argument.

Exit codes: 0 every record delivered; 1 some record failed, was skipped or not sent; 2 usage or
configuration error (nothing sent).
`;

function parse<T extends ParseArgsConfig['options']>(args: string[], options: T): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.replace(/\. To specify a positional argument.*$/s, '.')}`);
  }
}

function positiveInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`${flag} must be a whole number from 1, not "${value}".`);
  return Number(value);
}

function positiveNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new UsageError(`${flag} must be a number above 0, not "${value}".`);
  return number;
}

function stderrLogger(io: CliIo, verbose: boolean, beforeWrite: () => void): Logger {
  const write = (level: string, message: string): void => {
    beforeWrite();
    io.stderr.write(`${level}${message}\n`);
  };
  return {
    debug: (message) => verbose && write('', message),
    info: (message) => verbose && write('', message),
    warn: (message) => verbose && write('warning: ', message),
    error: (message) => write('error: ', message),
  };
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const args = [...argv];
  try {
    if (args[0] === 'credentials') return await credentialsCommand(args.slice(1), io);
    if (args[0] === 'report') return await reportCommand(args.slice(1), io);
    return await sendCommand(args, io);
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof DestinationError ||
      error instanceof DataFileError ||
      error instanceof HostNotAllowedError ||
      error instanceof RunSetupError ||
      error instanceof ReportFileError ||
      error instanceof CredentialError ||
      error instanceof TokenError
    ) {
      io.stderr.write(`hotjar-send: ${error.message}\n`);
      if (error instanceof UsageError) io.stderr.write('Run hotjar-send --help for the options.\n');
      return EXIT_USAGE;
    }
    if (error instanceof InvalidRecordsError) {
      io.stderr.write(`hotjar-send: ${error.message}\n`);
      return EXIT_NOT_ALL_DELIVERED;
    }
    throw error;
  }
}

async function resolveCredential(io: CliIo, name: string | undefined, destination: ResolvedDestination): Promise<Credential> {
  const fromEnvironment = credentialFromEnvironment(io.env);
  if (fromEnvironment) return fromEnvironment;
  const wanted = name ?? destination.credential;
  if (!wanted) {
    throw new CredentialError(
      `The destination "${destination.name}" names no credential: pass --credential NAME, or set HOTJAR_CLIENT_ID and HOTJAR_CLIENT_SECRET.`,
    );
  }
  const store = await openKeychain(io);
  const credential = await store.get(wanted);
  if (!credential) {
    throw new CredentialError(`No credential named "${wanted}" in the keychain: add it with hotjar-send credentials set ${wanted} --client-id <id>.`);
  }
  return credential;
}

async function sendCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    destination: { type: 'string', short: 'd' },
    credential: { type: 'string', short: 'c' },
    format: { type: 'string' },
    'dry-run': { type: 'boolean' },
    resume: { type: 'boolean' },
    report: { type: 'string' },
    failed: { type: 'string' },
    concurrency: { type: 'string' },
    rate: { type: 'string' },
    'from-line': { type: 'string' },
    'to-line': { type: 'string' },
    yes: { type: 'boolean', short: 'y' },
    json: { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'V' },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT_OK;
  }
  if (values.version) {
    io.stdout.write(`hotjar-send ${packageVersion()}\n`);
    return EXIT_OK;
  }
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'Name the data file to send.' : `One data file at a time (got ${positionals.join(', ')}).`);
  }
  if (!values.destination) throw new UsageError('Name the destination: --destination <file.hotjar.json>.');
  const format = values.format as InputFormat | undefined;
  if (format !== undefined && !INPUT_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${INPUT_FORMATS.join(', ')}, not "${format}".`);
  if (values.resume && values['dry-run']) throw new UsageError('--resume and --dry-run do not go together.');

  const overrides = {
    ...(values.concurrency !== undefined ? { concurrency: positiveInteger(values.concurrency, '--concurrency') } : {}),
    ...(values.rate !== undefined ? { ratePerMinute: positiveNumber(values.rate, '--rate') } : {}),
  };
  const fromLine = positiveInteger(values['from-line'], '--from-line');
  const toLine = positiveInteger(values['to-line'], '--to-line');
  const dataFile = path.resolve(io.cwd, positionals[0]);
  const destination = await loadDestination(path.resolve(io.cwd, values.destination));
  const dryRun = values['dry-run'] === true;
  const credential = dryRun ? undefined : await resolveCredential(io, values.credential, destination);

  if (destination.destructive && !dryRun && !values.yes) {
    const confirmed = await confirmDestructive(io, dataFile, destination, format);
    if (!confirmed) return EXIT_USAGE;
  }

  const progress = new ProgressBar(io.stderr);
  const log = stderrLogger(io, values.verbose === true, () => progress.clear());
  const controller = new AbortController();
  let interrupts = 0;
  const removeInterrupt = io.onInterrupt(() => {
    interrupts++;
    if (interrupts === 1) {
      progress.clear();
      io.stderr.write('Stopping: no new requests; waiting for those in flight (Ctrl+C again to quit at once)…\n');
      controller.abort();
    } else {
      io.stderr.write('Quit. The report holds every outcome received; --resume sends the rest.\n');
      process.exit(130);
    }
  });

  let summary: RunSummary;
  try {
    summary = await runDelivery({
      dataFile,
      format,
      destination,
      credential,
      dryRun,
      resume: values.resume === true,
      reportFile: values.report === undefined ? undefined : path.resolve(io.cwd, values.report),
      failedFile: values.failed === undefined ? undefined : path.resolve(io.cwd, values.failed),
      overrides,
      fromLine,
      toLine,
      signal: controller.signal,
      log,
      client: `hotjar-send ${packageVersion()}`,
      onEvent: (event) => {
        if (event.type === 'progress') progress.update(event);
      },
    });
  } finally {
    removeInterrupt();
    progress.clear();
  }

  const human = values.json ? io.stderr : io.stdout;
  if (dryRun) {
    human.write(`Dry run of ${summary.total} records to "${destination.name}": ${summary.requests} request${summary.requests === 1 ? '' : 's'} would be sent, ${summary.skipped} record${summary.skipped === 1 ? '' : 's'} skipped. Nothing was sent.\n`);
    for (const [position, request] of (summary.preview ?? []).entries()) {
      human.write(`\nRequest ${position + 1}:\n${toCurl(request)}\n`);
    }
    if (summary.skipped > 0) human.write('\nRun without --dry-run to see the skipped records in the report.\n');
  } else {
    const resume = [
      'hotjar-send',
      shellArgument(positionals[0]),
      '--destination',
      shellArgument(values.destination),
      ...(values.credential ? ['--credential', shellArgument(values.credential)] : []),
      ...(values.format ? ['--format', values.format] : []),
      ...(values.report ? ['--report', shellArgument(values.report)] : []),
      ...(values.failed ? ['--failed', shellArgument(values.failed)] : []),
      ...(values.yes ? ['--yes'] : []),
      '--resume',
    ].join(' ');
    // The same summary `hotjar-send report` prints, from the report just written.
    const stats = summary.reportFile ? await readRunStats(summary.reportFile).catch(() => undefined) : undefined;
    if (stats) {
      stats.pending = summary.pending;
      for (const line of runSummaryLines(stats, { resumeCommand: resume })) human.write(`${line}\n`);
      if (values.json) io.stdout.write(`${JSON.stringify(runStatsJson(stats))}\n`);
    } else {
      for (const line of summaryLines(factsOfSummary(summary), resume)) human.write(`${line}\n`);
      if (values.json) io.stdout.write(`${jsonSummaryLine(summary)}\n`);
    }
  }
  if (values.json && dryRun) io.stdout.write(`${jsonSummaryLine(summary)}\n`);
  const allDelivered = summary.failed === 0 && summary.skipped === 0 && !summary.interrupted && summary.pending === 0;
  return allDelivered ? EXIT_OK : EXIT_NOT_ALL_DELIVERED;
}

async function confirmDestructive(io: CliIo, dataFile: string, destination: ResolvedDestination, format: InputFormat | undefined): Promise<boolean> {
  if (!io.stdin.isTTY || !io.stderr.isTTY) {
    io.stderr.write(
      `hotjar-send: "${destination.name}" submits deletion requests, which cannot be undone, and there is no terminal to confirm on. Pass --yes to confirm.\n`,
    );
    return false;
  }
  const { records } = await countRecords(dataFile, { format });
  const answer = await readLine(
    io,
    `"${destination.name}" will ask Hotjar to DELETE all data of ${records} data subject${records === 1 ? '' : 's'} in ${path.basename(dataFile)}. This cannot be undone.\nType "delete" to continue: `,
  );
  if (answer.trim().toLowerCase() === 'delete') return true;
  io.stderr.write('Nothing was sent.\n');
  return false;
}

async function credentialsCommand(args: string[], io: CliIo): Promise<number> {
  const [action, ...rest] = args;
  switch (action) {
    case 'set':
      return setCredential(rest, io);
    case 'list': {
      parse(rest, {});
      const store = await openKeychain(io);
      const names = await store.list();
      if (names.length === 0) io.stdout.write(`No credentials in ${store.description}. Add one: hotjar-send credentials set <name> --client-id <id>\n`);
      for (const name of names) {
        const credential = await store.get(name).catch(() => undefined);
        io.stdout.write(credential ? `${name}\t${credential.clientId}\t${credential.tokenUrl}\tallowed: ${credential.allowedHosts.join(', ')}\n` : `${name}\t(damaged entry)\n`);
      }
      return EXIT_OK;
    }
    case 'delete': {
      const { positionals } = parse(rest, {});
      if (positionals.length !== 1) throw new UsageError('Name the credential to delete: hotjar-send credentials delete <name>.');
      const store = await openKeychain(io);
      if (await store.delete(positionals[0])) {
        io.stdout.write(`Deleted credential "${positionals[0]}".\n`);
        return EXIT_OK;
      }
      io.stderr.write(`hotjar-send: no credential named "${positionals[0]}".\n`);
      return EXIT_NOT_ALL_DELIVERED;
    }
    case 'test':
      return testCredential(rest, io);
    default:
      throw new UsageError(action ? `Unknown credentials command "${action}": use set, list, delete or test.` : 'Say what to do: credentials set, list, delete or test.');
  }
}

async function setCredential(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    'client-id': { type: 'string' },
    'token-url': { type: 'string' },
    'allow-host': { type: 'string', multiple: true },
  });
  if (positionals.length !== 1) throw new UsageError('Name the credential: hotjar-send credentials set <name> --client-id <id>.');
  if (!values['client-id']) throw new UsageError('--client-id is required (Hotjar → Settings → API).');
  const store = await openKeychain(io);
  const secret = io.stdin.isTTY ? await readHidden(io, 'Client secret (not shown): ') : await readAll(io);
  const credential = normalizeCredential({
    name: positionals[0],
    clientId: values['client-id'],
    clientSecret: secret,
    tokenUrl: values['token-url'],
    allowedHosts: values['allow-host'],
  });
  await store.set(credential);
  io.stdout.write(
    `Saved credential "${credential.name}" in ${store.description}: token URL ${credential.tokenUrl}${credential.tokenUrl === DEFAULT_TOKEN_URL ? ' (Hotjar)' : ''}, token allowed for ${credential.allowedHosts.join(', ')}.\n`,
  );
  return EXIT_OK;
}

async function testCredential(args: string[], io: CliIo): Promise<number> {
  const { positionals } = parse(args, {});
  let credential: Credential | undefined;
  if (positionals.length === 0) {
    credential = credentialFromEnvironment(io.env);
    if (!credential) throw new UsageError('Name the credential to test, or set HOTJAR_CLIENT_ID and HOTJAR_CLIENT_SECRET.');
  } else {
    const store: CredentialStore = await openKeychain(io);
    credential = await store.get(positionals[0]);
    if (!credential) throw new CredentialError(`No credential named "${positionals[0]}" in the keychain.`);
  }
  const transport = createHttpTransport({ maxSockets: 1 });
  try {
    const token = await new TokenProvider(transport).getToken(credential);
    const seconds = Math.round((token.expiresAt - Date.now()) / 1000);
    io.stdout.write(`OK: credential "${credential.name}" got a token from ${credential.tokenUrl} (valid for ${seconds} s).\n`);
    return EXIT_OK;
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    io.stderr.write(`Failed: ${error.message}\n`);
    return EXIT_NOT_ALL_DELIVERED;
  } finally {
    transport.close();
  }
}

async function reportCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean' } });
  if (positionals.length !== 1) throw new UsageError('Name the report: hotjar-send report <report-file> (the data file works too).');
  const named = path.resolve(io.cwd, positionals[0]);
  // The data file's name works too: its report is found beside it.
  const beside = defaultReportPath(named);
  const file = beside !== named && existsSync(beside) ? beside : named;
  const stats: RunStats = await readRunStats(file);
  const human = values.json ? io.stderr : io.stdout;
  for (const line of runSummaryLines(stats)) human.write(`${line}\n`);
  if (values.json) io.stdout.write(`${JSON.stringify(runStatsJson(stats))}\n`);
  const allDelivered = stats.failed === 0 && stats.skipped === 0 && !stats.interrupted;
  return allDelivered ? EXIT_OK : EXIT_NOT_ALL_DELIVERED;
}
