import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../host/paths';
import { sharedHost, type UiHost } from './fixture';

interface Manifest {
  contributes: { viewsWelcome: Array<{ view: string; contents: string }> };
}

/** The first line of the Hotjar view's welcome content, as the manifest says it. */
function welcomeFirstLine(): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Manifest;
  const welcome = manifest.contributes.viewsWelcome.find((w) => w.view === 'hotjar.explorer');
  assert.ok(welcome, 'package.json has no viewsWelcome for hotjar.explorer');
  return welcome.contents.split('\n')[0].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').trim();
}

describe('UI: the Hotjar view', () => {
  let host: UiHost;
  before(async function () {
    this.timeout(120_000);
    host = await sharedHost();
  });

  it('shows the Hotjar icon in the activity bar', async () => {
    await host.workbench.activityBarItem('Hotjar').waitFor({ state: 'visible' });
  });

  it('opens the Hotjar view with its welcome content when the icon is clicked', async () => {
    const { workbench } = host;
    await workbench.openActivity('Hotjar');
    await workbench.viewPane('Destinations').waitFor({ state: 'visible' });
    const welcome = workbench.welcomeContent().filter({ hasText: welcomeFirstLine() });
    await welcome.waitFor({ state: 'visible' });
    const file = await workbench.screenshot('hotjar-view');
    assert.ok(fs.statSync(file).size > 0);
  });

  it('shows the "Hotjar" output channel from "Hotjar: Show Log"', async () => {
    const { workbench } = host;
    await workbench.runCommand('Hotjar: Show Log');
    await workbench.waitForPanelText(/Hotjar Destinations \S+ activated in VS Code 1\.100\.\d+/);
  });
});
