import { z } from 'zod';
import { AlertKind, AlertLevel } from '../../shared/domain';

/** Only http(s): a webhook URL is fetched by the engine, so nothing else may reach it. */
const ChannelUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'a channel url must be http:// or https://');

export const AlertChannelConfig = z
  .object({
    type: z.enum(['webhook', 'slack', 'discord']),
    /** A secret: whoever has it can post to the channel. Never logged in full, never in /healthz. */
    url: ChannelUrl,
    /** Alerts below this level are not sent here. */
    minLevel: AlertLevel.default('warning'),
    /** Only these kinds, when given. */
    kinds: z.array(AlertKind).min(1).optional(),
  })
  .strict();
export type AlertChannelConfig = z.infer<typeof AlertChannelConfig>;

/** Outbound alert channels (docs/alerts.md). */
export const AlertsConfig = z
  .object({
    channels: z.array(AlertChannelConfig).max(20),
    /** Token bucket per channel: sustained rate and burst. */
    ratePerMinute: z.number().positive().max(600),
    burst: z.number().int().min(1).max(100),
    /** Tokens only critical alerts may use, so a storm of warnings cannot silence a kill-switch alert. */
    criticalReserve: z.number().int().min(0).max(50),
    /** Same kind + title within this window is suppressed and counted. */
    dedupWindowMs: z.number().int().min(0),
    timeoutMs: z.number().int().min(100).max(60_000),
    /** Delivery attempts per alert, the first included. */
    maxAttempts: z.number().int().min(1).max(10),
    backoffBaseMs: z.number().int().min(0),
    /** Longest wait between attempts, Retry-After included. */
    backoffMaxMs: z.number().int().min(0),
    /** Alerts waiting per channel; beyond it the oldest is dropped and counted. */
    queueSize: z.number().int().min(1).max(10_000),
  })
  .strict()
  .refine((c) => c.criticalReserve < c.burst, 'criticalReserve must be below burst');
export type AlertsConfig = z.infer<typeof AlertsConfig>;

export const DEFAULT_ALERTS: AlertsConfig = {
  channels: [],
  ratePerMinute: 10,
  burst: 10,
  criticalReserve: 2,
  dedupWindowMs: 60_000,
  timeoutMs: 5_000,
  maxAttempts: 4,
  backoffBaseMs: 1_000,
  backoffMaxMs: 60_000,
  queueSize: 100,
};

/** The `alerts` section of kestrel.config.json: every field optional. */
export const AlertsFileConfig = z
  .object({
    channels: z.array(AlertChannelConfig).max(20),
    ratePerMinute: z.number(),
    burst: z.number(),
    criticalReserve: z.number(),
    dedupWindowMs: z.number(),
    timeoutMs: z.number(),
    maxAttempts: z.number(),
    backoffBaseMs: z.number(),
    backoffMaxMs: z.number(),
    queueSize: z.number(),
  })
  .partial()
  .strict();
export type AlertsFileConfig = z.infer<typeof AlertsFileConfig>;

/** File over defaults; the full schema in Config checks the ranges. */
export function alertsConfig(file: AlertsFileConfig): unknown {
  return { ...DEFAULT_ALERTS, ...file };
}
