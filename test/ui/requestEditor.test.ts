/**
 * UI: a person creates a manual destination in the Hotjar Request Editor without touching JSON —
 * credential added from the form, method, URL, a header, a body template, a sample data file — sees
 * the preview, presses Test, confirms, and sees the sandbox's answer. Then the same file as JSON,
 * with the snippets. Screenshots go to test-output/ui/request-editor-*.png (used in the README).
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { CredentialStore, loadKeytarBackend } from '../../src/core/credentials';
import { startSandbox, type Sandbox } from '../../src/sandbox/server';
import { fixtureWorkspace } from '../host/paths';
import { waitUntil } from '../host/processes';
import { startUiHost, uiOutput, type UiHost } from './fixture';
import { DEFAULT_TIMEOUT } from './workbench';

const FILE_NAME = 'people-echo.hotjar.json';

/** A workspace with the fixture data files and one empty destination file, as "New File" would leave it. */
function prepareWorkspace(): string {
  const folder = path.join(uiOutput, 'request-editor-source');
  fs.rmSync(folder, { recursive: true, force: true });
  fs.cpSync(fixtureWorkspace, folder, { recursive: true });
  fs.writeFileSync(path.join(folder, FILE_NAME), '');
  return folder;
}

/** Answers the quick input once its title shows `step` (each step reuses the same box, so typing too early lands in the previous one). */
async function answerInput(page: Page, value: string, step?: RegExp): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('input.input');
  await input.waitFor({ state: 'visible', timeout: DEFAULT_TIMEOUT });
  if (step) {
    await waitUntil(`the input box ${String(step)}`, DEFAULT_TIMEOUT, async () => step.test(await widget.locator('.quick-input-title').innerText().catch(() => '')));
  }
  await input.fill(value);
  await input.press('Enter');
}

/**
 * Answers VS Code's simple file dialog. It fills its input with the starting folder a moment after it
 * opens, which would overwrite a path typed too early: wait for that folder, then type the path.
 */
async function answerFileDialog(page: Page, filePath: string, title: RegExp): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('input.input');
  await waitUntil(`the file dialog ${String(title)}`, DEFAULT_TIMEOUT, async () => title.test(await widget.locator('.quick-input-title').innerText().catch(() => '')));
  await waitUntil('the file dialog to show its starting folder', DEFAULT_TIMEOUT, async () =>
    (await input.inputValue().catch(() => '')).endsWith('/'),
  );
  await input.fill(filePath);
  await waitUntil('the file dialog to take the typed path', DEFAULT_TIMEOUT, async () => (await input.inputValue().catch(() => '')) === filePath);
  await input.press('Enter');
}

async function clickDialogButton(page: Page, name: string): Promise<void> {
  const button = page.locator('.monaco-dialog-box').getByRole('button', { name, exact: true });
  await button.waitFor({ timeout: DEFAULT_TIMEOUT });
  await button.click();
}

async function pickOption(form: FrameLocator, label: string, option: string): Promise<void> {
  await form.getByRole('combobox', { name: label, exact: true }).first().click();
  await form.getByRole('option', { name: option, exact: true }).click();
}

async function waitForText(locator: Locator, pattern: RegExp, what: string): Promise<string> {
  let text = '';
  await waitUntil(what, DEFAULT_TIMEOUT, async () => {
    text = await locator.innerText().catch(() => '');
    return pattern.test(text);
  });
  return text;
}

