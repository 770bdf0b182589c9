/**
 * UI: the run view as a person sees it. A CSV of 400 customers (two without an email) goes to a
 * sandbox that fails some calls; the run view opens beside the editor and follows the run; at the end
 * it shows the figures, the chart, the response times and the failed records; "Open at line" jumps to
 * a record; after a real reload of the window (the browser page) the view comes back and the run is
 * in the Runs list. Screenshots in test-output/ui/run-view-*.png (the README uses them).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Locator } from 'playwright-core';
import { type Sandbox } from '../../src/sandbox/server';
import { waitUntil } from '../host/processes';
import { startUiHost, type UiHost } from './fixture';
import { prepareSandboxWorkspace, type SandboxWorkspace } from './sandboxWorkspace';
import { DEFAULT_TIMEOUT, type Workbench } from './workbench';

const CREDENTIAL = `ui-runview-${process.pid}`;
const client = { clientId: 'ui-runview-client', clientSecret: `ui-secret-${process.pid}-${Date.now()}` };
const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Dennis'];

function customersCsv(count: number): string {
  const rows = ['email,first_name,plan'];
  for (let i = 1; i <= count; i++) {
    const name = FIRST_NAMES[i % FIRST_NAMES.length];
    // Two customers without an email: skipped, never sent.
    const email = i === 57 || i === 233 ? '' : `${name.toLowerCase()}.${i}@example.com`;
    rows.push(`${email},${name},${i % 3 === 0 ? 'business' : 'basic'}`);
  }
  return rows.join('\n') + '\n';
}

async function textOf(locator: Locator): Promise<string> {
  return (await locator.innerText().catch(() => '')).trim();
}

async function numberIn(locator: Locator): Promise<number> {
  return Number((await textOf(locator)).replace(/[^\d]/g, '') || '0');
}

/** Expands a collapsed view pane of the side bar (the Runs view starts collapsed). */
async function expandPane(workbench: Workbench, name: string): Promise<void> {
  const header = workbench.viewPane(name).locator('.pane-header');
  await header.waitFor({ timeout: DEFAULT_TIMEOUT });
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
}

async function collapsePane(workbench: Workbench, name: string): Promise<void> {
  const header = workbench.viewPane(name).locator('.pane-header');
  if ((await header.count()) > 0 && (await header.getAttribute('aria-expanded')) === 'true') await header.click();
}

