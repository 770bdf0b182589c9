import * as vscode from 'vscode';
import { type CredentialStore } from '../core/credentials';

type Node = { kind: 'credential'; name: string };

/** The Hotjar sidebar. Empty until the features of later issues fill it; its welcome text shows then. */
export class HotjarTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly credentials: CredentialStore,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
    item.contextValue = 'credential';
    item.iconPath = new vscode.ThemeIcon('key');
    return item;
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (node) return [];
    try {
      return (await this.credentials.list()).map((name) => ({ kind: 'credential', name }));
    } catch (error) {
      this.log.error(`Could not list credentials: ${error instanceof Error ? error.message : String(error)}`);
      return [];
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}
