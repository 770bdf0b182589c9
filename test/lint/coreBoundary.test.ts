import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { repoRoot } from '../host/paths';

/** A file that does not exist: linted from memory under the core folder, so the core's rules apply to it. */
const FIXTURE = path.join(repoRoot, 'src', 'core', '__lint_fixture__.ts');

/**
 * The project's own eslint.config.mjs; only for the in-memory fixture, type-aware parsing is turned
 * off (the TypeScript project service refuses a file that is not on disk). The core rules under test
 * are not type-aware.
 */
function linter(): ESLint {
  const overrideConfig: Linter.Config[] = [{ ...(tseslint.configs.disableTypeChecked as Linter.Config), files: ['src/core/__lint_fixture__.ts'] }];
  return new ESLint({ cwd: repoRoot, overrideConfig });
}

async function lintCore(text: string): Promise<Linter.LintMessage[]> {
  const [result] = await linter().lintText(text, { filePath: FIXTURE });
  assert.ok(result, 'ESLint returned no result');
  return result.messages;
}

describe('Lint: the core folder never imports vscode', function () {
  this.timeout(120_000);

  it('flags `import * as vscode from "vscode"` in src/core', async () => {
    const messages = await lintCore("import * as vscode from 'vscode';\nexport const version: string = vscode.version;\n");
    const hit = messages.find((m) => m.ruleId === 'no-restricted-imports');
    assert.ok(hit, `expected a no-restricted-imports error, got: ${JSON.stringify(messages)}`);
    assert.equal(hit.severity, 2);
    assert.match(hit.message, /src\/core must not import vscode/);
  });

  it('flags `require("vscode")` in src/core', async () => {
    const messages = await lintCore("// eslint-disable-next-line @typescript-eslint/no-require-imports\nexport const vscode: unknown = require('vscode');\n");
    assert.ok(messages.some((m) => m.ruleId === 'no-restricted-syntax' && m.severity === 2), JSON.stringify(messages));
  });

  it('flags an import of the extension front from src/core', async () => {
    const messages = await lintCore("import { activate } from '../extension/extension';\nexport const a: unknown = activate;\n");
    assert.ok(messages.some((m) => m.ruleId === 'no-restricted-imports' && m.severity === 2), JSON.stringify(messages));
  });

  it('accepts the same core file without the import', async () => {
    const messages = await lintCore("export const version = '1';\n");
    assert.deepEqual(messages.filter((m) => m.severity === 2), []);
  });

  it('passes `npm run lint` (eslint .) on the whole tree', async () => {
    const results = await new ESLint({ cwd: repoRoot }).lintFiles(['.']);
    const errors = results.flatMap((r) => r.messages.filter((m) => m.severity === 2).map((m) => `${path.relative(repoRoot, r.filePath)}:${m.line}:${m.column} ${m.ruleId ?? ''} ${m.message}`));
    assert.deepEqual(errors, []);
  });
});
