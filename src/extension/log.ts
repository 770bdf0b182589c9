import type * as vscode from 'vscode';
import { type SecretRedactor } from '../core/secretRedaction';

/**
 * The only way the extension writes to its output channel: every line passes the redactor first, so a
 * secret or token cannot reach the channel (or its log file) even through an error message.
 * The level is the LogOutputChannel's own (gear icon in the Output view, or "Developer: Set Log Level"),
 * so there is no separate setting for it.
 */
export class ExtensionLog {
  /** The last lines written, already redacted; tests read them through the extension's API. */
  private readonly recent: string[] = [];
  private static readonly RECENT_LIMIT = 2000;

  constructor(
    readonly channel: vscode.LogOutputChannel,
    readonly redactor: SecretRedactor,
  ) {}

  trace(message: string): void {
    this.channel.trace(this.keep(message));
  }

  debug(message: string): void {
    this.channel.debug(this.keep(message));
  }

  info(message: string): void {
    this.channel.info(this.keep(message));
  }

  warn(message: string): void {
    this.channel.warn(this.keep(message));
  }

  error(message: string): void {
    this.channel.error(this.keep(message));
  }

  show(): void {
    this.channel.show(true);
  }

  recentLines(): readonly string[] {
    return [...this.recent];
  }

  private keep(message: string): string {
    const safe = this.redactor.redact(message);
    this.recent.push(safe);
    if (this.recent.length > ExtensionLog.RECENT_LIMIT) this.recent.splice(0, this.recent.length - ExtensionLog.RECENT_LIMIT);
    return safe;
  }
}
