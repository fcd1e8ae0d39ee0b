/**
 * The signal gate: a decision passes only if every check passes. Each check that fails adds its
 * reason; the first one (in SIGNAL_BLOCK_REASONS order) is the one the UI leads with.
 *
 * - inference_error: the policy threw; the decision is HOLD with confidence 0.
 * - hold: every leg is HOLD. Nothing to trade, so a HOLD never passes and never starts or waits
 *   for a cooldown; it is still recorded with the other checks' verdicts.
 * - halted: the trading state is HALTED (REDUCING does not block a signal; risk handles it).
 * - session: outside the regular session (pre/post allowed with allowExtendedHours; closed never).
 * - stale_features: the newest bar behind the features ended more than maxFeatureAgeMs ago.
 * - confidence: below the symbol's threshold (a pair: its own 'A/B' entry, else the higher leg's).
 * - cooldown: a leg's (symbol, side) passed less than cooldownMs ago. Only passed signals start
 *   a cooldown, so a blocked signal never delays the next one.
 */
import {
  SIGNAL_BLOCK_REASONS,
  type SignalBlockReason,
  type SignalSide,
  type TradingStateName,
} from '../../shared/domain';
import type { Clock } from '../clock';
import { sessionState, type SessionPhase } from '../marketdata/calendar';

export interface GateSettings {
  defaultThreshold: number;
  /** By symbol, or by pair key 'A/B'. */
  thresholds: Record<string, number>;
  cooldownMs: number;
  maxFeatureAgeMs: number;
  allowExtendedHours: boolean;
}

export const DEFAULT_GATE_SETTINGS: GateSettings = {
  defaultThreshold: 0.6,
  thresholds: {},
  cooldownMs: 60_000,
  maxFeatureAgeMs: 90_000,
  allowExtendedHours: false,
};

export interface GateLeg {
  symbol: string;
  side: SignalSide;
}

export interface GateInput {
  /** 'NVDA' or 'NVDA/MSFT'. */
  key: string;
  legs: readonly GateLeg[];
  confidence: number;
  /** End of the newest bar behind the features (bar open + 60 s), epoch ms. */
  featuresEndTs: number;
  inferenceError: string | null;
}

export interface GateVerdict {
  passed: boolean;
  reason: SignalBlockReason | null;
  reasons: SignalBlockReason[];
  detail: string;
  threshold: number;
}

export interface GateDeps {
  clock: Clock;
  tradingState: () => TradingStateName;
  /** Injected for tests; defaults to the NYSE calendar. */
  session?: (ts: number) => SessionPhase;
}

function calendarPhase(ts: number): SessionPhase {
  try {
    return sessionState(ts).state;
  } catch {
    // Outside the calendar's table (2000–2030): no session we know of.
    return 'closed';
  }
}

const ORDER = new Map(SIGNAL_BLOCK_REASONS.map((r, i) => [r, i]));

export class SignalGate {
  private readonly lastPass = new Map<string, number>();
  private readonly session: (ts: number) => SessionPhase;

  constructor(
    readonly settings: GateSettings,
    private readonly deps: GateDeps,
  ) {
    this.session = deps.session ?? calendarPhase;
  }

  threshold(key: string): number {
    const own = this.settings.thresholds[key];
    if (own !== undefined) return own;
    const legs = key.split('/');
    if (legs.length === 1) return this.settings.defaultThreshold;
    return Math.max(...legs.map((s) => this.threshold(s)));
  }

  /** Judges a decision; a passed one starts the cooldown of each non-HOLD leg. */
  evaluate(input: GateInput): GateVerdict {
    const now = this.deps.clock.now();
    const s = this.settings;
    const threshold = this.threshold(input.key);
    const failed: { reason: SignalBlockReason; detail: string }[] = [];
    const fail = (reason: SignalBlockReason, detail: string): void => {
      failed.push({ reason, detail });
    };

    if (input.inferenceError !== null) fail('inference_error', `inference failed: ${input.inferenceError}`);
    const trading = input.legs.filter((l) => l.side !== 'HOLD');
    if (trading.length === 0 && input.inferenceError === null) fail('hold', 'HOLD: nothing to trade');
    const state = this.deps.tradingState();
    if (state === 'HALTED') fail('halted', 'trading is HALTED');
    const phase = this.session(now);
    const sessionOk = phase === 'regular' || (s.allowExtendedHours && (phase === 'pre' || phase === 'post'));
    if (!sessionOk) {
      fail(
        'session',
        phase === 'closed'
          ? 'market closed'
          : `${phase === 'pre' ? 'pre-market' : 'after-hours'}: extended hours are not enabled`,
      );
    }
    const age = now - input.featuresEndTs;
    if (!(age <= s.maxFeatureAgeMs)) {
      fail(
        'stale_features',
        `features are ${Math.round(age / 1000)} s old (limit ${Math.round(s.maxFeatureAgeMs / 1000)} s)`,
      );
    }
    if (!(input.confidence >= threshold)) {
      fail('confidence', `confidence ${input.confidence.toFixed(2)} < ${threshold.toFixed(2)}`);
    }
    for (const leg of trading) {
      const last = this.lastPass.get(`${leg.symbol}:${leg.side}`);
      if (last !== undefined && now - last < s.cooldownMs) {
        fail(
          'cooldown',
          `${leg.side} ${leg.symbol} passed ${Math.round((now - last) / 1000)} s ago (cooldown ${Math.round(s.cooldownMs / 1000)} s)`,
        );
        break;
      }
    }

    if (failed.length === 0) {
      for (const leg of trading) this.lastPass.set(`${leg.symbol}:${leg.side}`, now);
      return { passed: true, reason: null, reasons: [], detail: '', threshold };
    }
    failed.sort((a, b) => ORDER.get(a.reason)! - ORDER.get(b.reason)!);
    return {
      passed: false,
      reason: failed[0]!.reason,
      reasons: failed.map((f) => f.reason),
      detail: failed[0]!.detail,
      threshold,
    };
  }
}
