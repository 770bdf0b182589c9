import * as vscode from 'vscode';

/** Helpers for command arguments, which come from menus, keybindings, tests and other extensions alike. */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A Uri from a Uri, a file path string, or a tree node carrying `resourceUri`. */
export function asUri(value: unknown): vscode.Uri | undefined {
  if (value instanceof vscode.Uri) return value;
  if (typeof value === 'string' && value) return value.includes('://') ? vscode.Uri.parse(value) : vscode.Uri.file(value);
  if (isRecord(value) && value.resourceUri instanceof vscode.Uri) return value.resourceUri;
  return undefined;
}

export function asUriList(value: unknown): vscode.Uri[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const uris = value.map(asUri).filter((u): u is vscode.Uri => u !== undefined);
  return uris.length > 0 ? uris : undefined;
}
