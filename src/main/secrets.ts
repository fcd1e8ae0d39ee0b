/**
 * Where API keys come from. Headless mode reads the environment; the Electron shell will supply a
 * safeStorage-backed store. Keys never go to SQLite, logs, /healthz or exports.
 */
import { SECRET_KEY_NAMES } from '../shared/domain';

/** The list lives in shared so the contract (setKey) can name them; the values never leave the engine. */
export const SECRET_NAMES = SECRET_KEY_NAMES;
export type SecretName = (typeof SECRET_NAMES)[number];

export interface SecretStore {
  get(name: SecretName): string | undefined;
  /** Where get's value comes from; a store without it reads the environment only. */
  source?(name: SecretName): 'env' | 'stored' | null;
  /** Present only on stores that can keep a key (Electron safeStorage); headless has none. */
  set?(name: SecretName, value: string): void;
  clear?(name: SecretName): void;
}

export class EnvSecretStore implements SecretStore {
  constructor(private readonly env: Record<string, string | undefined>) {}

  get(name: SecretName): string | undefined {
    const v = this.env[name]?.trim();
    return v ? v : undefined;
  }
}
