/**
 * The editable settings, one zod schema per section, built from the config modules' own schemas so
 * the ranges live in one place. A section is always saved whole: the UI sends every field it shows.
 */
import { z } from 'zod';
import type { SettingsSection } from '../../shared/domain';
import { AlertChannelConfig } from '../alerts/config';
import { Config } from '../config';
import { ExecutionConfig, RiskConfigSchema } from '../execution/config';
import { SignalsConfig } from '../signals/config';

const md = Config.shape.marketdata.shape;

export const IbSettings = Config.shape.ib.extend({ account: ExecutionConfig.shape.account }).strict();

export const ProvidersSettings = z
  .object({
    enabled: md.providers.refine((p) => new Set(p).size === p.length, 'a provider can be listed once'),
    plans: md.plans,
  })
  .strict();

/** Reject-storm limits belong to the kill triggers section, so they are left out here. */
export const RiskSettings = RiskConfigSchema.omit({ rejectStormCount: true, rejectStormWindowMs: true }).strict();

export const KillSettings = RiskConfigSchema.pick({ rejectStormCount: true, rejectStormWindowMs: true })
  .extend(ExecutionConfig.shape.kill.pick({ haltOnDisconnect: true, liveToShadow: true }).shape)
  .strict();

/** Confidence thresholds and cooldown, plus the gate's other checks (feature age, extended hours). */
export const SignalSettings = SignalsConfig.pick({
  defaultThreshold: true,
  thresholds: true,
  cooldownMs: true,
  maxFeatureAgeMs: true,
  allowExtendedHours: true,
}).strict();

/**
 * A channel as the UI sends it: the URL is write-only, so an unchanged channel says which saved
 * channel's URL to keep (`keep`, its index) and a new or re-pointed one sends `url`.
 */
export const ChannelInput = AlertChannelConfig.omit({ url: true })
  .extend({ url: AlertChannelConfig.shape.url.optional(), keep: z.number().int().min(0).max(99).optional() })
  .strict()
  .refine((c) => (c.url === undefined) !== (c.keep === undefined), {
    message: 'give the channel a url (or keep the saved one)',
    path: ['url'],
  });
export const AlertSettingsInput = z.object({ channels: z.array(ChannelInput).max(20) }).strict();

export type IbSettings = z.infer<typeof IbSettings>;
export type ProvidersSettings = z.infer<typeof ProvidersSettings>;
export type RiskSettings = z.infer<typeof RiskSettings>;
export type KillSettings = z.infer<typeof KillSettings>;
export type SignalSettings = z.infer<typeof SignalSettings>;
export type AlertSettings = { channels: AlertChannelConfig[] };

/** The saved values of every section, secrets (channel URLs) included: never sent as is. */
export interface SettingsValues {
  ib: IbSettings;
  providers: ProvidersSettings;
  risk: RiskSettings;
  signals: SignalSettings;
  kill: KillSettings;
  alerts: AlertSettings;
}

export const SECTION_INPUT = {
  ib: IbSettings,
  providers: ProvidersSettings,
  risk: RiskSettings,
  signals: SignalSettings,
  kill: KillSettings,
  alerts: AlertSettingsInput,
} as const satisfies Record<SettingsSection, z.ZodType>;

/** Sections the running engine can take without a restart, and what the others need it for. */
export const APPLIES_AT_RUNTIME: Record<SettingsSection, boolean> = {
  ib: false, // the one IB connection and the broker's account are built at start
  providers: false, // the provider set, the router's priority and the request budgets too
  risk: true,
  signals: true,
  kill: true,
  alerts: true,
};

/**
 * Environment variables that beat kestrel.config.json at start: a saved value under one of these
 * is mirrored but the environment still wins after a restart, so the answer says so.
 */
export const ENV_OVERRIDES: Record<string, string> = {
  'ib.host': 'KESTREL_IB_HOST',
  'ib.port': 'KESTREL_IB_PORT',
  'ib.clientId': 'KESTREL_IB_CLIENT_ID',
  'ib.account': 'KESTREL_IB_ACCOUNT',
  'providers.enabled': 'KESTREL_PROVIDERS',
  'risk.dailyLossLimit': 'KESTREL_DAILY_LOSS_LIMIT',
  'signals.defaultThreshold': 'KESTREL_SIGNAL_THRESHOLD',
  'signals.cooldownMs': 'KESTREL_SIGNAL_COOLDOWN_MS',
  'signals.allowExtendedHours': 'KESTREL_SIGNAL_EXTENDED_HOURS',
};

/** The settings as the engine was configured at start. */
export function valuesFromConfig(config: Config): SettingsValues {
  const { risk, kill, account } = config.execution;
  const { rejectStormCount, rejectStormWindowMs, ...limits } = risk;
  const s = config.signals;
  return {
    ib: { ...config.ib, account },
    providers: { enabled: [...config.marketdata.providers], plans: { ...config.marketdata.plans } },
    risk: limits,
    signals: {
      defaultThreshold: s.defaultThreshold,
      thresholds: { ...s.thresholds },
      cooldownMs: s.cooldownMs,
      maxFeatureAgeMs: s.maxFeatureAgeMs,
      allowExtendedHours: s.allowExtendedHours,
    },
    kill: {
      rejectStormCount,
      rejectStormWindowMs,
      haltOnDisconnect: kill.haltOnDisconnect,
      liveToShadow: kill.liveToShadow,
    },
    alerts: { channels: config.alerts.channels.map((c) => ({ ...c })) },
  };
}
