import * as path from 'node:path';

/** The repository root (this file runs from out/test/host/). */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const CODE_SERVER_VERSION = '4.100.3';
/** Where scripts/setup.mjs installs code-server. */
export const codeServerPackage = path.join(repoRoot, '.cache', `code-server-${CODE_SERVER_VERSION}`, 'package');
export const codeServerEntry = path.join(codeServerPackage, 'out', 'node', 'entry.js');
/** HOTJAR_TEST_OUTPUT moves it, so runs started side by side (parallel work in one tree) do not wipe each other's output. */
export const testOutput = process.env.HOTJAR_TEST_OUTPUT ? path.resolve(process.env.HOTJAR_TEST_OUTPUT) : path.join(repoRoot, 'test-output');
/** The data files every test host opens (copied first, so tests may write into it). */
export const fixtureWorkspace = path.join(repoRoot, 'test', 'fixtures', 'workspace');
export const integrationIndex = path.join(repoRoot, 'out', 'test', 'integration', 'index.js');
export const chromiumPath = process.env.HOTJAR_CHROMIUM ?? '/usr/bin/chromium';
/** The extension's id as VS Code knows it: publisher.name from package.json. */
export const EXTENSION_ID = 'hotjar-destinations.hotjar-destinations';
