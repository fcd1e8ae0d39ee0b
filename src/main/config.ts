import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { BackfillTier, ProviderName, Symbol } from '../shared/domain';
import { EnvSecretStore, type SecretStore } from './secrets';
import { SignalsConfig, SignalsFileConfig, signalsConfig } from './signals/config';
import { AlertsConfig, AlertsFileConfig, alertsConfig } from './alerts/config';
import { ExecutionConfig, ExecutionFileConfig, executionConfig } from './execution/config';

export const DEFAULT_PORT = 7431;
export const DEFAULT_SYMBOLS = ['NVDA', 'MSFT'];

/** Gap backfill (docs/backfill.md). */
const TierCaps = z.object({
  T0: z.number().int().min(1).max(100_000),
  T1: z.number().int().min(1).max(100_000),
  T2: z.number().int().min(1).max(100_000),
});
export const BackfillConfig = z.object({
  /** KESTREL_BACKFILL=off disables detection and backfill (tests that want a quiet store). */
  enabled: z.boolean(),
  defaultTier: BackfillTier,
  /** Per symbol tier; others get defaultTier. */
  tiers: z.record(z.string(), BackfillTier),
  /** Most queued plus running jobs per tier: a gap storm cannot grow the queue without bound. */
  caps: TierCaps,
  /** Failed attempts before a job goes to the dead-letter queue. */
  maxAttempts: z.number().int().min(1).max(100),
  backoff: z
    .object({ baseMs: z.number().int().min(0), maxMs: z.number().int().min(0) })
    .refine((b) => b.maxMs >= b.baseMs, 'maxMs must be at least baseMs'),
  /** Trading days checked for gaps on start, today included. */
  startupLookbackDays: z.number().int().min(1).max(60),
  sweepEveryMs: z.number().int().min(1000),
});
export type BackfillConfig = z.infer<typeof BackfillConfig>;
export const DEFAULT_BACKFILL: BackfillConfig = {
  enabled: true,
  defaultTier: 'T1',
  tiers: {},
  caps: { T0: 1000, T1: 500, T2: 200 },
  maxAttempts: 5,
  backoff: { baseMs: 30_000, maxMs: 30 * 60_000 },
  startupLookbackDays: 5,
  sweepEveryMs: 5 * 60_000,
};

/** A provider's plan limits (docs/settings.md); null is "no limit". Budgets: marketdata/budget.ts. */
export const ProviderPlanConfig = z
  .object({
    perMinute: z.number().positive().max(1_000_000).nullable(),
    perDay: z.number().int().positive().nullable(),
    costPerRequestUsd: z.number().min(0).max(100),
  })
  .strict();
export type ProviderPlanConfig = z.infer<typeof ProviderPlanConfig>;

export const Config = z.object({
  dataDir: z.string().min(1),
  /** Read-only files shipped with the app: datasets, model weights. */
  resourcesDir: z.string().min(1),
  /** Days to keep; null keeps forever. Raw quotes are bulky, bars are the record. */
  retention: z.object({
    rawQuoteDays: z.number().min(0).nullable(),
    barDays: z.number().min(0).nullable(),
  }),
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
    /** The replay feed plays the watched symbols' stored bars of this interval, `speed` × real time. */
    replay: z.object({ interval: z.enum(['1m', '1d']), speed: z.number().positive() }),
    /** Plan limits per provider; a provider without one gets the free-plan default. */
    plans: z.partialRecord(ProviderName, ProviderPlanConfig),
  }),
  backfill: BackfillConfig,
  /** Policy, gate and decision recording (docs/signals.md). */
  signals: SignalsConfig,
  /** Outbound alert channels, rate limit and dedup (docs/alerts.md). */
  alerts: AlertsConfig,
  /** Live broker, risk, sizing, simulated broker, kill sequence, flatten (docs/execution.md). */
  execution: ExecutionConfig,
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
    retention: z
      .object({ rawQuoteDays: z.number().min(0).nullable(), barDays: z.number().min(0).nullable() })
      .partial()
      .strict()
      .optional(),
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
        plans: z.partialRecord(ProviderName, ProviderPlanConfig),
      })
      .partial()
      .strict()
      .optional(),
    backfill: z
      .object({
        enabled: z.boolean(),
        defaultTier: BackfillTier,
        tiers: z.record(Symbol, BackfillTier),
        caps: TierCaps.partial().strict(),
        maxAttempts: z.number().int(),
        backoff: z.object({ baseMs: z.number().int(), maxMs: z.number().int() }).partial().strict(),
        startupLookbackDays: z.number().int(),
        sweepEveryMs: z.number().int(),
      })
      .partial()
      .strict()
      .optional(),
    signals: SignalsFileConfig.optional(),
    alerts: AlertsFileConfig.optional(),
    execution: ExecutionFileConfig.optional(),
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
  /** Where the running build keeps resources/; default ./resources (a source checkout). */
  resourcesDir?: string;
  /** Read <dataDir>/kestrel.config.json (default true). */
  readFile?: boolean;
  /** Keys for the default provider set; the environment when absent (Electron passes its safeStorage store). */
  secrets?: SecretStore;
}

