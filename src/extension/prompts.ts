import * as vscode from 'vscode';
import { Cancelled } from './errors';

/**
 * Every question the extension asks goes through here. Integration tests replace it (through the API
 * returned by activate) to answer without a person, and to check that a question was asked at all,
 * e.g. that a deletion was confirmed.
 */
export interface Prompts {
  inputBox(options: vscode.InputBoxOptions): Promise<string | undefined>;
  quickPick<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Promise<T | undefined>;
  /** A modal question; resolves to the chosen action's title, undefined for Cancel/Escape. */
  modal(message: string, detail: string, ...actions: string[]): Promise<string | undefined>;
  openDialog(options: vscode.OpenDialogOptions): Promise<vscode.Uri[] | undefined>;
}

export const windowPrompts: Prompts = {
  inputBox: async (options) => vscode.window.showInputBox({ ignoreFocusOut: true, ...options }),
  quickPick: async (items, options) => vscode.window.showQuickPick(items, { ignoreFocusOut: true, ...options }),
  modal: async (message, detail, ...actions) => vscode.window.showWarningMessage(message, { modal: true, detail }, ...actions),
  openDialog: async (options) => vscode.window.showOpenDialog(options),
};

/** Holds the prompts in use; features read `current` at the moment they ask. */
export class PromptService {
  private active: Prompts = windowPrompts;

  get current(): Prompts {
    return this.active;
  }

  /** Replaces the prompts until the returned disposable is disposed (tests only). */
  override(prompts: Partial<Prompts>): vscode.Disposable {
    const previous = this.active;
    this.active = { ...previous, ...prompts };
    return new vscode.Disposable(() => {
      this.active = previous;
    });
  }

  /** An input box that throws Cancelled when closed, so callers need no undefined checks. */
  async require(options: vscode.InputBoxOptions): Promise<string> {
    const value = await this.active.inputBox(options);
    if (value === undefined) throw new Cancelled();
    return value;
  }

  async pick<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Promise<T> {
    const picked = await this.active.quickPick(items, options);
    if (picked === undefined) throw new Cancelled();
    return picked;
  }
}
