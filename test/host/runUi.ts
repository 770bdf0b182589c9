/**
 * The UI tier: mocha in plain Node over out/test/ui/**\/*.test.js; the tests drive VS Code for the
 * web (code-server) in headless Chromium with playwright-core through test/ui/fixture.ts.
 *
 *   node out/test/host/runUi.js [--grep <text>]
 *
 * Writes test-output/ui/results.json, screenshots in test-output/ui/ (failures in
 * test-output/ui/failures/), and each host's logs under test-output/ui/hosts/<name>/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import { closeAllHosts, liveHosts, uiOutput } from '../ui/fixture';
import { exitOnSignals } from './processes';
import { JsonFileReporter } from './results';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  exitOnSignals();
  fs.rmSync(uiOutput, { recursive: true, force: true });
  fs.mkdirSync(uiOutput, { recursive: true });
  const resultsFile = path.join(uiOutput, 'results.json');
  const grep = option('--grep');
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: 60_000,
    reporter: JsonFileReporter,
    reporterOptions: { output: resultsFile },
    ...(grep ? { grep } : {}),
    rootHooks: {
      async afterEach(this: Mocha.Context) {
        if (this.currentTest?.state !== 'failed') return;
        const name = this.currentTest.fullTitle().replace(/[^\w.-]+/g, '-').slice(0, 120);
        for (const host of liveHosts()) {
          const file = path.join(uiOutput, 'failures', `${name}.${host.name}.png`);
          fs.mkdirSync(path.dirname(file), { recursive: true });
          await host.browser.page.screenshot({ path: file }).catch(() => undefined);
          console.log(`    screenshot of the failure: ${path.relative(process.cwd(), file)}`);
        }
      },
    },
  });
  const dir = path.join(__dirname, '..', 'ui');
  const files = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.test.js')).sort();
  for (const file of files) mocha.addFile(path.join(dir, file));
  try {
    const failures = await new Promise<number>((resolve) => mocha.run(resolve));
    return failures > 0 || files.length === 0 ? 1 : 0;
  } finally {
    await closeAllHosts();
  }
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
