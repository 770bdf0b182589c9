import * as vscode from 'vscode';
import { UserFacingError } from './errors';

/**
 * In an untrusted workspace destinations are listed but nothing is sent and no token is requested:
 * a destination file from someone else's repository must not make this window send records or
 * credentials anywhere before its owner decided to trust it. The manifest hides the actions with
 * `isWorkspaceTrusted`; this check is the guard behind them (keybindings and other extensions can still
 * call a command).
 */
export function requireTrustedWorkspace(action: string, isTrusted: () => boolean = () => vscode.workspace.isTrusted): void {
  if (isTrusted()) return;
  throw new UserFacingError(
    `${action} is disabled because this workspace is not trusted. Destination files come with the workspace, so Hotjar Destinations sends no records and requests no token until you trust it.`,
    [{ title: 'Manage Workspace Trust', command: 'workbench.trust.manage' }],
  );
}
