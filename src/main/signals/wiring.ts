/**
 * Builds the signal pipeline from Config for the engine: policies from their weights files, the
 * gate, the SQLite recorder and the service, plus the timer that writes queued decisions. A
 * weights file that cannot be loaded does not stop the engine: that policy decides HOLD with an
 * inference error every time (recorded, counted) and the trader gets a critical alert.
 */
import { performance } from 'node:perf_hooks';
import type { Signal, SignalStats, SymbolMode, TradingStateName } from '../../shared/domain';
import type { BarStore } from '../bars/types';
import type { Clock } from '../clock';
import type { SignalsConfig } from './config';
import { FEATURE_WINDOW_BARS } from '../features/names';
import { UnavailablePolicy, type Policy, type PolicyKind } from '../inference/policy';
import { MlpPolicy } from '../inference/stub';
import { loadWeights } from '../inference/weights';
import type { Metrics } from '../observability/metrics';
import type { Db } from '../storage/db';
import { SignalRepo } from '../storage/signalRepo';
import { SignalGate } from './gate';
import { SignalService } from './service';

/** Bars read back from the store at start to fill the 50-bar windows (covers a long weekend). */
const WARM_UP_LOOKBACK_MS = 5 * 86_400_000;
const FLUSH_EVERY_MS = 1000;

export interface SignalsDeps {
  signals: SignalsConfig;
  resourcesDir: string;
  clock: Clock;
  db: Db;
  metrics?: Metrics;
  tradingState: () => TradingStateName;
  mode: (symbol: string) => SymbolMode;
  watched: () => string[];
  emit: (signal: Signal) => void;
  /** A policy that could not be loaded, or a write that failed: the engine alerts and logs. */
  onProblem: (title: string, message: string, err?: unknown) => void;
  /** Defaults to performance.now() in microseconds. */
  monotonicUs?: () => number;
}

/** Loads a policy; a missing or invalid file yields a policy that always fails (HOLD, counted). */
export function loadPolicy(
  file: string,
  resourcesDir: string,
  kind: PolicyKind,
  onProblem: (message: string) => void,
): Policy {
  try {
    const policy = new MlpPolicy(loadWeights(file, resourcesDir));
    if (policy.kind !== kind) throw new Error(`${file} holds a ${policy.kind} policy, a ${kind} one is needed here`);
    return policy;
  } catch (err) {
    const message = (err as Error).message;
    onProblem(message);
    return new UnavailablePolicy(kind, `policy not loaded: ${message}`);
  }
}

export class Signals {
  readonly service: SignalService;
  readonly repo: SignalRepo;
  /** The gate's settings are live: the settings service updates thresholds and cooldown in place. */
  readonly gate: SignalGate;
  private timer: ReturnType<typeof setInterval> | undefined;
  private flushFailing = false;

  constructor(private readonly deps: SignalsDeps) {
    const cfg = deps.signals;
    const problem = (message: string): void => deps.onProblem('Signal policy not loaded', message);
    const single = loadPolicy(cfg.weights.single, deps.resourcesDir, 'single', problem);
    const dual = cfg.pair ? loadPolicy(cfg.weights.dual, deps.resourcesDir, 'dual', problem) : null;
    this.repo = new SignalRepo(deps.db);
    const gate = (this.gate = new SignalGate(
      {
        defaultThreshold: cfg.defaultThreshold,
        thresholds: cfg.thresholds,
        cooldownMs: cfg.cooldownMs,
        maxFeatureAgeMs: cfg.maxFeatureAgeMs,
        allowExtendedHours: cfg.allowExtendedHours,
      },
      { clock: deps.clock, tradingState: deps.tradingState },
    ));
    this.service = new SignalService({
      clock: deps.clock,
      monotonicUs: deps.monotonicUs ?? (() => performance.now() * 1000),
      single,
      dual,
      pair: cfg.pair,
      gate,
      record: (s) => this.repo.append(s),
      emit: deps.emit,
      mode: deps.mode,
      isWatched: (s) => deps.watched().includes(s),
      metrics: deps.metrics,
    });
  }

  /** Fills each watched symbol's window from stored minute bars, then writes decisions every second. */
  start(store: BarStore): void {
    const now = this.deps.clock.now();
    for (const symbol of this.deps.watched()) {
      try {
        const bars = store.range(symbol, '1m', Math.max(0, now - WARM_UP_LOOKBACK_MS), now);
        this.service.warmUp(bars.slice(-FEATURE_WINDOW_BARS));
      } catch (err) {
        this.deps.onProblem('Signal warm-up failed', `${symbol}: ${(err as Error).message}`, err);
      }
    }
    this.timer = setInterval(() => this.flush(), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  /** Stamps the start of a market event or clock tick that may close bars (decision latency). */
  eventStarted(): void {
    this.service.eventStarted();
  }

  eventEnded(): void {
    this.service.eventEnded();
  }

  /** Writes queued decisions; a failure keeps them queued and alerts once until a write succeeds. */
  flush(): void {
    try {
      this.repo.flush();
      this.flushFailing = false;
    } catch (err) {
      if (!this.flushFailing) {
        this.deps.onProblem(
          'Signal storage failed',
          `decisions stay queued and are retried: ${(err as Error).message}`,
          err,
        );
      }
      this.flushFailing = true;
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.flush();
  }

  list(input: { symbol?: string; limit?: number } | undefined): Signal[] {
    return this.repo.recent(input ?? {});
  }

  stats(): SignalStats {
    return this.service.stats(this.deps.watched());
  }

  /** /healthz `lastSignal`. */
  lastSignal(symbol: string): Pick<Signal, 'action' | 'confidence' | 'passed' | 'reason'> | null {
    const s = this.service.lastSignal(symbol);
    return s ? { action: s.action, confidence: s.confidence, passed: s.passed, reason: s.reason } : null;
  }
}
