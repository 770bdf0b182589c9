// An in-memory process for runCli, and a credential store that lives in memory.
import { PassThrough } from 'node:stream';
import { CredentialStore, type SecretBackend } from '../../../src/core/credentials';
import { type CliInput, type CliIo } from '../../../src/cli/io';

export class MemoryBackend implements SecretBackend {
  readonly description = 'memory';
  readonly entries = new Map<string, string>();
  getPassword(account: string): Promise<string | null> {
    return Promise.resolve(this.entries.get(account) ?? null);
  }
  setPassword(account: string, password: string): Promise<void> {
    this.entries.set(account, password);
    return Promise.resolve();
  }
  deletePassword(account: string): Promise<boolean> {
    return Promise.resolve(this.entries.delete(account));
  }
  findAccounts(): Promise<string[]> {
    return Promise.resolve([...this.entries.keys()]);
  }
}

export interface FakeIo extends CliIo {
  out(): string;
  err(): string;
  /** Fires the Ctrl+C handlers. */
  interrupt(): void;
}

export function fakeIo(options: { env?: Record<string, string>; stdin?: string; cwd: string; backend?: MemoryBackend; tty?: boolean }): FakeIo {
  let out = '';
  let err = '';
  const handlers = new Set<() => void>();
  const stdin = new PassThrough() as PassThrough & CliInput;
  stdin.isTTY = options.tty === true;
  if (options.stdin !== undefined) stdin.end(options.stdin);
  const backend = options.backend;
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text), isTTY: options.tty === true, columns: 100 },
    stdin,
    env: options.env ?? {},
    cwd: options.cwd,
    onInterrupt(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    ...(backend ? { openCredentialStore: () => Promise.resolve(new CredentialStore(backend)) } : {}),
    out: () => out,
    err: () => err,
    interrupt: () => handlers.forEach((handler) => handler()),
  };
}
