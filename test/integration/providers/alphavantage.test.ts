import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../src/main/clock';
import type { ProviderResult } from '../../../src/main/marketdata/provider';
import {
  AV_PER_MINUTE_RETRY_MS,
  AV_PER_SECOND_RETRY_MS,
  AlphaVantageProvider,
} from '../../../src/main/marketdata/providers/alphavantage';
import { fromNewYork } from '../../../src/main/time/newYork';
import { AV_BODIES, AV_MESSAGES, FakeAlphaVantage, type AvBar } from '../../fakes/providers/alphavantage';

const MIN = 60_000;
let fake: FakeAlphaVantage;
let clock: SimulatedClock;
let av: AlphaVantageProvider;

beforeAll(async () => {
  fake = await FakeAlphaVantage.start('TESTKEY');
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.reset();
  // Friday 2026-03-06, 18:00 ET: after the close.
  clock = new SimulatedClock(fromNewYork(2026, 3, 6, 18, 0));
  av = new AlphaVantageProvider({ apiKey: 'TESTKEY', restUrl: fake.restUrl, clock, timeoutMs: 2_000 });
});

/** A fault has no value: nothing in it can be mistaken for a price. */
function expectFault<T>(r: ProviderResult<T>, kind: string): asserts r is Exclude<ProviderResult<T>, { kind: 'ok' }> {
  expect(r.kind).toBe(kind);
  expect(r).not.toHaveProperty('value');
}

describe('Alpha Vantage latestQuote', () => {
  it('parses GLOBAL_QUOTE strings into a quote with bid = ask = last and zero sizes', async () => {
    fake.setQuote('NVDA', { price: '181.2300', latestTradingDay: '2026-03-06', volume: 201_334_455 });
    const r = await av.latestQuote('NVDA');
    expect(r).toEqual({
      kind: 'ok',
      value: {
        symbol: 'NVDA',
        ts: fromNewYork(2026, 3, 6, 16, 0),
        bid: 181.23,
        bidSize: 0,
        ask: 181.23,
        askSize: 0,
        last: 181.23,
        provider: 'alphavantage',
      },
    });
    const req = fake.requests[0]!;
    expect(req.query.get('function')).toBe('GLOBAL_QUOTE');
    expect(req.query.get('symbol')).toBe('NVDA');
    expect(req.query.get('apikey')).toBe('TESTKEY');
  });

  it('stamps a quote of a session still running with now, and an early close with 13:00', async () => {
    clock.set(fromNewYork(2026, 3, 9, 11, 15));
    fake.setQuote('MSFT', { price: 480.5, latestTradingDay: '2026-03-09' });
    const r = await av.latestQuote('MSFT');
    expect(r.kind === 'ok' && r.value.ts).toBe(clock.now());

    clock.set(fromNewYork(2026, 11, 28, 10, 0));
    fake.setQuote('MSFT', { price: 480.5, latestTradingDay: '2026-11-27' });
    const early = await av.latestQuote('MSFT');
    expect(early.kind === 'ok' && early.value.ts).toBe(fromNewYork(2026, 11, 27, 13, 0));
  });

  it('answers {"Global Quote": {}} (unknown symbol) with a fault, never data', async () => {
    const r = await av.latestQuote('NOPE');
    expectFault(r, 'malformed');
    expect(r.message).toMatch(/unknown symbol NOPE/);
  });

  it('reports a quote older than the last completed session as stale', async () => {
    // Friday evening: Thursday's price is a day behind.
    fake.setQuote('NVDA', { price: 181, latestTradingDay: '2026-03-05' });
    expect((await av.latestQuote('NVDA')).kind).toBe('ok');
    fake.setQuote('NVDA', { price: 181, latestTradingDay: '2026-03-04' });
    const r = await av.latestQuote('NVDA');
    expectFault(r, 'stale');
    expect(r.message).toMatch(/2026-03-04/);
    // Over a weekend Friday's price is current; Thursday's is not.
    clock.set(fromNewYork(2026, 3, 8, 12, 0));
    fake.setQuote('NVDA', { price: 181, latestTradingDay: '2026-03-06' });
    expect((await av.latestQuote('NVDA')).kind).toBe('ok');
    fake.setQuote('NVDA', { price: 181, latestTradingDay: '2026-03-05' });
    expect((await av.latestQuote('NVDA')).kind).toBe('stale');
  });

  it('passes a zero price through untouched (validation is downstream)', async () => {
    fake.setQuote('NVDA', { price: '0.0000', latestTradingDay: '2026-03-06' });
    const r = await av.latestQuote('NVDA');
    expect(r.kind === 'ok' && [r.value.bid, r.value.ask, r.value.last]).toEqual([0, 0, 0]);
  });

  it('rejects unparseable strings as malformed', async () => {
    for (const price of ['None', '', '12.3.4', 'NaN', '1e999']) {
      fake.setQuote('NVDA', { price, latestTradingDay: '2026-03-06' });
      expectFault(await av.latestQuote('NVDA'), 'malformed');
    }
    fake.setQuote('NVDA', { price: 1, latestTradingDay: '06/03/2026' });
    expectFault(await av.latestQuote('NVDA'), 'malformed');
  });
});

