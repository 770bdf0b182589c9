import * as path from 'node:path';
import * as vscode from 'vscode';
import { type EndpointTemplate } from '../../core/types';
import { COMMANDS } from '../commands';
import { type DestinationEntry } from '../destinations/destinationIndex';
import { type RunEntry } from '../runs/runIndex';

/**
 * The nodes of the Hotjar views. Each carries what its item commands need as plain fields
 * (`templateId`, `resourceUri`, `credentialName`), so a command gets the same thing from a menu, a
 * keybinding or a test.
 */
export type HotjarNode = TemplateNode | DestinationNode | CredentialNode | RunNode;

export interface TemplateNode {
  readonly kind: 'template';
  readonly templateId: string;
  readonly template: EndpointTemplate;
}
export interface DestinationNode {
  readonly kind: 'destination';
  readonly resourceUri: vscode.Uri;
  readonly entry: DestinationEntry;
  /** The destination names a credential that is not stored. */
  readonly credentialMissing: boolean;
}
export interface CredentialNode {
  readonly kind: 'credential';
  readonly credentialName: string;
  readonly tokenObtained: boolean;
  readonly usedBy: readonly string[];
  readonly location: string;
}
export interface RunNode {
  readonly kind: 'run';
  readonly resourceUri: vscode.Uri;
  readonly run: RunEntry;
}

/**
 * contextValue tokens read by the `view/item/context` menus in package.json:
 * template · destination · destination-invalid · credential · run, run-failed, run-interrupted, run-running.
 */
export function toTreeItem(node: HotjarNode): vscode.TreeItem {
  switch (node.kind) {
    case 'template':
      return templateItem(node);
    case 'destination':
      return destinationItem(node);
    case 'credential':
      return credentialItem(node);
    case 'run':
      return runItem(node);
  }
}

function templateItem({ template }: TemplateNode): vscode.TreeItem {
  const item = new vscode.TreeItem(template.label, vscode.TreeItemCollapsibleState.None);
  item.id = `template:${template.id}`;
  item.description = template.id;
  item.contextValue = 'template';
  item.iconPath = new vscode.ThemeIcon(template.destructive ? 'trash' : template.kind === 'read' ? 'book' : 'search');
  const tooltip = new vscode.MarkdownString(undefined, true);
  tooltip.appendMarkdown(`**${escape(template.label)}** \`${template.id}\`\n\n${escape(template.description)}\n\n`);
  tooltip.appendMarkdown(`\`${template.request.method} ${template.request.url}\`\n\n`);
  if (template.parameters.length > 0) {
    tooltip.appendMarkdown('**Parameters**\n\n' + template.parameters.map((p) => `- \`${p.name}\`${p.required ? '' : ' (optional)'}: ${escape(p.description)}`).join('\n') + '\n\n');
  }
  if (template.recordFields.length > 0) {
    tooltip.appendMarkdown('**Record fields**\n\n' + template.recordFields.map((f) => `- \`${f.name}\`${f.required ? '' : ' (optional)'}: ${escape(f.description)}`).join('\n') + '\n\n');
  }
  if (template.destructive) tooltip.appendMarkdown('$(warning) Irreversible: every send asks for confirmation.');
  item.tooltip = tooltip;
  return item;
}

