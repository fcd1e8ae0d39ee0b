/**
 * The `signals` section of the config: the pair for the dual policy, confidence thresholds, the
 * cooldown, the feature age limit, extended hours, and the policy weights files (relative to the
 * resources dir unless absolute). Environment: KESTREL_SIGNAL_PAIR ("NVDA,MSFT" or "none"),
 * KESTREL_SIGNAL_THRESHOLD, KESTREL_SIGNAL_COOLDOWN_MS, KESTREL_SIGNAL_EXTENDED_HOURS (1/0).
 */
import { z } from 'zod';
import { Symbol } from '../../shared/domain';

const Probability = z.number().min(0).max(1);
const Pair = z
  .tuple([Symbol, Symbol])
  .refine(([a, b]) => a !== b, 'the pair needs two different symbols')
  .nullable();

export const SignalsConfig = z.object({
  /** Symbols A and B of the dual-ticker policy; null: every symbol gets the single policy. */
  pair: Pair,
  defaultThreshold: Probability,
  /** Per symbol, or per pair as 'A/B' (else the pair takes the higher of its legs'). */
  thresholds: z.record(
    z.string().regex(/^[A-Z][A-Z0-9.-]*(\/[A-Z][A-Z0-9.-]*)?$/, 'keys are symbols or A/B pairs'),
    Probability,
  ),
  cooldownMs: z.number().int().min(0),
  /** A decision is blocked when the newest bar behind its features ended longer ago than this. */
  maxFeatureAgeMs: z.number().int().min(1000),
  allowExtendedHours: z.boolean(),
  weights: z.object({ single: z.string().min(1), dual: z.string().min(1) }),
});
export type SignalsConfig = z.infer<typeof SignalsConfig>;

export const DEFAULT_SIGNALS: SignalsConfig = {
  pair: ['NVDA', 'MSFT'],
  defaultThreshold: 0.6,
  thresholds: {},
  cooldownMs: 60_000,
  maxFeatureAgeMs: 90_000,
  allowExtendedHours: false,
  weights: { single: 'models/single.json', dual: 'models/dual-nvda-msft.json' },
};

/** kestrel.config.json: every field optional. */
export const SignalsFileConfig = SignalsConfig.extend({
  weights: z
    .object({ single: z.string().min(1), dual: z.string().min(1) })
    .partial()
    .strict(),
})
  .partial()
  .strict();
export type SignalsFileConfig = z.infer<typeof SignalsFileConfig>;

function envPair(raw: string | undefined): [string, string] | null | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  if (raw.trim().toLowerCase() === 'none') return null;
  return raw.split(/[,/]/).map((s) => s.trim().toUpperCase()) as [string, string];
}

function envNumber(raw: string | undefined): number | undefined {
  return raw === undefined || raw.trim() === '' ? undefined : Number(raw);
}

function envBool(raw: string | undefined): boolean | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  return ['1', 'true', 'yes', 'on'].includes(raw.trim().toLowerCase());
}

/** Environment beats the file, which beats the defaults; Config validates the result. */
export function signalsConfig(env: Record<string, string | undefined>, file: SignalsFileConfig): unknown {
  const d = DEFAULT_SIGNALS;
  const fromEnv = envPair(env.KESTREL_SIGNAL_PAIR);
  return {
    // null ("none") is a choice, not a missing value.
    pair: fromEnv !== undefined ? fromEnv : file.pair !== undefined ? file.pair : d.pair,
    defaultThreshold: envNumber(env.KESTREL_SIGNAL_THRESHOLD) ?? file.defaultThreshold ?? d.defaultThreshold,
    thresholds: file.thresholds ?? d.thresholds,
    cooldownMs: envNumber(env.KESTREL_SIGNAL_COOLDOWN_MS) ?? file.cooldownMs ?? d.cooldownMs,
    maxFeatureAgeMs: file.maxFeatureAgeMs ?? d.maxFeatureAgeMs,
    allowExtendedHours: envBool(env.KESTREL_SIGNAL_EXTENDED_HOURS) ?? file.allowExtendedHours ?? d.allowExtendedHours,
    weights: { ...d.weights, ...file.weights },
  };
}
