import * as vscode from 'vscode';
import { BUILT_IN_TEMPLATES } from '../../core/templates';
import { CONTEXT_KEYS, VIEWS } from '../commands';
import { type CredentialService } from '../credentials/credentialService';
import { type DestinationIndex } from '../destinations/destinationIndex';
import { describeError } from '../errors';
import { type ExtensionLog } from '../log';
import { type RunIndex } from '../runs/runIndex';
import { type CredentialNode, type DestinationNode, type HotjarNode, type RunNode, type TemplateNode, toTreeItem } from './nodes';

/**
 * One provider per section of the Hotjar sidebar (Templates, Destinations, Credentials, Runs). Separate
 * views rather than group nodes in one tree: each section then has its own welcome text for its empty
 * state, its own title-bar actions, and can be collapsed or moved by the user.
 */
class SectionProvider<T extends HotjarNode> implements vscode.TreeDataProvider<T>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [this.changed];

  constructor(
    private readonly section: string,
    private readonly children: () => Promise<T[]>,
    changes: ReadonlyArray<vscode.Event<void>>,
    private readonly log: ExtensionLog,
  ) {
    for (const onChange of changes) this.subscriptions.push(onChange(() => this.refresh()));
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(node: T): vscode.TreeItem {
    return toTreeItem(node);
  }

  async getChildren(node?: T): Promise<T[]> {
    if (node) return [];
    try {
      return await this.children();
    } catch (error) {
      // An empty section shows its welcome text; the reason goes to the log rather than a popup per refresh.
      this.log.error(`Could not list ${this.section}: ${describeError(error)}`);
      return [];
    }
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }
}

/** What a view shows, item by item: for tests, which cannot read a tree view from the workbench. */
export interface ViewItemSnapshot {
  label: string;
  description?: string;
  contextValue?: string;
  icon?: string;
  tooltip?: string;
}

export type ViewsSnapshot = Record<'templates' | 'destinations' | 'credentials' | 'runs', ViewItemSnapshot[]>;

async function snapshotOf<T extends HotjarNode>(provider: SectionProvider<T>): Promise<ViewItemSnapshot[]> {
  return (await provider.getChildren()).map((node) => {
    const item = provider.getTreeItem(node);
    const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
    const tooltip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : item.tooltip;
    return {
      label,
      description: typeof item.description === 'string' ? item.description : undefined,
      contextValue: item.contextValue,
      icon: item.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : undefined,
      tooltip,
    };
  });
}

export interface HotjarModel {
  destinations: DestinationIndex;
  credentials: CredentialService;
  runs: RunIndex;
}

/** Builds and registers the four views; returns their disposables and a refresh for the title bar. */
export function registerHotjarViews(
  model: HotjarModel,
  log: ExtensionLog,
): { disposables: vscode.Disposable[]; refresh: () => Promise<void>; snapshot: () => Promise<ViewsSnapshot> } {
  const templates = new SectionProvider<TemplateNode>(
    'templates',
    () => Promise.resolve(BUILT_IN_TEMPLATES.map((template) => ({ kind: 'template', templateId: template.id, template }))),
    [],
    log,
  );

  const destinations = new SectionProvider<DestinationNode>(
    'destinations',
    async () => {
      const [entries, stored] = await Promise.all([model.destinations.all(), model.credentials.list().catch(() => undefined)]);
      await vscode.commands.executeCommand('setContext', CONTEXT_KEYS.hasDestinations, entries.length > 0);
      return entries
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((entry) => ({
          kind: 'destination',
          resourceUri: entry.uri,
          entry,
          credentialMissing: Boolean(entry.valid && stored && entry.destination.credential && !stored.includes(entry.destination.credential)),
        }));
    },
    [model.destinations.onDidChange, model.credentials.onDidChange],
    log,
  );

  const credentials = new SectionProvider<CredentialNode>(
    'credentials',
    async () => {
      const [names, entries] = await Promise.all([model.credentials.list(), model.destinations.all()]);
      await vscode.commands.executeCommand('setContext', CONTEXT_KEYS.hasCredentials, names.length > 0);
      return names.map((credentialName) => ({
        kind: 'credential',
        credentialName,
        tokenObtained: model.credentials.hasToken(credentialName),
        usedBy: entries.filter((e) => e.valid && e.destination.credential === credentialName).map((e) => e.name),
        location: model.credentials.location,
      }));
    },
    [model.credentials.onDidChange, model.destinations.onDidChange],
    log,
  );

  const runs = new SectionProvider<RunNode>(
    'runs',
    async () => (await model.runs.newestFirst()).map((run) => ({ kind: 'run', resourceUri: run.reportUri, run })),
    [model.runs.onDidChange],
    log,
  );

  const disposables: vscode.Disposable[] = [templates, destinations, credentials, runs];
  disposables.push(
    vscode.window.createTreeView(VIEWS.templates, { treeDataProvider: templates, showCollapseAll: false }),
    vscode.window.createTreeView(VIEWS.destinations, { treeDataProvider: destinations }),
    vscode.window.createTreeView(VIEWS.credentials, { treeDataProvider: credentials }),
    vscode.window.createTreeView(VIEWS.runs, { treeDataProvider: runs }),
  );

  const refresh = async (): Promise<void> => {
    await Promise.all([model.destinations.rescan(), model.runs.rescan()]);
    model.credentials.refresh();
    templates.refresh();
  };
  const snapshot = async (): Promise<ViewsSnapshot> => ({
    templates: await snapshotOf(templates),
    destinations: await snapshotOf(destinations),
    credentials: await snapshotOf(credentials),
    runs: await snapshotOf(runs),
  });
  return { disposables, refresh, snapshot };
}
