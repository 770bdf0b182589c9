import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { COMMANDS, SETTINGS, VIEWS } from '../../src/extension/commands';

interface Manifest {
  activationEvents?: string[];
  capabilities: { untrustedWorkspaces: { supported: boolean | 'limited'; description?: string } };
  contributes: {
    commands: Array<{ command: string; title: string; category?: string }>;
    views: Record<string, Array<{ id: string }>>;
    viewsWelcome: Array<{ view: string; contents: string }>;
    menus: Record<string, Array<{ command: string; when?: string }>>;
    configuration: { properties: Record<string, { scope?: string; markdownDescription?: string; description?: string }> };
    walkthroughs?: Array<{ steps: Array<{ description: string; media: { markdown?: string; image?: string } }> }>;
  };
}

// Compiled to out/test/unit/: the repository root is three levels up.
const root = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;
const declared = manifest.contributes.commands.map((c) => c.command);
const constants: string[] = Object.values(COMMANDS);

describe('package.json against the extension code', () => {
  it('declares every command of COMMANDS, and nothing else', () => {
    assert.deepEqual(
      constants.filter((id) => !declared.includes(id)),
      [],
      'in COMMANDS but not in package.json',
    );
    assert.deepEqual(
      declared.filter((id) => !constants.includes(id)),
      [],
      'in package.json but not in COMMANDS',
    );
    assert.equal(new Set(declared).size, declared.length, 'a command is declared twice');
  });

  it('gives every command the category "Hotjar" and a title', () => {
    for (const command of manifest.contributes.commands) {
      assert.equal(command.category, 'Hotjar', `${command.command} has no category "Hotjar"`);
      assert.ok(command.title.trim(), `${command.command} has no title`);
    }
  });

  it('refers in menus only to declared commands', () => {
    for (const [menu, items] of Object.entries(manifest.contributes.menus)) {
      for (const item of items) assert.ok(declared.includes(item.command), `${menu} refers to unknown command ${item.command}`);
    }
  });

  it('links welcome buttons only to declared commands or built-in ones', () => {
    for (const welcome of manifest.contributes.viewsWelcome) {
      for (const [, id] of welcome.contents.matchAll(/\(command:([\w.-]+)/g)) {
        assert.ok(id && (declared.includes(id) || !id.startsWith('hotjar.')), `welcome of ${welcome.view} links unknown command ${id}`);
      }
    }
  });

  it('declares every view of VIEWS, each with a welcome text or never empty', () => {
    const views = Object.values(manifest.contributes.views).flat().map((v) => v.id);
    assert.deepEqual([...Object.values(VIEWS)].sort(), [...views].sort());
    const welcomed = new Set(manifest.contributes.viewsWelcome.map((w) => w.view));
    // The templates are built in, so that view is never empty.
    for (const view of views.filter((v) => v !== VIEWS.templates)) assert.ok(welcomed.has(view), `${view} has no viewsWelcome`);
  });

  it('gives every setting a scope and a markdownDescription, and declares exactly SETTINGS', () => {
    const properties = manifest.contributes.configuration.properties;
    for (const [key, setting] of Object.entries(properties)) {
      assert.ok(setting.scope, `${key} has no scope`);
      assert.ok(setting.markdownDescription?.trim(), `${key} has no markdownDescription`);
    }
    assert.deepEqual(
      Object.keys(properties).sort(),
      Object.values(SETTINGS).map((key) => `hotjar.${key}`).sort(),
    );
  });

  it('keeps the deletion confirmation out of reach of workspace settings', () => {
    assert.equal(manifest.contributes.configuration.properties['hotjar.confirmDestructiveSends']?.scope, 'application');
  });

  it('declares limited support for untrusted workspaces', () => {
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.ok(manifest.capabilities.untrustedWorkspaces.description);
  });

  it('hides sending and testing in menus of an untrusted workspace', () => {
    const guarded: string[] = [COMMANDS.sendFile, COMMANDS.sendSelection, COMMANDS.sendFileToDestination, COMMANDS.testCredential, COMMANDS.testDestination, COMMANDS.retryFailed, COMMANDS.resumeRun];
    for (const [menu, items] of Object.entries(manifest.contributes.menus)) {
      if (menu === 'commandPalette') continue; // the palette keeps them, so running one explains why it is refused
      for (const item of items.filter((i) => guarded.includes(i.command))) {
        assert.match(item.when ?? '', /isWorkspaceTrusted/, `${menu}: ${item.command} shows in an untrusted workspace`);
      }
    }
  });

  it('ships the walkthrough media it names', () => {
    for (const step of manifest.contributes.walkthroughs?.flatMap((w) => w.steps) ?? []) {
      const media = step.media.markdown ?? step.media.image;
      assert.ok(media, 'a walkthrough step has no media');
      assert.doesNotThrow(() => readFileSync(path.join(root, media)), `missing ${media}`);
    }
  });
});
