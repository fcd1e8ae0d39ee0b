/**
 * Where API keys come from. Headless mode reads the environment; the Electron shell will supply a
 * safeStorage-backed store. Keys never go to SQLite, logs, /healthz or exports.
 */
export const SECRET_NAMES = [
  'POLYGON_API_KEY',
  'ALPHAVANTAGE_API_KEY',
  'FINNHUB_API_KEY',
  'ALPACA_API_KEY_ID',
  'ALPACA_API_SECRET_KEY',
] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

export interface SecretStore {
  get(name: SecretName): string | undefined;
}

export class EnvSecretStore implements SecretStore {
  constructor(private readonly env: Record<string, string | undefined>) {}

  get(name: SecretName): string | undefined {
    const v = this.env[name]?.trim();
    return v ? v : undefined;
  }
}
