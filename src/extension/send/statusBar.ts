import * as vscode from 'vscode';
import { COMMANDS } from '../commands';

/** One status bar item while a send runs: records done, and a click cancels (after asking). */
export class SendStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('hotjar.send', vscode.StatusBarAlignment.Left, 50);

  constructor() {
    this.item.name = 'Hotjar Send';
    this.item.command = COMMANDS.cancelSend;
  }

  show(title: string, done: number, total: number | undefined, failed: number): void {
    const count = total === undefined ? `${done}` : `${done}/${total}`;
    this.item.text = `$(sync~spin) Hotjar ${count}${failed > 0 ? ` $(error) ${failed}` : ''}`;
    this.item.tooltip = `${title}\n${count} records done, ${failed} failed.\nClick to cancel: records in flight finish, the rest can be resumed.`;
    this.item.backgroundColor = failed > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  hide(): void {
    this.item.hide();
  }

  dispose(): void {
    this.item.dispose();
  }
}