describe('Alpha Vantage HTTP-200 failure bodies', () => {
  const both = (): Promise<ProviderResult<unknown>>[] => [
    av.latestQuote('NVDA'),
    av.historicalBars('NVDA', fromNewYork(2026, 3, 6, 9, 30), fromNewYork(2026, 3, 6, 16, 0)),
  ];

  beforeEach(() => {
    fake.setQuote('NVDA', { price: 181.23, latestTradingDay: '2026-03-06' });
    fake.setIntraday('NVDA', [{ ts: fromNewYork(2026, 3, 6, 10, 0), o: 1, h: 2, l: 0.5, c: 1.5, v: 10 }]);
  });

  it('turns the per-second Information into throttled with a 1 s wait, never a price', async () => {
    fake.throttle('perSecond', 2);
    for (const r of await Promise.all(both())) {
      expectFault(r, 'throttled');
      expect(r.retryAfterMs).toBe(AV_PER_SECOND_RETRY_MS);
      expect(r.message).toContain('1 request per second');
    }
    // The limit lifts: real data again.
    expect((await av.latestQuote('NVDA')).kind).toBe('ok');
  });

  it('turns the daily-limit Information into throttled until the next midnight ET', async () => {
    fake.throttle('daily', 2);
    for (const r of await Promise.all(both())) {
      expectFault(r, 'throttled');
      // 18:00 ET → midnight ET is 6 h away.
      expect(r.retryAfterMs).toBe(6 * 60 * MIN);
    }
  });

  it('turns the legacy Note into throttled with a minute wait', async () => {
    fake.throttle('legacyNote', 2);
    for (const r of await Promise.all(both())) {
      expectFault(r, 'throttled');
      expect(r.retryAfterMs).toBe(AV_PER_MINUTE_RETRY_MS);
    }
  });

  it('throttles once the fake daily quota is used up', async () => {
    fake.dailyLimit = 2;
    expect((await av.latestQuote('NVDA')).kind).toBe('ok');
    expect((await av.latestQuote('NVDA')).kind).toBe('ok');
    expectFault(await av.latestQuote('NVDA'), 'throttled');
  });

  it('maps a premium-endpoint Information to unauthorized', async () => {
    fake.respondWith(AV_BODIES.premium);
    expectFault(await av.latestQuote('NVDA'), 'unauthorized');
  });

  it('maps Error Message to malformed, and the invalid-key message to unauthorized', async () => {
    fake.respondWith({ 'Error Message': AV_MESSAGES.invalidCall('TIME_SERIES_INTRADAY') });
    const r = await av.historicalBars('NVDA', fromNewYork(2026, 3, 6), fromNewYork(2026, 3, 7));
    expectFault(r, 'malformed');
    expect(r.message).toMatch(/Invalid API call/);
    // Unknown symbols on the intraday endpoint get that message from the fake too.
    expectFault(await av.historicalBars('NOPE', fromNewYork(2026, 3, 6), fromNewYork(2026, 3, 7)), 'malformed');

    const wrongKey = new AlphaVantageProvider({ apiKey: 'WRONG', restUrl: fake.restUrl, clock });
    const results: ProviderResult<unknown>[] = await Promise.all([
      wrongKey.latestQuote('NVDA'),
      wrongKey.historicalBars('NVDA', fromNewYork(2026, 3, 6), fromNewYork(2026, 3, 7)),
    ]);
    for (const r of results) {
      expectFault(r, 'unauthorized');
      expect(r.message).toMatch(/apikey is invalid or missing/);
    }
  });

  it('rejects a body that is not an object', async () => {
    fake.respondWith(['not', 'an', 'object']);
    expectFault(await av.latestQuote('NVDA'), 'malformed');
  });
});