describe('UI: the Hotjar Request Editor', function () {
  this.timeout(180_000);
  const client = { clientId: 'ui-editor-client', clientSecret: `ui-secret-${randomBytes(12).toString('hex')}` };
  const credentialName = `ui-editor-${process.pid}`;
  let sandbox: Sandbox;
  let host: UiHost;
  let form: FrameLocator;

  before(async () => {
    sandbox = await startSandbox({ port: 0, quiet: true, clients: [client] });
    host = await startUiHost({ name: 'request-editor', workspace: prepareWorkspace() });
  });

  after(async () => {
    await host?.close();
    await sandbox?.close();
    // The credential went to the OS keychain when there is one (npm test); leave nothing behind.
    const backend = loadKeytarBackend();
    if (!(backend instanceof Error)) await new CredentialStore(backend).delete(credentialName).catch(() => false);
  });

  it('opens an empty destination file in the form', async () => {
    const { workbench } = host;
    const { page } = workbench;
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ timeout: DEFAULT_TIMEOUT });
    await input.fill(FILE_NAME);
    await workbench.pickQuickItem(FILE_NAME);
    form = workbench.webview();
    await form.getByRole('heading', { name: 'Hotjar Request Editor' }).waitFor({ timeout: 30_000 });
    await form.getByRole('textbox', { name: 'Name', exact: true }).waitFor();
    const problems = await waitForText(form.locator('.issues'), /name: is required/, 'the missing name to be reported');
    assert.match(problems, /name: is required/);
  });

  it('fills a manual destination, adding the credential from the form', async () => {
    const { page } = host.workbench;
    await form.getByRole('textbox', { name: 'Name', exact: true }).fill('People to the echo endpoint');

    await form.getByRole('button', { name: 'Add credential…' }).click();
    await answerInput(page, credentialName, /\(1\/5\)/);
    await answerInput(page, client.clientId, /\(2\/5\)/);
    await answerInput(page, client.clientSecret, /\(3\/5\)/);
    await answerInput(page, sandbox.tokenUrl, /\(4\/5\)/);
    await answerInput(page, '', /\(5\/5\)/);
    await waitUntil('the new credential to be chosen', DEFAULT_TIMEOUT, async () =>
      (await form.getByRole('combobox', { name: 'Credential', exact: true }).first().innerText().catch(() => '')).includes(credentialName),
    );

    await pickOption(form, 'Method', 'POST');
    await form.getByRole('textbox', { name: 'URL', exact: true }).fill(`${sandbox.url}/v1/echo/people?source=request-editor`);
    await form.getByRole('button', { name: 'Add header' }).click();
    await form.getByRole('textbox', { name: 'Header 1 name' }).fill('X-Source');
    await form.getByRole('textbox', { name: 'Header 1 value' }).fill('{{user_id}}');
    await form.getByRole('textbox', { name: 'Body (JSON)' }).fill('{\n  "email": "{{email}}",\n  "name": "{{name}}"\n}');

    await form.getByRole('button', { name: 'Choose…' }).click();
    await answerFileDialog(page, path.join(host.server.workspace, 'people.csv'), /Sample data file/);
    await waitForText(form.locator('.sample-label'), /people\.csv/, 'the sample file to be shown');
  });

  it('shows the exact request for the first record, token redacted', async () => {
    const preview = await waitForText(form.locator('#preview-request'), /ada\.lovelace/, 'the preview of the first record');
    assert.match(preview, new RegExp(`^POST ${sandbox.url.replace(/[.]/g, '\\.')}/v1/echo/people\\?source=request-editor`));
    assert.match(preview, /Authorization: Bearer \*\*\*\*/);
    assert.match(preview, /X-Source: u-1001/);
    assert.match(preview, /\{"email":"ada\.lovelace@example\.com","name":"Ada Lovelace"\}/);
    await waitUntil('the form to report no problems', DEFAULT_TIMEOUT, async () => (await form.locator('.validity').innerText()) === 'Valid');
    await form.getByRole('heading', { name: 'Destination' }).scrollIntoViewIfNeeded();
    await host.workbench.screenshot('request-editor-form');
  });

  it('tests the destination after the confirmation and shows the answer', async () => {
    const { page } = host.workbench;
    await form.getByRole('button', { name: 'Test', exact: true }).click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: DEFAULT_TIMEOUT });
    assert.match(await dialog.innerText(), /Send one POST request to 127\.0\.0\.1:\d+\?[\s\S]*\/v1\/echo\/people/);
    await host.workbench.screenshot('request-editor-confirm');
    await clickDialogButton(page, 'Send');
    const result = await waitForText(form.locator('#test-result'), /200 OK/, 'the Test result');
    assert.match(result, /Accepted/);
    const body = await form.locator('#test-response-body').innerText();
    assert.match(body, /"x-source": "u-1001"/);
    assert.match(body, /"email": "ada\.lovelace@example\.com"/);
    assert.equal(sandbox.stats().received.length, 1);
    await form.locator('#test-result').scrollIntoViewIfNeeded();
    await host.workbench.screenshot('request-editor-test-result');
  });

  it('keeps the result, the sample and the form after the editor was hidden', async () => {
    const { workbench } = host;
    const { page } = workbench;
    // Another file in front: the webview is destroyed (retainContextWhenHidden is off) ...
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget input.input').fill('people.jsonl');
    await workbench.pickQuickItem('people.jsonl');
    await waitUntil('people.jsonl in front', DEFAULT_TIMEOUT, async () => (await workbench.activeEditorTitle()) === 'people.jsonl');
    // ... and rebuilt from the document and its saved state when the form comes back.
    await page.locator('.part.editor .tab').filter({ hasText: FILE_NAME }).click();
    form = workbench.webview();
    await waitForText(form.locator('#test-result'), /200 OK/, 'the Test result to come back');
    await waitForText(form.locator('.sample-label'), /people\.csv/, 'the sample to come back');
    assert.equal(await form.getByRole('textbox', { name: 'Name', exact: true }).inputValue(), 'People to the echo endpoint');
  });

  it('wrote the form into the file, which opens as text with the schema and snippets', async () => {
    const { workbench } = host;
    const { page } = workbench;
    await page.keyboard.press('Control+S');
    await waitUntil('the file to be saved', DEFAULT_TIMEOUT, () => fs.readFileSync(path.join(host.server.workspace, FILE_NAME), 'utf8').includes('/v1/echo/people'));
    const saved = JSON.parse(fs.readFileSync(path.join(host.server.workspace, FILE_NAME), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(saved, {
      name: 'People to the echo endpoint',
      credential: credentialName,
      request: {
        method: 'POST',
        url: `${sandbox.url}/v1/echo/people?source=request-editor`,
        headers: { 'X-Source': '{{user_id}}' },
        body: { email: '{{email}}', name: '{{name}}' },
      },
    });

    await form.getByRole('button', { name: 'Open as Text' }).click();
    const editor = page.locator('.part.editor .monaco-editor').first();
    await editor.waitFor({ timeout: DEFAULT_TIMEOUT });
    await waitUntil('the JSON text to show', DEFAULT_TIMEOUT, async () => (await workbench.activeEditorTitle()).includes(FILE_NAME));
    // A person who prefers JSON starts from a snippet: every one of them is offered.
    await editor.locator('.view-lines').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('hotjar-');
    await page.keyboard.press('Control+Space');
    const suggestions = page.locator('.suggest-widget .monaco-list-row').filter({ hasText: /^hotjar-/ });
    await waitUntil('the six destination snippets', DEFAULT_TIMEOUT, async () => (await suggestions.count()) >= 6);
    await workbench.screenshot('request-editor-snippets');
    await page.keyboard.press('Escape');
  });
});
