/**
 * Closed minute bars → features → policy → gate → record + event, one decision per bar per symbol
 * (or per minute for the pair). The engine feeds it every bar the BarRecorder hears.
 *
 * Which bars decide. A bar newer than the symbol's newest is a new minute: it updates the
 * features and makes a decision, whatever its kind (our 'closed' bar, or a provider's bar for a
 * minute we built nothing for). A bar for a minute already seen (an 'amended' bar after a late
 * trade, a 'provider' bar replacing ours, a late bar for a missing minute) is a revision: it
 * replaces (or is inserted into) the symbol's 50-bar window, and the features are rebuilt from
 * that window, so no bar is ever counted twice and the next minute's features equal the pandas
 * reference over the stored bars. A revision never makes a second decision for its minute.
 *
 * Rebuilding is exact: every feature looks back at most 50 bars (features/pipeline.ts), so
 * replaying the 50 held bars into a fresh pipeline gives the same vector as the live one.
 *
 * The pair (dual policy) decides once both legs have features for the same minute, on the
 * closing event of the second one. A leg with no bar in a minute (no trades) leaves that minute
 * undecided for the pair, counted in `pairUnmatched`. Pair symbols get no single-symbol decisions
 * while both legs are watched.
 *
 * Latency runs from the closing event (the trade, provider bar or clock tick whose handling
 * closed the bar: the engine stamps it with `eventStarted`) to the gated decision, on an injected
 * monotonic microsecond clock. Recording (an in-memory queue) and the event follow at once.
 */
import type { Signal, SignalBlockReason, SignalSide, SignalStats, SymbolMode } from '../../shared/domain';
import type { BarKind } from '../bars/recorder';
import type { StoredBar } from '../bars/types';
import type { Clock } from '../clock';
import { FEATURE_COUNT, FEATURE_WINDOW_BARS } from '../features/names';
import { FeaturePipeline } from '../features/pipeline';
import {
  GuardedPolicy,
  POLICY_ACTIONS,
  SYMBOL_OBSERVATION_SIZE,
  type GuardedOutput,
  type Policy,
} from '../inference/policy';
import type { Metrics } from '../observability/metrics';
import type { GateLeg, SignalGate } from './gate';
import { LatencyWindow } from './latency';

const MINUTE = 60_000;
const SIDES: readonly SignalSide[] = ['SELL', 'HOLD', 'BUY'];

export interface SignalServiceDeps {
  clock: Clock;
  /** Monotonic microseconds: `performance.now() * 1000` in the engine, a fake in tests. */
  monotonicUs: () => number;
  single: Policy;
  /** The dual-ticker policy for `pair`; null: every symbol gets the single policy. */
  dual: Policy | null;
  pair: readonly [string, string] | null;
  gate: SignalGate;
  /** Stores the decision (SignalRepo.append: queued, written in batches). */
  record: (signal: Signal) => void;
  emit: (signal: Signal) => void;
  mode: (symbol: string) => SymbolMode;
  isWatched: (symbol: string) => boolean;
  /** Signed position per symbol (observation input); flat (0) until the portfolio exists. */
  position?: (symbol: string) => number;
  metrics?: Metrics;
  latencyWindow?: number;
}

/** One symbol's features and the 50 bars behind them (a ring, oldest at `start`). */
class SymbolFeed {
  readonly pipeline = new FeaturePipeline();
  readonly ts = new Float64Array(FEATURE_WINDOW_BARS);
  readonly c = new Float64Array(FEATURE_WINDOW_BARS);
  readonly v = new Float64Array(FEATURE_WINDOW_BARS);
  start = 0;
  len = 0;
  /** Open time of the newest bar fed; -1 before the first. */
  lastTs = -1;
  /** The features of the newest bar, once 50 bars exist. */
  readonly features = new Float64Array(FEATURE_COUNT);
  featuresTs = -1;
  /** Pair leg: a minute with features that the pair has not decided yet; -1 if none. */
  pendingTs = -1;

  /** A new newest bar; returns whether features exist for it. Throws (changing nothing) on an invalid bar. */
  append(bar: StoredBar): boolean {
    const f = this.pipeline.update(bar);
    const W = FEATURE_WINDOW_BARS;
    let i: number;
    if (this.len < W) i = (this.start + this.len++) % W;
    else {
      i = this.start;
      this.start = (this.start + 1) % W;
    }
    this.ts[i] = bar.ts;
    this.c[i] = bar.c;
    this.v[i] = bar.v;
    this.lastTs = bar.ts;
    if (!f) return false;
    this.features.set(f);
    this.featuresTs = bar.ts;
    return true;
  }

