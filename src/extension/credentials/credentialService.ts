import * as vscode from 'vscode';
import { CredentialStore, type Credential, type SecretBackend } from '../../core/credentials';
import { type SecretRedactor } from '../../core/secretRedaction';

/**
 * The credentials as the extension sees them: the keychain store, a change event for the tree, and
 * which credentials obtained a token in this session (the tree's check mark). Secrets read from the
 * store are registered with the redactor before anyone can log them.
 */
export class CredentialService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly withToken = new Set<string>();
  readonly store: CredentialStore;

  constructor(
    readonly backend: SecretBackend,
    private readonly redactor: SecretRedactor,
  ) {
    this.store = new CredentialStore(backend);
  }

  get location(): string {
    return this.backend.description;
  }

  list(): Promise<string[]> {
    return this.store.list();
  }

  async get(name: string): Promise<Credential | undefined> {
    const credential = await this.store.get(name);
    this.redactor.add(credential?.clientSecret);
    return credential;
  }

  async save(credential: Credential): Promise<void> {
    this.redactor.add(credential.clientSecret);
    await this.store.set(credential);
    // A changed secret or token URL must earn its check mark again.
    this.withToken.delete(credential.name);
    this.changed.fire();
  }

  async remove(name: string): Promise<boolean> {
    const removed = await this.store.delete(name);
    this.withToken.delete(name);
    this.changed.fire();
    return removed;
  }

  markTokenObtained(name: string): void {
    if (this.withToken.has(name)) return;
    this.withToken.add(name);
    this.changed.fire();
  }

  hasToken(name: string): boolean {
    return this.withToken.has(name);
  }

  /** The CLI may change the keychain from a terminal; the tree re-reads it when asked or on focus. */
  refresh(): void {
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