describe('UI: the run view', function () {
  this.timeout(300_000);
  let sandbox: Sandbox;
  let host: UiHost;
  let fixture: SandboxWorkspace | undefined;
  let view: FrameLocator;

  before(async () => {
    fixture = await prepareSandboxWorkspace({ credential: CREDENTIAL, client, workspacePrefix: 'hotjar-ui-runview-', delivery: { concurrency: 4, ratePerMinute: 1500, maxAttempts: 2 } });
    sandbox = fixture.sandbox;
    fs.writeFileSync(path.join(fixture.workspace, 'customers.csv'), customersCsv(400));
    host = await startUiHost({ name: 'run-view', workspace: fixture.workspace, env: fixture.hostEnv });
  });

  after(async () => {
    await host?.close();
    await fixture?.close();
  });

  it('opens live when a send starts, and shows what happened at the end', async () => {
    const { workbench, browser } = host;
    const { page } = browser;
    // Some calls fail: 429s and 5xx are retried once, a few records fail for good.
    sandbox.configure({ latencyMs: 25, faults: { rate: 0.17, kinds: ['503', '429', '500', 'reset'], seed: 5, retryAfterSeconds: 1 } });
    // The extension is up once its views list the destination (menus may miss its entries before).
    await workbench.openActivity('Hotjar');
    await workbench.treeItem('Sandbox lookups').waitFor({ state: 'visible', timeout: 60_000 });
    const csv = await workbench.explorerItem('customers.csv');
    await csv.click({ button: 'right' });
    const entry = page.locator('.context-view .monaco-menu').getByRole('menuitem', { name: 'Send to Hotjar' });
    await entry.waitFor({ timeout: DEFAULT_TIMEOUT });
    await entry.hover();
    await page.keyboard.press('Enter');
    await workbench.pickQuickItem('Sandbox lookups');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: DEFAULT_TIMEOUT });
    await dialog.getByRole('button', { name: 'Send', exact: true }).click();

    // The Hotjar side bar with the Runs list, while the run view follows the send.
    await workbench.openActivity('Hotjar');
    await collapsePane(workbench, 'Templates');
    await expandPane(workbench, 'Runs');
    view = workbench.webview();
    const status = view.locator('#run-status');
    await waitUntil('the run view to show the send going', 60_000, async () => (await textOf(status)) === 'Sending' && (await numberIn(view.locator('#tile-delivered .value'))) >= 60);
    // A moment more, so that the chart has a few seconds to show.
    await waitUntil('a third of the records', 60_000, async () => (await numberIn(view.locator('#tile-delivered .value'))) >= 130);
    assert.ok(await view.locator('#chart svg rect.c-2xx').count() > 0, 'bars of 2xx answers');
    assert.equal(await view.locator('#cancel').isVisible(), true);
    await workbench.screenshot('run-view-live');

    await waitUntil('the run to end', 120_000, async () => !['Sending', ''].includes(await textOf(status)));
    assert.equal(await textOf(status), 'Finished with failures');
    const delivered = await numberIn(view.locator('#tile-delivered .value'));
    const failed = await numberIn(view.locator('#tile-failed .value'));
    const skipped = await numberIn(view.locator('#tile-skipped .value'));
    assert.equal(delivered + failed + skipped, 400);
    assert.equal(skipped, 2);
    assert.ok(failed > 0, 'some records failed for good');
    assert.equal(sandbox.stats().distinctSubjects, delivered);
    assert.equal(await view.locator('#problems tbody tr').count(), failed + skipped);
    assert.match(await textOf(view.locator('#retry-failed')), new RegExp(`Retry ${failed + skipped} Failed Records`));
    assert.match(await textOf(view.locator('#latency')), /p50\s*\d/);
    await workbench.notification(/Sending customers\.csv/).waitFor({ state: 'hidden', timeout: DEFAULT_TIMEOUT });
    await workbench.notification(/customers\.csv/).getByRole('button', { name: 'Show Run' }).waitFor({ timeout: DEFAULT_TIMEOUT });
    await workbench.runCommand('Notifications: Clear All Notifications');
    await workbench.notification(/customers\.csv/).waitFor({ state: 'hidden', timeout: DEFAULT_TIMEOUT });
    await workbench.screenshot('run-view-done');

    // The failed records: grouped reasons, a filter, and Open at line.
    await view.locator('#problems-heading').evaluate((heading: { scrollIntoView(options: { block: string }): void }) => heading.scrollIntoView({ block: 'start' }));
    await workbench.screenshot('run-view-failed-records');
    await view.locator('#problem-filter input').fill('skipped');
    await waitUntil('the filter to keep the two skipped rows', DEFAULT_TIMEOUT, async () => (await view.locator('#problems tbody tr').count()) === 2);
    await view.locator('#problem-filter input').fill('');
    await waitUntil('every row back', DEFAULT_TIMEOUT, async () => (await view.locator('#problems tbody tr').count()) === failed + skipped);
    const firstRow = view.locator('#problems tbody tr').first();
    const line = Number(await textOf(firstRow.locator('td').first()));
    await firstRow.getByRole('button', { name: /Open .* at line/ }).click();
    // The data file opens beside the run view (two editor groups, each with an active tab).
    await page.locator('.part.editor .tab.active', { hasText: 'customers.csv' }).waitFor({ timeout: DEFAULT_TIMEOUT });
    const cursor = page.locator('.statusbar-item', { hasText: /Ln \d+, Col \d+/ }).first();
    await waitUntil(`the cursor on line ${line}`, DEFAULT_TIMEOUT, async () => new RegExp(`Ln ${line},`).test(await textOf(cursor)));
  });

  it('comes back after a reload of the window, and the run is in the Runs list', async () => {
    const { workbench, browser } = host;
    await browser.page.reload();
    await workbench.waitUntilReady();
    await workbench.openActivity('Hotjar');
    await expandPane(workbench, 'Runs');
    await workbench.treeItem('customers.csv → Sandbox lookups').waitFor({ state: 'visible', timeout: 60_000 });
    // The run view was restored by its serializer (its tab is back); show it.
    const tab = browser.page.locator('.part.editor .tab', { hasText: 'Run: customers.csv' });
    await tab.waitFor({ timeout: 60_000 });
    await tab.click();
    view = workbench.webview();
    await waitUntil('the restored run view', 60_000, async () => (await textOf(view.locator('#run-status'))) === 'Finished with failures');
    assert.ok((await numberIn(view.locator('#tile-failed .value'))) > 0);
    const file = await workbench.screenshot('run-view-restored');
    assert.ok(fs.statSync(file).size > 0);
  });
});
