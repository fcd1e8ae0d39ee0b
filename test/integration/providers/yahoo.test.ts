import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../src/main/clock';
import type { ProviderResult } from '../../../src/main/marketdata/provider';
import { YAHOO_USER_AGENT, YahooProvider, lastRegularMoment } from '../../../src/main/marketdata/providers/yahoo';
import { fromNewYork } from '../../../src/main/time/newYork';
import { FakeYahoo, type YahooPoint } from '../../fakes/providers/yahoo';

const MIN = 60_000;
const DAY = 86_400_000;
let fake: FakeYahoo;
let clock: SimulatedClock;
let yahoo: YahooProvider;

beforeAll(async () => {
  fake = await FakeYahoo.start();
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.reset();
  clock = new SimulatedClock(fromNewYork(2026, 3, 10, 12, 0));
  yahoo = new YahooProvider({ restUrl: fake.restUrl, clock, timeoutMs: 2_000 });
});

function expectFault<T>(r: ProviderResult<T>, kind: string): asserts r is Exclude<ProviderResult<T>, { kind: 'ok' }> {
  expect(r.kind).toBe(kind);
  expect(r).not.toHaveProperty('value');
}

const bar = (ts: number, base: number, v = 1000): YahooPoint => ({
  ts,
  o: base,
  h: base + 0.5,
  l: base - 0.5,
  c: base + 0.25,
  v,
});