function destinationItem(node: DestinationNode): vscode.TreeItem {
  const { entry } = node;
  const item = new vscode.TreeItem(entry.name, vscode.TreeItemCollapsibleState.None);
  item.id = `destination:${entry.uri.toString()}`;
  item.resourceUri = entry.uri;
  item.command = { command: COMMANDS.openDestination, title: 'Open', arguments: [entry.uri] };
  const relative = vscode.workspace.asRelativePath(entry.uri);
  const tooltip = new vscode.MarkdownString(undefined, true);
  tooltip.appendMarkdown(`**${escape(entry.name)}**  \n\`${escape(relative)}\`\n\n`);
  if (!entry.valid) {
    item.contextValue = 'destination-invalid';
    item.description = entry.reason;
    item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
    tooltip.appendMarkdown(`$(warning) Not usable: ${escape(entry.reason)}`);
    item.tooltip = tooltip;
    return item;
  }
  const { destination } = entry;
  item.contextValue = 'destination';
  item.description = node.credentialMissing
    ? `credential "${destination.credential ?? ''}" missing`
    : (destination.templateId ?? `${destination.request.method} ${hostOf(destination.request.url)}`);
  item.iconPath = node.credentialMissing
    ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
    : new vscode.ThemeIcon(destination.destructive ? 'trash' : 'cloud-upload');
  tooltip.appendMarkdown(`\`${destination.request.method} ${destination.request.url}\`\n\n`);
  tooltip.appendMarkdown(`- Template: ${destination.templateId ? `\`${destination.templateId}\`` : 'none (manual)'}\n`);
  tooltip.appendMarkdown(`- Credential: ${destination.credential ? `\`${destination.credential}\`${node.credentialMissing ? ' (not stored: add it)' : ''}` : 'from HOTJAR_CLIENT_ID / HOTJAR_CLIENT_SECRET'}\n`);
  tooltip.appendMarkdown(`- Delivery: ${destination.delivery.mode}, ${destination.delivery.concurrency} in flight, ${destination.delivery.ratePerMinute}/min, ${destination.delivery.maxAttempts} attempts\n`);
  if (destination.destructive) tooltip.appendMarkdown('\n$(warning) Deletes data: every send asks for confirmation.');
  item.tooltip = tooltip;
  return item;
}

function credentialItem(node: CredentialNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.credentialName, vscode.TreeItemCollapsibleState.None);
  item.id = `credential:${node.credentialName}`;
  item.contextValue = 'credential';
  item.description = node.tokenObtained ? 'token obtained' : undefined;
  item.iconPath = node.tokenObtained ? new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed')) : new vscode.ThemeIcon('key');
  const used = node.usedBy.length > 0 ? `Used by: ${node.usedBy.join(', ')}` : 'No destination in this workspace uses it.';
  item.tooltip = `${node.credentialName}: stored in ${node.location}.\n${node.tokenObtained ? 'A token was obtained in this session.' : 'No token obtained yet in this session: use Test.'}\n${used}`;
  return item;
}

function runItem({ run, resourceUri }: RunNode): vscode.TreeItem {
  const item = new vscode.TreeItem(`${path.basename(run.dataFile)} → ${run.destinationName}`, vscode.TreeItemCollapsibleState.None);
  item.id = `run:${resourceUri.toString()}`;
  item.resourceUri = resourceUri;
  item.command = { command: COMMANDS.openRunView, title: 'Open Run View', arguments: [resourceUri] };
  const when = run.startedAt ? run.startedAt.toLocaleString() : '';
  const counts = `${run.delivered} delivered, ${run.failed} failed, ${run.skipped} skipped`;
  const state = run.running === 'here' ? 'sending' : run.running === 'elsewhere' ? 'running elsewhere?' : run.interrupted ? 'interrupted' : undefined;
  // While it is being sent here, the counts of the report's first reading would only be stale.
  item.description = [state, run.running === 'here' ? undefined : counts, when].filter(Boolean).join(' · ');
  // A run still going (here, or probably in a terminal) offers no Resume: it would send records twice.
  item.contextValue = run.running ? 'run-running' : run.interrupted ? 'run-interrupted' : run.failed > 0 ? 'run-failed' : 'run';
  item.iconPath = run.running
    ? new vscode.ThemeIcon('sync~spin')
    : run.interrupted
      ? new vscode.ThemeIcon('debug-pause', new vscode.ThemeColor('problemsWarningIcon.foreground'))
      : run.failed > 0
        ? new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'))
        : new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
  const runningNote =
    run.running === 'here'
      ? '\nBeing sent from this window.'
      : run.running === 'elsewhere'
        ? '\nNo end line yet and written a moment ago: probably still running in a terminal or another window.'
        : run.interrupted
          ? '\nInterrupted: Resume continues where it stopped.'
          : '';
  item.tooltip = `${run.dataFile}\n→ ${run.destinationName}\n${counts}${runningNote}\nReport: ${resourceUri.fsPath}`;
  return item;
}

function hostOf(url: string): string {
  try {
    return new URL(url.replace(/\{[^}]*\}/g, 'x')).host;
  } catch {
    return url;
  }
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