  /** Replaces or inserts a bar at or before the newest one, then rebuilds the features (cold path). */
  revise(bar: StoredBar): void {
    const W = FEATURE_WINDOW_BARS;
    const rows: { ts: number; c: number; v: number }[] = [];
    for (let k = 0; k < this.len; k++) {
      const i = (this.start + k) % W;
      rows.push({ ts: this.ts[i]!, c: this.c[i]!, v: this.v[i]! });
    }
    const at = rows.findIndex((r) => r.ts >= bar.ts);
    if (at >= 0 && rows[at]!.ts === bar.ts) rows[at] = { ts: bar.ts, c: bar.c, v: bar.v };
    else if (at > 0 || (at === 0 && rows.length < W)) rows.splice(at, 0, { ts: bar.ts, c: bar.c, v: bar.v });
    else return; // older than the whole window: it cannot change the features.
    const keep = rows.slice(-W);
    // Validate before touching anything: a rejected bar leaves the feed as it was.
    new FeaturePipeline().update(bar);
    this.pipeline.reset();
    this.start = 0;
    this.len = 0;
    let f: Float64Array | null = null;
    for (const r of keep) {
      f = this.pipeline.push(r.ts, r.c, r.v);
      this.ts[this.len] = r.ts;
      this.c[this.len] = r.c;
      this.v[this.len++] = r.v;
    }
    if (f && keep[keep.length - 1]!.ts === this.featuresTs) this.features.set(f);
  }
}

export class SignalService {
  private readonly feeds = new Map<string, SymbolFeed>();
  private readonly single: GuardedPolicy;
  private readonly dual: GuardedPolicy | null;
  private readonly obsSingle = new Float64Array(SYMBOL_OBSERVATION_SIZE);
  private readonly obsDual = new Float64Array(2 * SYMBOL_OBSERVATION_SIZE);
  private readonly latency: LatencyWindow;
  private readonly latencyBySymbol = new Map<string, LatencyWindow>();
  private readonly last = new Map<string, Signal>();
  private t0 = 0;
  private stamped = false;
  private readonly counts = {
    decisions: 0,
    passed: 0,
    blocked: 0,
    revisions: 0,
    pairUnmatched: 0,
    blockedByReason: {} as Record<string, number>,
  };

  constructor(private readonly deps: SignalServiceDeps) {
    if (deps.single.kind !== 'single') throw new Error(`the single-symbol policy has kind '${deps.single.kind}'`);
    if (deps.dual && deps.dual.kind !== 'dual') throw new Error(`the pair policy has kind '${deps.dual.kind}'`);
    if (deps.pair && deps.pair[0] === deps.pair[1])
      throw new Error(`the pair needs two symbols, got ${deps.pair[0]} twice`);
    this.single = new GuardedPolicy(deps.single);
    this.dual = deps.dual && deps.pair ? new GuardedPolicy(deps.dual) : null;
    this.latency = new LatencyWindow(deps.latencyWindow);
  }

  /** Marks the start of a market event (or clock tick) whose handling may close bars. */
  eventStarted(): void {
    this.t0 = this.deps.monotonicUs();
    this.stamped = true;
  }

  eventEnded(): void {
    this.stamped = false;
  }

  /** Feeds stored bars (oldest first) without deciding: features are ready at the first live bar. */
  warmUp(bars: readonly StoredBar[]): void {
    for (const bar of bars) {
      if (bar.interval !== '1m') continue;
      const feed = this.feed(bar.symbol);
      if (bar.ts > feed.lastTs) feed.append(bar);
      else feed.revise(bar);
    }
  }

  /** BarRecorder listener. */
  onBar(bar: StoredBar, _kind: BarKind): void {
    if (bar.interval !== '1m') return;
    const t0 = this.stamped ? this.t0 : this.deps.monotonicUs();
    const feed = this.feed(bar.symbol);
    if (bar.ts <= feed.lastTs) {
      feed.revise(bar);
      this.counts.revisions++;
      return;
    }
    if (!feed.append(bar)) return; // fewer than 50 bars yet
    const partner = this.partnerOf(bar.symbol);
    if (partner === null) this.decideSingle(bar.symbol, feed, t0);
    else this.pairLegReady(bar.symbol, feed, partner, t0);
  }

  lastSignal(symbol: string): Signal | null {
    return this.last.get(symbol) ?? null;
  }

  /** p95 decision latency in ms for a symbol (its own and its pair's decisions); null before any. */
  latencyP95Ms(symbol?: string): number | null {
    const w = symbol === undefined ? this.latency : this.latencyBySymbol.get(symbol);
    const p = w?.percentile(95) ?? null;
    return p === null ? null : p / 1000;
  }

  stats(watched: readonly string[]): SignalStats {
    const [p50, p95, p99] = this.latency.percentiles([50, 95, 99]);
    const gate = this.deps.gate;
    const thresholds: Record<string, number> = {};
    for (const s of watched) thresholds[s] = gate.threshold(s);
    if (this.deps.pair) thresholds[this.deps.pair.join('/')] = gate.threshold(this.deps.pair.join('/'));
    return {
      latency: {
        window: this.latency.size,
        count: this.latency.count,
        p50Us: p50 ?? null,
        p95Us: p95 ?? null,
        p99Us: p99 ?? null,
      },
      decisions: this.counts.decisions,
      passed: this.counts.passed,
      blocked: this.counts.blocked,
      blockedByReason: { ...this.counts.blockedByReason },
      inferenceErrors: this.single.errors + (this.dual?.errors ?? 0),
      pairUnmatched: this.counts.pairUnmatched,
      pair: this.deps.pair ? [this.deps.pair[0], this.deps.pair[1]] : null,
      defaultThreshold: gate.settings.defaultThreshold,
      thresholds,
      cooldownMs: gate.settings.cooldownMs,
      maxFeatureAgeMs: gate.settings.maxFeatureAgeMs,
      allowExtendedHours: gate.settings.allowExtendedHours,
    };
  }

