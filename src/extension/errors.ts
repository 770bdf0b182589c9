import * as vscode from 'vscode';
import { CredentialError } from '../core/credentials';
import { DestinationError } from '../core/destination';
import { InvalidRecordsError, RunSetupError } from '../core/engine';
import { HostNotAllowedError, TokenError, TransportError } from '../core/http';
import { DataFileError } from '../core/records';
import { ReportFileError } from '../core/report';
import { type ExtensionLog } from './log';
import { COMMANDS } from './commands';

/**
 * An expected failure a person can act on (untrusted workspace, invalid destination, missing file).
 * Its message is shown as written; no stack goes to the log.
 */
export class UserFacingError extends Error {
  constructor(
    message: string,
    /** Buttons offered with the message: label → command id (with optional arguments). */
    readonly actions: ReadonlyArray<{ title: string; command: string; args?: unknown[] }> = [],
  ) {
    super(message);
    this.name = 'UserFacingError';
  }
}

/** A person closed a prompt: not an error, nothing to show. */
export class Cancelled extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'Cancelled';
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

export type CommandHandler = (...args: unknown[]) => unknown;

/**
 * The one error handler every command runs in: expected errors become a readable message with their
 * actions, unexpected ones a message plus the stack in the log. The host never sees an exception, so a
 * failed command cannot take it down or leave a half-shown notification.
 */
export function registerCommand(log: ExtensionLog, id: string, title: string, handler: CommandHandler): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await handler(...args);
    } catch (error) {
      reportError(log, title, error);
      return undefined;
    }
  });
}

/**
 * The core's errors for things a person can fix (a bad destination or data file, an unwritable report
 * folder, a refused host or credential, an unreachable server): their messages say what to do, so they
 * are shown as written, without a stack.
 */
function isExpected(error: unknown): error is Error {
  return [CredentialError, DestinationError, RunSetupError, InvalidRecordsError, HostNotAllowedError, TokenError, TransportError, DataFileError, ReportFileError].some(
    (kind) => error instanceof kind,
  );
}

export function reportError(log: ExtensionLog, title: string, error: unknown): void {
  if (error instanceof Cancelled) return;
  const showLog = { title: 'Show Log', command: COMMANDS.showLog };
  if (error instanceof UserFacingError) {
    log.warn(`${title}: ${error.message}`);
    showMessage('warning', log.redactor.redact(error.message), error.actions.length > 0 ? error.actions : [showLog]);
    return;
  }
  if (isExpected(error)) {
    log.warn(`${title}: ${error.message}`);
    showMessage('warning', log.redactor.redact(`${title}: ${error.message}`), [showLog]);
    return;
  }
  log.error(`${title} failed: ${error instanceof Error && error.stack ? error.stack : describeError(error)}`);
  showMessage('error', log.redactor.redact(`${title} failed: ${describeError(error)}`), [showLog]);
}

function showMessage(
  severity: 'warning' | 'error',
  message: string,
  actions: ReadonlyArray<{ title: string; command: string; args?: unknown[] }>,
): void {
  const show = severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
  // Not awaited on purpose: a notification stays until dismissed, and the command has finished.
  void Promise.resolve(show(message, ...actions.map((a) => a.title)))
    .then(async (picked) => {
      const action = actions.find((a) => a.title === picked);
      if (action) await vscode.commands.executeCommand(action.command, ...(action.args ?? []));
    })
    .catch(() => undefined);
}
