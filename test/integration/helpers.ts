/** Shared helpers for the tests that run inside the VS Code extension host. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { HotjarApi } from '../../src/extension/extension';

export const EXTENSION_ID = 'hotjar-destinations.hotjar-destinations';

/** Activates the extension under test (idempotent) and returns its API. */
export async function activateExtension(): Promise<HotjarApi> {
  const extension = vscode.extensions.getExtension<HotjarApi>(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is not loaded in this host`);
  return extension.activate();
}

/** The workspace folder the host opened (a fresh copy of test/fixtures/workspace). */
export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test host opened no workspace folder');
  return folder.uri;
}

/**
 * True when the launcher started this host inside a D-Bus session with an unlocked gnome-keyring
 * (npm test does), so keytar must reach a real Secret Service.
 */
export function inKeyringSession(): boolean {
  return process.env.HOTJAR_TEST_KEYRING === '1';
}

/** Polls check() until it returns something other than undefined; fails with `what` after timeoutMs. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
