/**
 * Throttling is not an outage, an HTTP-200 throttle body is never a price, and shadow data never
 * reaches the hot path: real adapters against their wire fakes, through the real service.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ProviderName } from '../../../src/shared/domain';
import { EventBus } from '../../../src/main/bus';
import { SystemClock } from '../../../src/main/clock';
import { nyDateKey } from '../../../src/main/time/newYork';
import type { MarketDataProvider, MarketEvent } from '../../../src/main/marketdata/provider';
import { AlphaVantageProvider } from '../../../src/main/marketdata/providers/alphavantage';
import { FinnhubProvider } from '../../../src/main/marketdata/providers/finnhub';
import { PolygonProvider } from '../../../src/main/marketdata/providers/polygon';
import { previousTradingDay } from '../../../src/main/marketdata/calendar';
import { DEFAULT_ROUTER_CONFIG } from '../../../src/main/marketdata/router';
import { MarketDataService, type MarketDataConfig, type ProviderPlan } from '../../../src/main/marketdata/service';
import { silentLogger } from '../../../src/main/observability/logger';
import { Metrics } from '../../../src/main/observability/metrics';
import { FakeAlphaVantage } from '../../fakes/providers/alphavantage';
import { FakeFinnhub } from '../../fakes/providers/finnhub';
import { FakePolygon } from '../../fakes/providers/polygon';
import { waitFor } from '../../helpers/wait';

/** The latest finished session as Alpha Vantage would report it today, so the quote is never stale. */
const lastCompleteSession = (): string => previousTradingDay(nyDateKey(Date.now()));

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function service(
  providers: MarketDataProvider[],
  over: Partial<MarketDataConfig> = {},
  plans: Partial<Record<ProviderName, ProviderPlan>> = {},
) {
  const metrics = new Metrics();
  const svc = new MarketDataService({
    clock: new SystemClock(),
    bus: new EventBus(),
    log: silentLogger(),
    metrics,
    recordSwitch: () => {},
    providers,
    config: {
      router: { ...DEFAULT_ROUTER_CONFIG, priority: providers.map((p) => p.name) },
      shadow: null,
      plans,
      maxJumpBps: 1000,
      mismatchBps: 10,
      gateWindowMs: 60_000,
      evaluateEveryMs: 100,
      uiFlushEveryMs: 100,
      ...over,
    },
  });
  const received: { provider: ProviderName; event: MarketEvent }[] = [];
  svc.onEvent((provider, event) => received.push({ provider, event }));
  cleanups.push(() => svc.stop());
  return { svc, metrics, received };
}

describe('budgets and throttling', () => {
  it('an Alpha Vantage HTTP-200 throttle body makes the provider throttled, not down, and is never a price', async () => {
    const av = await FakeAlphaVantage.start();
    cleanups.push(() => av.stop());
    av.setQuote('NVDA', { price: 123.45, latestTradingDay: lastCompleteSession() });
    av.throttle('daily', 100);
    const { svc, received } = service([
      new AlphaVantageProvider({ apiKey: av.apiKey, restUrl: av.restUrl, clock: new SystemClock() }),
    ]);
    svc.start(['NVDA']);
    await waitFor(() => svc.connection('alphavantage')?.state === 'throttled');
    const row = svc.providerRows()[0]!;
    expect(row.state).toBe('throttled');
    expect(row.reason).toMatch(/25 requests per day|rate limit|daily/i);
    expect(received).toEqual([]);
    expect(svc.latestTicks()).toEqual([]);
    expect(av.calls).toBeGreaterThanOrEqual(1);
  });

  it('an exhausted request budget answers throttled without calling the provider', async () => {
    const av = await FakeAlphaVantage.start();
    cleanups.push(() => av.stop());
    av.setQuote('NVDA', { price: 123.45, latestTradingDay: lastCompleteSession() });
    const provider = new AlphaVantageProvider({ apiKey: av.apiKey, restUrl: av.restUrl, clock: new SystemClock() });
    const { svc } = service([provider], {}, { alphavantage: { perMinute: 60, perDay: 2, costPerRequestUsd: 0.01 } });
    const conn = svc.connection('alphavantage')!;
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await conn.request((signal) => provider.latestQuote!('NVDA', signal)));
    expect(results.map((r) => r.kind)).toEqual(['ok', 'ok', 'throttled']);
    expect(av.calls).toBe(2);
    const row = svc.providerRows()[0]!;
    expect(row.requestsToday).toBe(2);
    expect(row.dailyCap).toBe(2);
    expect(row.breaker).toBe('closed');
  });
});

describe('shadow comparison', () => {
  it('compares the shadow feed and never delivers it: hotpath_shadow_reads_total stays 0', async () => {
    const polygon = await FakePolygon.start();
    const finnhub = await FakeFinnhub.start();
    cleanups.push(
      () => polygon.stop(),
      () => finnhub.stop(),
    );
    const clock = new SystemClock();
    const { svc, metrics, received } = service(
      [
        new PolygonProvider({ apiKey: polygon.apiKey, restUrl: polygon.restUrl, wsUrl: polygon.wsUrl, clock }),
        new FinnhubProvider({ apiKey: finnhub.token, restUrl: finnhub.restUrl, wsUrl: finnhub.wsUrl, clock }),
      ],
      { shadow: { provider: 'finnhub', symbols: ['NVDA'] } },
    );
    svc.start(['NVDA']);
    await waitFor(() => polygon.subscribed.has('T.NVDA') && finnhub.subscribed.has('NVDA'));
    await waitFor(
      () =>
        svc.router.active('NVDA') === 'polygon' ||
        (polygon.pushTrade({ sym: 'NVDA', p: 100, s: 1, t: Date.now() }), false),
    );
    for (let i = 0; i < 40; i++) {
      const t = Date.now();
      polygon.pushTrade({ sym: 'NVDA', p: 100 + i * 0.01, s: 1, t });
      // Every fourth shadow print is 0.5% off: a mismatch beyond 0.1%.
      finnhub.pushTrades([{ s: 'NVDA', p: (100 + i * 0.01) * (i % 4 === 0 ? 1.005 : 1), t, v: 1 }]);
      await new Promise((r) => setTimeout(r, 10));
    }
    await waitFor(() => (svc.shadow.stats('finnhub').comparisons ?? 0) >= 30);
    expect(received.length).toBeGreaterThan(0);
    expect(received.every((r) => r.provider === 'polygon')).toBe(true);
    const stats = svc.shadow.stats('finnhub');
    expect(stats.mismatchRate).toBeGreaterThan(0.15);
    expect(stats.mismatchRate).toBeLessThan(0.35);
    expect(svc.providerRows().find((r) => r.name === 'finnhub')!.state).toBe('shadow');
    expect(await metrics.registry.getSingleMetricAsString('hotpath_shadow_reads_total')).toMatch(
      /hotpath_shadow_reads_total 0$/m,
    );
  });

  it('the hot-path guard counts any shadow event that reaches delivery (so the 0 above means something)', () => {
    const { svc, metrics, received } = service([], { shadow: { provider: 'finnhub', symbols: ['NVDA'] } });
    svc.deliver('finnhub', { type: 'trade', trade: { symbol: 'NVDA', ts: 1, price: 1, size: 1, provider: 'finnhub' } });
    expect(received).toEqual([]);
    return expect(metrics.registry.getSingleMetricAsString('hotpath_shadow_reads_total')).resolves.toMatch(
      /hotpath_shadow_reads_total 1$/m,
    );
  });
});
