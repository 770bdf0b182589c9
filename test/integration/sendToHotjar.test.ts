/**
 * The editor front in a real VS Code: credentials in the keychain, destinations from templates, the
 * views, and "Send to Hotjar" against a sandbox started in this extension host (127.0.0.1, free port).
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { KEYCHAIN_SERVICE } from '../../src/core/credentials';
import { readReport } from '../../src/core/report';
import { type RunSummary } from '../../src/core/runTypes';
import { type HotjarApi } from '../../src/extension/extension';
import { DEFAULT_ORGANIZATION_ID, type Sandbox } from '../../src/sandbox/server';
import { activateExtension, inKeyringSession, waitFor, workspaceRoot } from './helpers';
import { emails, filesUnder, freshClient, startTestSandbox, writeWorkspaceFile } from './sendSupport';

const exec = promisify(execFile);

describe('Editor front: credentials, destinations and Send to Hotjar', function () {
  this.timeout(60_000);
  const client = freshClient();
  const credentialName = `it-sandbox-${process.pid}`;
  let api: HotjarApi;
  let sandbox: Sandbox;
  let lookupDestination: vscode.Uri;
  const csvEmails = emails('csv', 30);
  const jsonlEmails = emails('jsonl', 40);
  let csvFile: vscode.Uri;
  let jsonlFile: vscode.Uri;
  let added: string | undefined;

  before(async () => {
    api = await activateExtension();
    await api.ready();
    sandbox = await startTestSandbox(client);
    csvFile = writeWorkspaceFile('people-csv.csv', ['email,user_id', ...csvEmails.map((e, i) => `${e},u-${i}`)].join('\n') + '\n');
    jsonlFile = writeWorkspaceFile('people.jsonl', jsonlEmails.map((email) => JSON.stringify({ email })).join('\n') + '\n');
    // Added here rather than in the first test, so that any test can run alone (--grep).
    added = await vscode.commands.executeCommand<string>('hotjar.addCredential', {
      name: credentialName,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      tokenUrl: sandbox.tokenUrl,
      replace: true,
    });
    lookupDestination = await vscode.commands.executeCommand<vscode.Uri>('hotjar.newDestination', 'hotjar.user-lookup', {
      name: 'IT lookups (sandbox)',
      credential: credentialName,
      parameters: { organization_id: DEFAULT_ORGANIZATION_ID },
      open: false,
    });
  });

  after(async () => {
    await vscode.commands.executeCommand('hotjar.removeCredential', credentialName, { confirm: false });
    await sandbox?.close();
  });

  beforeEach(() => sandbox?.reset());

  function subjects(): string[] {
    return sandbox.stats().received.map((call) => call.subject ?? '').sort();
  }

  it('adds a credential through the command, and the OS keychain holds it', async () => {
    assert.equal(added, credentialName);
    if (inKeyringSession()) {
      assert.equal(api.credentialBackend, 'OS keychain (keytar)');
      const { stdout } = await exec('secret-tool', ['lookup', 'service', KEYCHAIN_SERVICE, 'account', credentialName]);
      const stored = JSON.parse(stdout) as { clientId: string; clientSecret: string; tokenUrl: string; allowedHosts: string[] };
      assert.equal(stored.clientId, client.clientId);
      assert.equal(stored.clientSecret, client.clientSecret);
      assert.equal(stored.tokenUrl, sandbox.tokenUrl);
      assert.deepEqual(stored.allowedHosts, [new URL(sandbox.url).host]);
    }
    const views = await api.viewsSnapshot();
    assert.ok(views.credentials.some((c) => c.label === credentialName && c.contextValue === 'credential'));
  });

  it('tests the credential: a token from the sandbox, and the check mark in the view', async () => {
    const result = await vscode.commands.executeCommand<{ ok: boolean; message: string }>('hotjar.testCredential', credentialName);
    assert.equal(result.ok, true, result.message);
    assert.match(result.message, /works: .* issued a token/);
    assert.equal(sandbox.stats().tokensIssued, 1);
    const credential = (await api.viewsSnapshot()).credentials.find((c) => c.label === credentialName);
    assert.equal(credential?.icon, 'pass-filled');
    assert.equal(credential?.description, 'token obtained');
  });

  it('reports the token endpoint refusing a wrong secret, in words', async () => {
    const badName = `${credentialName}-bad`;
    await vscode.commands.executeCommand('hotjar.addCredential', { name: badName, clientId: client.clientId, clientSecret: 'wrong-secret-value', tokenUrl: sandbox.tokenUrl, replace: true });
    try {
      const result = await vscode.commands.executeCommand<{ ok: boolean; message: string }>('hotjar.testCredential', badName);
      assert.equal(result.ok, false);
      assert.match(result.message, /refused/);
      assert.match(result.message, /client ID and secret/);
      assert.equal(sandbox.stats().tokensRefused, 1);
    } finally {
      await vscode.commands.executeCommand('hotjar.removeCredential', badName, { confirm: false });
    }
  });

  it('creates a destination from a template: a file in .hotjar/, pointed at the credential\'s server, listed as valid', async () => {
    assert.match(lookupDestination.fsPath, /[/\\]\.hotjar[/\\]it-lookups-sandbox\.hotjar\.json$/);
    const file = JSON.parse(fs.readFileSync(lookupDestination.fsPath, 'utf8')) as { name: string; template: string; credential: string; parameters: Record<string, string>; request?: { url?: string } };
    assert.equal(file.template, 'hotjar.user-lookup');
    assert.equal(file.credential, credentialName);
    assert.deepEqual(file.parameters, { organization_id: DEFAULT_ORGANIZATION_ID });
    assert.equal(file.request?.url, `${sandbox.url}/v1/organizations/{organization_id}/user-lookup`);
    const listed = (await api.viewsSnapshot()).destinations.find((d) => d.label === 'IT lookups (sandbox)');
    assert.equal(listed?.contextValue, 'destination');
  });

  it('sends a CSV file through hotjar.sendFile: the sandbox got every record once, and the report says so', async () => {
    const summary = await vscode.commands.executeCommand<RunSummary>('hotjar.sendFile', csvFile, lookupDestination, { confirm: false });
    assert.ok(summary, 'the command returned no summary (see the Hotjar log)');
    assert.deepEqual([summary.delivered, summary.failed, summary.skipped, summary.total], [30, 0, 0, 30]);
    const stats = sandbox.stats();
    assert.equal(stats.receivedTotal, 30);
    assert.equal(stats.distinctSubjects, 30);
    assert.equal(stats.duplicateSubjects, 0);
    assert.deepEqual(subjects(), [...csvEmails].sort());
    assert.equal(summary.reportFile, path.join(path.dirname(csvFile.fsPath), 'people-csv.hotjar-report.jsonl'));
    const report = await readReport(summary.reportFile);
    assert.deepEqual([report.delivered, report.failed, report.skipped, report.interrupted], [30, 0, 0, false]);
    const run = await waitFor('the run in the Runs view', async () => (await api.viewsSnapshot()).runs.find((r) => r.label === 'people-csv.csv → IT lookups (sandbox)'));
    assert.match(run.description ?? '', /30 delivered, 0 failed, 0 skipped/);
  });

  it('sends a JSON Lines file the same way', async () => {
    const summary = await vscode.commands.executeCommand<RunSummary>('hotjar.sendFile', jsonlFile, lookupDestination, { confirm: false });
    assert.deepEqual([summary.delivered, summary.failed, summary.skipped], [40, 0, 0]);
    assert.equal(sandbox.stats().distinctSubjects, 40);
    assert.equal(sandbox.stats().duplicateSubjects, 0);
    assert.deepEqual(subjects(), [...jsonlEmails].sort());
    const report = await readReport(summary.reportFile!);
    assert.equal(report.delivered, 40);
  });

  it('applies the concurrency, rate and report folder settings where the destination file is silent', async () => {
    const hotjar = vscode.workspace.getConfiguration('hotjar');
    await hotjar.update('defaultConcurrency', 3, vscode.ConfigurationTarget.Global);
    await hotjar.update('defaultRatePerMinute', 1234, vscode.ConfigurationTarget.Global);
    await hotjar.update('reportFolder', 'hotjar-reports', vscode.ConfigurationTarget.Global);
    try {
      const summary = await vscode.commands.executeCommand<RunSummary>('hotjar.sendFile', jsonlFile, lookupDestination, { confirm: false });
      assert.equal(summary.delivered, 40);
      assert.equal(summary.reportFile, path.join(workspaceRoot().fsPath, 'hotjar-reports', 'people.hotjar-report.jsonl'));
      const report = await readReport(summary.reportFile);
      assert.equal(report.header.settings.concurrency, 3);
      assert.equal(report.header.settings.ratePerMinute, 1234);
    } finally {
      for (const key of ['defaultConcurrency', 'defaultRatePerMinute', 'reportFolder']) await hotjar.update(key, undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('shows the summary before a send unless told not to', async () => {
    const asked: string[] = [];
    const prompts = api.overridePrompts({
      modal: (message) => {
        asked.push(message);
        return Promise.resolve(undefined);
      },
    });
    try {
      const summary = await vscode.commands.executeCommand<RunSummary | undefined>('hotjar.sendFile', jsonlFile, lookupDestination);
      assert.equal(summary, undefined);
    } finally {
      prompts.dispose();
    }
    assert.deepEqual(asked, ['Send 40 records from people.jsonl to "IT lookups (sandbox)"?']);
    assert.equal(sandbox.stats().requests, 0, 'nothing may be sent when the summary is declined');
  });

  describe('a destination that deletes data', () => {
    let deletion: vscode.Uri;
    before(async () => {
      deletion = await vscode.commands.executeCommand<vscode.Uri>('hotjar.newDestination', 'hotjar.user-deletion', {
        name: 'IT deletions (sandbox)',
        credential: credentialName,
        parameters: { organization_id: DEFAULT_ORGANIZATION_ID },
        open: false,
      });
    });

    it('asks for confirmation, stating the irreversible action and the count, even with confirm: false', async () => {
      const asked: Array<{ message: string; detail: string }> = [];
      const prompts = api.overridePrompts({
        modal: (message, detail) => {
          asked.push({ message, detail });
          return Promise.resolve(undefined);
        },
      });
      try {
        const summary = await vscode.commands.executeCommand<RunSummary | undefined>('hotjar.sendFile', csvFile, deletion, { confirm: false });
        assert.equal(summary, undefined);
      } finally {
        prompts.dispose();
      }
      assert.equal(asked.length, 1);
      assert.equal(asked[0]?.message, 'Permanently delete the Hotjar data of 30 data subjects in people-csv.csv?');
      assert.match(asked[0]?.detail, /cannot be undone/);
      assert.equal(sandbox.stats().requests, 0, 'a declined deletion sends nothing, not even a token request');
    });

    it('sends the deletion requests once confirmed', async () => {
      const prompts = api.overridePrompts({ modal: (_message, _detail, ...actions) => Promise.resolve(actions[0]) });
      let summary: RunSummary;
      try {
        summary = await vscode.commands.executeCommand<RunSummary>('hotjar.sendFile', csvFile, deletion, { confirm: false });
      } finally {
        prompts.dispose();
      }
      assert.equal(summary.delivered, 30);
      assert.ok(sandbox.stats().received.every((call) => call.deleteAllHits === true));
    });
  });

  it('sends the selected lines of a CSV editor, with the header', async () => {
    const editor = await vscode.window.showTextDocument(csvFile);
    // Lines 3–5 of the file (line 1 is the header): the 2nd, 3rd and 4th records.
    editor.selection = new vscode.Selection(2, 0, 4, 5);
    const summary = await vscode.commands.executeCommand<RunSummary>('hotjar.sendSelection', undefined, lookupDestination, { confirm: false });
    assert.deepEqual([summary.delivered, summary.total], [3, 3]);
    assert.deepEqual(subjects(), csvEmails.slice(1, 4).sort());
    assert.match(summary.reportFile ?? '', /people-csv\.lines-3-5\.hotjar-report\.jsonl$/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('sends a dirty editor as shown when asked not to save, leaving the file on disk as it was', async () => {
    // VS Code for the web (code-server) saves after a delay by default; this test needs an editor that stays dirty.
    const files = vscode.workspace.getConfiguration('files');
    await files.update('autoSave', 'off', vscode.ConfigurationTarget.Global);
    const onDisk = fs.readFileSync(jsonlFile.fsPath, 'utf8');
    const editor = await vscode.window.showTextDocument(jsonlFile);
    const { document } = editor;
    // An editor edit, not a WorkspaceEdit: VS Code saves files changed by a WorkspaceEdit (files.refactoring.autoSave).
    assert.ok(await editor.edit((builder) => builder.insert(new vscode.Position(document.lineCount - 1, 0), '{"email":"unsaved@example.com"}\n')));
    assert.ok(document.isDirty);
    const summary = await vscode.commands.executeCommand<RunSummary>('hotjar.sendFile', jsonlFile, lookupDestination, { confirm: false, save: false });
    assert.equal(summary.delivered, 41);
    assert.ok(subjects().includes('unsaved@example.com'));
    assert.equal(fs.readFileSync(jsonlFile.fsPath, 'utf8'), onDisk);
    assert.equal(summary.reportFile, path.join(path.dirname(jsonlFile.fsPath), 'people.hotjar-report.jsonl'), 'the report goes beside the original');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await files.update('autoSave', undefined, vscode.ConfigurationTarget.Global);
  });

  it('Dry Run renders the first requests in an editor and sends nothing', async () => {
    const summary = await vscode.commands.executeCommand<RunSummary>('hotjar.dryRun', csvFile, lookupDestination);
    assert.equal(summary.dryRun, true);
    assert.equal(sandbox.stats().requests, 0);
    const shown = vscode.window.activeTextEditor?.document;
    assert.ok(shown?.isUntitled);
    const text = shown.getText();
    assert.match(text, /# Dry run: people-csv\.csv → IT lookups \(sandbox\)/);
    assert.match(text, new RegExp(`POST ${sandbox.url.replace(/[.]/g, '\\.')}/v1/organizations/${DEFAULT_ORGANIZATION_ID}/user-lookup`));
    assert.match(text, /"data_subject_email": "csv-1@example.com"/);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('Retry Failed sends the records that failed, and only those', async () => {
    // One attempt per record and 30 % of calls failing: some records fail for good in the first run.
    const flaky = writeWorkspaceFile('flaky.hotjar.json', JSON.stringify({
      name: 'IT flaky',
      template: 'hotjar.user-lookup',
      credential: credentialName,
      parameters: { organization_id: DEFAULT_ORGANIZATION_ID },
      request: { url: `${sandbox.url}/v1/organizations/{organization_id}/user-lookup` },
      delivery: { maxAttempts: 1 },
    }));
    const data = writeWorkspaceFile('retry.jsonl', emails('retry', 20).map((email) => JSON.stringify({ email })).join('\n') + '\n');
    sandbox.configure({ faults: { rate: 0.3, kinds: ['500'], seed: 7 } });
    const first = await vscode.commands.executeCommand<RunSummary>('hotjar.sendFile', data, flaky, { confirm: false });
    assert.ok(first.failed > 0 && first.delivered > 0, `expected some failures: ${JSON.stringify(first)}`);
    assert.ok(first.failedFile && fs.existsSync(first.failedFile));
    sandbox.configure({ faults: null });
    const retried = await vscode.commands.executeCommand<RunSummary>('hotjar.retryFailed', { failedFile: first.failedFile, destinationUri: flaky, reportFile: first.reportFile, confirm: false });
    assert.equal(retried.delivered, first.failed);
    assert.equal(retried.failed, 0);
    assert.deepEqual(subjects().filter((s, i, all) => all.indexOf(s) === i).length, 20, 'every record reached the sandbox');
  });

  describe('a longer run', () => {
    let fast: vscode.Uri;
    let many: vscode.Uri;
    const manyEmails = emails('many', 3000);
    before(() => {
      fast = writeWorkspaceFile('fast.hotjar.json', JSON.stringify({
        name: 'IT fast',
        template: 'hotjar.user-lookup',
        credential: credentialName,
        parameters: { organization_id: DEFAULT_ORGANIZATION_ID },
        request: { url: `${sandbox.url}/v1/organizations/{organization_id}/user-lookup` },
        delivery: { concurrency: 16, ratePerMinute: 600_000 },
      }));
      many = writeWorkspaceFile('many.jsonl', manyEmails.map((email) => JSON.stringify({ email })).join('\n') + '\n');
    });

    it('keeps the extension host responsive while it sends 3,000 records', async () => {
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      const summary = await vscode.commands.executeCommand<RunSummary>('hotjar.sendFile', many, fast, { confirm: false });
      delay.disable();
      const maxMs = delay.max / 1e6;
      const p99Ms = delay.percentile(99) / 1e6;
      api.log.info(`measured: 3000 records in ${summary.durationMs} ms; event loop delay p99 ${p99Ms.toFixed(1)} ms, max ${maxMs.toFixed(1)} ms`);
      assert.equal(summary.delivered, 3000);
      assert.equal(sandbox.stats().distinctSubjects, 3000);
      assert.ok(maxMs < 500, `the extension host was blocked for ${maxMs.toFixed(0)} ms`);
    });

    it('cancels a running send (after asking), and Resume delivers the rest without sending anything twice', async () => {
      const slow = writeWorkspaceFile('slow.hotjar.json', JSON.stringify({
        name: 'IT slow',
        template: 'hotjar.user-lookup',
        credential: credentialName,
        parameters: { organization_id: DEFAULT_ORGANIZATION_ID },
        request: { url: `${sandbox.url}/v1/organizations/{organization_id}/user-lookup` },
        delivery: { concurrency: 2, ratePerMinute: 6000 },
      }));
      const data = writeWorkspaceFile('cancel.jsonl', emails('cancel', 300).map((email) => JSON.stringify({ email })).join('\n') + '\n');
      const running = vscode.commands.executeCommand<RunSummary>('hotjar.sendFile', data, slow, { confirm: false });
      await waitFor('some records to arrive', () => (sandbox.stats().receivedTotal >= 20 ? true : undefined));
      const prompts = api.overridePrompts({ modal: (_message, _detail, ...actions) => Promise.resolve(actions[0]) });
      try {
        assert.equal(await vscode.commands.executeCommand<boolean>('hotjar.cancelSend'), true);
      } finally {
        prompts.dispose();
      }
      const first = await running;
      assert.equal(first.interrupted, true);
      assert.ok(first.pending > 0, 'the run stopped before the end');
      assert.equal(first.delivered, sandbox.stats().receivedTotal, 'every request in flight finished and was recorded');
      const resumed = await vscode.commands.executeCommand<RunSummary>('hotjar.resumeRun', { reportFile: first.reportFile, confirm: false });
      assert.equal(resumed.interrupted, false);
      const stats = sandbox.stats();
      assert.equal(stats.distinctSubjects, 300);
      assert.equal(stats.duplicateSubjects, 0);
      const report = await readReport(first.reportFile!);
      assert.deepEqual([report.delivered, report.failed, report.skipped, report.interrupted], [300, 0, 0, false]);
    });
  });

  it('lists an invalid destination file with a warning and the reason, live from the file watcher', async () => {
    writeWorkspaceFile('it-broken.hotjar.json', JSON.stringify({ name: 'IT broken', template: 'hotjar.user-lookup' }), { inRoot: true });
    const broken = await waitFor('the broken destination in the view', async () => (await api.viewsSnapshot()).destinations.find((d) => d.label === 'IT broken'));
    assert.equal(broken.contextValue, 'destination-invalid');
    assert.equal(broken.icon, 'warning');
    assert.match(broken.description ?? '', /organization_id/);
    const views = await api.viewsSnapshot();
    assert.deepEqual(views.templates.map((t) => t.description), ['hotjar.user-lookup', 'hotjar.user-deletion', 'hotjar.list-surveys', 'hotjar.get-survey', 'hotjar.survey-responses']);
  });

  it('never writes the secret or a token to the log, its file, or the reports', async () => {
    const marker = `secret-scan-${Date.now()}`;
    api.log.info(marker);
    const logFile = await waitFor('the log file to hold the marker', () =>
      filesUnder(api.logFolder.fsPath).find((f) => fs.readFileSync(f, 'utf8').includes(marker)),
    );
    const texts: Array<[string, string]> = [
      ['log lines', api.logLines().join('\n')],
      [logFile, fs.readFileSync(logFile, 'utf8')],
      ...filesUnder(path.dirname(csvFile.fsPath))
        .filter((f) => /hotjar-(report|failed)/.test(f))
        .map((f): [string, string] => [f, fs.readFileSync(f, 'utf8')]),
    ];
    assert.ok(texts.length >= 4, 'expected the log and several reports to scan');
    for (const [where, text] of texts) {
      assert.ok(!text.includes(client.clientSecret), `the client secret is in ${where}`);
      assert.doesNotMatch(text, /sbx_[A-Za-z0-9_-]{8,}/, `a sandbox token is in ${where}`);
      assert.doesNotMatch(text, /Bearer (?!\*\*\*\*)\S+/, `an unredacted bearer token is in ${where}`);
    }
  });
});