describe('Yahoo historicalBars', () => {
  const open = fromNewYork(2026, 3, 9, 9, 30);

  it('reads the parallel arrays, skips null gaps, and returns oldest first', async () => {
    fake.setChart('NVDA', {
      points: [
        bar(open, 180),
        { ts: open + MIN, gap: true },
        { ts: open + 2 * MIN, o: 181, h: 181.2, l: 180.9, c: 181.1, v: null },
        { ts: open + 3 * MIN, o: null, h: 181.2, l: 180.9, c: 181.1, v: 300 },
        bar(open + 4 * MIN, 182, 2500),
        bar(open + 5 * MIN, 183),
      ],
    });
    const r = await yahoo.historicalBars('NVDA', open, open + 5 * MIN);
    expect(r).toEqual({
      kind: 'ok',
      value: [
        { symbol: 'NVDA', ts: open, o: 180, h: 180.5, l: 179.5, c: 180.25, v: 1000, provider: 'yahoo' },
        { symbol: 'NVDA', ts: open + 4 * MIN, o: 182, h: 182.5, l: 181.5, c: 182.25, v: 2500, provider: 'yahoo' },
      ],
    });
    for (const b of r.kind === 'ok' ? r.value : []) {
      for (const x of [b.o, b.h, b.l, b.c, b.v]) expect(Number.isFinite(x)).toBe(true);
    }
    const req = fake.requests[0]!;
    expect(req.path).toBe('/v8/finance/chart/NVDA');
    expect(req.query.get('interval')).toBe('1m');
    expect(req.query.get('period1')).toBe(String(open / 1000));
    expect(req.query.get('period2')).toBe(String((open + 5 * MIN) / 1000));
    expect(req.headers['user-agent']).toBe(YAHOO_USER_AGENT);
  });

  it('sorts out-of-order points and drops a live, unaligned last point', async () => {
    fake.setRawChart('NVDA', {
      chart: {
        result: [
          {
            meta: { symbol: 'NVDA', regularMarketPrice: 181, regularMarketTime: (open + 2 * MIN + 17_000) / 1000 },
            timestamp: [(open + MIN) / 1000, open / 1000, (open + 2 * MIN + 17_000) / 1000],
            indicators: {
              quote: [{ open: [2, 1, 3], high: [2, 1, 3], low: [2, 1, 3], close: [2, 1, 3], volume: [20, 10, 30] }],
            },
          },
        ],
        error: null,
      },
    });
    const r = await yahoo.historicalBars('NVDA', open, open + 10 * MIN);
    expect(r.kind === 'ok' && r.value.map((b) => [b.ts, b.o])).toEqual([
      [open, 1],
      [open + MIN, 2],
    ]);
  });

  it('splits ranges over 7 days into 7-day requests across the DST switch', async () => {
    const from = fromNewYork(2026, 3, 2, 9, 30);
    const to = fromNewYork(2026, 3, 13, 16, 0);
    const points: YahooPoint[] = [];
    for (let d = 2; d <= 13; d++) points.push(bar(fromNewYork(2026, 3, d, 9, 30), 100 + d));
    fake.setChart('MSFT', { points });
    clock.set(fromNewYork(2026, 3, 14, 12, 0));
    const r = await yahoo.historicalBars('MSFT', from, to);
    expect(r.kind).toBe('ok');
    if (r.kind !== 'ok') return;
    expect(r.value.map((b) => b.ts)).toEqual(points.map((p) => p.ts));
    // 09:30 ET is 14:30Z before 2026-03-08 and 13:30Z after.
    expect(new Date(r.value[0]!.ts).toISOString()).toBe('2026-03-02T14:30:00.000Z');
    expect(new Date(r.value.at(-1)!.ts).toISOString()).toBe('2026-03-13T13:30:00.000Z');
    expect(fake.requests).toHaveLength(2);
    for (const q of fake.requests) {
      expect(Number(q.query.get('period2')) - Number(q.query.get('period1'))).toBeLessThanOrEqual(7 * 86_400);
    }
  });

  it('returns no bars for a range without trading (no timestamp array)', async () => {
    fake.setChart('NVDA', { points: [bar(open, 180)] });
    const sat = fromNewYork(2026, 3, 7, 9, 30);
    expect(await yahoo.historicalBars('NVDA', sat, sat + DAY)).toEqual({ kind: 'ok', value: [] });
  });

  it('passes zero and crossed prices through intact', async () => {
    fake.setChart('NVDA', {
      points: [
        { ts: open, o: 0, h: 0, l: 0, c: 0, v: 0 },
        { ts: open + MIN, o: 181, h: 179, l: 183, c: 180, v: 5 },
      ],
    });
    const r = await yahoo.historicalBars('NVDA', open, open + 2 * MIN);
    expect(r.kind === 'ok' && r.value.map(({ o, h, l, c, v }) => [o, h, l, c, v])).toEqual([
      [0, 0, 0, 0, 0],
      [181, 179, 183, 180, 5],
    ]);
  });

  it('turns chart.error for an unknown symbol (HTTP 404) into a fault', async () => {
    const r = await yahoo.historicalBars('NOPE', open, open + MIN);
    expectFault(r, 'malformed');
    expect(r.message).toMatch(/unknown symbol NOPE/);
    expect(r.status).toBe(404);
    // The same error with HTTP 200 is still an error.
    fake.setRawChart('GONE', { chart: { result: null, error: { code: 'Not Found', description: 'delisted' } } });
    expectFault(await yahoo.historicalBars('GONE', open, open + MIN), 'malformed');
  });

  it('rejects wrong types, mismatched arrays and a missing result as malformed', async () => {
    const t = open / 1000;
    const bodies = [
      { timestamp: [t], indicators: { quote: [{ open: ['180'], high: [1], low: [1], close: [1], volume: [1] }] } },
      { timestamp: [t, t + 60], indicators: { quote: [{ open: [1], high: [1], low: [1], close: [1], volume: [1] }] } },
      { timestamp: [t], indicators: { quote: [{ open: [1], high: [1], low: [1], close: [1] }] } },
      { timestamp: [t], indicators: { quote: [{ open: [1], high: [1], low: [1], close: [1], volume: [-1] }] } },
    ];
    for (const extra of bodies) {
      fake.setRawChart('NVDA', { chart: { result: [{ meta: { symbol: 'NVDA' }, ...extra }], error: null } });
      expectFault(await yahoo.historicalBars('NVDA', open, open + MIN), 'malformed');
    }
    fake.setRawChart('NVDA', { chart: { result: [], error: null } });
    expectFault(await yahoo.historicalBars('NVDA', open, open + MIN), 'malformed');
    fake.setRawChart('NVDA', { finance: { result: null } });
    expectFault(await yahoo.historicalBars('NVDA', open, open + MIN), 'malformed');
  });

  it("reports Yahoo's own 7-day refusal (HTTP 422) as malformed", async () => {
    fake.setChart('NVDA', { points: [bar(open, 180)] });
    const wide = await fetch(
      `${fake.restUrl}/v8/finance/chart/NVDA?interval=1m&period1=${open / 1000}&period2=${open / 1000 + 8 * 86_400}`,
    );
    expect(wide.status).toBe(422);
    fake.server.setHttpFault({ status: 422, body: await wide.json(), times: 1 });
    expectFault(await yahoo.historicalBars('NVDA', open, open + MIN), 'malformed');
  });
});

