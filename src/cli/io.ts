/** What the CLI needs from its process, injected so that tests can run it in memory. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CredentialError, CredentialStore, KEYCHAIN_SERVICE, loadKeytarBackend } from '../core/credentials';

export interface CliOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CliInput extends AsyncIterable<Buffer | string> {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  off(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export interface CliIo {
  stdout: CliOutput;
  stderr: CliOutput;
  stdin: CliInput;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Registers a Ctrl+C handler; returns a function that removes it. */
  onInterrupt(handler: () => void): () => void;
  /** Default: the OS keychain through keytar (service HOTJAR_KEYCHAIN_SERVICE or the shared one). */
  openCredentialStore?: () => Promise<CredentialStore>;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      return () => process.off('SIGINT', handler);
    },
  };
}

/** The keychain, or a CredentialError that says what to do instead. */
export async function openKeychain(io: CliIo): Promise<CredentialStore> {
  if (io.openCredentialStore) return io.openCredentialStore();
  const backend = loadKeytarBackend(io.env.HOTJAR_KEYCHAIN_SERVICE || KEYCHAIN_SERVICE);
  const instead = 'set HOTJAR_CLIENT_ID and HOTJAR_CLIENT_SECRET (and HOTJAR_TOKEN_URL for another token endpoint) instead';
  if (backend instanceof Error) throw new CredentialError(`The OS keychain cannot be used here (keytar: ${backend.message}); ${instead}.`);
  try {
    await backend.findAccounts();
  } catch (error) {
    throw new CredentialError(`The OS keychain does not answer (${(error as Error).message}); ${instead}.`);
  }
  return new CredentialStore(backend);
}

/** The package version: package.json above this file (dist/ in a bundle, out/src/cli in tests). */
export function packageVersion(): string {
  let dir = __dirname;
  for (let depth = 0; depth < 6; depth++) {
    const candidate = path.join(dir, 'package.json');
    if (existsSync(candidate)) {
      const manifest = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'hotjar-destinations' && manifest.version) return manifest.version;
    }
    dir = path.dirname(dir);
  }
  return 'unknown';
}

/** Reads a line from the terminal without echoing it (for the client secret). */
export function readHidden(io: CliIo, prompt: string): Promise<string> {
  const input = io.stdin;
  io.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: Error): void => {
      input.off('data', onData);
      input.setRawMode?.(false);
      input.pause();
      io.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003') return finish(new CredentialError('Cancelled.'));
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else if (char >= ' ') value += char;
      }
    };
    input.setRawMode?.(true);
    input.resume();
    input.on('data', onData);
  });
}

/** Reads one visible line from the terminal (confirmations). */
export function readLine(io: CliIo, prompt: string): Promise<string> {
  const input = io.stdin;
  io.stderr.write(prompt);
  return new Promise((resolve) => {
    let value = '';
    const onData = (chunk: Buffer | string): void => {
      value += chunk.toString('utf8');
      const newline = value.indexOf('\n');
      if (newline !== -1) {
        input.off('data', onData);
        input.pause();
        resolve(value.slice(0, newline).replace(/\r$/, ''));
      }
    };
    input.resume();
    input.on('data', onData);
  });
}

/** All of stdin (a piped secret), without the final newline. */
export async function readAll(io: CliIo): Promise<string> {
  let text = '';
  for await (const chunk of io.stdin) text += chunk.toString();
  return text.replace(/\r?\n$/, '');
}
