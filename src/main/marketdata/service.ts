/**
 * Market-data intake: every configured provider's connection, price validation, the router, the
 * shadow comparison and the coalesced UI feed. Consumers on the decision path subscribe with
 * `onEvent` and see only validated events from each symbol's active provider.
 */
import type { MarketTick, ProviderName, ProviderRow, ProviderSwitched } from '../../shared/domain';
import type { EventBus } from '../bus';
import type { Clock } from '../clock';
import type { Metrics } from '../observability/metrics';
import type { Logger } from '../observability/logger';
import { RequestBudget } from './budget';
import { countRegularMinutes, nextRegularOpen, sessionState } from './calendar';
import { ProviderConnection, type ConnectionState } from './connection';
import type { IbkrCrossCheck } from './crossCheck';
import { evaluateGates } from './gates';
import { ProviderHealth } from './health';
import type { MarketDataProvider, MarketEvent } from './provider';
import { createProviderPolicy } from './resilience';
import { eventSymbol, MarketDataRouter, type ProviderSwitch, type RouterConfig } from './router';
import { ShadowComparator } from './shadow';
import { PriceValidator } from './validate';

export interface ProviderPlan {
  perMinute: number;
  perDay: number;
  costPerRequestUsd: number;
}

export interface MarketDataConfig {
  router: RouterConfig;
  /** A provider that runs beside the active one for these symbols, for comparison only. */
  shadow: { provider: ProviderName; symbols: string[] } | null;
  plans: Partial<Record<ProviderName, ProviderPlan>>;
  maxJumpBps: number;
  mismatchBps: number;
  gateWindowMs: number;
  /** How often the router re-evaluates; detection time is at most staleAfterMs + this. */
  evaluateEveryMs: number;
  uiFlushEveryMs: number;
}

export const DEFAULT_PLAN: ProviderPlan = { perMinute: 60, perDay: Infinity, costPerRequestUsd: 0 };
const SIM_PROVIDERS: ReadonlySet<ProviderName> = new Set(['synthetic', 'replay']);
/**
 * An event stamped further ahead of our Clock than this is refused before anything else sees it
 * (the bar aggregator's own future tolerance). Admitted, it would be the router's newest timestamp
 * and drop every real event as out of order until the clock caught up, count as the provider's
 * latest sign of life, and re-anchor the price band (its reference looks minutes old).
 */
export const MAX_FUTURE_MS = 2000;

export type MarketEventConsumer = (provider: ProviderName, event: MarketEvent) => void;

interface Entry {
  provider: MarketDataProvider;
  health: ProviderHealth;
  budget: RequestBudget;
  policy: ReturnType<typeof createProviderPolicy>;
  connection: ProviderConnection;
  validator: PriceValidator;
  quotesServed: number;
  /** Minute bars seen this minute and last, as `symbol@ts`, for completeness. */
  barsSeen: Set<string>;
  eventCounters: Record<MarketEvent['type'], { inc(): void }>;
}

export interface MarketDataDeps {
  clock: Clock;
  bus: EventBus;
  log: Logger;
  metrics: Metrics;
  providers: MarketDataProvider[];
  config: MarketDataConfig;
  /** Persists a switch before it is announced. */
  recordSwitch: (s: ProviderSwitch) => void;
  /** Checks every provider's prices against IBKR's, when IBKR is configured. */
  crossCheck?: IbkrCrossCheck;
}

export class MarketDataService {
  readonly router: MarketDataRouter;
  readonly shadow: ShadowComparator;
  private readonly entries = new Map<ProviderName, Entry>();
  private readonly consumers = new Set<MarketEventConsumer>();
  private readonly ticks = new Map<string, MarketTick>();
  private readonly dirtyTicks = new Set<string>();
  private symbols: string[] = [];
  private timers: ReturnType<typeof setInterval>[] = [];

