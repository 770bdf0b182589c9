import * as vscode from 'vscode';

/**
 * Every workspace file matching a glob, each turned into an entry by `load`, kept current by a
 * FileSystemWatcher. Changes to one file are debounced (a report grows line by line during a run) and
 * only that file is read again.
 */
export class WorkspaceFileIndex<T> implements vscode.Disposable {
  private readonly entries = new Map<string, T>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  private initial: Promise<void> | undefined;
  private touchedDuringScan: Set<string> | undefined;

  constructor(
    private readonly glob: string,
    private readonly load: (uri: vscode.Uri) => Promise<T>,
    /** `uri` undefined: listing the workspace failed. */
    private readonly onLoadError: (uri: vscode.Uri | undefined, error: unknown) => void,
    private readonly debounceMs = 300,
  ) {
    const watcher = vscode.workspace.createFileSystemWatcher(glob);
    this.disposables.push(
      watcher,
      this.changed,
      watcher.onDidCreate((uri) => this.schedule(uri)),
      watcher.onDidChange((uri) => this.schedule(uri)),
      watcher.onDidDelete((uri) => this.forget(uri)),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.rescan()),
    );
  }

  /** All entries, after the first scan has finished. */
  async all(): Promise<T[]> {
    this.initial ??= this.rescan();
    await this.initial;
    return [...this.entries.values()];
  }

  async get(uri: vscode.Uri): Promise<T | undefined> {
    await this.all();
    return this.entries.get(uri.toString());
  }

  /** Reads one file now (after writing it ourselves, without waiting for the watcher). */
  async reload(uri: vscode.Uri): Promise<T | undefined> {
    await this.all();
    await this.read(uri);
    this.changed.fire();
    return this.entries.get(uri.toString());
  }

  rescan(): Promise<void> {
    const scan = (async () => {
      // A watcher event may arrive while findFiles runs: what it read must survive the scan.
      const touched = new Set<string>();
      this.touchedDuringScan = touched;
      try {
        const uris = await vscode.workspace.findFiles(this.glob, '**/node_modules/**');
        const found = new Set(uris.map((uri) => uri.toString()));
        for (const key of [...this.entries.keys()]) if (!found.has(key) && !touched.has(key)) this.entries.delete(key);
        await Promise.all(uris.map((uri) => this.read(uri)));
      } catch (error) {
        // Never rejects: callers fire and forget it (focus, folder changes); the entries stay as they were.
        this.onLoadError(undefined, error);
      } finally {
        if (this.touchedDuringScan === touched) this.touchedDuringScan = undefined;
      }
      this.changed.fire();
    })();
    this.initial = scan;
    return scan;
  }

  private async read(uri: vscode.Uri): Promise<void> {
    this.touchedDuringScan?.add(uri.toString());
    try {
      this.entries.set(uri.toString(), await this.load(uri));
    } catch (error) {
      // A file deleted between the event and the read is simply gone.
      this.entries.delete(uri.toString());
      this.onLoadError(uri, error);
    }
  }

  private schedule(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.pending.get(key));
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        void this.read(uri).then(() => this.changed.fire());
      }, this.debounceMs),
    );
  }

  private forget(uri: vscode.Uri): void {
    clearTimeout(this.pending.get(uri.toString()));
    if (this.entries.delete(uri.toString())) this.changed.fire();
  }

  dispose(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    for (const d of this.disposables) d.dispose();
  }
}
