import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../host/paths';
import { sharedHost, type UiHost } from './fixture';

interface Manifest {
  contributes: {
    views: Record<string, Array<{ id: string; name: string }>>;
    viewsWelcome: Array<{ view: string; contents: string; when?: string }>;
  };
}

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Manifest;
const squash = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The name of the view hotjar.explorer, as the manifest says it. */
function explorerViewName(): string {
  const view = manifest.contributes.views.hotjar?.find((v) => v.id === 'hotjar.explorer');
  assert.ok(view, 'package.json has no view hotjar.explorer');
  return view.name;
}

/** The first lines of the welcome contents of hotjar.explorer (link labels only), as the manifest says them. */
function welcomeFirstLines(): string[] {
  const welcomes = manifest.contributes.viewsWelcome.filter((w) => w.view === 'hotjar.explorer');
  assert.ok(welcomes.length > 0, 'package.json has no viewsWelcome for hotjar.explorer');
  return welcomes.map((w) => squash(w.contents.split('\n')[0].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')));
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
    const pane = workbench.viewPane(explorerViewName());
    await pane.waitFor({ state: 'visible' });
    // The fixture workspace has no destinations: the view shows (one of) its welcome contents.
    const welcome = pane.locator('.welcome-view-content');
    await welcome.waitFor({ state: 'visible' });
    const shown = squash(await welcome.innerText());
    assert.ok(welcomeFirstLines().some((line) => shown.includes(line)), `welcome content shown: "${shown}"`);
    const file = await workbench.screenshot('hotjar-view');
    assert.ok(fs.statSync(file).size > 0);
  });

  it('shows the "Hotjar" output channel from "Hotjar: Show Log"', async () => {
    const { workbench } = host;
    await workbench.runCommand('Hotjar: Show Log');
    await workbench.waitForPanelText(/Hotjar Destinations \S+ activated in VS Code 1\.100\.\d+/);
  });
});
