/** Shared set-up for the editor-front integration tests: a sandbox, a credential and data files. */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startSandbox, type Sandbox } from '../../src/sandbox/server';
import { workspaceRoot } from './helpers';

/** The sandbox runs in this extension host, on 127.0.0.1 and a free port. */
export async function startTestSandbox(client: { clientId: string; clientSecret: string }): Promise<Sandbox> {
  return startSandbox({ port: 0, clients: [client], quiet: true });
}

/** Stores a credential for the sandbox through "Hotjar: Add Credential" with arguments (no prompts). */
export async function addSandboxCredential(name: string, client: { clientId: string; clientSecret: string }, sandbox: Sandbox): Promise<void> {
  await vscode.commands.executeCommand('hotjar.addCredential', {
    name,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    tokenUrl: sandbox.tokenUrl,
    replace: true,
  });
}

/** A client pair the sandbox accepts, with a secret made for this run (so a leak cannot be a coincidence). */
export function freshClient(): { clientId: string; clientSecret: string } {
  return { clientId: `it-client-${process.pid}`, clientSecret: `it-secret-${randomBytes(18).toString('base64url')}` };
}

export function emails(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}@example.com`);
}

/**
 * Writes a file under <workspace>/issue4/ (or, with `inRoot`, in the workspace folder itself) and
 * returns its Uri. A file written into a folder created a moment before can escape the host's file
 * watcher (seen with code-server on Linux), so tests that wait for the watcher write into the root.
 */
export function writeWorkspaceFile(relative: string, text: string, options: { inRoot?: boolean } = {}): vscode.Uri {
  const target = path.join(workspaceRoot().fsPath, options.inRoot ? '' : 'issue4', relative);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, text);
  return vscode.Uri.file(target);
}

/** Each line of a JSON Lines report, parsed. */
export function readJsonLines(file: string): Array<Record<string, unknown>> {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Every file under dir (recursively), for scanning logs and reports for secrets. */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => fs.statSync(f).isFile());
}
