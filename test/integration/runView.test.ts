/**
 * The run view in a real VS Code: a send against the sandbox with injected faults opens it live; its
 * figures at the end are the report's; "Open at line", "Export failed" and "Retry failed" work from it;
 * the run is listed again when the runs are read afresh from disk and the view restores from its saved
 * state, as after a window reload. (A real `workbench.action.reloadWindow` would restart this very
 * test host; the UI tier reloads the browser page for real.)
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { normalizeCredential } from '../../src/core/credentials';
import { loadDestination } from '../../src/core/destination';
import { runDelivery } from '../../src/core/engine';
import { defaultReportPath, readReport } from '../../src/core/report';
import { type RunSummary } from '../../src/core/runTypes';
import { type HotjarApi } from '../../src/extension/extension';
import { runViewHtml } from '../../src/extension/runView/html';
import { type ShowMessage } from '../../src/shared/runViewProtocol';
import { DEFAULT_ORGANIZATION_ID, type Sandbox } from '../../src/sandbox/server';
import { EXTENSION_ID, activateExtension, waitFor } from './helpers';
import { addSandboxCredential, emails, freshClient, startTestSandbox, writeWorkspaceFile } from './sendSupport';

describe('Run view: live figures, the failed records, Retry Failed, the runs after a reload', function () {
  this.timeout(120_000);
  const client = freshClient();
  const credentialName = `it-runview-${process.pid}`;
  const addresses = emails('runview', 240);
  let api: HotjarApi;
  let sandbox: Sandbox;
  let destination: vscode.Uri;
  let data: vscode.Uri;
  let reportFile: string;
  let first: RunSummary;
  let final: ShowMessage;

  before(async () => {
    api = await activateExtension();
    await api.ready();
    sandbox = await startTestSandbox(client);
    await addSandboxCredential(credentialName, client, sandbox);
    destination = writeWorkspaceFile(
      'runview.hotjar.json',
      JSON.stringify({
        name: 'IT run view',
        template: 'hotjar.user-lookup',
        credential: credentialName,
        parameters: { organization_id: DEFAULT_ORGANIZATION_ID },
        request: { url: `${sandbox.url}/v1/organizations/{organization_id}/user-lookup` },
        // Two attempts, little pause: faults make some records fail for good, quickly.
        delivery: { concurrency: 4, ratePerMinute: 6000, maxAttempts: 2 },
      }),
    );
    // Two lines without an email: skipped, never sent.
    const lines = addresses.map((email) => JSON.stringify({ email }));
    lines.splice(10, 0, JSON.stringify({ name: 'no email' }));
    lines.splice(100, 0, JSON.stringify({ name: 'no email either' }));
    data = writeWorkspaceFile('runview-people.jsonl', lines.join('\n') + '\n');
    reportFile = defaultReportPath(data.fsPath);
  });

  after(async () => {
    await vscode.commands.executeCommand('hotjar.removeCredential', credentialName, { confirm: false });
    await sandbox?.close();
  });

  it('opens live when a send starts, and ends with exactly the figures of the report', async () => {
    sandbox.configure({ latencyMs: 5, faults: { rate: 0.25, kinds: ['500', '503', '429', 'reset'], seed: 11, retryAfterSeconds: 0 } });
    api.runView.clearMessages();
    const running = vscode.commands.executeCommand<RunSummary>('hotjar.sendFile', data, destination, { confirm: false });
    const live = await api.runView.waitForShow(reportFile, (m) => m.stats?.running === true && m.stats.delivered > 0);
    assert.equal(api.runView.shownReport(), reportFile);
    assert.equal(live.actions.cancel, true);
    assert.equal(live.actions.retryFailed, false, 'no retry while the run goes');
    assert.equal(live.stats?.destination.name, 'IT run view');
    first = await running;
    assert.ok(first.failed > 0, `the faults made records fail: ${JSON.stringify(first)}`);
    assert.equal(first.skipped, 2);

    final = await api.runView.waitForShow(reportFile, (m) => m.stats?.running === false);
    const shown = final.stats!;
    const report = await readReport(reportFile);
    assert.deepEqual(
      [shown.delivered, shown.failed, shown.skipped, shown.requests, shown.retries, shown.rateLimited, shown.interrupted],
      [report.delivered, report.failed, report.skipped, report.requests, report.retries, report.rateLimited, report.interrupted],
    );
    assert.deepEqual([shown.delivered, shown.failed, shown.skipped], [first.delivered, first.failed, first.skipped]);
    assert.equal(shown.elapsedMs, report.durationMs);
    assert.deepEqual(
      shown.problems.map((p) => [p.line, p.state, p.status, p.attempts, p.reason]),
      report.problems.map((p) => [p.line, p.state, p.status, p.attempts, p.reason]),
    );
    const answers = shown.responses;
    assert.equal(answers['2xx'] + answers['4xx'] + answers['429'] + answers['5xx'] + answers.network, shown.requests, 'every request got an answer or lost it');
    assert.ok(answers['5xx'] + answers.network + answers['429'] > 0);
    assert.equal(shown.latency.count, shown.requests);
    assert.ok(shown.latency.p50! <= shown.latency.p95! && shown.latency.p95! <= shown.latency.p99!);
    assert.ok(shown.series.points.length > 0);
    assert.equal(sandbox.stats().distinctSubjects, shown.delivered, 'the sandbox got what the view calls delivered');
    assert.deepEqual([final.actions.retryFailed, final.actions.exportFailed, final.actions.cancel], [true, true, false]);
    // While it ran, updates came at most about four a second.
    const shows = api.runView.postedMessages().filter((m) => m.type === 'show' && m.reportFile === reportFile).length;
    assert.ok(shows <= Math.ceil(first.durationMs / 250) + 6, `${shows} updates in ${first.durationMs} ms`);
  });

  it('lists the run in the Runs view with what happened', async () => {
    const label = `runview-people.jsonl → IT run view`;
    const item = await waitFor('the run in the Runs view', async () => (await api.viewsSnapshot()).runs.find((r) => r.label === label && !r.description?.includes('sending')));
    assert.equal(item.contextValue, 'run-failed');
    assert.match(item.description ?? '', new RegExp(`${first.delivered} delivered, ${first.failed} failed, 2 skipped`));
  });

  it('opens a failed record at its line in the data file', async () => {
    const row = final.stats!.problems.find((p) => p.state === 'failed')!;
    await api.runView.simulateMessage({ type: 'openAtLine', requestId: 'it-open-1', line: row.line });
    const editor = await waitFor('the data file in an editor', () =>
      vscode.window.activeTextEditor?.document.uri.fsPath === data.fsPath ? vscode.window.activeTextEditor : undefined,
    );
    assert.equal(editor.selection.active.line, row.line - 1);
    assert.equal((JSON.parse(editor.document.lineAt(row.line - 1).text) as { email: string }).email, addresses[row.index - (row.index > 100 ? 2 : row.index > 10 ? 1 : 0)]);
    const reply = api.runView.postedMessages().find((m) => m.type === 'reply' && m.requestId === 'it-open-1');
    assert.deepEqual(reply, { type: 'reply', requestId: 'it-open-1', ok: true });
  });

  it('exports the failed and skipped records to another file', async () => {
    const target = vscode.Uri.file(path.join(path.dirname(data.fsPath), 'exported-failures.jsonl'));
    const exported = await vscode.commands.executeCommand<vscode.Uri>('hotjar.exportFailed', vscode.Uri.file(reportFile), target);
    assert.equal(exported?.fsPath, target.fsPath);
    const lines = fs.readFileSync(target.fsPath, 'utf8').trim().split('\n');
    assert.equal(lines.length, first.failed + first.skipped);
    assert.equal(fs.readFileSync(target.fsPath, 'utf8'), fs.readFileSync(first.failedFile!, 'utf8'));
  });

  it('ignores malformed messages from the page', async () => {
    const before = api.runView.postedMessages().length;
    for (const bad of [
      { type: 'openAtLine', requestId: 'x', line: -1 },
      { type: 'openAtLine', requestId: 'x', line: 3, file: '/etc/passwd' },
      { type: 'action', requestId: 'x', action: 'deleteEverything' },
      { type: 'action', requestId: 'bad id!', action: 'openReport' },
      'ready',
      null,
    ]) {
      await api.runView.simulateMessage(bad);
    }
    assert.equal(api.runView.postedMessages().length, before, 'nothing was done or answered');
    assert.ok(api.logLines().some((line) => line.includes('Run view: ignored a malformed message')));
  });

  it('Retry Failed from the view delivers the rest, and the view follows the retry live', async () => {
    sandbox.configure({ faults: null });
    const asked: string[] = [];
    const prompts = api.overridePrompts({
      modal: (message, _detail, ...actions) => {
        asked.push(message);
        return Promise.resolve(actions.find((a) => a === 'Send'));
      },
    });
    try {
      const retryReport = defaultReportPath(first.failedFile!);
      const ended = api.runView.waitForEnd(retryReport);
      await api.runView.simulateMessage({ type: 'action', requestId: 'it-retry-1', action: 'retryFailed' });
      const stats = await ended;
      assert.ok(stats, 'the retry wrote a report');
      assert.deepEqual([stats.delivered, stats.failed, stats.skipped], [first.failed, 0, 2], 'the failed records delivered; the two without an email are skipped again');
      assert.match(asked[0] ?? '', /Send \d+ records? from runview-people\.hotjar-failed\.jsonl/);
      assert.equal(api.runView.shownReport(), retryReport, 'the view shows the retry');
      await api.runView.waitForShow(retryReport, (m) => m.stats?.running === false && m.stats.delivered === first.failed);
    } finally {
      prompts.dispose();
    }
    assert.equal(sandbox.stats().distinctSubjects, addresses.length, 'every record with an email reached the sandbox');
  });

  it('lists the runs again when they are read afresh from disk, and the view restores from its saved state (a window reload)', async () => {
    const runs = await api.runView.listRunsFromDisk();
    const original = runs.find((r) => r.reportUri.fsPath === reportFile);
    assert.ok(original, 'the first run is listed');
    assert.deepEqual([original.delivered, original.failed, original.skipped, original.interrupted], [first.delivered, first.failed, first.skipped, false]);
    assert.ok(runs.some((r) => r.reportUri.fsPath === defaultReportPath(first.failedFile!)), 'the retry is listed');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await waitFor('the run view to close', () => (api.runView.shownReport() === undefined ? true : undefined));
    api.runView.clearMessages();
    await api.runView.restore({ reportFile, filter: 'server error', outcome: 'failed' });
    const restored = await api.runView.waitForShow(reportFile, (m) => m.stats !== undefined);
    assert.deepEqual([restored.stats?.delivered, restored.stats?.failed, restored.stats?.skipped], [first.delivered, first.failed, first.skipped]);
    assert.equal(api.runView.isReady(), true);
  });

  it('deletes a run after asking: its report and failed-records file go, the data file stays', async () => {
    const retryReport = defaultReportPath(first.failedFile!);
    const retryData = first.failedFile!;
    const prompts = api.overridePrompts({ modal: (_m, _d, ...actions) => Promise.resolve(actions[0]) });
    try {
      assert.equal(await vscode.commands.executeCommand<boolean>('hotjar.deleteRun', vscode.Uri.file(retryReport)), true);
    } finally {
      prompts.dispose();
    }
    assert.equal(fs.existsSync(retryReport), false);
    assert.equal(fs.existsSync(retryData), true, 'the retry’s data file is the first run’s failed-records file: it stays');
    await waitFor('the deleted run to leave the list', async () => ((await api.viewsSnapshot()).runs.some((r) => r.label.startsWith('runview-people.hotjar-failed.jsonl')) ? undefined : true));
  });

  it('Cancel and Resume from the view: the resumed run is followed live over both sessions, nothing is sent twice', async () => {
    sandbox.reset();
    sandbox.configure({ faults: null, latencyMs: 5 });
    const slow = writeWorkspaceFile(
      'runview-slow.hotjar.json',
      JSON.stringify({
        name: 'IT run view slow',
        template: 'hotjar.user-lookup',
        credential: credentialName,
        parameters: { organization_id: DEFAULT_ORGANIZATION_ID },
        request: { url: `${sandbox.url}/v1/organizations/{organization_id}/user-lookup` },
        delivery: { concurrency: 2, ratePerMinute: 3000 },
      }),
    );
    const people = emails('resume-view', 150);
    const file = writeWorkspaceFile('runview-resume.jsonl', people.map((email) => JSON.stringify({ email })).join('\n') + '\n');
    const report = defaultReportPath(file.fsPath);
    const prompts = api.overridePrompts({ modal: (_m, _d, ...actions) => Promise.resolve(actions.find((a) => a === 'Cancel Send' || a === 'Send')) });
    try {
      const running = vscode.commands.executeCommand<RunSummary>('hotjar.sendFile', file, slow, { confirm: false });
      await api.runView.waitForShow(report, (m) => m.stats?.running === true && m.stats.delivered >= 20);
      await api.runView.simulateMessage({ type: 'action', requestId: 'it-cancel-1', action: 'cancel' });
      const cancelled = await running;
      assert.equal(cancelled.interrupted, true);
      const stopped = await api.runView.waitForShow(report, (m) => m.stats?.running === false && m.stats.interrupted);
      assert.equal(stopped.actions.resume, true);
      assert.equal(stopped.stats?.delivered, cancelled.delivered);

      const ended = api.runView.waitForEnd(report);
      await api.runView.simulateMessage({ type: 'action', requestId: 'it-resume-1', action: 'resume' });
      // Live, the figures already hold the first session's records.
      const live = await api.runView.waitForShow(report, (m) => m.stats?.running === true && m.stats.sessions === 2);
      assert.ok((live.stats?.delivered ?? 0) >= cancelled.delivered);
      const stats = await ended;
      assert.deepEqual([stats?.delivered, stats?.failed, stats?.sessions, stats?.interrupted], [150, 0, 2, false]);
      assert.equal(stats?.series.sessionStarts.length, 1, 'the chart marks where the run resumed');
      const final = await api.runView.waitForShow(report, (m) => m.stats?.running === false && m.stats.sessions === 2 && !m.stats.interrupted);
      assert.equal(final.stats?.requests, (await readReport(report)).requests);
    } finally {
      prompts.dispose();
    }
    assert.equal(sandbox.stats().distinctSubjects, 150);
    assert.equal(sandbox.stats().duplicateSubjects, 0);
  });

  it('shows a run of the command line too, and while it goes, offers no Resume', async () => {
    sandbox.reset();
    sandbox.configure({ faults: null, latencyMs: 20 });
    const people = emails('cli-run', 120);
    const file = writeWorkspaceFile('runview-cli.csv', ['email', ...people].join('\n') + '\n', { inRoot: true });
    const report = defaultReportPath(file.fsPath);
    const cliDestination = await loadDestination(destination.fsPath);
    // As hotjar-send would run it: the core engine, not the editor's send controller.
    const credential = normalizeCredential({ name: 'cli', clientId: client.clientId, clientSecret: client.clientSecret, tokenUrl: sandbox.tokenUrl });
    const sending = runDelivery({
      dataFile: file.fsPath,
      destination: { ...cliDestination, delivery: { ...cliDestination.delivery, concurrency: 1, ratePerMinute: 1200 } },
      credential,
      client: 'hotjar-send 0.1.0',
    });
    await waitFor('the report of the command-line run', () => (fs.existsSync(report) && fs.statSync(report).size > 2000 ? true : undefined), 30_000);
    await vscode.commands.executeCommand('hotjar.openRunView', vscode.Uri.file(report));
    const going = await api.runView.waitForShow(report, (m) => m.stats !== undefined);
    assert.equal(going.runningElsewhere, true);
    assert.equal(going.actions.resume, false, 'no Resume while it runs elsewhere');
    assert.match(going.actions.disabledReason ?? '', /terminal/);
    const summary = await sending;
    assert.equal(summary.delivered, 120);
    const done = await api.runView.waitForShow(report, (m) => m.stats?.endedAt !== undefined && !m.runningElsewhere, 30_000);
    assert.deepEqual([done.stats?.delivered, done.stats?.client, done.stats?.interrupted], [120, 'hotjar-send 0.1.0', false]);
    const listed = await waitFor('the command-line run in the Runs view', async () => (await api.viewsSnapshot()).runs.find((r) => r.label === 'runview-cli.csv → IT run view' && /120 delivered/.test(r.description ?? '')));
    assert.equal(listed.contextValue, 'run');
  });

  it('Delete Old Runs deletes the runs older than the age picked, after asking, and no other', async () => {
    const oldData = writeWorkspaceFile('runview-old.jsonl', '{"email":"old@example.com"}\n', { inRoot: true });
    const oldReport = defaultReportPath(oldData.fsPath);
    const startedAt = '2020-01-02T03:04:05.000Z';
    fs.writeFileSync(
      oldReport,
      [
        { type: 'run', version: 1, runId: 'old-run', startedAt, destination: { name: 'Old', method: 'POST', url: `${sandbox.url}/v1/x`, destructive: false }, dataFile: oldData.fsPath, format: 'jsonl', failedFile: `${oldData.fsPath}.failed`, settings: {} },
        { type: 'record', at: startedAt, index: 0, line: 1, state: 'delivered', status: 200, attempts: 1 },
        { type: 'end', at: startedAt, interrupted: false, durationMs: 10, requests: 1, retries: 0, rateLimited: 0 },
      ]
        .map((line) => JSON.stringify(line))
        .join('\n') + '\n',
    );
    await waitFor('the old run in the list', async () => (await api.viewsSnapshot()).runs.find((r) => r.label === 'runview-old.jsonl → Old'));
    const before = (await api.runView.listRunsFromDisk()).length;
    const offered: string[] = [];
    const prompts = api.overridePrompts({
      quickPick: <T extends vscode.QuickPickItem>(items: readonly T[]) => {
        offered.push(...items.map((i) => `${i.label}: ${i.description ?? ''}`));
        return Promise.resolve(items.find((i) => i.label === 'Older than 30 days'));
      },
      modal: (_m, _d, ...actions) => Promise.resolve(actions[0]),
    });
    try {
      assert.equal(await vscode.commands.executeCommand<number>('hotjar.deleteOldRuns'), 1);
    } finally {
      prompts.dispose();
    }
    assert.ok(offered.includes('Older than 30 days: 1 run'), offered.join('; '));
    assert.equal(fs.existsSync(oldReport), false);
    assert.equal(fs.existsSync(oldData.fsPath), true, 'the data file stays');
    assert.equal((await api.runView.listRunsFromDisk()).length, before - 1);
  });

  it('serves the page with a strict Content-Security-Policy: nothing by default, one script by nonce', () => {
    const fakeWebview = { cspSource: 'https://webview.test', asWebviewUri: (uri: vscode.Uri) => uri } as unknown as vscode.Webview;
    const extensionUri = vscode.extensions.getExtension(EXTENSION_ID)!.extensionUri;
    const page = runViewHtml(fakeWebview, extensionUri);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)?.[1] ?? '';
    assert.match(csp, /^default-src 'none'; /);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    const nonce = /script-src 'nonce-([A-Za-z0-9]+)'/.exec(csp)?.[1];
    assert.ok(nonce && nonce.length >= 32, csp);
    assert.equal([...page.matchAll(/<script\b[^>]*>/g)].length, 1);
    assert.match(page, new RegExp(`<script nonce="${nonce}" src="[^"]*media/dist/runView\\.js"></script>`));
    assert.doesNotMatch(page, /\son[a-z]+=|style="/i, 'no inline handlers or styles');
    assert.ok(fs.existsSync(path.join(extensionUri.fsPath, 'media', 'dist', 'runView.js')), 'the page script is built');
  });
});
