/**
 * IB US-stock commission models for the simulated broker. Both are per ORDER (IB applies the
 * minimum and maximum per order, not per execution), so the broker charges each execution the
 * difference between the order's commission after it and before it.
 *
 * IB Fixed: $0.005/share, min $1.00, max 1% of trade value; exchange and regulatory fees included.
 * IB Tiered, by shares traded this calendar month before the order:
 *        ≤ 300,000 $0.0035 · ≤ 3,000,000 $0.0020 · ≤ 20,000,000 $0.0015 · ≤ 100,000,000 $0.0010 · above $0.0005
 *   min $0.35, max 1% of trade value, plus NSCC/DTC clearing $0.00020/share and, on sales, the
 *   FINRA TAF $0.000166/share (max $8.30). Exchange fees and rebates (venue- and liquidity-
 *   dependent) and the SEC fee are not modelled. When 1% of the value is below the minimum, IB
 *   charges the 1%, and so do we.
 */
import type { OrderSide } from './types';

export interface CommissionInput {
  side: OrderSide;
  /** Cumulative shares of the order filled so far, including this execution. */
  shares: number;
  /** Cumulative Σ shares × price. */
  value: number;
  /** Shares traded this month before the order (tiered pricing). */
  monthVolume: number;
}

export interface CommissionModel {
  readonly name: 'ib-fixed' | 'ib-tiered' | 'none';
  orderCommission(input: CommissionInput): number;
}

export const IB_TIERS: readonly { upTo: number; perShare: number }[] = [
  { upTo: 300_000, perShare: 0.0035 },
  { upTo: 3_000_000, perShare: 0.002 },
  { upTo: 20_000_000, perShare: 0.0015 },
  { upTo: 100_000_000, perShare: 0.001 },
  { upTo: Infinity, perShare: 0.0005 },
];
export const IB_CLEARING_PER_SHARE = 0.0002;
export const FINRA_TAF_PER_SHARE = 0.000166;
export const FINRA_TAF_MAX = 8.3;

export const ibFixed: CommissionModel = {
  name: 'ib-fixed',
  orderCommission: ({ shares, value }) => {
    if (shares <= 0) return 0;
    return round(Math.min(Math.max(shares * 0.005, 1), value * 0.01));
  },
};

export const ibTiered: CommissionModel = {
  name: 'ib-tiered',
  orderCommission: ({ side, shares, value, monthVolume }) => {
    if (shares <= 0) return 0;
    const tier = IB_TIERS.find((t) => monthVolume < t.upTo) ?? IB_TIERS[IB_TIERS.length - 1]!;
    const commission = Math.min(Math.max(shares * tier.perShare, 0.35), value * 0.01);
    const clearing = shares * IB_CLEARING_PER_SHARE;
    const taf = side === 'SELL' ? Math.min(shares * FINRA_TAF_PER_SHARE, FINRA_TAF_MAX) : 0;
    return round(commission + clearing + taf);
  },
};

export const noCommission: CommissionModel = { name: 'none', orderCommission: () => 0 };

export function commissionModel(name: CommissionModel['name']): CommissionModel {
  return name === 'ib-fixed' ? ibFixed : name === 'ib-tiered' ? ibTiered : noCommission;
}

/** Cents to 4 decimals, as IB reports commissions; keeps float dust out of P&L. */
function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
