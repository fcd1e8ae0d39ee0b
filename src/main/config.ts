import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ProviderName, Symbol } from '../shared/domain';
import { EnvSecretStore, type SecretStore } from './secrets';

export const DEFAULT_PORT = 7431;
export const DEFAULT_SYMBOLS = ['NVDA', 'MSFT'];

export const Config = z.object({
  dataDir: z.string().min(1),
  /** Headless HTTP/WebSocket port on 127.0.0.1; 0 picks a free one. */
  port: z.number().int().min(0).max(65535),
  symbols: z.array(Symbol).min(1),
  heartbeatMs: z.number().int().min(100),
  ib: z.object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    /** Fixed: orders belong to the clientId that placed them. */
    clientId: z.number().int().min(0),
  }),
  marketdata: z.object({
    /** In priority order. */
    providers: z.array(ProviderName).min(1),
    routing: z.enum(['priority', 'quality', 'hash']),
    shadow: ProviderName.nullable(),
    urls: z.record(z.string(), z.string().url()),
    /** 'always' keeps the synthetic market open around the clock, for demos and tests. */
    syntheticSessions: z.enum(['nyse', 'always']),
    staleAfterMs: z.number().int().min(100),
    switchBackAfterMs: z.number().int().min(0),
  }),
});
export type Config = z.infer<typeof Config>;

export interface ConfigSources {
  flags: {
    dataDir?: string;
    port?: string | number;
    symbols?: string;
    providers?: string;
    ibHost?: string;
    ibPort?: string;
    ibClientId?: string;
  };
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

/** Real providers whose keys are present, in the default priority order; synthetic when none. */
export function defaultProviders(secrets: SecretStore): ProviderName[] {
  const out: ProviderName[] = [];
  if (secrets.get('POLYGON_API_KEY')) out.push('polygon');
  if (secrets.get('ALPACA_API_KEY_ID') && secrets.get('ALPACA_API_SECRET_KEY')) out.push('alpaca');
  if (secrets.get('FINNHUB_API_KEY')) out.push('finnhub');
  if (secrets.get('ALPHAVANTAGE_API_KEY')) out.push('alphavantage');
  return out.length > 0 ? out : ['synthetic'];
}

/** KESTREL_<PROVIDER>_REST_URL / _WS_URL overrides, keyed `polygon.rest`, `polygon.ws`, … */
function urlOverrides(env: Record<string, string | undefined>): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const p of ProviderName.options) {
    for (const kind of ['REST', 'WS'] as const) {
      const v = env[`KESTREL_${p.toUpperCase()}_${kind}_URL`];
      if (v) urls[`${p}.${kind.toLowerCase()}`] = v;
    }
  }
  return urls;
}

function list(raw: string | undefined): string[] | undefined {
  return raw
    ?.split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
}

/** Flags beat environment, which beats the app's own location, which beats the platform default. */
export function resolveConfig({ flags, env, appDataDir }: ConfigSources): Config {
  const secrets = new EnvSecretStore(env);
  const result = Config.safeParse({
    dataDir: path.resolve(flags.dataDir ?? env.KESTREL_DATA_DIR ?? appDataDir ?? platformDataDir(env)),
    port: Number(flags.port ?? env.KESTREL_PORT ?? DEFAULT_PORT),
    symbols: parseSymbols(flags.symbols) ?? parseSymbols(env.KESTREL_SYMBOLS) ?? DEFAULT_SYMBOLS,
    heartbeatMs: Number(env.KESTREL_HEARTBEAT_MS ?? 1000),
    ib: {
      host: flags.ibHost ?? env.KESTREL_IB_HOST ?? '127.0.0.1',
      port: Number(flags.ibPort ?? env.KESTREL_IB_PORT ?? 4002),
      clientId: Number(flags.ibClientId ?? env.KESTREL_IB_CLIENT_ID ?? 17),
    },
    marketdata: {
      providers: list(flags.providers ?? env.KESTREL_PROVIDERS) ?? defaultProviders(secrets),
      routing: env.KESTREL_ROUTING ?? 'priority',
      shadow: env.KESTREL_SHADOW ? env.KESTREL_SHADOW.toLowerCase() : null,
      urls: urlOverrides(env),
      syntheticSessions: env.KESTREL_SYNTHETIC_SESSIONS ?? 'nyse',
      staleAfterMs: Number(env.KESTREL_STALE_AFTER_MS ?? 2000),
      switchBackAfterMs: Number(env.KESTREL_SWITCH_BACK_MS ?? 120_000),
    },
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