  /** Revisions applied (amended or replaced bars) since start. */
  get revisions(): number {
    return this.counts.revisions;
  }

  private feed(symbol: string): SymbolFeed {
    let f = this.feeds.get(symbol);
    if (!f) {
      f = new SymbolFeed();
      this.feeds.set(symbol, f);
    }
    return f;
  }

  /** The other leg when `symbol` is in the pair and both legs are watched; else null. */
  private partnerOf(symbol: string): string | null {
    const pair = this.deps.pair;
    if (!pair || !this.dual) return null;
    const other = symbol === pair[0] ? pair[1] : symbol === pair[1] ? pair[0] : null;
    if (other === null || !this.deps.isWatched(symbol) || !this.deps.isWatched(other)) return null;
    return other;
  }

  private decideSingle(symbol: string, feed: SymbolFeed, t0: number): void {
    const obs = this.obsSingle;
    obs.set(feed.features);
    obs[FEATURE_COUNT] = this.deps.position?.(symbol) ?? 0;
    const out = this.single.decide(obs);
    this.finish('single', [symbol], feed.featuresTs, out, t0);
  }

  private pairLegReady(symbol: string, feed: SymbolFeed, partner: string, t0: number): void {
    const other = this.feed(partner);
    if (feed.pendingTs !== -1) this.counts.pairUnmatched++; // our previous minute never met its partner
    feed.pendingTs = feed.featuresTs;
    if (other.pendingTs !== -1 && other.pendingTs < feed.pendingTs) {
      this.counts.pairUnmatched++; // the partner's minute never met ours
      other.pendingTs = -1;
    }
    if (other.pendingTs !== feed.pendingTs) return;
    feed.pendingTs = other.pendingTs = -1;
    const [a, b] = this.deps.pair!;
    const fa = this.feed(a);
    const fb = this.feed(b);
    const obs = this.obsDual;
    obs.set(fa.features, 0);
    obs[FEATURE_COUNT] = this.deps.position?.(a) ?? 0;
    obs.set(fb.features, SYMBOL_OBSERVATION_SIZE);
    obs[SYMBOL_OBSERVATION_SIZE + FEATURE_COUNT] = this.deps.position?.(b) ?? 0;
    const out = this.dual!.decide(obs);
    this.finish('dual', [a, b], feed.featuresTs, out, t0);
  }

  private finish(policy: 'single' | 'dual', symbols: string[], barTs: number, out: GuardedOutput, t0: number): void {
    const action = POLICY_ACTIONS[policy][out.action]! as Signal['action'];
    const legs: GateLeg[] =
      policy === 'single'
        ? [{ symbol: symbols[0]!, side: SIDES[out.action]! }]
        : [
            { symbol: symbols[0]!, side: SIDES[Math.floor(out.action / 3)]! },
            { symbol: symbols[1]!, side: SIDES[out.action % 3]! },
          ];
    const verdict = this.deps.gate.evaluate({
      key: symbols.join('/'),
      legs,
      confidence: out.confidence,
      featuresEndTs: barTs + MINUTE,
      inferenceError: out.error,
    });
    const latencyUs = Math.max(0, this.deps.monotonicUs() - t0);

    const modes = symbols.map((s) => this.deps.mode(s));
    const mode: SymbolMode = modes.includes('live') ? 'live' : modes.includes('shadow') ? 'shadow' : 'off';
    const signal: Signal = {
      ts: this.deps.clock.now(),
      barTs,
      policy,
      symbols,
      action,
      legs,
      probs: Array.from(out.probs),
      confidence: out.confidence,
      threshold: verdict.threshold,
      passed: verdict.passed,
      reason: verdict.reason,
      reasons: verdict.reasons,
      detail: verdict.detail,
      latencyUs,
      mode,
    };

    this.latency.record(latencyUs);
    for (const s of symbols) {
      let w = this.latencyBySymbol.get(s);
      if (!w) {
        w = new LatencyWindow(this.latency.size);
        this.latencyBySymbol.set(s, w);
      }
      w.record(latencyUs);
      this.last.set(s, signal);
    }
    this.count(verdict.reason, out.error !== null, latencyUs);
    this.deps.record(signal);
    this.deps.emit(signal);
  }

  private count(reason: SignalBlockReason | null, inferenceError: boolean, latencyUs: number): void {
    const c = this.counts;
    c.decisions++;
    if (reason === null) c.passed++;
    else {
      c.blocked++;
      c.blockedByReason[reason] = (c.blockedByReason[reason] ?? 0) + 1;
    }
    const m = this.deps.metrics;
    if (m) {
      m.signalLatency.observe(latencyUs / 1e6);
      m.signals.inc({ result: reason === null ? 'passed' : 'blocked', reason: reason ?? 'none' });
      if (inferenceError) m.inferenceErrors.inc();
    }
  }
}
