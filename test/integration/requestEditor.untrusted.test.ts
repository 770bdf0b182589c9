/** The request editor in Restricted Mode: the form works, Test is disabled with the reason, nothing is sent. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type HotjarApi } from '../../src/extension/extension';
import { type HostMessage } from '../../src/shared/requestEditorProtocol';
import { activateExtension, workspaceRoot } from './helpers';

describe('Request editor in an untrusted workspace', function () {
  this.timeout(60_000);
  let api: HotjarApi;
  let uri: vscode.Uri;

  before(async () => {
    api = await activateExtension();
    const file = path.join(workspaceRoot().fsPath, 'issue5', 'untrusted-editor.hotjar.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ name: 'Untrusted', credential: 'anything', request: { method: 'GET', url: 'http://127.0.0.1:9/v1/echo' } }, null, 2));
    uri = vscode.Uri.file(file);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('opens the form with Test disabled and the reason', async () => {
    await api.requestEditor.open(uri);
    const init = api.requestEditor.postedMessages(uri).find((m): m is Extract<HostMessage, { type: 'init' }> => m.type === 'init');
    assert.ok(init);
    assert.equal(init.trust.trusted, false);
    assert.match(init.trust.message ?? '', /not trusted/);
  });

  it('refuses Test from the page and from the command, sending nothing', async () => {
    await api.requestEditor.simulateMessage(uri, { type: 'test', requestId: 'untrusted-1' });
    const result = api.requestEditor.postedMessages(uri).find((m): m is Extract<HostMessage, { type: 'testResult' }> => m.type === 'testResult');
    assert.equal(result?.outcome.kind, 'error');
    if (result?.outcome.kind === 'error') assert.equal(result.outcome.title, 'Workspace not trusted');
    assert.equal(await vscode.commands.executeCommand<unknown>('hotjar.testDestination', uri), undefined);
    assert.ok(api.logLines().some((line) => /Testing a destination is disabled because this workspace is not trusted/.test(line)));
  });
});
