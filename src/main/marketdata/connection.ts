/**
 * One provider as the router sees it: the adapter plus its health, budget and resilience policy,
 * and a live feed that is either the provider's own stream or a budgeted poll of latest quotes.
 * It reconnects a dropped stream through the breaker and never retries unauthorized.
 */
import type { ProviderName } from '../../shared/domain';
import type { Clock } from '../clock';
import type { RequestBudget } from './budget';
import type { ProviderHealth } from './health';
import type {
  FaultKind,
  MarketDataProvider,
  MarketEvent,
  ProviderResult,
  StreamStatus,
  StreamSubscription,
} from './provider';
import type { createProviderPolicy } from './resilience';

export type ConnectionState = 'starting' | 'connected' | 'throttled' | 'down' | 'unauthorized' | 'off';

export interface ConnectionSink {
  onEvent(provider: ProviderName, event: MarketEvent): void;
  onMalformed(provider: ProviderName, reason: string): void;
  onState(provider: ProviderName, state: ConnectionState, reason: string): void;
}

export interface ConnectionOptions {
  provider: MarketDataProvider;
  clock: Clock;
  health: ProviderHealth;
  budget: RequestBudget;
  policy: ReturnType<typeof createProviderPolicy>;
  sink: ConnectionSink;
  /** Base polling cadence for quote polling when the provider has no stream. */
  pollBaseMs?: number;
  /** Delay before reconnecting a dropped stream; doubled up to maxReconnectMs. */
  reconnectMs?: number;
  maxReconnectMs?: number;
  /** Milliseconds of regular session left, for stretching the poll cadence over the daily budget. */
  sessionMsLeft?: () => number;
}

export class ProviderConnection {
  state: ConnectionState = 'off';
  reason = 'not started';
  private lastEventAt: number | null = null;
  private symbols: string[] = [];
  private sub: StreamSubscription | null = null;
  /** Which stream is current: callbacks from a stream given up on after a fault are ignored. */
  private streamGen = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private reconnectDelay: number;
  private stopped = true;
  private pollIndex = 0;

  constructor(private readonly opts: ConnectionOptions) {
    this.reconnectDelay = opts.reconnectMs ?? 1000;
  }

  /** Last sign of life from this provider: an event, a status, or the stream's own heartbeat. */
  get lastActivityAt(): number | null {
    const hb = this.sub?.lastHeartbeatAt ?? null;
    if (hb === null) return this.lastEventAt;
    return this.lastEventAt === null ? hb : Math.max(hb, this.lastEventAt);
  }

  get name(): ProviderName {
    return this.opts.provider.name;
  }

  get streams(): boolean {
    return typeof this.opts.provider.stream === 'function';
  }

  start(symbols: readonly string[]): void {
    this.symbols = [...symbols];
    this.stopped = false;
    if (this.streams) this.openStream();
    else if (this.opts.provider.latestQuote) this.schedulePoll(0);
    else this.setState('off', 'provider has neither a stream nor a quote endpoint');
  }

  setSymbols(symbols: readonly string[]): void {
    this.symbols = [...symbols];
    this.sub?.setSymbols(this.symbols);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const sub = this.sub;
    this.sub = null;
    await sub?.close();
    this.setState('off', 'stopped');
  }

  /** Runs a REST call through the budget and the breaker, recording the outcome in health. */
  async request<T>(fn: (signal: AbortSignal) => Promise<ProviderResult<T>>): Promise<ProviderResult<T>> {
    const { budget, clock, health, policy } = this.opts;
    // Every attempt, retries included, spends budget; an empty bucket is a throttle, not an outage.
    let budgetRefusals = 0;
    const result = await policy.execute(async (signal) => {
      const take = budget.tryTake();
      if (!take.ok) {
        budgetRefusals++;
        return { kind: 'throttled', message: take.reason, retryAfterMs: take.retryAfterMs };
      }
      const t0 = clock.now();
      const r = await fn(signal);
      health.recordRequest(clock.now() - t0, r.kind === 'ok' ? 'ok' : r.kind);
      return r;
    });
    for (let i = 0; i < budgetRefusals; i++) health.recordRequest(NaN, 'throttled');
    health.setBreaker(policy.breakerState());
    return result;
  }

