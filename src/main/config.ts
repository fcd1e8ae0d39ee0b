import fs from 'node:fs';
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
    /** Per symbol, the providers allowed to serve it. */
    allowlist: z.record(z.string(), z.array(ProviderName)),
  }),
});
export type Config = z.infer<typeof Config>;

export const CONFIG_FILE = 'kestrel.config.json';

/**
 * kestrel.config.json: the team's settings for headless and shared use. Every field is optional;
 * flags and environment variables beat it. Keys never go here: unknown fields are refused.
 */
export const ConfigFile = z
  .object({
    symbols: z.array(Symbol).min(1).optional(),
    ib: z
      .object({ host: z.string().min(1), port: z.number().int().min(1).max(65535), clientId: z.number().int().min(0) })
      .partial()
      .strict()
      .optional(),
    marketdata: z
      .object({
        providers: z.array(ProviderName).min(1),
        routing: z.enum(['priority', 'quality', 'hash']),
        shadow: ProviderName.nullable(),
        urls: z.record(
          z.string().regex(/^[a-z]+\.(rest|ws)$/, 'keys look like "polygon.rest" or "polygon.ws"'),
          z.string().url(),
        ),
        allowlist: z.record(Symbol, z.array(ProviderName).min(1)),
        syntheticSessions: z.enum(['nyse', 'always']),
        staleAfterMs: z.number().int().min(100),
        switchBackAfterMs: z.number().int().min(0),
      })
      .partial()
      .strict()
      .optional(),
  })
  .strict();
export type ConfigFile = z.infer<typeof ConfigFile>;

/** Reads and checks a config file; a missing file is an empty one, a bad one a clear error. */
export function loadConfigFile(file: string): ConfigFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    // No file (or no data dir yet): defaults. An unusable data dir is reported by storage.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return {};
    throw new ConfigError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = ConfigFile.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ');
    throw new ConfigError(`${file} is not a valid Kestrel config: ${problems}`);
  }
  return parsed.data;
}

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
  /** Read <dataDir>/kestrel.config.json (default true). */
  readFile?: boolean;
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
export function resolveConfig({ flags, env, appDataDir, readFile = true }: ConfigSources): Config {
  const secrets = new EnvSecretStore(env);
  const dataDir = path.resolve(flags.dataDir ?? env.KESTREL_DATA_DIR ?? appDataDir ?? platformDataDir(env));
  const file: ConfigFile = readFile ? loadConfigFile(path.join(dataDir, CONFIG_FILE)) : {};
  const fm = file.marketdata ?? {};
  const result = Config.safeParse({
    dataDir,
    port: Number(flags.port ?? env.KESTREL_PORT ?? DEFAULT_PORT),
    symbols: parseSymbols(flags.symbols) ?? parseSymbols(env.KESTREL_SYMBOLS) ?? file.symbols ?? DEFAULT_SYMBOLS,
    heartbeatMs: Number(env.KESTREL_HEARTBEAT_MS ?? 1000),
    ib: {
      host: flags.ibHost ?? env.KESTREL_IB_HOST ?? file.ib?.host ?? '127.0.0.1',
      port: Number(flags.ibPort ?? env.KESTREL_IB_PORT ?? file.ib?.port ?? 4002),
      clientId: Number(flags.ibClientId ?? env.KESTREL_IB_CLIENT_ID ?? file.ib?.clientId ?? 17),
    },
    marketdata: {
      providers: list(flags.providers ?? env.KESTREL_PROVIDERS) ?? fm.providers ?? defaultProviders(secrets),
      routing: env.KESTREL_ROUTING ?? fm.routing ?? 'priority',
      shadow: env.KESTREL_SHADOW ? env.KESTREL_SHADOW.toLowerCase() : (fm.shadow ?? null),
      urls: { ...fm.urls, ...urlOverrides(env) },
      syntheticSessions: env.KESTREL_SYNTHETIC_SESSIONS ?? fm.syntheticSessions ?? 'nyse',
      staleAfterMs: Number(env.KESTREL_STALE_AFTER_MS ?? fm.staleAfterMs ?? 2000),
      switchBackAfterMs: Number(env.KESTREL_SWITCH_BACK_MS ?? fm.switchBackAfterMs ?? 120_000),
      allowlist: fm.allowlist ?? {},
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
