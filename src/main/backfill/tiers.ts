/**
 * Backfill tiers. T0 is served before T1 before T2, and each tier has its own depth cap, so a
 * gap storm on many low-priority symbols cannot crowd out or delay the symbols a trader trades.
 */
import type { BackfillTier } from '../../shared/domain';

export const TIERS: readonly BackfillTier[] = ['T0', 'T1', 'T2'];

export interface TierConfig {
  defaultTier: BackfillTier;
  /** Per symbol; symbols not listed get defaultTier. */
  tiers: Record<string, BackfillTier>;
  /** Most queued plus running jobs per tier. */
  caps: Record<BackfillTier, number>;
}

export function tierFor(symbol: string, cfg: TierConfig): BackfillTier {
  return cfg.tiers[symbol] ?? cfg.defaultTier;
}

/** How many more jobs a tier takes; never negative (a lowered cap leaves existing jobs alone). */
export function roomInTier(tier: BackfillTier, open: Record<BackfillTier, number>, cfg: TierConfig): number {
  return Math.max(0, cfg.caps[tier] - open[tier]);
}
