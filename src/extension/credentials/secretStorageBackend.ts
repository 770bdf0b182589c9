import type * as vscode from 'vscode';
import { type SecretBackend } from '../../core/credentials';

const INDEX_KEY = 'hotjar.credentialNames';

/**
 * VS Code's own SecretStorage, used only where keytar cannot reach a keychain. SecretStorage has no
 * listing, so the names are kept in one more secret entry beside the credentials.
 */
export function secretStorageBackend(secrets: vscode.SecretStorage): SecretBackend {
  const readIndex = async (): Promise<string[]> => {
    const raw = await secrets.get(INDEX_KEY);
    try {
      const names: unknown = raw ? JSON.parse(raw) : [];
      return Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [];
    } catch {
      return [];
    }
  };
  const writeIndex = (names: string[]) => secrets.store(INDEX_KEY, JSON.stringify([...new Set(names)]));
  return {
    description: "VS Code's secret storage",
    getPassword: async (account) => (await secrets.get(`hotjar.credential.${account}`)) ?? null,
    setPassword: async (account, password) => {
      await secrets.store(`hotjar.credential.${account}`, password);
      await writeIndex([...(await readIndex()), account]);
    },
    deletePassword: async (account) => {
      const names = await readIndex();
      await secrets.delete(`hotjar.credential.${account}`);
      await writeIndex(names.filter((n) => n !== account));
      return names.includes(account);
    },
    findAccounts: readIndex,
  };
}
