/**
 * The real Polygon adapter against the Polygon fake over real sockets: REST aggregates/NBBO with
 * their unit conversions and pagination, the stream handshake and events, and every fault kind.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SimulatedClock } from '../../../src/main/clock';
import type { MarketEvent, StreamHandlers, StreamStatus } from '../../../src/main/marketdata/provider';
import { PolygonProvider, type PolygonOptions } from '../../../src/main/marketdata/providers/polygon';
import { FakePolygon } from '../../fakes/providers/polygon';

const T0 = Date.UTC(2024, 0, 2, 14, 30); // 09:30 in New York
const MIN = 60_000;
const WAIT = { timeout: 5_000, interval: 10 };

let fake: FakePolygon;
let clock: SimulatedClock;
const subscriptions: Array<{ close(): Promise<void> }> = [];

beforeEach(async () => {
  fake = await FakePolygon.start();
  clock = new SimulatedClock(T0 + 10 * MIN);
});

afterEach(async () => {
  await Promise.all(subscriptions.splice(0).map((s) => s.close()));
  await fake.stop();
});

function polygon(extra: Partial<PolygonOptions> = {}): PolygonProvider {
  return new PolygonProvider({ apiKey: fake.apiKey, restUrl: fake.restUrl, wsUrl: fake.wsUrl, clock, ...extra });
}

function recorder() {
  const events: MarketEvent[] = [];
  const statuses: StreamStatus[] = [];
  const malformed: string[] = [];
  const handlers: StreamHandlers = {
    onEvent: (e) => events.push(e),
    onStatus: (s) => statuses.push(s),
    onMalformed: (m) => malformed.push(m),
  };
  const disconnect = () => statuses.find((s) => s.state === 'disconnected');
  return { events, statuses, malformed, handlers, disconnect };
}

function openStream(p: PolygonProvider, symbols: string[]) {
  const rec = recorder();
  const sub = p.stream(symbols, rec.handlers);
  subscriptions.push(sub);
  return { rec, sub };
}

async function untilConnected(rec: ReturnType<typeof recorder>): Promise<void> {
  await vi.waitFor(() => expect(rec.statuses).toContainEqual({ state: 'connected' }), WAIT);
}

async function untilDisconnected(rec: ReturnType<typeof recorder>): Promise<StreamStatus> {
  await vi.waitFor(() => expect(rec.disconnect()).toBeDefined(), WAIT);
  return rec.disconnect()!;
}

async function untilSubscribed(...channels: string[]): Promise<void> {
  await vi.waitFor(() => expect([...fake.subscribed]).toEqual(expect.arrayContaining(channels)), WAIT);
}

const bar = (t: number, extra: Partial<{ o: number; v: number; vw: number; n: number }> = {}) => ({
  t,
  o: 100,
  h: 101,
  l: 99.5,
  c: 100.5,
  v: 1200,
  vw: 100.2,
  n: 12,
  ...extra,
});

describe('Polygon REST', () => {
  it('follows next_url pages on the configured host, keeps [from, to) and float volumes', async () => {
    fake.pageSize = 2;
    fake.setBars('AAPL', [
      bar(T0 - MIN),
      bar(T0),
      bar(T0 + MIN, { v: 1.029145e6, vw: 187.123 }),
      bar(T0 + 2 * MIN),
      bar(T0 + 3 * MIN),
      bar(T0 + 4 * MIN), // at `to`: Polygon includes it, our half-open range must not
    ]);
    const res = await polygon().historicalBars('AAPL', T0, T0 + 4 * MIN);
    expect(res.kind).toBe('ok');
    if (res.kind !== 'ok') return;
    expect(res.value.map((b) => b.ts)).toEqual([T0, T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN]);
    expect(res.value[1]).toEqual({
      symbol: 'AAPL',
      ts: T0 + MIN,
      o: 100,
      h: 101,
      l: 99.5,
      c: 100.5,
      v: 1_029_145,
      vw: 187.123,
      n: 12,
      provider: 'polygon',
    });
    // Five bars in range at two a page: three requests, all to the fake (next_url named
    // api.polygon.io), all carrying the key, the later ones carrying the cursor.
    expect(fake.requests).toHaveLength(3);
    expect(fake.requests.every((r) => r.query.get('apiKey') === fake.apiKey)).toBe(true);
    expect(fake.requests[0]!.query.get('adjusted')).toBe('true');
    expect(fake.requests[0]!.query.get('sort')).toBe('asc');
    expect(fake.requests[0]!.path).toBe(`/v2/aggs/ticker/AAPL/range/1/minute/${T0}/${T0 + 4 * MIN}`);
    expect(fake.requests[1]!.query.get('cursor')).toBeTruthy();
    expect(fake.requests[2]!.query.get('cursor')).toBeTruthy();
  });

  it('reads results: null and a missing results key as no bars', async () => {
    fake.setBars('AAPL', null);
    expect(await polygon().historicalBars('AAPL', T0, T0 + MIN)).toEqual({ kind: 'ok', value: [] });
    // No bars stored for ZZZZ: the fake answers without `results`, as Polygon does for unknown tickers.
    expect(await polygon().historicalBars('ZZZZ', T0, T0 + MIN)).toEqual({ kind: 'ok', value: [] });
  });

  it('converts the last NBBO from ns to ms and maps bid/ask from lower/upper case', async () => {
    fake.setNbbo('AAPL', { p: 187.49, s: 3, P: 187.51, S: 5, t: (T0 + 1234) * 1e6 + 567_891 });
    // A time exactly on a millisecond must not floor to the one before after float rounding.
    fake.setNbbo('MSFT', { p: 402.1, s: 1, P: 402.2, S: 2, t: (T0 + 2) * 1e6 }); // floor(t / 1e6) gives T0 + 1
    const p = polygon();
    expect(await p.latestQuote('AAPL')).toEqual({
      kind: 'ok',
      value: { symbol: 'AAPL', ts: T0 + 1234, bid: 187.49, bidSize: 3, ask: 187.51, askSize: 5, provider: 'polygon' },
    });
    const msft = await p.latestQuote('MSFT');
    expect(msft.kind === 'ok' && msft.value.ts).toBe(T0 + 2);
  });

  it('adds the last trade price when asked, and reads the last trade in ns', async () => {
    fake.setNbbo('AAPL', { p: 187.49, s: 3, P: 187.51, S: 5, t: T0 * 1e6 });
    // 0.999 ms past T0 + 999 ms: truncated to T0 + 999 (an epoch in ns as a JSON number keeps ~0.25 µs).
    fake.setLastTrade('AAPL', { p: 187.5, s: 100, t: (T0 + 999) * 1e6 + 999_000, i: 'trade-7' });
    const p = polygon({ quoteWithLastTrade: true });
    const q = await p.latestQuote('AAPL');
    expect(q).toMatchObject({ kind: 'ok', value: { bid: 187.49, ask: 187.51, last: 187.5, ts: T0 } });
    expect(await p.latestTrade('AAPL')).toEqual({
      kind: 'ok',
      value: { symbol: 'AAPL', ts: T0 + 999, price: 187.5, size: 100, id: 'trade-7', provider: 'polygon' },
    });
  });

  it('passes zero and crossed NBBO prices through for the validator to judge', async () => {
    fake.setNbbo('AAPL', { p: 0, s: 3, P: 0, S: 5, t: T0 * 1e6 });
    fake.setNbbo('MSFT', { p: 402.5, s: 1, P: 402.1, S: 2, t: T0 * 1e6 });
    expect(await polygon().latestQuote('AAPL')).toMatchObject({ kind: 'ok', value: { bid: 0, ask: 0 } });
    expect(await polygon().latestQuote('MSFT')).toMatchObject({ kind: 'ok', value: { bid: 402.5, ask: 402.1 } });
  });

  it('passes a stale NBBO through with its old timestamp', async () => {
    const old = T0 - 3 * 24 * 60 * MIN;
    fake.setNbbo('AAPL', { p: 180, s: 1, P: 180.1, S: 1, t: old * 1e6 });
    expect(await polygon().latestQuote('AAPL')).toMatchObject({ kind: 'ok', value: { ts: old } });
  });

  it('reports a 404 "not found" body as a fault, not a price', async () => {
    expect(await polygon().latestQuote('ZZZZ')).toMatchObject({ kind: 'malformed', status: 404 });
  });

  it('maps 429 to throttled with Retry-After in ms, then recovers', async () => {
    fake.setBars('AAPL', [bar(T0)]);
    fake.throttleRest(7, 1);
    const p = polygon();
    expect(await p.historicalBars('AAPL', T0, T0 + MIN)).toMatchObject({
      kind: 'throttled',
      status: 429,
      retryAfterMs: 7_000,
      message: expect.stringContaining('exceeded the maximum requests'),
    });
    expect((await p.historicalBars('AAPL', T0, T0 + MIN)).kind).toBe('ok');
  });

  it('maps 403 NOT_AUTHORIZED and a wrong key (401) to unauthorized', async () => {
    fake.setNbbo('AAPL', { p: 1, s: 1, P: 1, S: 1, t: T0 * 1e6 });
    fake.notEntitled(1);
    expect(await polygon().latestQuote('AAPL')).toMatchObject({ kind: 'unauthorized', status: 403 });
    const wrong = polygon({ apiKey: 'not-the-key' });
    expect(await wrong.latestQuote('AAPL')).toMatchObject({
      kind: 'unauthorized',
      status: 401,
      message: expect.stringContaining('Unknown API Key'),
    });
    expect(fake.requests.at(-1)!.query.get('apiKey')).toBe('not-the-key');
  });

  it('reports broken JSON and a wrongly shaped body as malformed, with no bars', async () => {
    fake.setBars('AAPL', [bar(T0)]);
    fake.setHttpFault({ raw: '{"ticker":"AAPL","results":[{"t":', times: 1 });
    expect(await polygon().historicalBars('AAPL', T0, T0 + MIN)).toMatchObject({ kind: 'malformed' });
    fake.setHttpFault({ status: 200, body: { status: 'OK', results: [{ t: T0, o: '100' }] }, times: 1 });
    const shaped = await polygon().historicalBars('AAPL', T0, T0 + MIN);
    expect(shaped).toMatchObject({ kind: 'malformed', message: expect.stringContaining('results') });
    fake.setHttpFault({ status: 200, body: { status: 'OK', results: { p: 1 } }, times: 1 });
    expect(await polygon().latestQuote('AAPL')).toMatchObject({ kind: 'malformed' });
  });

  it('answers ok through latency, and down when the wait exceeds its timeout', async () => {
    fake.setBars('AAPL', [bar(T0)]);
    fake.setHttpFault({ latencyMs: 300, times: 1 });
    const slowOk = await polygon({ timeoutMs: 5_000 }).historicalBars('AAPL', T0, T0 + MIN);
    expect(slowOk).toMatchObject({ kind: 'ok', value: [{ ts: T0 }] });
    fake.setHttpFault({ latencyMs: 1_000, times: 1 });
    expect(await polygon({ timeoutMs: 50 }).historicalBars('AAPL', T0, T0 + MIN)).toMatchObject({
      kind: 'down',
      message: 'request timed out',
    });
  });

  it('maps 5xx to down', async () => {
    fake.setHttpFault({ status: 502, body: { status: 'ERROR', error: 'bad gateway' }, times: 1 });
    expect(await polygon().latestQuote('AAPL')).toMatchObject({ kind: 'down', status: 502 });
  });
});

describe('Polygon stream', () => {
  it('authenticates with the key, subscribes T/Q/AM and normalises events', async () => {
    const { rec } = openStream(polygon(), ['AAPL']);
    await untilConnected(rec);
    expect(rec.statuses).toEqual([{ state: 'connecting' }, { state: 'connected' }]);
    expect(fake.authAttempts).toEqual([fake.apiKey]);
    await untilSubscribed('T.AAPL', 'Q.AAPL', 'AM.AAPL');

    fake.pushTrade({ sym: 'AAPL', p: 187.5, s: 100, t: T0 + 1_000, i: 'abc123' });
    fake.pushQuote({ sym: 'AAPL', bp: 187.49, bs: 3, ap: 187.51, as: 5, t: T0 + 1_001 });
    fake.pushBar({ sym: 'AAPL', o: 187, h: 188, l: 186.5, c: 187.5, v: 12_345.5, vw: 187.3, s: T0, e: T0 + MIN });
    await vi.waitFor(() => expect(rec.events).toHaveLength(3), WAIT);
    expect(rec.events).toEqual([
      {
        type: 'trade',
        trade: { symbol: 'AAPL', ts: T0 + 1_000, price: 187.5, size: 100, id: 'abc123', provider: 'polygon' },
      },
      {
        type: 'quote',
        quote: {
          symbol: 'AAPL',
          ts: T0 + 1_001,
          bid: 187.49,
          bidSize: 3,
          ask: 187.51,
          askSize: 5,
          provider: 'polygon',
        },
      },
      {
        type: 'bar',
        bar: {
          symbol: 'AAPL',
          ts: T0,
          o: 187,
          h: 188,
          l: 186.5,
          c: 187.5,
          v: 12_345.5,
          vw: 187.3,
          provider: 'polygon',
        },
      },
    ]);
    expect(rec.malformed).toEqual([]);
  });

  it('replaces symbols: unsubscribes the old, subscribes the new', async () => {
    const { rec, sub } = openStream(polygon(), ['AAPL']);
    await untilSubscribed('T.AAPL');
    sub.setSymbols(['MSFT']);
    await untilSubscribed('T.MSFT', 'Q.MSFT', 'AM.MSFT');
    await vi.waitFor(() => expect(fake.subscribed.has('T.AAPL')).toBe(false), WAIT);
    fake.pushTrade({ sym: 'AAPL', p: 1, s: 1, t: T0 });
    fake.pushTrade({ sym: 'MSFT', p: 402, s: 10, t: T0 });
    await vi.waitFor(() => expect(rec.events).toHaveLength(1), WAIT);
    expect(rec.events[0]).toMatchObject({ type: 'trade', trade: { symbol: 'MSFT', price: 402 } });
  });

  it('subscribes symbols set before authentication once auth succeeds', async () => {
    const { rec, sub } = openStream(polygon(), []);
    sub.setSymbols(['NVDA']);
    await untilConnected(rec);
    await untilSubscribed('T.NVDA', 'Q.NVDA', 'AM.NVDA');
  });

  it('passes stale timestamps, zero prices and crossed quotes through unchanged', async () => {
    const { rec } = openStream(polygon(), ['AAPL']);
    await untilSubscribed('T.AAPL', 'Q.AAPL', 'AM.AAPL');
    const old = T0 - 3 * 24 * 60 * MIN;
    fake.pushTrade({ sym: 'AAPL', p: 187.5, s: 100, t: old });
    fake.pushTrade({ sym: 'AAPL', p: 0, s: 100, t: T0 });
    fake.pushQuote({ sym: 'AAPL', bp: 188.2, bs: 1, ap: 187.9, as: 1, t: T0 });
    fake.pushQuote({ sym: 'AAPL', bp: 0, bs: 0, ap: 0, as: 0, t: T0 });
    fake.pushBar({ sym: 'AAPL', o: 0, h: 0, l: 0, c: 0, v: 0, s: T0, e: T0 + MIN });
    await vi.waitFor(() => expect(rec.events).toHaveLength(5), WAIT);
    expect(rec.events[0]).toMatchObject({ trade: { ts: old, price: 187.5 } });
    expect(rec.events[1]).toMatchObject({ trade: { ts: T0, price: 0 } });
    expect(rec.events[2]).toMatchObject({ quote: { bid: 188.2, ask: 187.9 } });
    expect(rec.events[3]).toMatchObject({ quote: { bid: 0, ask: 0 } });
    expect(rec.events[4]).toMatchObject({ bar: { o: 0, c: 0, v: 0 } });
    expect(rec.malformed).toEqual([]);
  });

  it('reports malformed frames and messages without turning them into data', async () => {
    const { rec } = openStream(polygon(), ['AAPL']);
    await untilSubscribed('T.AAPL');
    fake.sendRaw('[{"ev":"T","sym":"AAPL",'); // broken JSON
    fake.sendRaw({ ev: 'T', sym: 'AAPL', p: 1, s: 1, t: T0 }); // not an array
    fake.sendRaw([{ ev: 'T', sym: 'AAPL', p: '187.5', s: 1, t: T0 }]); // price as a string
    fake.sendRaw([{ ev: 'Q', sym: 'AAPL', bp: 1, bs: 1, ap: 1, as: 1, t: -5 }]); // negative time
    fake.sendRaw([{ sym: 'AAPL' }]); // no event type
    fake.sendRaw([{ ev: 'T', sym: 'aapl', p: 1, s: 1, t: T0 }]); // not a domain symbol
    fake.pushTrade({ sym: 'AAPL', p: 187.5, s: 1, t: T0 });
    await vi.waitFor(() => expect(rec.events).toHaveLength(1), WAIT);
    expect(rec.malformed).toHaveLength(6);
    expect(rec.events[0]).toMatchObject({ trade: { price: 187.5 } });
    expect(rec.disconnect()).toBeUndefined();
  });

  it('treats a provider "error" status as malformed and keeps the stream', async () => {
    const { rec } = openStream(polygon(), ['AAPL']);
    await untilSubscribed('T.AAPL');
    fake.sendStatus('error', 'not entitled to this channel');
    await vi.waitFor(() => expect(rec.malformed).toEqual([expect.stringContaining('not entitled')]), WAIT);
    fake.pushTrade({ sym: 'AAPL', p: 1, s: 1, t: T0 });
    await vi.waitFor(() => expect(rec.events).toHaveLength(1), WAIT);
    expect(rec.disconnect()).toBeUndefined();
  });

  it('reports a wrong key as disconnected/unauthorized, never connected', async () => {
    const { rec } = openStream(polygon({ apiKey: 'wrong' }), ['AAPL']);
    expect(await untilDisconnected(rec)).toMatchObject({
      fault: 'unauthorized',
      message: expect.stringContaining('auth_failed'),
    });
    expect(fake.authAttempts).toEqual(['wrong']);
    expect(rec.statuses.map((s) => s.state)).toEqual(['connecting', 'disconnected']);
    await vi.waitFor(() => expect(fake.openSockets).toBe(0), WAIT);
  });

  it('reports auth_timeout as unauthorized', async () => {
    fake.authBehaviour = 'timeout';
    const { rec } = openStream(polygon(), ['AAPL']);
    expect(await untilDisconnected(rec)).toMatchObject({
      fault: 'unauthorized',
      message: expect.stringContaining('auth_timeout'),
    });
  });

  it('reports max_connections as throttled with a back-off, and does not redial', async () => {
    fake.authBehaviour = 'max_connections';
    const { rec } = openStream(polygon({ maxConnectionsBackoffMs: 45_000 }), ['AAPL']);
    expect(await untilDisconnected(rec)).toMatchObject({
      state: 'disconnected',
      fault: 'throttled',
      retryAfterMs: 45_000,
      message: expect.stringContaining('max_connections'),
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.connections).toBe(1);
    expect(rec.statuses.filter((s) => s.state === 'disconnected')).toHaveLength(1);
  });

  it('reports a dropped socket as disconnected/down, once, and emits nothing after', async () => {
    const { rec } = openStream(polygon(), ['AAPL']);
    await untilSubscribed('T.AAPL');
    fake.dropSockets();
    expect(await untilDisconnected(rec)).toMatchObject({ fault: 'down' });
    fake.pushTrade({ sym: 'AAPL', p: 1, s: 1, t: T0 }); // nobody is subscribed any more
    expect(rec.events).toEqual([]);
    expect(rec.statuses.map((s) => s.state)).toEqual(['connecting', 'connected', 'disconnected']);
  });

  it('reports down when the provider never answers the auth', async () => {
    fake.authBehaviour = 'silent';
    const { rec } = openStream(polygon({ handshakeTimeoutMs: 200 }), ['AAPL']);
    expect(await untilDisconnected(rec)).toMatchObject({
      fault: 'down',
      message: expect.stringContaining('no answer'),
    });
    await vi.waitFor(() => expect(fake.openSockets).toBe(0), WAIT);
  });

  it('reports an unreachable server as down', async () => {
    const { rec } = openStream(polygon({ wsUrl: 'ws://127.0.0.1:1/stocks' }), ['AAPL']);
    expect(await untilDisconnected(rec)).toMatchObject({ fault: 'down' });
  });

  it('closes quietly on request and records heartbeats on the injected clock', async () => {
    const { rec, sub } = openStream(polygon(), ['AAPL']);
    await untilSubscribed('T.AAPL');
    clock.advance(5_000);
    fake.pushTrade({ sym: 'AAPL', p: 1, s: 1, t: T0 });
    await vi.waitFor(() => expect(rec.events).toHaveLength(1), WAIT);
    expect(sub.lastHeartbeatAt).toBe(clock.now());
    await sub.close();
    await vi.waitFor(() => expect(fake.openSockets).toBe(0), WAIT);
    expect(rec.disconnect()).toBeUndefined();
  });
});