  constructor(private readonly deps: MarketDataDeps) {
    const { clock, config } = deps;
    for (const provider of deps.providers) {
      const health = new ProviderHealth(provider.name, clock, { windowMs: config.gateWindowMs });
      const plan = config.plans[provider.name] ?? DEFAULT_PLAN;
      const budget = new RequestBudget(clock, plan);
      const policy = createProviderPolicy({ onBreakerChange: (s) => health.setBreaker(s) });
      const entry: Entry = {
        provider,
        health,
        budget,
        policy,
        validator: new PriceValidator({ maxJumpBps: config.maxJumpBps }),
        quotesServed: 0,
        barsSeen: new Set(),
        eventCounters: {
          trade: deps.metrics.marketEvents.labels(provider.name, 'trade'),
          quote: deps.metrics.marketEvents.labels(provider.name, 'quote'),
          bar: deps.metrics.marketEvents.labels(provider.name, 'bar'),
        },
        connection: new ProviderConnection({
          provider,
          clock,
          health,
          budget,
          policy,
          sessionMsLeft: () => this.sessionMsLeft(),
          sink: {
            onEvent: (name, e) => this.ingest(name, e),
            onMalformed: (name, reason) => {
              deps.metrics.rejected.inc({ provider: name, reason: 'malformed frame' });
              deps.log.warn({ provider: name, reason }, 'malformed market-data frame');
            },
            onState: (name, state, reason) => this.onConnectionState(name, state, reason),
          },
        }),
      };
      this.entries.set(provider.name, entry);
    }
    this.router = new MarketDataRouter(
      clock,
      { ...config.router, priority: config.router.priority.filter((p) => this.entries.has(p)) },
      [...this.entries.values()].map((e) => ({
        name: e.provider.name,
        live: e.connection.streams || typeof e.provider.latestQuote === 'function',
        state: () => e.connection.state,
        lastActivityAt: () => e.connection.lastActivityAt,
        breaker: () => e.policy.breakerState(),
        // A snapshot sorts its window; the quality strategy asks per symbol, so reuse it for a second.
        score: () => this.cachedScore(e),
      })),
      (s) => this.announceSwitch(s),
    );
    this.shadow = new ShadowComparator(clock, { mismatchBps: config.mismatchBps, windowMs: config.gateWindowMs });
  }

  start(symbols: readonly string[]): void {
    this.symbols = [...symbols];
    this.router.setSymbols(this.symbols);
    for (const e of this.entries.values()) e.connection.start(this.symbols);
    const { config } = this.deps;
    this.timers.push(setInterval(() => this.router.evaluate(), config.evaluateEveryMs));
    this.timers.push(setInterval(() => this.flushTicks(), config.uiFlushEveryMs));
    this.timers.push(setInterval(() => this.publishProviders(), 1000));
    this.timers.push(setInterval(() => this.checkCompleteness(), 5000));
    for (const t of this.timers) t.unref();
  }

  /** Changes the watched symbols on every provider and in the router. */
  setSymbols(symbols: readonly string[]): void {
    this.symbols = [...symbols];
    this.router.setSymbols(this.symbols);
    for (const e of this.entries.values()) e.connection.setSymbols(this.symbols);
    this.router.evaluate();
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await Promise.all([...this.entries.values()].map((e) => e.connection.stop()));
    for (const e of this.entries.values()) e.policy.dispose();
  }

  /** Subscribes a decision-path consumer (bars, features). Returns the unsubscribe. */
  onEvent(consumer: MarketEventConsumer): () => void {
    this.consumers.add(consumer);
    return () => this.consumers.delete(consumer);
  }

  providerNames(): ProviderName[] {
    return [...this.entries.keys()];
  }

  connection(name: ProviderName): ProviderConnection | undefined {
    return this.entries.get(name)?.connection;
  }

  /** The adapter itself, for capability checks (backfill asks who has historical bars). */
  provider(name: ProviderName): MarketDataProvider | undefined {
    return this.entries.get(name)?.provider;
  }

