/**
 * Test hosts for the UI tier: code-server plus headless Chromium showing its workbench, driven
 * through the Workbench page object. One shared host (this extension in development mode on a copy
 * of test/fixtures/workspace) serves most tests; a test that needs another setup (an untrusted
 * workspace, an installed VSIX) starts its own with startUiHost() and closes it in after().
 */
import * as path from 'node:path';
import { launchBrowser, type BrowserSession } from '../host/browser';
import { startCodeServer, type CodeServer, type CodeServerOptions } from '../host/codeServer';
import { repoRoot, testOutput } from '../host/paths';
import { tail } from '../host/processes';
import { Workbench } from './workbench';

/** test-output/ui: screenshots here, each host's logs and profile under hosts/<name>/. */
export const uiOutput = path.join(testOutput, 'ui');

export interface UiHost {
  readonly name: string;
  readonly server: CodeServer;
  readonly browser: BrowserSession;
  readonly workbench: Workbench;
  close(): Promise<void>;
}

export interface UiHostOptions extends Partial<Pick<CodeServerOptions, 'trusted' | 'env' | 'settings' | 'installExtensions' | 'workspace' | 'copyWorkspace'>> {
  /** Names the host's folder test-output/ui/hosts/<name>/. */
  name: string;
  /** The extension loaded in development mode; null loads none (e.g. to test an installed VSIX). Default: this repo. */
  extensionDevelopmentPath?: string | null;
}

const openHosts = new Set<UiHost>();

export async function startUiHost(options: UiHostOptions): Promise<UiHost> {
  const runDir = path.join(uiOutput, 'hosts', options.name);
  const consoleLog = path.join(runDir, 'browser-console.log');
  const { name, extensionDevelopmentPath, ...serverOptions } = options;
  const server = await startCodeServer({ runDir, ...serverOptions });
  let browser: BrowserSession | undefined;
  try {
    browser = await launchBrowser({ consoleLog });
    const workbench = new Workbench(browser.page, uiOutput);
    const developmentPath = extensionDevelopmentPath === undefined ? repoRoot : extensionDevelopmentPath;
    await browser.page.goto(server.workbenchUrl(developmentPath ? { extensionDevelopmentPath: developmentPath } : {}));
    await workbench.waitUntilReady();
    const session = browser;
    const host: UiHost = {
      name, server, browser: session, workbench,
      close: async () => {
        openHosts.delete(host);
        await session.close();
        await server.stop();
      },
    };
    openHosts.add(host);
    return host;
  } catch (error) {
    await browser?.close();
    await server.stop();
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`the UI host "${name}" did not start: ${message}\n--- code-server log:\n${server.log(40)}\n--- browser console:\n${tail(consoleLog, 40)}`);
  }
}

let shared: Promise<UiHost> | undefined;

/** The host most UI tests share: started on first use, closed by the tier's runner at the end. */
export function sharedHost(): Promise<UiHost> {
  shared ??= startUiHost({ name: 'shared' });
  return shared;
}

/** Every host still open (for failure screenshots). */
export function liveHosts(): UiHost[] {
  return [...openHosts];
}

export async function closeAllHosts(): Promise<void> {
  shared = undefined;
  for (const host of [...openHosts]) await host.close();
}