/** The data dir: flag, then KESTREL_DATA_DIR, then the app's userData, then the platform default. */
export function resolveDataDir(s: Pick<ConfigSources, 'flags' | 'env' | 'appDataDir'>): string {
  return path.resolve(s.flags.dataDir ?? s.env.KESTREL_DATA_DIR ?? s.appDataDir ?? platformDataDir(s.env));
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

/** Replay defaults: the bundled daily dataset at a trading day per second, or minutes at 60×. */
function replayConfig(env: Record<string, string | undefined>): { interval: string; speed: number } {
  const interval = env.KESTREL_REPLAY_INTERVAL ?? '1d';
  const speed = env.KESTREL_REPLAY_SPEED ? Number(env.KESTREL_REPLAY_SPEED) : interval === '1d' ? 86_400 : 60;
  return { interval, speed };
}

/** A retention setting: env ('keep' means forever) beats the file, which beats the default. */
function days(raw: string | undefined, fromFile: number | null | undefined, fallback: number | null): number | null {
  if (raw !== undefined) return raw.trim().toLowerCase() === 'keep' ? null : Number(raw);
  return fromFile === undefined ? fallback : fromFile;
}

/** KESTREL_BACKFILL (on|off) and KESTREL_BACKFILL_LOOKBACK_DAYS beat the file, which beats the defaults. */
function backfillConfig(env: Record<string, string | undefined>, fb: NonNullable<ConfigFile['backfill']>): unknown {
  const d = DEFAULT_BACKFILL;
  const sw = env.KESTREL_BACKFILL?.trim().toLowerCase();
  // Anything but on/off is refused by the schema rather than guessed.
  const enabled =
    sw === undefined || sw === '' ? (fb.enabled ?? d.enabled) : sw === 'on' ? true : sw === 'off' ? false : sw;
  const lookback = env.KESTREL_BACKFILL_LOOKBACK_DAYS;
  return {
    enabled,
    defaultTier: fb.defaultTier ?? d.defaultTier,
    tiers: fb.tiers ?? d.tiers,
    caps: { ...d.caps, ...fb.caps },
    maxAttempts: fb.maxAttempts ?? d.maxAttempts,
    backoff: { ...d.backoff, ...fb.backoff },
    startupLookbackDays: lookback !== undefined ? Number(lookback) : (fb.startupLookbackDays ?? d.startupLookbackDays),
    sweepEveryMs: fb.sweepEveryMs ?? d.sweepEveryMs,
  };
}

/** Flags beat environment, which beats the app's own location, which beats the platform default. */
export function resolveConfig(sources: ConfigSources): Config {
  const { flags, env, appDataDir, resourcesDir, readFile = true } = sources;
  const secrets = sources.secrets ?? new EnvSecretStore(env);
  const dataDir = resolveDataDir({ flags, env, appDataDir });
  const file: ConfigFile = readFile ? loadConfigFile(path.join(dataDir, CONFIG_FILE)) : {};
  const fm = file.marketdata ?? {};
  const providers = list(flags.providers ?? env.KESTREL_PROVIDERS) ?? fm.providers ?? defaultProviders(secrets);
  const result = Config.safeParse({
    dataDir,
    resourcesDir: path.resolve(env.KESTREL_RESOURCES_DIR ?? resourcesDir ?? 'resources'),
    retention: {
      rawQuoteDays: days(env.KESTREL_RETAIN_QUOTES_DAYS, file.retention?.rawQuoteDays, 3),
      barDays: days(env.KESTREL_RETAIN_BARS_DAYS, file.retention?.barDays, null),
    },
    port: Number(flags.port ?? env.KESTREL_PORT ?? DEFAULT_PORT),
    symbols: parseSymbols(flags.symbols) ?? parseSymbols(env.KESTREL_SYMBOLS) ?? file.symbols ?? DEFAULT_SYMBOLS,
    heartbeatMs: Number(env.KESTREL_HEARTBEAT_MS ?? 1000),
    ib: {
      host: flags.ibHost ?? env.KESTREL_IB_HOST ?? file.ib?.host ?? '127.0.0.1',
      port: Number(flags.ibPort ?? env.KESTREL_IB_PORT ?? file.ib?.port ?? 4002),
      clientId: Number(flags.ibClientId ?? env.KESTREL_IB_CLIENT_ID ?? file.ib?.clientId ?? 17),
    },
    marketdata: {
      providers,
      routing: env.KESTREL_ROUTING ?? fm.routing ?? 'priority',
      shadow: env.KESTREL_SHADOW ? env.KESTREL_SHADOW.toLowerCase() : (fm.shadow ?? null),
      urls: { ...fm.urls, ...urlOverrides(env) },
      syntheticSessions: env.KESTREL_SYNTHETIC_SESSIONS ?? fm.syntheticSessions ?? 'nyse',
      staleAfterMs: Number(env.KESTREL_STALE_AFTER_MS ?? fm.staleAfterMs ?? 2000),
      switchBackAfterMs: Number(env.KESTREL_SWITCH_BACK_MS ?? fm.switchBackAfterMs ?? 120_000),
      allowlist: fm.allowlist ?? {},
      replay: replayConfig(env),
      plans: fm.plans ?? {},
    },
    backfill: backfillConfig(env, file.backfill ?? {}),
    signals: signalsConfig(env, file.signals ?? {}),
    alerts: alertsConfig(file.alerts ?? {}),
    execution: executionConfig(env, file.execution ?? {}, {
      ibPortGiven: flags.ibPort !== undefined || env.KESTREL_IB_PORT !== undefined,
      ibkrProvider: providers.includes('ibkr'),
    }),
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
