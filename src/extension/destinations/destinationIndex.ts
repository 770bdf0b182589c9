import * as vscode from 'vscode';
import { DestinationError, parseDestination, type ResolvedDestination } from '../../core';
import { describeError } from '../errors';
import { type ExtensionLog } from '../log';
import { WorkspaceFileIndex } from '../workspaceFileIndex';

export const DESTINATION_GLOB = '**/*.hotjar.json';

export type DestinationEntry =
  | { readonly uri: vscode.Uri; readonly valid: true; readonly name: string; readonly destination: ResolvedDestination }
  | { readonly uri: vscode.Uri; readonly valid: false; readonly name: string; readonly reason: string };

/**
 * Every `*.hotjar.json` of the workspace, checked by the core. Invalid files stay listed with the
 * reason, so a person sees why a destination is not offered for sending.
 */
export class DestinationIndex extends WorkspaceFileIndex<DestinationEntry> {
  constructor(log: ExtensionLog) {
    super(
      DESTINATION_GLOB,
      async (uri) => {
        // Read through VS Code (throws FileNotFound for a file deleted meanwhile), check with the core.
        const text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
        try {
          const destination = parseDestination(text, uri.fsPath);
          return { uri, valid: true, name: destination.name, destination };
        } catch (error) {
          return { uri, valid: false, name: nameFromText(text, uri), reason: shortReason(error).split(uri.fsPath).join(vscode.workspace.asRelativePath(uri)) };
        }
      },
      (uri, error) => {
        if (!isMissingFile(error)) log.warn(`Could not read ${uri?.fsPath ?? 'the destination files of the workspace'}: ${describeError(error)}`);
      },
    );
  }

  /** Valid destinations, sorted by name. */
  async valid(): Promise<Array<Extract<DestinationEntry, { valid: true }>>> {
    return (await this.all())
      .filter((e): e is Extract<DestinationEntry, { valid: true }> => e.valid)
      .sort((a, b) => a.name.localeCompare(b.name));
  }
}

/** The reason without the file path (the tree shows the file already): the fields at fault. */
function shortReason(error: unknown): string {
  if (error instanceof DestinationError && error.issues.length > 0 && error.issues.some((i) => i.field)) {
    return error.issues.map((issue) => (issue.field ? `${issue.field}: ${issue.message}` : issue.message)).join('; ');
  }
  return describeError(error);
}

/** The `name` of an invalid file when it has one, else its file name: what the person will recognise. */
function nameFromText(text: string, uri: vscode.Uri): string {
  const fallback = uri.path.split('/').pop()?.replace(/\.hotjar\.json$/i, '') ?? uri.path;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && 'name' in parsed && typeof parsed.name === 'string' && parsed.name.trim()) {
      return parsed.name;
    }
  } catch {
    // Broken JSON: the file name will do.
  }
  return fallback;
}

function isMissingFile(error: unknown): boolean {
  return error instanceof vscode.FileSystemError && error.code === 'FileNotFound';
}
