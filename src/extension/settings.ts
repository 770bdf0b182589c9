import * as vscode from 'vscode';
import { SETTINGS } from './commands';


export interface HotjarSettings {
  /** Workspace-relative folder new destinations are written to. */
  destinationFolder: string;
  /** Empty: reports beside the input file; else a folder (absolute, or relative to the workspace folder). */
  reportFolder: string;
  /** Used when neither the destination nor its template sets delivery.concurrency; null = engine default. */
  concurrency: number | null;
  ratePerMinute: number | null;
  /** Read from user settings only: a workspace's own settings must not switch the deletion prompt off. */
  confirmDestructiveSends: boolean;
  confirmBeforeSend: boolean;
}

export function readSettings(scope?: vscode.Uri): HotjarSettings {
  const config = vscode.workspace.getConfiguration('hotjar', scope);
  const destructive = config.inspect<boolean>(SETTINGS.confirmDestructiveSends);
  return {
    destinationFolder: config.get<string>(SETTINGS.destinationFolder, '.hotjar').trim() || '.hotjar',
    reportFolder: config.get<string>(SETTINGS.reportFolder, '').trim(),
    concurrency: positiveOrNull(config.get<number | null>(SETTINGS.concurrency, null)),
    ratePerMinute: positiveOrNull(config.get<number | null>(SETTINGS.ratePerMinute, null)),
    // The manifest already scopes it to "application"; inspect() makes sure here too.
    confirmDestructiveSends: destructive?.globalValue ?? destructive?.defaultValue ?? true,
    confirmBeforeSend: config.get<boolean>(SETTINGS.confirmBeforeSend, true),
  };
}

function positiveOrNull(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}
