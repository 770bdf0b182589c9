// Builds the three bundles (extension, CLI, sandbox) and the webview scripts with esbuild.
//   node scripts/build.mjs               development build (linked source maps)
//   node scripts/build.mjs --production  minified, source maps written beside but kept out of the VSIX
//   node scripts/build.mjs --watch       rebuild on change
//   node scripts/build.mjs --tests       also transpile src/ and test/ file by file into out/ for mocha
import * as esbuild from 'esbuild';
import { rmSync, existsSync, chmodSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const tests = args.has('--tests');

/** Prints esbuild problems in the `file:line:col: error: text` form the $esbuild-watch problem matcher reads. */
const problemReporter = {
  name: 'problem-reporter',
  setup(build) {
    build.onStart(() => { if (watch) console.log('[watch] build started'); });
    build.onEnd((result) => {
      for (const { text, location } of [...result.errors, ...result.warnings]) {
        if (location) console.error(`${location.file}:${location.line}:${location.column}: ${text}`);
        else console.error(text);
      }
      if (watch) console.log('[watch] build finished');
    });
  },
};

const nodeBundle = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: production,
  sourcemap: production ? 'external' : 'linked',
  sourcesContent: false,
  // keytar's native module is copied next to the bundle so an installed VSIX or a global CLI finds it.
  loader: { '.node': 'copy' },
  // jsonc-parser's UMD build requires its parts at run time, out of esbuild's sight: bundle its ES modules.
  alias: { 'jsonc-parser': './node_modules/jsonc-parser/lib/esm/main.js' },
  logLevel: 'silent',
  plugins: [problemReporter],
  absWorkingDir: root,
};

const configs = [
  { ...nodeBundle, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist', external: ['vscode'] },
  { ...nodeBundle, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  { ...nodeBundle, entryPoints: { sandbox: 'src/sandbox/main.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
];

const webviewDir = path.join(root, 'media', 'webview');
const webviewEntries = existsSync(webviewDir)
  ? readdirSync(webviewDir).filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts') && !f.startsWith('_'))
  : [];
if (webviewEntries.length > 0) {
  configs.push({
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    minify: production,
    sourcemap: production ? false : 'inline',
    logLevel: 'silent',
    plugins: [problemReporter],
    absWorkingDir: root,
    entryPoints: webviewEntries.map((f) => `media/webview/${f}`),
    outdir: 'media/dist',
  });
}

if (tests) {
  configs.push({
    bundle: false,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    logLevel: 'silent',
    plugins: [problemReporter],
    absWorkingDir: root,
    entryPoints: ['src/**/*.ts', 'test/**/*.ts'].filter((p) => existsSync(path.join(root, p.split('/')[0]))),
    outdir: 'out',
    outbase: '.',
  });
}

if (!watch) {
  rmSync(path.join(root, 'dist'), { recursive: true, force: true });
  if (tests) rmSync(path.join(root, 'out'), { recursive: true, force: true });
}

try {
  if (watch) {
    const contexts = await Promise.all(configs.map((c) => esbuild.context(c)));
    await Promise.all(contexts.map((c) => c.watch()));
  } else {
    await Promise.all(configs.map((c) => esbuild.build(c)));
    for (const bin of ['dist/cli.js', 'dist/sandbox.js']) {
      if (existsSync(path.join(root, bin))) chmodSync(path.join(root, bin), 0o755);
    }
    console.log(`built ${production ? 'production' : 'development'} bundles${tests ? ' and test files' : ''}`);
  }
} catch {
  process.exit(1);
}