  /** Where every market event enters the engine. */
  ingest(provider: ProviderName, event: MarketEvent): void {
    const entry = this.entries.get(provider);
    if (!entry) return;
    const { metrics } = this.deps;
    // Labelled children are cached: label hashing per event costs more than the rest of routing.
    entry.eventCounters[event.type].inc();
    const ts = event.type === 'trade' ? event.trade.ts : event.type === 'quote' ? event.quote.ts : event.bar.ts;
    const rejection =
      ts > this.deps.clock.now() + MAX_FUTURE_MS
        ? `future: ts ${ts} is ${ts - this.deps.clock.now()} ms ahead of the clock`
        : event.type === 'trade'
          ? entry.validator.checkTrade(event.trade)
          : event.type === 'quote'
            ? entry.validator.checkQuote(event.quote)
            : entry.validator.checkBar(event.bar);
    if (rejection) {
      entry.health.recordRequest(NaN, 'malformed');
      metrics.rejected.inc({ provider, reason: rejection.split(':')[0]! });
      return;
    }
    entry.health.recordEvent(ts);
    if (event.type === 'quote') entry.quotesServed++;
    if (event.type === 'bar') entry.barsSeen.add(`${event.bar.symbol}@${event.bar.ts}`);
    if (event.type === 'trade') this.deps.crossCheck?.observe(provider, event.trade.symbol, event.trade.price);
    const symbol = eventSymbol(event);
    if (this.isShadowFor(provider, symbol)) {
      this.shadow.observeShadow(provider, event);
      return;
    }
    if (!this.router.admit(provider, event)) return;
    if (this.deps.config.shadow) this.shadow.observeActive(event);
    this.deliver(provider, event);
  }

  /**
   * The last gate before consumers. The router admits only active providers, so this counter
   * stays 0; it is here to catch a future change that lets shadow data through.
   */
  deliver(provider: ProviderName, event: MarketEvent): void {
    if (this.isShadowFor(provider, eventSymbol(event))) {
      this.deps.metrics.hotpathShadowReads.inc();
      return;
    }
    this.deps.metrics.delivered.inc();
    this.noteTick(provider, event);
    for (const c of this.consumers) c(provider, event);
  }

  isShadowFor(provider: ProviderName, symbol: string): boolean {
    const s = this.deps.config.shadow;
    return !!s && s.provider === provider && s.symbols.includes(symbol) && this.router.active(symbol) !== provider;
  }

  failover(symbol: string, to: ProviderName): ProviderSwitched | { error: string } {
    const from = this.router.active(symbol);
    const r = this.router.failover(symbol, to);
    if (!r.ok) return { error: r.reason };
    return { symbol, from, to, reason: 'manual failover by the trader', ts: this.deps.clock.now() };
  }

  latestTicks(): MarketTick[] {
    return [...this.ticks.values()];
  }

  providerRows(): ProviderRow[] {
    const active = this.router.activeBySymbol();
    return [...this.entries.values()].map((e) => {
      const name = e.provider.name;
      const h = e.health.snapshot();
      const activeFor = Object.entries(active)
        .filter(([, p]) => p === name)
        .map(([s]) => s)
        .sort();
      const shadowing = this.deps.config.shadow?.provider === name;
      const conn = e.connection.state;
      const state: ProviderRow['state'] =
        conn === 'off'
          ? 'off'
          : conn === 'down' || conn === 'unauthorized'
            ? 'down'
            : conn === 'throttled'
              ? 'throttled'
              : activeFor.length > 0
                ? 'active'
                : shadowing
                  ? 'shadow'
                  : 'warm';
      const stats = this.shadow.stats(name);
      const cap = e.budget.cap();
      return {
        name,
        sim: SIM_PROVIDERS.has(name),
        state,
        reason: e.connection.reason,
        breaker: e.policy.breakerState(),
        health: h.score,
        successRate: h.successRate,
        latencyP95Ms: Number.isFinite(h.latencyP95Ms) ? h.latencyP95Ms : null,
        freshnessP95Ms: h.freshnessP95Ms,
        mismatchRate: stats.mismatchRate,
        requestsToday: e.budget.usedToday(),
        dailyCap: Number.isFinite(cap.perDay) ? cap.perDay : null,
        costPerQuoteUsd: e.budget.costPerQuoteUsd(e.quotesServed),
        activeFor,
      };
    });
  }

