/**
 * Restricted Mode: the host opened the workspace untrusted. Destinations are listed; sending and
 * testing refuse with a reason, and no token is requested.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { type HotjarApi } from '../../src/extension/extension';
import { DEFAULT_ORGANIZATION_ID, type Sandbox } from '../../src/sandbox/server';
import { activateExtension, waitFor } from './helpers';
import { addSandboxCredential, freshClient, startTestSandbox, writeWorkspaceFile } from './sendSupport';

describe('Editor front in an untrusted workspace', function () {
  this.timeout(60_000);
  const client = freshClient();
  const credentialName = `it-untrusted-${process.pid}`;
  let api: HotjarApi;
  let sandbox: Sandbox;
  let destination: vscode.Uri;
  let data: vscode.Uri;

  before(async () => {
    api = await activateExtension();
    await api.ready();
    sandbox = await startTestSandbox(client);
    // Credentials belong to the user, not the workspace: adding one is allowed here.
    await addSandboxCredential(credentialName, client, sandbox);
    destination = writeWorkspaceFile('it-untrusted.hotjar.json', JSON.stringify({
      name: 'IT untrusted',
      template: 'hotjar.user-lookup',
      credential: credentialName,
      parameters: { organization_id: DEFAULT_ORGANIZATION_ID },
      request: { url: `${sandbox.url}/v1/organizations/{organization_id}/user-lookup` },
    }), { inRoot: true });
    data = writeWorkspaceFile('untrusted.jsonl', '{"email":"a@example.com"}\n{"email":"b@example.com"}\n');
  });

  after(async () => {
    await vscode.commands.executeCommand('hotjar.removeCredential', credentialName, { confirm: false });
    await sandbox?.close();
  });

  it('runs untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('still lists the destinations', async () => {
    const listed = await waitFor('the destination in the view', async () => (await api.viewsSnapshot()).destinations.find((d) => d.label === 'IT untrusted'));
    assert.equal(listed.contextValue, 'destination');
  });

  it('refuses to send, says why, and requests no token', async () => {
    const result = await vscode.commands.executeCommand<unknown>('hotjar.sendFile', data, destination, { confirm: false });
    assert.equal(result, undefined);
    assert.ok(
      api.logLines().some((line) => /Sending records is disabled because this workspace is not trusted/.test(line)),
      'the refusal and its reason are not in the log',
    );
    assert.equal(sandbox.stats().requests, 0);
  });

  it('refuses to test a credential or a destination, and requests no token', async () => {
    assert.equal(await vscode.commands.executeCommand<unknown>('hotjar.testCredential', credentialName), undefined);
    assert.equal(await vscode.commands.executeCommand<unknown>('hotjar.testDestination', destination), undefined);
    assert.ok(api.logLines().some((line) => /Testing a credential is disabled because this workspace is not trusted/.test(line)));
    assert.equal(sandbox.stats().tokensIssued, 0);
    assert.equal(sandbox.stats().requests, 0);
  });

  it('still allows a dry run, which sends nothing', async () => {
    const summary = await vscode.commands.executeCommand<{ dryRun: boolean; total: number } | undefined>('hotjar.dryRun', data, destination);
    assert.equal(summary?.dryRun, true);
    assert.equal(summary?.total, 2);
    assert.equal(sandbox.stats().requests, 0);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
