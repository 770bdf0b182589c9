/**
 * The Hotjar Request Editor in a real VS Code: the custom editor opens on *.hotjar.json with its real
 * webview (the ready handshake comes from the page running in the browser), form edits change the
 * file and file edits reach the form, and Test talks to a sandbox in this extension host.
 * Form messages are delivered through the editor's test API, which runs them through the same
 * validation and handlers as messages from the page (the UI tier drives the page itself).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type HotjarApi } from '../../src/extension/extension';
import { requestEditorHtml } from '../../src/extension/requestEditor/html';
import { DEFAULT_ORGANIZATION_ID, DEFAULT_SITE_ID, type Sandbox } from '../../src/sandbox/server';
import { type HostMessage, type TestOutcome } from '../../src/shared/requestEditorProtocol';
import { activateExtension, waitFor, workspaceRoot } from './helpers';
import { addSandboxCredential, freshClient, startTestSandbox } from './sendSupport';

const VIEW_TYPE = 'hotjar.requestEditor';

function writeDestination(name: string, content: Record<string, unknown>): vscode.Uri {
  const file = path.join(workspaceRoot().fsPath, 'issue5', `${name}.hotjar.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(content, null, 2) + '\n');
  return vscode.Uri.file(file);
}

function activeCustomEditor(): vscode.TabInputCustom | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom ? input : undefined;
}

function documentFor(uri: vscode.Uri): vscode.TextDocument | undefined {
  return vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
}

describe('Request editor in a real VS Code', function () {
  this.timeout(60_000);
  const client = freshClient();
  const credentialName = `it-editor-${process.pid}`;
  let api: HotjarApi;
  let sandbox: Sandbox;

  function messagesOf<T extends HostMessage['type']>(uri: vscode.Uri, type: T): Array<Extract<HostMessage, { type: T }>> {
    return api.requestEditor.postedMessages(uri).filter((m): m is Extract<HostMessage, { type: T }> => m.type === type);
  }

  before(async () => {
    api = await activateExtension();
    await api.ready();
    sandbox = await startTestSandbox(client);
    await addSandboxCredential(credentialName, client, sandbox);
  });

  after(async () => {
    for (const document of vscode.workspace.textDocuments) if (document.isDirty && document.uri.path.endsWith('.hotjar.json')) await document.save();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('hotjar.removeCredential', credentialName, { confirm: false });
    await sandbox?.close();
  });

  beforeEach(() => sandbox?.reset());

  it('opens a destination file in the request editor, whose page completes the ready handshake', async () => {
    const uri = writeDestination('opened', { name: 'Opened by vscode.open', template: 'hotjar.list-surveys', credential: credentialName, parameters: { site_id: DEFAULT_SITE_ID } });
    await vscode.commands.executeCommand('vscode.open', uri);
    const input = await waitFor('the request editor to be the active tab', () => activeCustomEditor());
    assert.equal(input.viewType, VIEW_TYPE);
    assert.equal(input.uri.toString(), uri.toString());
    await waitFor('the webview to say ready', () => (api.requestEditor.isOpen(uri) ? true : undefined), 30_000);
    const init = messagesOf(uri, 'init').at(-1);
    assert.ok(init, 'the host answered ready with init');
    assert.equal(init.model.value?.name, 'Opened by vscode.open');
    assert.deepEqual(init.model.urlParameters, ['site_id']);
    assert.ok(init.credentials.includes(credentialName));
    assert.equal(init.trust.trusted, true);
  });

  it('turns a form edit into a text edit of the file, and undo takes it back', async () => {
    const uri = writeDestination('form-edit', { name: 'Manual', credential: credentialName, request: { method: 'POST', url: `${sandbox.url}/v1/echo` } });
    await api.requestEditor.open(uri);
    api.requestEditor.clearMessages(uri);
    await api.requestEditor.simulateMessage(uri, {
      type: 'edit',
      requestId: 'it-1',
      edits: [
        { path: ['request', 'headers'], value: { 'X-Team': '{{team}}' } },
        { path: ['delivery', 'ratePerMinute'], value: 120 },
      ],
    });
    const document = documentFor(uri)!;
    const parsed = JSON.parse(document.getText()) as { request: { headers: Record<string, string> }; delivery: { ratePerMinute: number } };
    assert.deepEqual(parsed.request.headers, { 'X-Team': '{{team}}' });
    assert.equal(parsed.delivery.ratePerMinute, 120);
    assert.ok(document.isDirty, 'the edit went through the text document');
    assert.ok(document.getText().startsWith('{\n  "name": "Manual"'), 'the rest of the text stays as written');
    assert.ok(messagesOf(uri, 'reply').some((m) => m.requestId === 'it-1' && m.ok));
    const echo = await waitFor('the document message for the form edit', () => messagesOf(uri, 'document').at(-1));
    assert.equal(echo.origin, 'webview');

    await vscode.commands.executeCommand('undo');
    await waitFor('undo to remove the delivery settings', () => (documentFor(uri)!.getText().includes('ratePerMinute') ? undefined : true));
  });

  it('sends a change made in the text to the form', async () => {
    const uri = writeDestination('text-edit', { name: 'Before', credential: credentialName, request: { url: `${sandbox.url}/v1/echo` } });
    await api.requestEditor.open(uri);
    api.requestEditor.clearMessages(uri);
    const document = documentFor(uri)!;
    const edit = new vscode.WorkspaceEdit();
    const start = document.getText().indexOf('"Before"');
    edit.replace(uri, new vscode.Range(document.positionAt(start), document.positionAt(start + '"Before"'.length)), '"After"');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const update = await waitFor('the form to hear of the text edit', () => messagesOf(uri, 'document').find((m) => m.model.value?.name === 'After'));
    assert.equal(update.origin, 'external');
    const preview = await waitFor('a new preview', () => messagesOf(uri, 'preview').at(-1));
    assert.equal(preview.preview.status, 'ready');
  });

  it('shows schema problems by field, and ignores a malformed message from the page', async () => {
    const uri = writeDestination('problems', { name: 'Problems', credential: credentialName, request: { url: `${sandbox.url}/v1/echo` } });
    await api.requestEditor.open(uri);
    api.requestEditor.clearMessages(uri);
    await api.requestEditor.simulateMessage(uri, { type: 'edit', requestId: 'it-2', edits: [{ path: ['delivery', 'concurrency'], value: 0 }] });
    const update = await waitFor('the problem to reach the form', () => messagesOf(uri, 'document').find((m) => m.model.issues.length > 0));
    assert.ok(update.model.issues.some((issue) => issue.field === 'delivery.concurrency'), JSON.stringify(update.model.issues));

    const before = documentFor(uri)!.getText();
    await api.requestEditor.simulateMessage(uri, { type: 'edit', requestId: 'it-3', edits: [{ path: ['request', '__proto__'], value: { polluted: true } }] });
    await api.requestEditor.simulateMessage(uri, { type: 'runCommand', command: 'workbench.action.quit' });
    assert.equal(documentFor(uri)!.getText(), before);
    assert.ok(api.logLines().some((line) => line.includes('ignored a malformed message')));
  });

  it('previews the first record of a sample data file, token redacted, and copies it as curl', async () => {
    const uri = writeDestination('preview', {
      name: 'Preview',
      credential: credentialName,
      request: { method: 'PUT', url: `${sandbox.url}/v1/echo/people?id={{user_id}}`, body: { email: '{{email}}', name: '{{name}}' } },
    });
    await api.requestEditor.open(uri);
    await api.requestEditor.setSample(uri, vscode.Uri.joinPath(workspaceRoot(), 'people.csv'));
    const preview = await waitFor('a preview from people.csv', () => {
      const last = messagesOf(uri, 'preview').at(-1)?.preview;
      return last?.status === 'ready' && last.source.includes('people.csv') ? last : undefined;
    });
    assert.equal(preview.request.method, 'PUT');
    assert.equal(preview.request.url, `${sandbox.url}/v1/echo/people?id=u-1001`);
    assert.equal(preview.request.headers.Authorization, 'Bearer ****');
    assert.equal(preview.request.body, '{"email":"ada.lovelace@example.com","name":"Ada Lovelace"}');
    const sample = messagesOf(uri, 'sample').at(-1)?.sample;
    assert.deepEqual(sample?.fields, ['email', 'user_id', 'name']);

    await vscode.commands.executeCommand('hotjar.copyAsCurl', uri);
    const curl = await vscode.env.clipboard.readText();
    assert.match(curl, /^curl -X PUT '.*\/v1\/echo\/people\?id=u-1001'/);
    assert.match(curl, /Authorization: Bearer \*\*\*\*/);
    assert.equal(sandbox.stats().tokensIssued, 0, 'a redacted copy needs no token');
  });

  it('copies the request with a live token only after asking, and logs no token', async () => {
    const uri = writeDestination('curl-token', {
      name: 'Curl',
      template: 'hotjar.list-surveys',
      credential: credentialName,
      parameters: { site_id: DEFAULT_SITE_ID },
      request: { url: `${sandbox.url}/v1/sites/{site_id}/surveys?limit=100` },
    });
    await api.requestEditor.open(uri);
    let asked = '';
    const prompts = api.overridePrompts({
      modal: (message, _detail, ...actions) => {
        asked = message;
        return Promise.resolve(actions[0]);
      },
    });
    try {
      await vscode.commands.executeCommand('hotjar.copyAsCurl', uri, { includeToken: true });
    } finally {
      prompts.dispose();
    }
    assert.match(asked, /live access token/);
    const curl = await vscode.env.clipboard.readText();
    const token = /Authorization: Bearer ([^' ]+)/.exec(curl)?.[1];
    assert.ok(token && token !== '****', curl);
    assert.equal(sandbox.stats().tokensIssued, 1);
    assert.ok(!api.logLines().some((line) => line.includes(token)), 'the token reached the log');
    await vscode.env.clipboard.writeText('');
  });

  it('serves the page with a strict Content-Security-Policy: nothing by default, one script by nonce', () => {
    const fakeWebview = { cspSource: 'https://webview.test', asWebviewUri: (uri: vscode.Uri) => uri } as unknown as vscode.Webview;
    const extensionUri = vscode.extensions.getExtension('hotjar-destinations.hotjar-destinations')!.extensionUri;
    const first = requestEditorHtml(fakeWebview, extensionUri);
    const second = requestEditorHtml(fakeWebview, extensionUri);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(first)?.[1] ?? '';
    assert.match(csp, /^default-src 'none'; /);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    const nonce = /script-src 'nonce-([A-Za-z0-9]+)'/.exec(csp)?.[1];
    assert.ok(nonce && nonce.length >= 32, csp);
    assert.equal([...first.matchAll(/<script\b[^>]*>/g)].length, 1);
    assert.match(first, new RegExp(`<script nonce="${nonce}" src="[^"]*media/dist/requestEditor\\.js"></script>`));
    assert.doesNotMatch(first, /\son[a-z]+=|style="/i, 'no inline handlers or styles');
    assert.notEqual(/nonce-([A-Za-z0-9]+)/.exec(second)?.[1], nonce, 'a new nonce for every page');
  });

  it('tests a read template against the sandbox: 200, shown in the result pane', async () => {
    const uri = writeDestination('read-test', {
      name: 'Surveys',
      template: 'hotjar.list-surveys',
      credential: credentialName,
      parameters: { site_id: DEFAULT_SITE_ID },
      request: { url: `${sandbox.url}/v1/sites/{site_id}/surveys?limit=100` },
    });
    const outcome = await vscode.commands.executeCommand<TestOutcome>('hotjar.testDestination', uri);
    assert.equal(outcome.kind, 'response', JSON.stringify(outcome));
    if (outcome.kind !== 'response') return;
    assert.equal(outcome.status, 200);
    assert.match(outcome.body, /"results"/);
    assert.equal(sandbox.stats().tokensIssued, 1);
    assert.ok(messagesOf(uri, 'testResult').some((m) => m.outcome.kind === 'response' && m.outcome.status === 200));
    assert.equal(activeCustomEditor()?.uri.toString(), uri.toString(), 'Test opened the destination in the request editor');
  });

  it('refuses a destination on a host the credential does not allow, before asking for a token', async () => {
    const uri = writeDestination('refused-host', { name: 'Elsewhere', credential: credentialName, request: { method: 'GET', url: 'https://not-allowed.example.test/v1/echo' } });
    const outcome = await vscode.commands.executeCommand<TestOutcome>('hotjar.testDestination', uri);
    assert.equal(outcome.kind, 'error', JSON.stringify(outcome));
    if (outcome.kind !== 'error') return;
    assert.equal(outcome.title, 'Host not allowed');
    assert.match(outcome.message, /not-allowed\.example\.test is not allowed for credential/);
    assert.equal(sandbox.stats().requests, 0);
  });

  it('sends the first record of a write template only after the confirmation', async () => {
    const uri = writeDestination('write-test', {
      name: 'Lookups',
      template: 'hotjar.user-lookup',
      credential: credentialName,
      parameters: { organization_id: DEFAULT_ORGANIZATION_ID },
      request: { url: `${sandbox.url}/v1/organizations/{organization_id}/user-lookup` },
    });
    await api.requestEditor.open(uri);
    await api.requestEditor.setSample(uri, vscode.Uri.joinPath(workspaceRoot(), 'people.jsonl'));
    const questions: string[] = [];
    let answer: string | undefined;
    const prompts = api.overridePrompts({
      modal: (message, detail) => {
        questions.push(`${message} ${detail}`);
        return Promise.resolve(answer);
      },
    });
    try {
      const declined = await vscode.commands.executeCommand<TestOutcome>('hotjar.testDestination', uri);
      assert.equal(declined.kind, 'cancelled');
      assert.equal(sandbox.stats().apiCalls, 0);
      answer = 'Send';
      const sent = await vscode.commands.executeCommand<TestOutcome>('hotjar.testDestination', uri);
      assert.equal(sent.kind, 'response', JSON.stringify(sent));
      if (sent.kind === 'response') assert.ok(sent.status >= 200 && sent.status < 300, `status ${sent.status}`);
    } finally {
      prompts.dispose();
    }
    assert.equal(questions.length, 2);
    assert.match(questions[0], /user-lookup/);
    assert.deepEqual(sandbox.stats().received.map((call) => call.subject), ['ada.lovelace@example.com']);
  });

  it('keeps the client secret and tokens out of the log and of what the page received', () => {
    const seen = [...api.logLines(), ...vscode.workspace.textDocuments.map((d) => d.getText())].join('\n');
    assert.ok(!seen.includes(client.clientSecret));
    for (const file of fs.readdirSync(path.join(workspaceRoot().fsPath, 'issue5'))) {
      const uri = vscode.Uri.file(path.join(workspaceRoot().fsPath, 'issue5', file));
      assert.ok(!JSON.stringify(api.requestEditor.postedMessages(uri)).includes(client.clientSecret));
    }
  });
});
