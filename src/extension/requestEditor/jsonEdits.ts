/**
 * Applies the form's field edits to the destination file's text with jsonc-parser, so that only the
 * changed property's text changes: the user's key order, indentation and other properties stay as
 * they wrote them, and one form change is one small undoable text edit.
 * No vscode import: unit-tested in plain Node.
 */
import { applyEdits, modify, parseTree, findNodeAtLocation, type FormattingOptions } from 'jsonc-parser';
import { type FieldEdit } from '../../shared/requestEditorProtocol';

export class JsonEditError extends Error {}

/** The file's own indentation and line ends, so inserted properties look like their neighbours. */
export function detectFormatting(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indented = /^([ \t]+)\S/m.exec(text)?.[1];
  if (indented?.startsWith('\t')) return { insertSpaces: false, tabSize: 1, eol };
  return { insertSpaces: true, tabSize: indented ? indented.length : 2, eol };
}

/** The text after the edits, in order. A blank file starts as `{}`; a file that is not a JSON object is refused. */
export function applyFieldEdits(text: string, edits: readonly FieldEdit[]): string {
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
  let body = bom ? text.slice(1) : text;
  if (body.trim() === '') body = '{}\n';
  // Strict JSON, as the core reads it (jsonc-parser alone would accept comments and cut-off text).
  if (!isJsonObjectText(body)) throw new JsonEditError('The file is not a JSON object; fix it in the text editor first.');
  const formattingOptions = detectFormatting(body);
  for (const edit of edits) {
    body = applyEdits(body, modify(body, edit.path, edit.value, { formattingOptions }));
    if (edit.value === undefined) body = removeEmptyParents(body, edit.path, formattingOptions);
  }
  return bom + body;
}

function isJsonObjectText(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** Removing `request.url` from `"request": { "url": … }` leaves no `"request": {}` behind. */
function removeEmptyParents(text: string, path: readonly string[], formattingOptions: FormattingOptions): string {
  let current = text;
  for (let depth = path.length - 1; depth >= 1; depth--) {
    const parentPath = path.slice(0, depth);
    const parent = findNodeAtLocation(parseTree(current)!, [...parentPath]);
    if (!parent || parent.type !== 'object' || (parent.children?.length ?? 0) > 0) break;
    current = applyEdits(current, modify(current, [...parentPath], undefined, { formattingOptions }));
  }
  return current;
}

/** The smallest single replacement turning `before` into `after` (offsets into `before`). */
export function minimalReplacement(before: string, after: string): { start: number; end: number; text: string } | undefined {
  if (before === after) return undefined;
  let start = 0;
  const shorter = Math.min(before.length, after.length);
  while (start < shorter && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before.charCodeAt(endBefore - 1) === after.charCodeAt(endAfter - 1)) {
    endBefore--;
    endAfter--;
  }
  // Never cut a surrogate pair in two: widen the range by one code unit on the side that would.
  if (start > 0 && isHighSurrogate(before.charCodeAt(start - 1))) start--;
  if (endBefore < before.length && isLowSurrogate(before.charCodeAt(endBefore))) {
    endBefore++;
    endAfter++;
  }
  return { start, end: endBefore, text: after.slice(start, endAfter) };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
