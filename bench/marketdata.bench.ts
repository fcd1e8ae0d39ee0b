/**
 * Market-data intake throughput: a Polygon-format trade stream over a real loopback WebSocket
 * through the real adapter (parse, zod validation, normalisation), price validation and the router,
 * to a consumer. Baseline in the same run: bare JSON.parse of the same frames.
 * Also: event-loop lag p99 while 20k messages/s flow.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import { EventBus } from '../src/main/bus';
import { SystemClock } from '../src/main/clock';
import { PolygonProvider } from '../src/main/marketdata/providers/polygon';
import { DEFAULT_ROUTER_CONFIG } from '../src/main/marketdata/router';
import { MarketDataService } from '../src/main/marketdata/service';
import { silentLogger } from '../src/main/observability/logger';
import { Metrics } from '../src/main/observability/metrics';
import { FakePolygon } from '../test/fakes/providers/polygon';
import { printBench } from './report';

const SYMBOLS = Array.from({ length: 50 }, (_, i) => `S${String(i).padStart(2, '0')}`);
const TOTAL = Number(process.env.KESTREL_BENCH_MESSAGES ?? 1_000_000);
const PER_FRAME = 500;

function frames(count: number, startTs: number): string[] {
  const out: string[] = [];
  const price = SYMBOLS.map((_, i) => 50 + i);
  let n = 0;
  while (n < count) {
    const batch = [];
    for (let k = 0; k < PER_FRAME && n < count; k++, n++) {
      const s = n % SYMBOLS.length;
      price[s]! += (((n * 7919) % 13) - 6) * 0.001;
      batch.push({
        ev: 'T',
        sym: SYMBOLS[s],
        x: 4,
        i: String(n),
        z: 3,
        p: Number(price[s]!.toFixed(4)),
        s: 100,
        c: [12],
        t: startTs + Math.floor(n / 50),
        q: n,
      });
    }
    out.push(JSON.stringify(batch));
  }
  return out;
}

async function setup() {
  const fake = await FakePolygon.start();
  const clock = new SystemClock();
  const svc = new MarketDataService({
    clock,
    bus: new EventBus(),
    log: silentLogger(),
    metrics: new Metrics(),
    recordSwitch: () => {},
    providers: [new PolygonProvider({ apiKey: fake.apiKey, restUrl: fake.restUrl, wsUrl: fake.wsUrl, clock })],
    config: {
      router: { ...DEFAULT_ROUTER_CONFIG, priority: ['polygon'], staleAfterMs: 60_000 },
      shadow: null,
      plans: {},
      maxJumpBps: 1000,
      mismatchBps: 10,
      gateWindowMs: 60_000,
      evaluateEveryMs: 250,
      uiFlushEveryMs: 100,
    },
  });
  let delivered = 0;
  svc.onEvent(() => void delivered++);
  svc.start(SYMBOLS);
  const deadline = Date.now() + 10_000;
  while (!fake.subscribed.has(`T.${SYMBOLS.at(-1)}`) || svc.router.active(SYMBOLS[0]!) !== 'polygon') {
    if (Date.now() > deadline) throw new Error('polygon stream did not come up');
    fake.pushTrade({ sym: SYMBOLS[0]!, p: 50, s: 1, t: Date.now() - 10_000 });
    await new Promise((r) => setTimeout(r, 20));
  }
  return { fake, svc, delivered: () => delivered };
}

it('Polygon trade stream: parse → validate → normalise → route', async () => {
  const { fake, svc, delivered } = await setup();
  // Trades are stamped 1 ms apart per 50 messages; start far enough back that the last is not in the
  // future (the service refuses events more than 2 s ahead of the clock).
  const data = frames(TOTAL, Date.now() - Math.ceil(TOTAL / 50) - 1000);
  const t0 = performance.now();
  let parsed = 0;
  for (const f of data) parsed += (JSON.parse(f) as unknown[]).length;
  const parseMs = performance.now() - t0;
  expect(parsed).toBe(TOTAL);

  const before = delivered();
  const t1 = performance.now();
  for (const f of data) fake.sendRaw(f);
  while (delivered() - before < TOTAL && performance.now() - t1 < 120_000) await new Promise((r) => setImmediate(r));
  const pipelineMs = performance.now() - t1;
  const got = delivered() - before;
  const pipelineRate = (got / pipelineMs) * 1000;
  const parseRate = (TOTAL / parseMs) * 1000;
  printBench(
    `market data intake, ${TOTAL.toLocaleString('en-US')} trades, ${SYMBOLS.length} symbols, ${PER_FRAME} per frame`,
    [
      {
        name: 'pipeline (loopback WS → adapter → validate → router)',
        value: pipelineRate,
        unit: 'msg/s',
        target: '≥ 500,000',
      },
      { name: 'baseline: bare JSON.parse of the same frames', value: parseRate, unit: 'msg/s' },
      { name: 'delivered to the consumer', value: got, unit: 'msgs' },
    ],
    { label: 'pipeline / bare JSON.parse', value: pipelineRate / parseRate },
  );
  expect(got).toBe(TOTAL);
  await svc.stop();
  await fake.stop();
}, 300_000);

it('event-loop lag while 20k messages/s flow', async () => {
  const { fake, svc, delivered } = await setup();
  const seconds = 5;
  const perTick = 200; // every 10 ms
  const data = frames(20_000 * seconds, Date.now());
  const chunks: string[] = [];
  for (const f of data) {
    const arr = JSON.parse(f) as unknown[];
    for (let i = 0; i < arr.length; i += perTick) chunks.push(JSON.stringify(arr.slice(i, i + perTick)));
  }
  const h = monitorEventLoopDelay({ resolution: 1 });
  const before = delivered();
  h.enable();
  let i = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      fake.sendRaw(chunks[i++]!);
      if (i >= chunks.length) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
  await new Promise((r) => setTimeout(r, 200));
  h.disable();
  printBench('event-loop lag at 20k msg/s (sender and engine share this loop)', [
    { name: 'lag p50', value: h.percentile(50) / 1e6, unit: 'ms' },
    { name: 'lag p99', value: h.percentile(99) / 1e6, unit: 'ms', target: '< 10 ms' },
    { name: 'lag max', value: h.max / 1e6, unit: 'ms' },
    { name: 'messages delivered', value: delivered() - before, unit: 'msgs' },
  ]);
  expect(delivered() - before).toBe(20_000 * seconds);
  await svc.stop();
  await fake.stop();
}, 120_000);