describe('Alpha Vantage transport faults', () => {
  beforeEach(() => fake.setQuote('NVDA', { price: 181.23, latestTradingDay: '2026-03-06' }));

  it('maps 429 with Retry-After to throttled with that wait', async () => {
    fake.server.setHttpFault({
      status: 429,
      headers: { 'Retry-After': '7' },
      body: { message: 'slow down' },
      times: 1,
    });
    const r = await av.latestQuote('NVDA');
    expectFault(r, 'throttled');
    expect(r).toMatchObject({ status: 429, retryAfterMs: 7_000 });
    expect((await av.latestQuote('NVDA')).kind).toBe('ok');
  });

  it('maps 401 and 403 to unauthorized and 5xx to down', async () => {
    for (const [status, kind] of [
      [401, 'unauthorized'],
      [403, 'unauthorized'],
      [500, 'down'],
      [503, 'down'],
    ] as const) {
      fake.server.setHttpFault({ status, body: { error: 'nope' }, times: 1 });
      const r = await av.latestQuote('NVDA');
      expectFault(r, kind);
      expect(r.status).toBe(status);
    }
  });

  it('maps broken JSON to malformed', async () => {
    fake.server.setHttpFault({ raw: '{"Global Quote": {"05. price": "181.2', times: 1 });
    expectFault(await av.latestQuote('NVDA'), 'malformed');
  });

  it('maps a response slower than the timeout to down', async () => {
    const slow = new AlphaVantageProvider({ apiKey: 'TESTKEY', restUrl: fake.restUrl, clock, timeoutMs: 150 });
    fake.server.setHttpFault({ latencyMs: 600, times: 1 });
    const r = await slow.latestQuote('NVDA');
    expectFault(r, 'down');
    expect(r.message).toMatch(/timed out/);
  });

  it('maps a refused connection to down', async () => {
    const gone = new AlphaVantageProvider({ apiKey: 'TESTKEY', restUrl: 'http://127.0.0.1:9', clock });
    expectFault(await gone.latestQuote('NVDA'), 'down');
  });
});

