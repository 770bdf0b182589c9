// Builds the production bundles and packages them into a platform-specific VSIX with @vscode/vsce:
//   npm run package [-- --target linux-x64]
// Platform-specific because keytar's native module (dist/keytar-*.node, copied there by esbuild) is
// built for this OS and CPU. The VSIX lands at the repo root as hotjar-destinations-<target>-<version>.vsix
// and its path is printed on the last line.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** vsce's name for this machine: linux-x64, linux-arm64, darwin-arm64, win32-x64, alpine-x64... */
export function currentTarget() {
  const arch = { x64: 'x64', arm64: 'arm64', arm: 'armhf' }[process.arch] ?? process.arch;
  const musl = process.platform === 'linux' && !process.report?.getReport().header.glibcVersionRuntime;
  return `${musl ? 'alpine' : process.platform}-${arch}`;
}

export function vsixPath(target = currentTarget()) {
  const { name, version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  return path.join(root, `${name}-${target}-${version}.vsix`);
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`"${command} ${args.join(' ')}" failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`})`);
}

export function packageVsix(target = currentTarget()) {
  run(process.execPath, ['scripts/build.mjs', '--production']);
  const natives = readdirSync(path.join(root, 'dist')).filter((f) => f.endsWith('.node'));
  if (natives.length === 0) throw new Error('dist/ has no native module: keytar did not build (is libsecret-1-dev installed? run npm run setup)');
  const out = vsixPath(target);
  // --no-dependencies: the bundles carry everything; node_modules stays out of the VSIX.
  run(process.execPath, [path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package',
    // No repository URL is published yet: keep README links relative rather than invent one.
    '--no-dependencies', '--target', target, '--out', out, '--allow-missing-repository', '--no-rewrite-relative-links']);
  if (!existsSync(out)) throw new Error(`vsce did not write ${out}`);
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--target');
  try {
    const out = packageVsix(i >= 0 ? process.argv[i + 1] : undefined);
    console.log(`packaged ${path.relative(root, out)}`);
  } catch (error) {
    console.error(`package failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