describe('Yahoo latestQuote', () => {
  it('reads meta.regularMarketPrice and regularMarketTime into bid = ask = last with zero sizes', async () => {
    const t = fromNewYork(2026, 3, 10, 11, 58);
    fake.setChart('NVDA', { points: [bar(t, 180)], price: 181.07, marketTime: t + 30_000 });
    const r = await yahoo.latestQuote('NVDA');
    expect(r).toEqual({
      kind: 'ok',
      value: {
        symbol: 'NVDA',
        ts: t + 30_000,
        bid: 181.07,
        bidSize: 0,
        ask: 181.07,
        askSize: 0,
        last: 181.07,
        provider: 'yahoo',
      },
    });
    expect(fake.requests[0]!.query.get('range')).toBe('1d');
  });

  it('reports a price far behind the open market as stale, but not the close over a weekend', async () => {
    fake.setChart('NVDA', { points: [], price: 181, marketTime: fromNewYork(2026, 3, 10, 10, 0) });
    const r = await yahoo.latestQuote('NVDA');
    expectFault(r, 'stale');
    expect(r.message).toMatch(/120 min behind/);

    clock.set(fromNewYork(2026, 3, 14, 12, 0)); // Saturday
    fake.setChart('NVDA', { points: [], price: 181, marketTime: fromNewYork(2026, 3, 13, 16, 0) });
    expect((await yahoo.latestQuote('NVDA')).kind).toBe('ok');
    fake.setChart('NVDA', { points: [], price: 181, marketTime: fromNewYork(2026, 3, 12, 16, 0) });
    expectFault(await yahoo.latestQuote('NVDA'), 'stale');
  });

  it('passes a zero price through and rejects meta without a price', async () => {
    fake.setChart('NVDA', { points: [], price: 0, marketTime: clock.now() - 1_000 });
    const r = await yahoo.latestQuote('NVDA');
    expect(r.kind === 'ok' && [r.value.bid, r.value.ask, r.value.last]).toEqual([0, 0, 0]);
    fake.setRawChart('NVDA', { chart: { result: [{ meta: { symbol: 'NVDA' } }], error: null } });
    expectFault(await yahoo.latestQuote('NVDA'), 'malformed');
  });

  it('finds the last regular moment for the stale rule', () => {
    const mid = fromNewYork(2026, 3, 10, 12, 0);
    expect(lastRegularMoment(mid)).toBe(mid);
    expect(lastRegularMoment(fromNewYork(2026, 3, 10, 8, 0))).toBe(fromNewYork(2026, 3, 9, 16, 0));
    expect(lastRegularMoment(fromNewYork(2026, 3, 10, 18, 0))).toBe(fromNewYork(2026, 3, 10, 16, 0));
    expect(lastRegularMoment(fromNewYork(2026, 3, 9, 9, 0))).toBe(fromNewYork(2026, 3, 6, 16, 0));
    expect(lastRegularMoment(Date.UTC(1990, 0, 2))).toBeNull();
  });
});

describe('Yahoo transport faults', () => {
  beforeEach(() => {
    fake.setChart('NVDA', { points: [], price: 181, marketTime: clock.now() - 1_000 });
  });

  it('maps 429 with Retry-After to throttled with that wait', async () => {
    fake.server.setHttpFault({ status: 429, headers: { 'Retry-After': '30' }, body: 'Too Many Requests', times: 1 });
    const r = await yahoo.latestQuote('NVDA');
    expectFault(r, 'throttled');
    expect(r).toMatchObject({ status: 429, retryAfterMs: 30_000 });
    expect((await yahoo.latestQuote('NVDA')).kind).toBe('ok');
  });

  it('maps 401 and 403 to unauthorized and 5xx to down', async () => {
    for (const [status, kind] of [
      [401, 'unauthorized'],
      [403, 'unauthorized'],
      [502, 'down'],
    ] as const) {
      fake.server.setHttpFault({
        status,
        body: { finance: { result: null, error: { code: 'Unauthorized', description: 'Invalid Crumb' } } },
        times: 1,
      });
      const r = await yahoo.historicalBars('NVDA', 0, MIN);
      expectFault(r, kind);
      expect(r.status).toBe(status);
    }
  });

  it('maps broken JSON to malformed', async () => {
    fake.server.setHttpFault({ raw: '{"chart":{"result":[{"meta":', times: 1 });
    expectFault(await yahoo.latestQuote('NVDA'), 'malformed');
  });

  it('maps a response slower than the timeout to down', async () => {
    const slow = new YahooProvider({ restUrl: fake.restUrl, clock, timeoutMs: 150 });
    fake.server.setHttpFault({ latencyMs: 600, times: 1 });
    const r = await slow.latestQuote('NVDA');
    expectFault(r, 'down');
    expect(r.message).toMatch(/timed out/);
  });
});
