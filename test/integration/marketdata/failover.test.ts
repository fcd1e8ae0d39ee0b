/**
 * Failover with the real Polygon and Finnhub adapters against their wire fakes over real sockets,
 * through the real MarketDataService: detection, hysteresis, and a clean stream for consumers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ProviderName } from '../../../src/shared/domain';
import { EventBus } from '../../../src/main/bus';
import { SystemClock } from '../../../src/main/clock';
import type { MarketEvent } from '../../../src/main/marketdata/provider';
import { FinnhubProvider } from '../../../src/main/marketdata/providers/finnhub';
import { PolygonProvider } from '../../../src/main/marketdata/providers/polygon';
import { DEFAULT_ROUTER_CONFIG, type ProviderSwitch } from '../../../src/main/marketdata/router';
import { MarketDataService, type MarketDataConfig } from '../../../src/main/marketdata/service';
import { silentLogger } from '../../../src/main/observability/logger';
import { Metrics } from '../../../src/main/observability/metrics';
import { FakeFinnhub } from '../../fakes/providers/finnhub';
import { FakePolygon } from '../../fakes/providers/polygon';
import { waitFor } from '../../helpers/wait';

const STALE_MS = 2000;
const EVAL_MS = 100;

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(switchBackAfterMs = 120_000) {
  const clock = new SystemClock();
  const polygon = await FakePolygon.start();
  const finnhub = await FakeFinnhub.start();
  const metrics = new Metrics();
  const switches: ProviderSwitch[] = [];
  const config: MarketDataConfig = {
    router: { ...DEFAULT_ROUTER_CONFIG, priority: ['polygon', 'finnhub'], staleAfterMs: STALE_MS, switchBackAfterMs },
    shadow: null,
    plans: {},
    maxJumpBps: 1000,
    mismatchBps: 10,
    gateWindowMs: 60_000,
    evaluateEveryMs: EVAL_MS,
    uiFlushEveryMs: 100,
  };
  const service = new MarketDataService({
    clock,
    bus: new EventBus(),
    log: silentLogger(),
    metrics,
    config,
    recordSwitch: (s) => switches.push(s),
    providers: [
      new PolygonProvider({ apiKey: polygon.apiKey, restUrl: polygon.restUrl, wsUrl: polygon.wsUrl, clock }),
      new FinnhubProvider({ apiKey: finnhub.token, restUrl: finnhub.restUrl, wsUrl: finnhub.wsUrl, clock }),
    ],
  });
  const received: { provider: ProviderName; event: MarketEvent; at: number }[] = [];
  service.onEvent((provider, event) => received.push({ provider, event, at: Date.now() }));
  service.start(['NVDA']);
  cleanups.push(
    () => polygon.stop(),
    () => finnhub.stop(),
    () => service.stop(),
  );
  await waitFor(() => polygon.subscribed.has('T.NVDA') && finnhub.subscribed.has('NVDA'));

  // Both feeds print the same tape every 50 ms, as two real vendors would.
  let price = 100;
  let polygonAlive = true;
  const pump = setInterval(() => {
    price += 0.01;
    const t = Date.now();
    if (polygonAlive) polygon.pushTrade({ sym: 'NVDA', p: price, s: 10, t });
    finnhub.pushTrades([{ s: 'NVDA', p: price, t, v: 10 }]);
  }, 50);
  cleanups.push(() => clearInterval(pump));
  return {
    service,
    polygon,
    finnhub,
    switches,
    received,
    metrics,
    silencePolygon: () => (polygonAlive = false),
    revivePolygon: () => (polygonAlive = true),
  };
}

function assertCleanStream(received: { provider: ProviderName; event: MarketEvent }[]) {
  let lastTs = -Infinity;
  for (const r of received) {
    if (r.event.type !== 'trade') continue;
    expect(r.event.trade.ts).toBeGreaterThanOrEqual(lastTs);
    lastTs = r.event.trade.ts;
  }
}

describe('failover over real sockets', () => {
  it('serves from the secondary within the detection threshold when the primary goes silent, and keeps the stream ordered', async () => {
    const { service, switches, received, silencePolygon } = await setup();
    await waitFor(() => service.router.active('NVDA') === 'polygon' && received.length > 5);
    const silencedAt = Date.now();
    silencePolygon();
    await waitFor(() => service.router.active('NVDA') === 'finnhub');
    const detectedIn = Date.now() - silencedAt;
    // Threshold + one evaluation tick, with slack for a loaded machine.
    expect(detectedIn).toBeLessThan(STALE_MS + EVAL_MS + 1000);
    expect(switches.at(-1)).toMatchObject({ from: 'polygon', to: 'finnhub' });
    expect(switches.at(-1)!.reason).toMatch(/failover: polygon silent for \d+ ms/);
    const switchedAt = Date.now();
    await waitFor(() => received.some((r) => r.provider === 'finnhub' && r.at >= switchedAt));
    assertCleanStream(received);
    // Each delivered event came from the provider that was active when it arrived.
    expect(new Set(received.filter((r) => r.at < silencedAt).map((r) => r.provider))).toEqual(new Set(['polygon']));
    expect(new Set(received.filter((r) => r.at >= switchedAt).map((r) => r.provider))).toEqual(new Set(['finnhub']));
  });

  it('fails over at once when the primary socket drops, and switches back only after the hysteresis', async () => {
    const { service, polygon, switches, received } = await setup(3000);
    await waitFor(() => service.router.active('NVDA') === 'polygon' && received.length > 3);
    const droppedAt = Date.now();
    polygon.dropSockets();
    await waitFor(() => service.router.active('NVDA') === 'finnhub');
    expect(Date.now() - droppedAt).toBeLessThan(1000);
    // The adapter reconnects through the connection's backoff; polygon is healthy again but must wait.
    await waitFor(() => service.connection('polygon')?.state === 'connected', 10_000);
    const healthyAt = Date.now();
    await waitFor(() => service.router.active('NVDA') === 'polygon', 10_000);
    expect(Date.now() - healthyAt).toBeGreaterThanOrEqual(3000 - EVAL_MS);
    // Whichever handshake finished first may have been picked at start; the tail is what matters.
    expect(switches.map((s) => s.to).slice(-3)).toEqual(['polygon', 'finnhub', 'polygon']);
    expect(switches.at(-1)!.reason).toMatch(/switch back/);
    assertCleanStream(received);
  });

  it('never lets a zero, crossed or out-of-band price reach consumers', async () => {
    const { service, polygon, received, metrics } = await setup();
    await waitFor(() => service.router.active('NVDA') === 'polygon' && received.length > 3);
    const t = Date.now();
    polygon.pushTrade({ sym: 'NVDA', p: 0, s: 10, t });
    polygon.pushTrade({ sym: 'NVDA', p: 1_000_000, s: 10, t });
    polygon.pushQuote({ sym: 'NVDA', bp: 101, bs: 1, ap: 100, as: 1, t });
    await new Promise((r) => setTimeout(r, 300));
    for (const r of received) {
      if (r.event.type === 'trade') expect(r.event.trade.price).toBeGreaterThan(90);
      if (r.event.type === 'trade') expect(r.event.trade.price).toBeLessThan(200);
      if (r.event.type === 'quote') expect(r.event.quote.bid).toBeLessThanOrEqual(r.event.quote.ask);
    }
    const rejected = (await metrics.registry.getSingleMetricAsString('kestrel_marketdata_rejected_total'))
      .split('\n')
      .filter((l) => l.startsWith('kestrel_'));
    expect(rejected.length).toBeGreaterThanOrEqual(1);
    expect(rejected.reduce((s, l) => s + Number(l.split(' ').at(-1)), 0)).toBeGreaterThanOrEqual(3);
  });
});
