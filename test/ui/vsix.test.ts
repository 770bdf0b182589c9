import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../host/paths';
import { startUiHost, type UiHost } from './fixture';

/** The VSIX `npm run package` wrote for this machine (npm test packages it before the UI tier). */
function findVsix(): string {
  if (process.env.HOTJAR_VSIX) return path.resolve(process.env.HOTJAR_VSIX);
  const { name, version } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };
  const found = fs.readdirSync(repoRoot).filter((f) => f.startsWith(`${name}-`) && f.endsWith(`-${version}.vsix`));
  assert.equal(found.length, 1, `expected one ${name}-<target>-${version}.vsix at the repo root (run "npm run package"), found: ${found.join(', ') || 'none'}`);
  return path.join(repoRoot, found[0]);
}

describe('UI: the packaged VSIX installed into VS Code', () => {
  let host: UiHost | undefined;
  before(async function () {
    this.timeout(180_000);
    // No extensionDevelopmentPath: the extension comes only from the VSIX, in a fresh extensions folder.
    host = await startUiHost({ name: 'vsix', extensionDevelopmentPath: null, installExtensions: [findVsix()] });
  });
  after(async () => {
    await host?.close();
  });

  it('installs with keytar\'s native module beside the bundle', () => {
    const installed = fs.readdirSync(host!.server.extensionsDir).filter((f) => f.startsWith('hotjar-destinations.hotjar-destinations-'));
    assert.equal(installed.length, 1, `installed extensions: ${fs.readdirSync(host!.server.extensionsDir).join(', ')}`);
    const dist = path.join(host!.server.extensionsDir, installed[0], 'dist');
    assert.ok(fs.readdirSync(dist).some((f) => /^keytar-.*\.node$/.test(f)), `no keytar-*.node in ${dist}`);
  });

  it('activates from the Hotjar view and keeps credentials in the OS keychain', async function () {
    const { workbench } = host!;
    assert.doesNotMatch(await workbench.page.title(), /Extension Development Host/);
    await workbench.openActivity('Hotjar');
    await workbench.runCommand('Hotjar: Show Log');
    // In the keyring session of npm test keytar must load from the VSIX and reach the Secret Service.
    const keychain = process.env.HOTJAR_TEST_KEYRING === '1' ? 'OS keychain \\(keytar\\)' : '';
    const text = await workbench.waitForPanelText(new RegExp(`activated in VS Code 1\\.100\\.\\d+; credentials in ${keychain}`));
    await workbench.screenshot('vsix-installed');
    this.test!.title += ` — "${/activated[^.]*\.\d+\.\d+[^.]*\([^)]*\)/.exec(text)?.[0] ?? ''}"`;
  });
});
