/**
 * Events stamped ahead of the Clock are refused at ingest. Regression (found by the provider chaos
 * scenario): a trade 10 minutes in the future at 1.5× the price passed the jump band (its reference
 * looked 10 minutes old, so the band re-anchored), reached consumers, became the router's newest
 * timestamp so every real trade after it was dropped as out of order, and kept a silent provider
 * looking alive, delaying failover.
 */
import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/main/bus';
import { SimulatedClock } from '../../../src/main/clock';
import type { MarketDataProvider, MarketEvent } from '../../../src/main/marketdata/provider';
import { DEFAULT_ROUTER_CONFIG } from '../../../src/main/marketdata/router';
import { MAX_FUTURE_MS, MarketDataService } from '../../../src/main/marketdata/service';
import { silentLogger } from '../../../src/main/observability/logger';
import { Metrics } from '../../../src/main/observability/metrics';

const provider: MarketDataProvider = {
  name: 'polygon',
  capabilities: { stream: { trades: true, quotes: true, bars: true }, latestQuote: false, historicalBars: false },
  stream: (_symbols, handlers) => {
    handlers.onStatus({ state: 'connected' });
    return { setSymbols: () => {}, close: async () => {} };
  },
};

const T0 = Date.UTC(2026, 2, 2, 15, 0);

function setup() {
  const clock = new SimulatedClock(T0);
  const metrics = new Metrics();
  const svc = new MarketDataService({
    clock,
    bus: new EventBus(),
    log: silentLogger(),
    metrics,
    recordSwitch: () => {},
    providers: [provider],
    config: {
      router: { ...DEFAULT_ROUTER_CONFIG, priority: ['polygon'] },
      shadow: null,
      plans: {},
      maxJumpBps: 1000,
      mismatchBps: 10,
      gateWindowMs: 3_600_000,
      evaluateEveryMs: 250,
      uiFlushEveryMs: 100,
    },
  });
  const seen: MarketEvent[] = [];
  svc.onEvent((_p, e) => seen.push(e));
  svc.start(['NVDA']);
  svc.router.evaluate();
  return { clock, svc, seen, metrics };
}

const trade = (ts: number, price: number): MarketEvent => ({
  type: 'trade',
  trade: { symbol: 'NVDA', ts, price, size: 10, provider: 'polygon' },
});

describe('events from the future', () => {
  it('are refused and counted, and do not block or re-anchor the real stream', async () => {
    const { clock, svc, seen, metrics } = setup();
    expect(svc.router.active('NVDA')).toBe('polygon');
    svc.ingest('polygon', trade(T0, 100));
    clock.advance(1000);
    svc.ingest('polygon', trade(T0 + 10 * 60_000, 150));
    svc.ingest('polygon', {
      type: 'quote',
      quote: { symbol: 'NVDA', ts: T0 + 60_000, bid: 150, ask: 150.1, bidSize: 1, askSize: 1, provider: 'polygon' },
    });
    // The real tape goes on, in order, and is delivered.
    svc.ingest('polygon', trade(T0 + 1000, 100.1));
    expect(seen.map((e) => (e.type === 'trade' ? e.trade.price : e.type))).toEqual([100, 100.1]);
    const rejected = await metrics.registry.getSingleMetricAsString('kestrel_marketdata_rejected_total');
    expect(rejected).toMatch(/reason="future"} 2/);
    await svc.stop();
  });

  it('allows a small lead for clock skew', async () => {
    const { svc, seen } = setup();
    svc.ingest('polygon', trade(T0 + MAX_FUTURE_MS, 100));
    expect(seen).toHaveLength(1);
    await svc.stop();
  });
});
