import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { CredentialStore, KEYCHAIN_SERVICE, loadKeytarBackend } from '../../src/core/credentials';
import { activateExtension, EXTENSION_ID, inKeyringSession } from './helpers';

const exec = promisify(execFile);

interface Manifest {
  contributes: {
    commands: Array<{ command: string }>;
    viewsContainers: { activitybar: Array<{ id: string }> };
    views: Record<string, Array<{ id: string }>>;
  };
}

describe('Foundation: the extension in a real VS Code', () => {
  it('runs in VS Code 1.100', () => {
    console.log(`VS Code ${vscode.version}`);
    assert.match(vscode.version, /^1\.100\./);
  });

  it('activates and returns its API', async () => {
    const api = await activateExtension();
    assert.equal(typeof api.credentialBackend, 'string');
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID)?.isActive);
  });

  it('contributes the Hotjar view container and its view, and opens them', async () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as Manifest;
    assert.ok(manifest.contributes.viewsContainers.activitybar.some((c) => c.id === 'hotjar'));
    assert.ok(manifest.contributes.views.hotjar?.some((v) => v.id === 'hotjar.explorer'));
    // These commands exist only when VS Code registered the container and the view.
    await vscode.commands.executeCommand('workbench.view.extension.hotjar');
    await vscode.commands.executeCommand('hotjar.explorer.focus');
  });

  it('registers every command its manifest declares', async () => {
    await activateExtension();
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as Manifest;
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = manifest.contributes.commands.map((c) => c.command).filter((id) => !registered.has(id));
    assert.deepEqual(missing, []);
  });

  it('runs "Hotjar: Show Log"', async () => {
    await activateExtension();
    await vscode.commands.executeCommand('hotjar.showLog');
  });

  describe('OS keychain', () => {
    before(function () {
      if (!inKeyringSession()) this.skip();
    });

    it('keeps credentials in the OS keychain (keytar)', async () => {
      const api = await activateExtension();
      assert.equal(api.credentialBackend, 'OS keychain (keytar)');
    });

    it('writes a credential that secret-tool sees in the keychain, then removes it', async () => {
      const backend = loadKeytarBackend();
      assert.ok(!(backend instanceof Error), `keytar did not load: ${backend instanceof Error ? backend.message : ''}`);
      const store = new CredentialStore(backend);
      const name = `integration-test-${process.pid}`;
      await store.set({ name, clientId: 'client-id', clientSecret: 'not-a-real-secret', tokenUrl: 'http://127.0.0.1:4380/v1/oauth/token', allowedHosts: [] });
      try {
        const found = await exec('secret-tool', ['search', '--all', 'service', KEYCHAIN_SERVICE]);
        assert.match(`${found.stdout}\n${found.stderr}`, new RegExp(`account = ${name}`));
        assert.equal((await store.get(name))?.clientId, 'client-id');
      } finally {
        assert.equal(await store.delete(name), true);
      }
      const after = await exec('secret-tool', ['search', '--all', 'service', KEYCHAIN_SERVICE]);
      assert.doesNotMatch(`${after.stdout}\n${after.stderr}`, new RegExp(`account = ${name}`));
    });
  });
});
