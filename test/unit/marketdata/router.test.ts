import { describe, expect, it } from 'vitest';
import type { ProviderName, Trade } from '../../../src/shared/domain';
import { SimulatedClock } from '../../../src/main/clock';
import type { ConnectionState } from '../../../src/main/marketdata/connection';
import {
  DEFAULT_ROUTER_CONFIG,
  MarketDataRouter,
  type ProviderSwitch,
  type RouterConfig,
} from '../../../src/main/marketdata/router';

class FakeView {
  state: ConnectionState = 'connected';
  lastActivity: number | null;
  breakerState: 'closed' | 'open' | 'half-open' = 'closed';
  healthScore = 1;
  constructor(
    readonly name: ProviderName,
    private readonly clock: SimulatedClock,
  ) {
    this.lastActivity = clock.now();
  }
  view() {
    return {
      name: this.name,
      live: true,
      state: () => this.state,
      lastActivityAt: () => this.lastActivity,
      breaker: () => this.breakerState,
      score: () => this.healthScore,
    };
  }
  beat() {
    this.lastActivity = this.clock.now();
  }
}

function setup(cfg: Partial<RouterConfig> = {}, names: ProviderName[] = ['polygon', 'finnhub', 'alpaca']) {
  const clock = new SimulatedClock(1_000_000);
  const views = names.map((n) => new FakeView(n, clock));
  const switches: ProviderSwitch[] = [];
  const router = new MarketDataRouter(
    clock,
    { ...DEFAULT_ROUTER_CONFIG, priority: names, ...cfg },
    views.map((v) => v.view()),
    (s) => switches.push(s),
  );
  router.setSymbols(['NVDA', 'MSFT']);
  const byName = Object.fromEntries(views.map((v) => [v.name, v])) as Record<ProviderName, FakeView>;
  /** Advances time in steps, with the listed providers sending heartbeats, evaluating each step. */
  const run = (ms: number, alive: ProviderName[], step = 250) => {
    for (let t = 0; t < ms; t += step) {
      clock.advance(step);
      for (const n of alive) byName[n].beat();
      router.evaluate();
    }
  };
  return { clock, router, switches, v: byName, run };
}

const trade = (symbol: string, ts: number, price = 100): Trade => ({ symbol, ts, price, size: 1, provider: 'polygon' });