  private setState(state: ConnectionState, reason: string): void {
    if (this.state === state && this.reason === reason) return;
    this.state = state;
    this.reason = reason;
    this.opts.sink.onState(this.name, state, reason);
  }

  private activity(): void {
    this.lastEventAt = this.opts.clock.now();
    this.opts.health.recordHeartbeat();
  }

  private openStream(): void {
    if (this.stopped || !this.opts.provider.stream) return;
    this.setState('starting', 'connecting');
    const { health, sink } = this.opts;
    const gen = ++this.streamGen;
    const sub = this.opts.provider.stream(this.symbols, {
      onEvent: (e) => {
        if (gen !== this.streamGen) return;
        this.activity();
        sink.onEvent(this.name, e);
      },
      onMalformed: (reason) => {
        if (gen !== this.streamGen) return;
        this.activity();
        health.recordRequest(NaN, 'malformed');
        sink.onMalformed(this.name, reason);
      },
      onStatus: (s) => {
        if (gen === this.streamGen) this.onStreamStatus(s);
      },
    });
    // A stream that failed while opening was already given up on (and a retry scheduled).
    if (gen === this.streamGen) this.sub = sub;
    else void sub.close().catch(() => undefined);
  }

  /**
   * Gives up on the current stream after a fault. It is closed, not just forgotten: a stream that
   * outlives its socket (IBKR's resubscribes itself when the shared connection comes back) would
   * otherwise keep delivering beside its replacement, every event once per reconnect so far.
   */
  private dropStream(): void {
    const dead = this.sub;
    this.sub = null;
    this.streamGen++;
    void dead?.close().catch(() => undefined);
  }

  private onStreamStatus(s: StreamStatus): void {
    const { health } = this.opts;
    if (s.state === 'connecting') return this.setState('starting', 'connecting');
    if (s.state === 'connected') {
      this.reconnectDelay = this.opts.reconnectMs ?? 1000;
      health.recordRequest(NaN, 'ok');
      this.activity();
      return this.setState('connected', 'streaming');
    }
    health.recordRequest(NaN, s.fault);
    this.dropStream();
    if (s.fault === 'unauthorized') return this.setState('unauthorized', s.message);
    this.setState(s.fault === 'throttled' ? 'throttled' : 'down', s.message);
    if (this.stopped) return;
    const wait = Math.max(this.reconnectDelay, s.retryAfterMs ?? 0);
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, this.opts.maxReconnectMs ?? 30_000);
    this.timer = setTimeout(() => this.openStream(), wait);
    this.timer.unref?.();
  }

  private schedulePoll(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.pollOnce(), delayMs);
    this.timer.unref?.();
  }

  /** Polls one symbol per tick, round-robin, at a cadence the daily budget can sustain. */
  private async pollOnce(): Promise<void> {
    const provider = this.opts.provider;
    if (this.stopped || !provider.latestQuote || this.symbols.length === 0) return this.schedulePoll(1000);
    const symbol = this.symbols[this.pollIndex++ % this.symbols.length]!;
    const result = await this.request((signal) => provider.latestQuote!(symbol, signal));
    if (this.stopped) return;
    if (result.kind === 'ok') {
      this.activity();
      this.setState('connected', 'polling');
      this.opts.sink.onEvent(this.name, { type: 'quote', quote: result.value });
    } else {
      this.noteFault(result.kind, result.message);
    }
    const base = this.opts.pollBaseMs ?? 1000;
    const cadence = this.opts.budget.pollIntervalMs(base, this.opts.sessionMsLeft?.() ?? 6.5 * 3_600_000);
    const retryAfter = result.kind === 'ok' ? 0 : (result.retryAfterMs ?? 0);
    this.schedulePoll(Math.max(cadence, retryAfter));
  }

  private noteFault(kind: FaultKind, message: string): void {
    if (kind === 'unauthorized') {
      this.setState('unauthorized', message);
      this.stopped = true; // a wrong key will not fix itself
      return;
    }
    if (kind === 'throttled') this.setState('throttled', message);
    else if (kind === 'malformed') this.opts.sink.onMalformed(this.name, message);
    else this.setState('down', message);
  }
}
