import * as path from 'node:path';
import * as vscode from 'vscode';
import { asUri, asUriList } from '../args';
import { COMMANDS } from '../commands';
import { Cancelled, UserFacingError } from '../errors';
import { type PromptService } from '../prompts';

/** Data files the extension sends: the same list as the manifest's menus (destination files excluded). */
export function isDataFile(uri: vscode.Uri): boolean {
  const name = path.basename(uri.path).toLowerCase();
  return /\.(json|jsonl|ndjson|csv|tsv)$/.test(name) && !name.endsWith('.hotjar.json');
}

/** Formats whose records are lines, so a selection of lines is a selection of records. */
export function isLineFile(uri: vscode.Uri): boolean {
  return /\.(jsonl|ndjson|csv|tsv)$/i.test(uri.path);
}

/**
 * The files a command was invoked on: the explorer passes (clicked, allSelected), the editor title the
 * document, the palette nothing (then the active editor, else an open dialog).
 */
export async function resolveDataFiles(first: unknown, second: unknown, prompts: PromptService): Promise<vscode.Uri[]> {
  const selection = asUriList(second);
  if (selection && selection.length > 1) return selection.filter(isDataFile);
  const given = asUri(first);
  if (given) return [given];
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && active.scheme === 'file' && isDataFile(active)) return [active];
  const picked = await prompts.current.openDialog({
    title: 'Send which file to Hotjar?',
    canSelectMany: false,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    filters: { 'Data files': ['csv', 'tsv', 'json', 'jsonl', 'ndjson'] },
    openLabel: 'Choose',
  });
  if (!picked?.[0]) throw new Cancelled();
  return [picked[0]];
}

export interface PreparedData {
  /** The file the engine reads: the original, or a copy of the editor's unsaved text. */
  dataFile: string;
  /** True when dataFile is a copy of unsaved text (reports still go beside the original). */
  unsaved: boolean;
}

/**
 * "A dirty editor is sent as shown, after asking whether to save": Save writes the file first;
 * Send as Shown copies the editor's text to a private file, so the disk file stays as it was.
 * `save` (from command arguments) answers without asking.
 */
export async function prepareDataFile(uri: vscode.Uri, save: boolean | undefined, prompts: PromptService, scratch: vscode.Uri): Promise<PreparedData> {
  if (uri.scheme !== 'file') throw new UserFacingError(`Only files on disk can be sent (${uri.toString(true)} is not one).`);
  const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (!document?.isDirty) return { dataFile: uri.fsPath, unsaved: false };
  let choice = save === undefined ? undefined : save ? 'Save and Send' : 'Send as Shown';
  choice ??= await prompts.current.modal(
    `${path.basename(uri.fsPath)} has unsaved changes.`,
    'Save it first, or send exactly what the editor shows (the file on disk stays as it is).',
    'Save and Send',
    'Send as Shown',
  );
  if (choice === 'Save and Send') {
    if (!(await document.save())) throw new UserFacingError(`${path.basename(uri.fsPath)} could not be saved; nothing was sent.`);
    return { dataFile: uri.fsPath, unsaved: false };
  }
  if (choice !== 'Send as Shown') throw new Cancelled();
  const copy = vscode.Uri.joinPath(scratch, 'unsaved', `${Date.now()}-${path.basename(uri.fsPath)}`);
  await vscode.workspace.fs.writeFile(copy, Buffer.from(document.getText(), 'utf8'));
  return { dataFile: copy.fsPath, unsaved: true };
}

/** The 1-based lines of an editor's selection; a selection ending at column 0 does not take that line. */
export function selectedLines(editor: vscode.TextEditor): { from: number; to: number } {
  const { start, end } = editor.selection;
  const last = end.line > start.line && end.character === 0 ? end.line - 1 : end.line;
  return { from: start.line + 1, to: last + 1 };
}

export function requireSelectionEditor(uriArg: unknown): vscode.TextEditor {
  const uri = asUri(uriArg);
  const editor = uri
    ? vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString())
    : vscode.window.activeTextEditor;
  if (!editor || !isLineFile(editor.document.uri)) {
    throw new UserFacingError('Send Selection works in a JSON Lines, CSV or TSV editor: select the lines of the records to send.', [
      { title: 'Send Whole File', command: COMMANDS.sendFile },
    ]);
  }
  return editor;
}