  /** Promotion gates for a provider, or for a symbol (judged on its active provider). */
  gates(target: { provider: ProviderName } | { symbol: string }, decisionLatencyP95Ms: number | null = null) {
    const provider = 'provider' in target ? target.provider : this.router.active(target.symbol);
    const entry = provider ? this.entries.get(provider) : undefined;
    const label = 'provider' in target ? `provider ${target.provider}` : `symbol ${target.symbol}`;
    const windowMs = this.deps.config.gateWindowMs;
    if (!entry) {
      return {
        target: label,
        verdict: 'FAIL' as const,
        windowMs,
        criteria: [
          {
            name: 'provider',
            value: null,
            threshold: 'an active provider',
            pass: false,
            detail: 'no provider serves it',
          },
        ],
      };
    }
    const h = entry.health.snapshot();
    const report = evaluateGates(
      {
        freshnessP95Ms: h.freshnessP95Ms,
        regularHours: sessionState(this.deps.clock.now()).state === 'regular',
        successRate: h.successRate,
        decisionLatencyP95Ms,
        shadowMismatchRate: this.shadow.stats(entry.provider.name).mismatchRate,
        sampleCount: h.sampleCount,
      },
      {},
    );
    return { target: label, windowMs, ...report };
  }

  private lastCompletenessMinute = 0;

  /**
   * Completeness: for providers that stream minute bars, each regular-session minute of each
   * watched symbol should bring one bar. Checked a minute late, so the bar has had time to come.
   */
  private checkCompleteness(): void {
    const now = this.deps.clock.now();
    const minute = Math.floor(now / 60_000) * 60_000 - 120_000;
    if (minute <= this.lastCompletenessMinute) return;
    this.lastCompletenessMinute = minute;
    const regular = countRegularMinutes(minute, minute + 60_000) > 0;
    for (const e of this.entries.values()) {
      if (regular && e.provider.capabilities.stream.bars && e.connection.state !== 'off') {
        let received = 0;
        for (const symbol of this.symbols) if (e.barsSeen.has(`${symbol}@${minute}`)) received++;
        e.health.recordBars(this.symbols.length, received);
      }
      // Bounded: only the last couple of minutes are kept, in or out of session.
      for (const key of e.barsSeen) if (Number(key.slice(key.indexOf('@') + 1)) <= minute) e.barsSeen.delete(key);
    }
  }

  private readonly scores = new Map<ProviderName, { at: number; score: number }>();

  private cachedScore(e: Entry): number {
    const now = this.deps.clock.now();
    const hit = this.scores.get(e.provider.name);
    if (hit && now - hit.at < 1000) return hit.score;
    const score = e.health.snapshot().score;
    this.scores.set(e.provider.name, { at: now, score });
    return score;
  }

  private sessionMsLeft(): number {
    const now = this.deps.clock.now();
    const s = sessionState(now);
    if (s.state === 'regular' && s.session) return s.session.close - now;
    return Math.max(60_000, nextRegularOpen(now) - now);
  }

  private onConnectionState(name: ProviderName, state: ConnectionState, reason: string): void {
    this.deps.log.info({ provider: name, state, reason }, 'provider state');
    this.router.evaluate();
  }

  private announceSwitch(s: ProviderSwitch): void {
    this.deps.recordSwitch(s);
    this.deps.metrics.providerSwitches.inc({ symbol: s.symbol });
    this.deps.bus.emit('providerSwitched', s);
  }

  private noteTick(provider: ProviderName, e: MarketEvent): void {
    const symbol = eventSymbol(e);
    const prev = this.ticks.get(symbol);
    const tick: MarketTick =
      e.type === 'trade'
        ? { symbol, ts: e.trade.ts, last: e.trade.price, bid: prev?.bid ?? null, ask: prev?.ask ?? null, provider }
        : e.type === 'quote'
          ? {
              symbol,
              ts: e.quote.ts,
              last: e.quote.last ?? prev?.last ?? null,
              bid: e.quote.bid,
              ask: e.quote.ask,
              provider,
            }
          : { symbol, ts: e.bar.ts, last: e.bar.c, bid: prev?.bid ?? null, ask: prev?.ask ?? null, provider };
    this.ticks.set(symbol, tick);
    this.dirtyTicks.add(symbol);
  }

  private flushTicks(): void {
    if (this.dirtyTicks.size === 0) return;
    const batch = [...this.dirtyTicks].map((s) => this.ticks.get(s)!);
    this.dirtyTicks.clear();
    this.deps.bus.emit('ticks', batch);
  }

  private publishProviders(): void {
    const rows = this.providerRows();
    for (const r of rows) this.deps.metrics.providerHealth.set({ provider: r.name }, r.health);
    this.deps.bus.emit('providers', rows);
  }
}
