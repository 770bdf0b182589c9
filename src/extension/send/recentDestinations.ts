import * as vscode from 'vscode';

const KEY = 'hotjar.recentDestinations';
const LIMIT = 20;

/**
 * The destinations picked for sending, most recent first, so the quick pick offers them first.
 * Stored in workspace state as workspace-relative file paths: names only, never a secret.
 */
export class RecentDestinations {
  constructor(private readonly state: vscode.Memento) {}

  list(): string[] {
    const stored = this.state.get<unknown>(KEY, []);
    return Array.isArray(stored) ? stored.filter((s): s is string => typeof s === 'string') : [];
  }

  async remember(uri: vscode.Uri): Promise<void> {
    const key = vscode.workspace.asRelativePath(uri, true);
    await this.state.update(KEY, [key, ...this.list().filter((k) => k !== key)].slice(0, LIMIT));
  }

  /** Rank for sorting: recently used first (0, 1, …), the others after in their given order. */
  rank(uri: vscode.Uri): number {
    const index = this.list().indexOf(vscode.workspace.asRelativePath(uri, true));
    return index < 0 ? Number.MAX_SAFE_INTEGER : index;
  }
}
