// Helpers for the engine tests: data files in a temp folder, a destination and a credential for a sandbox.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { normalizeCredential, type Credential } from '../../../src/core/credentials';
import { parseDestination } from '../../../src/core/destination';
import { type ReportLine, type ReportRecordLine } from '../../../src/core/report';
import { type DestinationFile, type ResolvedDestination } from '../../../src/core/types';
import { DEMO_CLIENT, type Sandbox } from '../../../src/sandbox/server';

import { startTestSandbox } from '../sandbox/helpers';

export { startTestSandbox };

/**
 * Gives each test of the enclosing suite a fresh sandbox and temp folder (handed to `receive`), and
 * closes and removes them after it.
 */
export function eachTestWithSandboxAndTempDir(receive: (fresh: { sandbox: Sandbox; temp: TempDir }) => void): void {
  let current: { sandbox: Sandbox; temp: TempDir } | undefined;
  beforeEach(async () => {
    current = { sandbox: await startTestSandbox(), temp: new TempDir() };
    receive(current);
  });
  afterEach(async () => {
    await current?.sandbox.close();
    current?.temp.remove();
    current = undefined;
  });
}

export class TempDir {
  readonly path = mkdtempSync(path.join(tmpdir(), 'hotjar-engine-'));

  file(name: string, content: string): string {
    const target = path.join(this.path, name);
    writeFileSync(target, content);
    return target;
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

export function emails(count: number, prefix = 'person'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}@example.com`);
}

export function csvOf(addresses: readonly string[]): string {
  return 'email,name\n' + addresses.map((email, i) => `${email},"Person ${i}"`).join('\n') + '\n';
}

export function jsonlOf(addresses: readonly string[]): string {
  return addresses.map((email) => JSON.stringify({ email })).join('\n') + '\n';
}

export function jsonArrayOf(addresses: readonly string[]): string {
  return '[\n' + addresses.map((email) => `  ${JSON.stringify({ email, nested: { ok: true } })}`).join(',\n') + '\n]\n';
}

export function sandboxCredential(sandbox: Sandbox, extra: Partial<Credential> = {}): Credential {
  return normalizeCredential({ name: 'sandbox', clientId: DEMO_CLIENT.clientId, clientSecret: DEMO_CLIENT.clientSecret, tokenUrl: sandbox.tokenUrl, ...extra });
}

export function lookupDestination(sandbox: Sandbox, overrides: Partial<DestinationFile> = {}): ResolvedDestination {
  return parseDestination(
    JSON.stringify({
      name: 'sandbox lookups',
      template: 'hotjar.user-lookup',
      parameters: { organization_id: '123456' },
      request: { url: `${sandbox.url}/v1/organizations/{organization_id}/user-lookup` },
      ...overrides,
    }),
    'sandbox.hotjar.json',
  );
}

export function reportLines(file: string): ReportLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ReportLine);
}

export function recordLines(file: string): ReportRecordLine[] {
  return reportLines(file).filter((line): line is ReportRecordLine => line.type === 'record');
}

/** A plain loopback server that counts what reaches it (the "other host" of the confinement tests). */
export async function startCountingServer(): Promise<{ url: string; host: string; requests: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server: Server = createServer((request, response) => {
    count++;
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Polls `condition` every few ms until it holds or `timeoutMs` passes. */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
