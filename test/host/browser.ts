import * as fs from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { chromiumPath } from './paths';

/**
 * Flags that keep Debian's Chromium quiet on a machine with no network but loopback: without the
 * background-networking ones it keeps trying (and failing) to reach Google's hosts.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

export interface BrowserSession {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Everything the page printed to its console, also appended to consoleLog when given. */
  consoleLines(): string[];
  close(): Promise<void>;
}

/** Headless Chromium with one page; playwright gives it a fresh profile and kills it when closed. */
export async function launchBrowser(options: { consoleLog?: string; viewport?: { width: number; height: number } } = {}): Promise<BrowserSession> {
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(`Chromium is not installed at ${chromiumPath}: run "npm run setup" (Debian package chromium)`);
  }
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1400, height: 900 } });
    const page = await context.newPage();
    const lines: string[] = [];
    const record = (line: string) => {
      lines.push(line);
      if (options.consoleLog) fs.appendFileSync(options.consoleLog, `${line}\n`);
    };
    page.on('console', (message) => record(`[${message.type()}] ${message.text()}`));
    page.on('pageerror', (error) => record(`[pageerror] ${error.message}`));
    return {
      browser, context, page,
      consoleLines: () => [...lines],
      close: () => browser.close(),
    };
  } catch (error) {
    await browser.close();
    throw error;
  }
}
