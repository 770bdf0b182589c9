// The build the bench measures: a copy of the project's sources under bench/.data/stage, built there
// with the project's own scripts (`node scripts/build.mjs --tests`, then `node scripts/package.mjs`,
// i.e. `npm run package`). Measuring a copy keeps the bench away from the shared dist/ and out/
// folders (another build may delete them mid-run) and makes the measured CLI the production bundle
// that ships in the VSIX.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { dataDir, repoRoot } from './util.mjs';

const SOURCES = [
  'src', 'media', 'scripts', 'snippets', 'schemas', 'test',
  'package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore', 'tsconfig.json', '.mocharc.json',
];

function git(args) {
  return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

/** What the measured sources are: the commit, and whether the working tree differs from it. */
export function sourceDescription(fromHead) {
  try {
    const commit = git(['rev-parse', '--short', 'HEAD']).trim();
    if (fromHead) return `commit ${commit}`;
    const dirty = git(['status', '--porcelain', '--', ...SOURCES]).trim().split('\n').filter(Boolean).length;
    return dirty ? `commit ${commit} + ${dirty} uncommitted change${dirty === 1 ? '' : 's'} in the working tree` : `commit ${commit}`;
  } catch {
    return 'not a git checkout';
  }
}

function copySources(stage, fromHead) {
  if (fromHead) {
    const archive = spawnSync('git', ['archive', '--format=tar', 'HEAD', '--', ...SOURCES.filter((s) => git(['ls-tree', 'HEAD', s]).trim())], {
      cwd: repoRoot,
      maxBuffer: 512 * 1024 * 1024,
    });
    if (archive.status !== 0) throw new Error(`git archive failed: ${archive.stderr}`);
    const untar = spawnSync('tar', ['-x', '-C', stage], { input: archive.stdout });
    if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
    return;
  }
  let files;
  try {
    files = git(['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ...SOURCES]).split('\0').filter(Boolean);
  } catch {
    files = undefined;
  }
  if (!files) {
    // Not a git checkout: copy the folders as they are, minus build output.
    for (const source of SOURCES) {
      if (existsSync(path.join(repoRoot, source))) cpSync(path.join(repoRoot, source), path.join(stage, source), { recursive: true, filter: (f) => !f.includes(`${path.sep}dist${path.sep}`) });
    }
    return;
  }
  for (const file of files) {
    const from = path.join(repoRoot, file);
    if (!existsSync(from) || !statSync(from).isFile()) continue; // deleted in the working tree
    const to = path.join(stage, file);
    mkdirSync(path.dirname(to), { recursive: true });
    cpSync(from, to);
  }
}

function run(stage, args, log) {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: stage, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`"node ${args.join(' ')}" failed in ${stage}:\n${result.stdout}\n${result.stderr}`);
  log(`  node ${args.join(' ')}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** Copies and builds; returns the paths of what the rows measure. */
export function prepareStage({ fromHead = false, log = console.log } = {}) {
  const stage = path.join(dataDir, 'stage');
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  copySources(stage, fromHead);
  if (!existsSync(path.join(repoRoot, 'node_modules'))) throw new Error('node_modules is missing: run npm install (or npm run setup) first');
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(stage, 'node_modules'), 'dir');
  // The test host's code-server lives in .cache (npm run setup); the staged test helpers look for it there.
  if (existsSync(path.join(repoRoot, '.cache'))) symlinkSync(path.join(repoRoot, '.cache'), path.join(stage, '.cache'), 'dir');
  writeFileSync(path.join(stage, 'STAGED-BY-BENCH'), `${sourceDescription(fromHead)}\n`);
  run(stage, ['scripts/build.mjs', '--tests'], log);
  run(stage, ['scripts/package.mjs'], log);
  const dist = path.join(stage, 'dist');
  const vsix = readdirSync(stage).find((f) => f.endsWith('.vsix'));
  return {
    dir: stage,
    cli: path.join(dist, 'cli.js'),
    sandbox: path.join(dist, 'sandbox.js'),
    extension: path.join(dist, 'extension.js'),
    vsix: vsix ? path.join(stage, vsix) : undefined,
    out: path.join(stage, 'out'),
  };
}
