import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { Symbol } from '../shared/domain';

export const DEFAULT_PORT = 7431;
export const DEFAULT_SYMBOLS = ['NVDA', 'MSFT'];

export const Config = z.object({
  dataDir: z.string().min(1),
  /** Headless HTTP/WebSocket port on 127.0.0.1; 0 picks a free one. */
  port: z.number().int().min(0).max(65535),
  symbols: z.array(Symbol).min(1),
  heartbeatMs: z.number().int().min(100),
});
export type Config = z.infer<typeof Config>;

export interface ConfigSources {
  flags: { dataDir?: string; port?: string | number; symbols?: string };
  env: Record<string, string | undefined>;
  /** Electron's userData when running inside the app. */
  appDataDir?: string;
}

/** Platform default for headless mode, mirroring where Electron would put userData. */
export function platformDataDir(
  env: Record<string, string | undefined> = process.env,
  platform = process.platform,
): string {
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Kestrel');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Kestrel');
  return path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'kestrel');
}

function parseSymbols(raw: string | undefined): string[] | undefined {
  if (!raw) return undefined;
  return raw
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
}

/** Flags beat environment, which beats the app's own location, which beats the platform default. */
export function resolveConfig({ flags, env, appDataDir }: ConfigSources): Config {
  const result = Config.safeParse({
    dataDir: path.resolve(flags.dataDir ?? env.KESTREL_DATA_DIR ?? appDataDir ?? platformDataDir(env)),
    port: Number(flags.port ?? env.KESTREL_PORT ?? DEFAULT_PORT),
    symbols: parseSymbols(flags.symbols) ?? parseSymbols(env.KESTREL_SYMBOLS) ?? DEFAULT_SYMBOLS,
    heartbeatMs: Number(env.KESTREL_HEARTBEAT_MS ?? 1000),
  });
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  return result.data;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
