// Every webview of the extension, read from its source: a Content-Security-Policy with default-src
// 'none' and the script by nonce, no inline handlers, no HTML built from strings in the page, and
// every message from a page checked by a parser before use (fuzzed here with junk).
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { seededRandom } from '../../../src/sandbox/faults';
import { parseWebviewMessage } from '../../../src/shared/requestEditorProtocol';
import { parseRunViewMessage } from '../../../src/shared/runViewProtocol';
import { repoRoot } from '../core/paths';
import { recordFigures } from '../reliability/helpers';

const root = repoRoot();

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(dir, file));
}

const read = (file: string): string => readFileSync(path.join(root, file), 'utf8');

describe('security: webviews', () => {
  const extensionFiles = sourceFiles('src/extension');
  // The one page shell that writes the CSP; each webview's page builder must go through it.
  const SHELL = 'src/extension/webviewHtml.ts';
  const pages = extensionFiles.filter((file) => read(file).includes('Content-Security-Policy'));
  const builderFiles = extensionFiles.filter((file) => file === SHELL || /\bwebviewHtml\(/.test(read(file)));
  const pageScripts = sourceFiles('media/webview');
  let fuzzed = 0;

  after(() => recordFigures('webviews', { pages: pages.length, pageScripts: pageScripts.length, junkMessagesRefused: fuzzed }));

  it('every panel gets its HTML from a page builder with a CSP', () => {
    const assignments = extensionFiles.filter((file) => /\.webview\.html\s*=/.test(read(file)));
    assert.ok(assignments.length >= 2, `webview.html is set in ${assignments.join(', ')}`);
    for (const file of assignments) {
      const builders = [...read(file).matchAll(/\.webview\.html\s*=\s*(\w+)\(/g)].map((m) => m[1]);
      assert.ok(builders.length > 0, `${file} sets webview.html from something other than a page builder call`);
      for (const builder of builders) {
        assert.ok(builderFiles.some((page) => new RegExp(`export function ${builder}\\(`).test(read(page))), `${file}: ${builder} is not a page builder going through ${SHELL}`);
      }
    }
  });

  for (const page of ['src/extension/webviewHtml.ts']) {
    it(`${page}: default-src 'none', the script by a fresh random nonce, nothing inline`, () => {
      const text = read(page);
      assert.match(text, /"default-src 'none'"/);
      assert.match(text, /`script-src 'nonce-\$\{nonce\}'`/);
      assert.match(text, /const nonce = (randomUUID\(\)|randomBytes\(\d+\))/, 'the nonce is not a fresh random value');
      assert.doesNotMatch(text, /unsafe-inline|unsafe-eval|unsafe-hashes/);
      const scripts = [...text.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      assert.ok(scripts.length >= 1);
      for (const tag of scripts) assert.match(tag, /nonce="\$\{nonce\}"/, `a script without the nonce: ${tag}`);
      assert.doesNotMatch(text, /<script\b[^>]*>[^<\s]/, 'an inline script');
      assert.doesNotMatch(text, /\son[a-z]+\s*=/i, 'an inline event handler');
      assert.doesNotMatch(text, /style="/, 'an inline style');
    });
  }

  it('the CSP is written in one page shell, used by the two page builders (a new page needs its checks here)', () => {
    assert.deepEqual(pages.sort(), [SHELL]);
    assert.deepEqual(builderFiles.filter((file) => file !== SHELL).sort(), ['src/extension/requestEditor/html.ts', 'src/extension/runView/html.ts']);
  });

  for (const script of pageScripts.filter((file) => !file.endsWith('.d.ts'))) {
    it(`${script}: builds the page with DOM calls, never from HTML strings or eval`, () => {
      const text = read(script);
      for (const [pattern, what] of [
        [/\.innerHTML\b/, 'innerHTML'],
        [/\.outerHTML\b/, 'outerHTML'],
        [/insertAdjacentHTML/, 'insertAdjacentHTML'],
        [/document\.write/, 'document.write'],
        [/\beval\s*\(/, 'eval'],
        [/new Function\s*\(/, 'new Function'],
        [/setAttribute\(\s*['"`]on/i, 'an inline handler attribute'],
        [/setTimeout\(\s*['"`]/, 'setTimeout with a string'],
        [/createContextualFragment|DOMParser/, 'HTML parsing'],
      ] as const) {
        assert.doesNotMatch(text, pattern, `${what} in ${script}`);
      }
      if (/addEventListener\('message'/.test(text)) {
        assert.match(text, /addEventListener\('message', \(event[^)]*\) => \{\s*if \(is\w+\(event\.data\)\)/, `${script} uses a message before checking it`);
      }
    });
  }

  it('every handler of webview messages passes them through a parser first', () => {
    const handlers = extensionFiles.filter((file) => /onDidReceiveMessage/.test(read(file)));
    assert.ok(handlers.length >= 2);
    for (const file of handlers) {
      const text = read(file);
      const receive = /onDidReceiveMessage\(\(raw: unknown\) => (?:void )?this\.(\w+)\(raw\)\)/.exec(text);
      assert.ok(receive, `${file}: the message handler does not take unknown input`);
      const body = new RegExp(`\\n  (?:async )?${receive[1]}\\(raw: unknown\\)[^{]*\\{\\n\\s*const message = (parse\\w+Message)\\(raw\\);\\n\\s*if \\(!message\\)`).exec(text);
      assert.ok(body, `${file}: ${receive[1]}() does not parse the message before anything else`);
    }
  });

  it('the message parsers refuse junk without throwing, and pass on only what they checked', () => {
    const random = seededRandom(99);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const types = ['ready', 'test', 'edit', 'copyCurl', 'pickSample', 'clearSample', 'addCredential', 'openAsText', 'action', 'openAtLine', 'eval', '__proto__', ''];
    const junkValue = (depth: number): unknown => {
      switch (Math.floor(random() * 10)) {
        case 0:
          return null;
        case 1:
          return Math.floor(random() * 1e6) - 5e5;
        case 2:
          return pick([Number.NaN, Number.POSITIVE_INFINITY, -0, 2 ** 53 + 1, 1.5]);
        case 3:
          return pick(['', 'r1', 'has space', 'x'.repeat(100), '<script>alert(1)</script>', '__proto__', 'constructor', '../../etc/passwd']);
        case 4:
          return random() < 0.5;
        case 5:
          return depth > 4 ? 'deep' : Array.from({ length: Math.floor(random() * 4) }, () => junkValue(depth + 1));
        case 6:
          return undefined;
        default: {
          if (depth > 4) return {};
          const object: Record<string, unknown> = {};
          for (let i = Math.floor(random() * 4); i > 0; i--) object[pick(['type', 'requestId', 'edits', 'path', 'value', 'line', 'action', 'includeToken', 'extra', '__proto__'])] = junkValue(depth + 1);
          return object;
        }
      }
    };
    const accepted = { editor: 0, run: 0 };
    for (let i = 0; i < 20_000; i++) {
      const message = random() < 0.7 ? { ...(junkValue(1) as object), type: pick(types) } : junkValue(0);
      for (const [name, parse] of [
        ['editor', parseWebviewMessage],
        ['run', parseRunViewMessage],
      ] as const) {
        let parsed: unknown;
        assert.doesNotThrow(() => {
          parsed = parse(message);
        }, `${name} parser threw on ${JSON.stringify(message)}`);
        if (parsed === undefined) continue;
        accepted[name]++;
        // What comes out is plain data, equal to its own JSON copy: no prototype tricks, no functions, no NaN.
        assert.deepEqual(JSON.parse(JSON.stringify(parsed)), parsed, `${name} passed on ${JSON.stringify(message)}`);
        assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
      }
      fuzzed++;
    }
    // A few junk messages happen to be well-formed (e.g. { type: 'ready' }): the fuzzing reached the accepting paths too.
    assert.ok(accepted.editor > 0 && accepted.run > 0, JSON.stringify(accepted));
    assert.equal(parseWebviewMessage(JSON.parse('{"type":"edit","requestId":"r","edits":[{"path":["request","__proto__"],"value":{"polluted":true}}]}')), undefined);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