describe('market-data router', () => {
  it('picks the first healthy provider by priority', () => {
    const { router, switches } = setup();
    router.evaluate();
    expect(router.active('NVDA')).toBe('polygon');
    expect(switches.map((s) => [s.symbol, s.from, s.to, s.reason])).toEqual([
      ['NVDA', null, 'polygon', 'initial selection'],
      ['MSFT', null, 'polygon', 'initial selection'],
    ]);
  });

  it('fails over within the detection threshold when the primary goes silent', () => {
    const { router, switches, run } = setup();
    router.evaluate();
    switches.length = 0;
    // polygon stops; the others keep talking. 250 ms evaluation on a 2 s threshold.
    run(2000, ['finnhub', 'alpaca']);
    expect(router.active('NVDA')).toBe('polygon');
    run(250, ['finnhub', 'alpaca']);
    expect(router.active('NVDA')).toBe('finnhub');
    expect(switches[0]).toMatchObject({ from: 'polygon', to: 'finnhub' });
    expect(switches[0]!.reason).toMatch(/failover: polygon silent for 2250 ms/);
  });

  it('fails over at once on a disconnect or an open breaker', () => {
    const { router, v } = setup();
    router.evaluate();
    v.polygon.state = 'down';
    router.evaluate();
    expect(router.active('NVDA')).toBe('finnhub');
    v.finnhub.breakerState = 'open';
    router.evaluate();
    expect(router.active('NVDA')).toBe('alpaca');
  });

  it('switches back only after the primary stays healthy for the hysteresis time', () => {
    const { router, v, run, switches } = setup({ switchBackAfterMs: 120_000 });
    router.evaluate();
    v.polygon.state = 'down';
    router.evaluate();
    expect(router.active('NVDA')).toBe('finnhub');
    v.polygon.state = 'connected';
    run(60_000, ['polygon', 'finnhub']);
    // A flap resets the clock.
    v.polygon.state = 'down';
    router.evaluate();
    v.polygon.state = 'connected';
    run(119_000, ['polygon', 'finnhub']);
    expect(router.active('NVDA')).toBe('finnhub');
    run(1250, ['polygon', 'finnhub']);
    expect(router.active('NVDA')).toBe('polygon');
    expect(switches.at(-1)!.reason).toMatch(/switch back: polygon healthy for 120 s/);
  });

  it('hands over to the preferred provider at once while feeds are still connecting at startup', () => {
    const { router, v, run, switches } = setup({ startupGraceMs: 5000 });
    v.polygon.state = 'starting';
    router.evaluate();
    expect(router.active('NVDA')).toBe('finnhub');
    v.polygon.state = 'connected';
    run(500, ['polygon', 'finnhub']);
    expect(router.active('NVDA')).toBe('polygon');
    expect(switches.at(-1)!.reason).toMatch(/^startup:/);
  });

  it('after the startup grace, a late preferred provider waits for the hysteresis', () => {
    const { router, v, run } = setup({ startupGraceMs: 5000, switchBackAfterMs: 60_000 });
    v.polygon.state = 'starting';
    router.evaluate();
    run(6000, ['finnhub']);
    v.polygon.state = 'connected';
    run(1000, ['polygon', 'finnhub']);
    expect(router.active('NVDA')).toBe('finnhub');
  });

  it('admits only the active provider, and never an older event per symbol and type', () => {
    const { router, clock } = setup();
    router.evaluate();
    const now = clock.now();
    expect(router.admit('polygon', { type: 'trade', trade: trade('NVDA', now) })).toBe(true);
    expect(router.admit('finnhub', { type: 'trade', trade: trade('NVDA', now + 1) })).toBe(false);
    expect(router.admit('polygon', { type: 'trade', trade: trade('NVDA', now - 1) })).toBe(false);
    expect(router.admit('polygon', { type: 'trade', trade: trade('NVDA', now) })).toBe(true);
    // Bars are ordered among bars: a minute bar older than the last trade still passes.
    const bar = { symbol: 'NVDA', ts: now - 60_000, o: 1, h: 1, l: 1, c: 1, v: 1 };
    expect(router.admit('polygon', { type: 'bar', bar })).toBe(true);
    expect(router.admit('polygon', { type: 'bar', bar })).toBe(false);
    expect(router.counters).toEqual({ delivered: 3, droppedOutOfOrder: 2, droppedNotActive: 1 });
  });

  it('respects the per-symbol allowlist', () => {
    const { router, v } = setup({ allowlist: { MSFT: ['alpaca'] } });
    router.evaluate();
    expect(router.active('MSFT')).toBe('alpaca');
    v.alpaca.state = 'down';
    router.evaluate();
    expect(router.active('MSFT')).toBeNull();
    expect(router.failover('MSFT', 'polygon')).toEqual({ ok: false, reason: 'polygon may not serve MSFT' });
  });

  it('fails over manually and keeps the trader choice until it fails', () => {
    const { router, run } = setup({ switchBackAfterMs: 1000 });
    router.evaluate();
    expect(router.failover('NVDA', 'alpaca')).toEqual({ ok: true, from: 'polygon' });
    run(5000, ['polygon', 'finnhub', 'alpaca']);
    expect(router.active('NVDA')).toBe('alpaca');
    expect(router.failover('NVDA', 'bogus' as ProviderName).ok).toBe(false);
  });

  it('refuses a manual failover to an unhealthy provider, saying why', () => {
    const { router, v } = setup();
    router.evaluate();
    v.finnhub.breakerState = 'open';
    expect(router.failover('NVDA', 'finnhub')).toEqual({
      ok: false,
      reason: 'finnhub is not healthy: circuit breaker open',
    });
  });

  it('quality strategy prefers the best score, with a margin and hysteresis', () => {
    const { router, v, run } = setup({ strategy: 'quality', switchBackAfterMs: 10_000, qualityMargin: 0.1 });
    v.polygon.healthScore = 0.8;
    v.finnhub.healthScore = 0.85;
    v.alpaca.healthScore = 0.5;
    router.evaluate();
    expect(router.active('NVDA')).toBe('finnhub');
    v.polygon.healthScore = 0.9; // better by 0.05: under the margin
    run(20_000, ['polygon', 'finnhub', 'alpaca']);
    expect(router.active('NVDA')).toBe('finnhub');
    v.polygon.healthScore = 0.99;
    run(9_000, ['polygon', 'finnhub', 'alpaca']);
    expect(router.active('NVDA')).toBe('finnhub');
    run(2_000, ['polygon', 'finnhub', 'alpaca']);
    expect(router.active('NVDA')).toBe('polygon');
  });

  it('hash strategy spreads symbols and keeps each symbol on its home provider', () => {
    const symbols = Array.from({ length: 50 }, (_, i) => `S${i}`);
    const { router } = setup({ strategy: 'hash' });
    router.setSymbols(symbols);
    router.evaluate();
    const counts = new Map<string, number>();
    for (const s of symbols) counts.set(router.active(s)!, (counts.get(router.active(s)!) ?? 0) + 1);
    expect(counts.size).toBe(3);
    for (const n of counts.values()) expect(n).toBeGreaterThan(5);
    const before = Object.fromEntries(symbols.map((s) => [s, router.active(s)]));
    router.evaluate();
    expect(Object.fromEntries(symbols.map((s) => [s, router.active(s)]))).toEqual(before);
  });
});
