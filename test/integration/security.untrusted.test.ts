/**
 * Restricted Mode, swept: every command the extension contributes is run with every kind of argument,
 * while the prompts say yes to everything (first item, first action, the data file, the sandbox's
 * token URL). The request editor's page asks for Test and for a curl command with the live token. The
 * sandbox (the credential's token endpoint and API) must see nothing at all: no token request, no call.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runDelivery } from '../../src/core/engine';
import { parseDestination } from '../../src/core/destination';
import { normalizeCredential } from '../../src/core/credentials';
import { type HotjarApi } from '../../src/extension/extension';
import { DEFAULT_ORGANIZATION_ID, type Sandbox } from '../../src/sandbox/server';
import { activateExtension, workspaceRoot } from './helpers';
import { addSandboxCredential, freshClient, startTestSandbox, writeWorkspaceFile } from './sendSupport';

/** Settles `work` or gives up after `ms` (a command waiting on something that never comes must not stall the sweep). */
async function settle(work: Thenable<unknown>, ms: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve(work).then(
        () => 'done',
        (error: unknown) => `error: ${error instanceof Error ? error.message : String(error)}`,
      ),
      new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve('still running'), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

describe('Security sweep in an untrusted workspace', function () {
  this.timeout(240_000);
  const client = freshClient();
  const credentialName = `it-sweep-${process.pid}`;
  let api: HotjarApi;
  let sandbox: Sandbox;
  let destination: vscode.Uri;
  let deletion: vscode.Uri;
  let data: vscode.Uri;
  let csv: vscode.Uri;
  let report: vscode.Uri;
  const outcomes: string[] = [];

  before(async () => {
    api = await activateExtension();
    await api.ready();
    sandbox = await startTestSandbox(client);
    await addSandboxCredential(credentialName, client, sandbox);
    const file = (name: string, template: string) => ({
      name,
      template,
      credential: credentialName,
      parameters: { organization_id: DEFAULT_ORGANIZATION_ID },
      request: { url: `${sandbox.url}/v1/organizations/{organization_id}/user-lookup` },
    });
    destination = writeWorkspaceFile('sweep-lookup.hotjar.json', JSON.stringify(file('Sweep lookup', 'hotjar.user-lookup')), { inRoot: true });
    deletion = writeWorkspaceFile('sweep-deletion.hotjar.json', JSON.stringify(file('Sweep deletion', 'hotjar.user-deletion')), { inRoot: true });
    data = writeWorkspaceFile('sweep.jsonl', '{"email":"a@example.com"}\n{"email":"b@example.com"}\n{"name":"no email"}\n', { inRoot: true });
    csv = writeWorkspaceFile('sweep.csv', 'email\nc@example.com\n', { inRoot: true });
    // An interrupted run with a failed record, so that Resume and Retry Failed have something to send.
    // Made by the core directly (the test is not the extension, the trust guard is not its business),
    // then the sandbox forgets it.
    const controller = new AbortController();
    const summary = await runDelivery({
      dataFile: data.fsPath,
      destination: parseDestination(fs.readFileSync(destination.fsPath, 'utf8'), destination.fsPath),
      credential: normalizeCredential({ name: credentialName, ...client, tokenUrl: sandbox.tokenUrl }),
      signal: controller.signal,
      onEvent: (event) => event.type === 'recordOutcome' && controller.abort(),
    });
    report = vscode.Uri.file(summary.reportFile!);
    sandbox.reset();
    assert.equal(sandbox.stats().tokensIssued, 0);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('hotjar.removeCredential', credentialName, { confirm: false });
    await sandbox?.close();
    fs.writeFileSync(path.join(workspaceRoot().fsPath, 'security-sweep.txt'), outcomes.join('\n') + '\n');
  });

  it('runs untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('every command, with every kind of argument and prompts that say yes, sends nothing and asks for no token', async () => {
    const yes = api.overridePrompts({
      inputBox: (options) => Promise.resolve(/token url/i.test(`${options.prompt ?? ''} ${options.title ?? ''}`) ? sandbox.tokenUrl : /secret/i.test(`${options.prompt ?? ''} ${options.title ?? ''}`) ? client.clientSecret : (options.value ?? 'sweep')),
      quickPick: <T extends vscode.QuickPickItem>(items: readonly T[]) => Promise.resolve(items.find((item) => item.kind !== vscode.QuickPickItemKind.Separator)),
      modal: (_message: string, _detail: string, ...actions: string[]) => Promise.resolve(actions[0]),
      openDialog: () => Promise.resolve([data]),
    });
    try {
      const manifest = vscode.extensions.getExtension('hotjar-destinations.hotjar-destinations')!.packageJSON as { contributes: { commands: Array<{ command: string }> } };
      // Commands that would only remove the fixtures of this test are run last.
      const removing = new Set(['hotjar.removeCredential', 'hotjar.deleteDestination', 'hotjar.deleteRun', 'hotjar.deleteOldRuns']);
      const commands = manifest.contributes.commands.map((c) => c.command).sort((a, b) => Number(removing.has(a)) - Number(removing.has(b)));
      const argumentSets: unknown[][] = [
        [],
        [data],
        [data, destination],
        [data, destination, { confirm: false, save: true }],
        [csv, deletion, { confirm: false }],
        [destination],
        [deletion],
        [report],
        [{ reportFile: report.fsPath, confirm: false }],
        [credentialName],
      ];
      for (const command of commands) {
        for (const args of argumentSets) {
          const outcome = await settle(vscode.commands.executeCommand(command, ...args), 3_000);
          outcomes.push(`${command}(${args.map((a) => (a instanceof vscode.Uri ? path.basename(a.fsPath) : JSON.stringify(a))).join(', ')}): ${outcome}`);
          const stats = sandbox.stats();
          assert.deepEqual([stats.tokensIssued, stats.requests], [0, 0], `${command} with ${args.length} argument(s) reached the sandbox`);
        }
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      }
      // The request editor's page: Test, and a curl command with the live token.
      await api.requestEditor.open(destination);
      await api.requestEditor.simulateMessage(destination, { type: 'test', requestId: 'sweep-test' });
      await api.requestEditor.simulateMessage(destination, { type: 'copyCurl', requestId: 'sweep-curl', includeToken: true });
      await vscode.commands.executeCommand('hotjar.copyAsCurl');
      const clipboard = await vscode.env.clipboard.readText();
      assert.ok(!/Bearer (?!\*)/.test(clipboard), 'a live token reached the clipboard');
    } finally {
      yes.dispose();
    }
    const stats = sandbox.stats();
    assert.deepEqual([stats.tokensIssued, stats.requests], [0, 0], 'the sandbox was reached');
    assert.ok(outcomes.length >= 200, `${outcomes.length} command runs`);
  });
});
