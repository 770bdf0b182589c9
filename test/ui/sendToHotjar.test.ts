/**
 * "Send to Hotjar" as a person does it: the Hotjar views, then a right-click on a CSV in the explorer,
 * a destination from the quick pick, the summary, and the completion notification. Against a sandbox
 * on 127.0.0.1 started by this test; screenshots in test-output/ui/ (the README uses them).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { type Sandbox } from '../../src/sandbox/server';
import { startUiHost, type UiHost } from './fixture';
import { prepareSandboxWorkspace, type SandboxWorkspace } from './sandboxWorkspace';
import { DEFAULT_TIMEOUT } from './workbench';

const CREDENTIAL = `ui-sandbox-${process.pid}`;
const client = { clientId: 'ui-client-id', clientSecret: `ui-secret-${process.pid}-${Date.now()}` };

describe('UI: Send to Hotjar from the explorer', function () {
  this.timeout(180_000);
  let sandbox: Sandbox;
  let host: UiHost;
  let fixture: SandboxWorkspace | undefined;

  before(async () => {
    fixture = await prepareSandboxWorkspace({ credential: CREDENTIAL, client, workspacePrefix: 'hotjar-ui-send-' });
    sandbox = fixture.sandbox;
    host = await startUiHost({ name: 'send-to-hotjar', workspace: fixture.workspace, env: fixture.hostEnv });
  });

  after(async () => {
    await host?.close();
    await fixture?.close();
  });

  it('shows the Templates, Destinations and Credentials groups in the Hotjar view', async () => {
    const { workbench } = host;
    await workbench.openActivity('Hotjar');
    for (const name of ['Templates', 'Destinations', 'Credentials']) await workbench.viewPane(name).waitFor({ state: 'visible' });
    await workbench.treeItem('GDPR user lookup').waitFor({ state: 'visible' });
    await workbench.treeItem('Sandbox lookups').waitFor({ state: 'visible' });
    if (fixture?.credentialInKeychain) await workbench.treeItem(CREDENTIAL).waitFor({ state: 'visible' });
    assert.ok(fs.statSync(await workbench.screenshot('hotjar-views')).size > 0);
  });

  it('sends a CSV from the explorer context menu and reports it done', async () => {
    const { workbench, browser } = host;
    const csv = await workbench.explorerItem('people.csv');
    await csv.click({ button: 'right' });
    const entry = browser.page.locator('.context-view .monaco-menu').getByRole('menuitem', { name: 'Send to Hotjar' });
    await entry.waitFor({ timeout: DEFAULT_TIMEOUT });
    // VS Code's menus act on keyboard selection reliably; a synthetic click right after opening can be dropped.
    await entry.hover();
    await browser.page.keyboard.press('Enter');
    await workbench.pickQuickItem('Sandbox lookups');
    // The summary before sending: a modal dialog with the endpoint, the count and the pace.
    const dialog = browser.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: DEFAULT_TIMEOUT });
    assert.match(await dialog.innerText(), /Send 3 records from people\.csv to "Sandbox lookups"\?/);
    await workbench.screenshot('send-summary');
    await dialog.getByRole('button', { name: 'Send', exact: true }).click();
    const text = await workbench.waitForNotification(/Sent people\.csv to "Sandbox lookups"/, 60_000);
    assert.match(text, /3 delivered, 0 failed, 0 skipped/);
    await workbench.notification(/Sending people\.csv/).waitFor({ state: 'hidden', timeout: DEFAULT_TIMEOUT });
    await workbench.notification(/Sent people\.csv/).getByRole('button', { name: 'Open Report' }).waitFor({ timeout: DEFAULT_TIMEOUT });
    await workbench.screenshot('send-complete');
    assert.equal(sandbox.stats().distinctSubjects, 3);
    assert.equal(sandbox.stats().duplicateSubjects, 0);
  });
});