describe('Alpha Vantage historicalBars', () => {
  it('converts US/Eastern keys to UTC across the DST switch and returns oldest first', async () => {
    clock.set(fromNewYork(2026, 3, 10, 20, 0));
    // Keys written by hand, newest first as on the wire. 2026-03-08 is the switch to EDT.
    fake.setRawIntraday('NVDA', {
      '2026-03-09 09:31:00': {
        '1. open': '182.0000',
        '2. high': '182.5000',
        '3. low': '181.9000',
        '4. close': '182.1000',
        '5. volume': '2000',
      },
      '2026-03-09 09:30:00': {
        '1. open': '181.5000',
        '2. high': '182.1000',
        '3. low': '181.4000',
        '4. close': '182.0000',
        '5. volume': '3500',
      },
      '2026-03-06 15:59:00': {
        '1. open': '180.0000',
        '2. high': '180.4000',
        '3. low': '179.9000',
        '4. close': '180.2500',
        '5. volume': '12345',
      },
      '2026-03-06 09:30:00': {
        '1. open': '178.1000',
        '2. high': '178.9000',
        '3. low': '177.8800',
        '4. close': '178.5000',
        '5. volume': '40000',
      },
    });
    const r = await av.historicalBars('NVDA', Date.UTC(2026, 2, 6), Date.UTC(2026, 2, 10));
    expect(r.kind).toBe('ok');
    if (r.kind !== 'ok') return;
    expect(r.value.map((b) => b.ts)).toEqual([
      Date.UTC(2026, 2, 6, 14, 30), // EST: UTC−5
      Date.UTC(2026, 2, 6, 20, 59),
      Date.UTC(2026, 2, 9, 13, 30), // EDT: UTC−4
      Date.UTC(2026, 2, 9, 13, 31),
    ]);
    expect(r.value[1]).toEqual({
      symbol: 'NVDA',
      ts: Date.UTC(2026, 2, 6, 20, 59),
      o: 180,
      h: 180.4,
      l: 179.9,
      c: 180.25,
      v: 12345,
      provider: 'alphavantage',
    });
    const req = fake.requests[0]!;
    expect(Object.fromEntries(req.query)).toMatchObject({
      function: 'TIME_SERIES_INTRADAY',
      symbol: 'NVDA',
      interval: '1min',
      outputsize: 'full',
      apikey: 'TESTKEY',
    });
    expect(req.query.has('month')).toBe(false);
  });

  it('converts the November switch back to EST too', async () => {
    clock = new SimulatedClock(fromNewYork(2025, 11, 4, 12, 0));
    av = new AlphaVantageProvider({ apiKey: 'TESTKEY', restUrl: fake.restUrl, clock });
    fake.setRawIntraday('MSFT', {
      '2025-11-03 09:30:00': { '1. open': '1', '2. high': '1', '3. low': '1', '4. close': '1', '5. volume': '1' },
      '2025-10-31 09:30:00': { '1. open': '1', '2. high': '1', '3. low': '1', '4. close': '1', '5. volume': '1' },
    });
    const r = await av.historicalBars('MSFT', Date.UTC(2025, 9, 31), Date.UTC(2025, 10, 4));
    expect(r.kind === 'ok' && r.value.map((b) => b.ts)).toEqual([
      Date.UTC(2025, 9, 31, 13, 30),
      Date.UTC(2025, 10, 3, 14, 30),
    ]);
  });

  it('filters to [from, to) and round-trips bars written by the fake', async () => {
    clock.set(fromNewYork(2026, 3, 9, 20, 0));
    const open = fromNewYork(2026, 3, 9, 9, 30);
    const bars: AvBar[] = Array.from({ length: 30 }, (_, i) => ({
      ts: open + i * MIN,
      o: 100 + i,
      h: 101 + i,
      l: 99 + i,
      c: 100.5 + i,
      v: 1000 + i,
    }));
    fake.setIntraday('NVDA', bars);
    const r = await av.historicalBars('NVDA', open + 5 * MIN, open + 10 * MIN);
    expect(r.kind === 'ok' && r.value.map((b) => [b.ts, b.o, b.v])).toEqual(
      [5, 6, 7, 8, 9].map((i) => [open + i * MIN, 100 + i, 1000 + i]),
    );
    expect(await av.historicalBars('NVDA', open, open)).toEqual({ kind: 'ok', value: [] });
  });

  it('passes zero and crossed prices through intact', async () => {
    clock.set(fromNewYork(2026, 3, 9, 20, 0));
    const t = fromNewYork(2026, 3, 9, 10, 0);
    fake.setIntraday('NVDA', [
      { ts: t, o: 0, h: 0, l: 0, c: 0, v: 0 },
      { ts: t + MIN, o: 181, h: 179, l: 183, c: 180, v: 500 },
    ]);
    const r = await av.historicalBars('NVDA', t, t + 2 * MIN);
    expect(r.kind === 'ok' && r.value.map(({ o, h, l, c, v }) => [o, h, l, c, v])).toEqual([
      [0, 0, 0, 0, 0],
      [181, 179, 183, 180, 500],
    ]);
  });

  it('rejects bad strings, bad keys, negative volume and a foreign time zone as malformed', async () => {
    clock.set(fromNewYork(2026, 3, 9, 20, 0));
    const good = { '1. open': '1', '2. high': '1', '3. low': '1', '4. close': '1', '5. volume': '1' };
    const cases: [Record<string, Record<string, string>>, Record<string, string>?][] = [
      [{ '2026-03-09 10:00:00': { ...good, '4. close': 'abc' } }],
      [{ '2026-03-09 10:00:00': { ...good, '5. volume': '-5' } }],
      [{ '2026-03-09 10:00:00': { '1. open': '1', '2. high': '1', '3. low': '1', '4. close': '1' } }],
      [{ '2026-03-09T10:00:00Z': good }],
      [{ '2026-13-09 10:00:00': good }],
      [{ '2026-03-09 10:00:00': good }, { '6. Time Zone': 'UTC' }],
    ];
    for (const [series, meta] of cases) {
      fake.setRawIntraday('NVDA', series, meta);
      const r = await av.historicalBars('NVDA', fromNewYork(2026, 3, 9), fromNewYork(2026, 3, 10));
      expectFault(r, 'malformed');
    }
  });

  it('asks month by month for ranges older than the trailing window', async () => {
    clock.set(fromNewYork(2026, 3, 9, 20, 0));
    fake.setIntraday('NVDA', [
      { ts: fromNewYork(2025, 12, 31, 15, 59), o: 1, h: 1, l: 1, c: 1, v: 1 },
      { ts: fromNewYork(2026, 1, 2, 9, 30), o: 2, h: 2, l: 2, c: 2, v: 2 },
    ]);
    const r = await av.historicalBars('NVDA', fromNewYork(2025, 12, 31), fromNewYork(2026, 1, 3));
    expect(r.kind === 'ok' && r.value.map((b) => b.o)).toEqual([1, 2]);
    expect(fake.requests.map((q) => q.query.get('month'))).toEqual(['2025-12', '2026-01']);
  });

  it('stops at the first fault of a multi-month fetch', async () => {
    clock.set(fromNewYork(2026, 3, 9, 20, 0));
    fake.setIntraday('NVDA', [{ ts: fromNewYork(2025, 12, 31, 15, 59), o: 1, h: 1, l: 1, c: 1, v: 1 }]);
    fake.dailyLimit = 1;
    const r = await av.historicalBars('NVDA', fromNewYork(2025, 12, 31), fromNewYork(2026, 1, 3));
    expectFault(r, 'throttled');
    expect(fake.requests).toHaveLength(2);
  });
});
