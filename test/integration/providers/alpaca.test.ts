/**
 * The real Alpaca adapter against the Alpaca fake over real sockets: REST bars with page tokens and
 * RFC-3339 (ns) times, the latest quote, the stream handshake and events, and every fault kind
 * including each numbered stream error.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SimulatedClock } from '../../../src/main/clock';
import type { MarketEvent, StreamHandlers, StreamStatus } from '../../../src/main/marketdata/provider';
import {
  ALPACA_STREAM_ERRORS,
  AlpacaProvider,
  type AlpacaOptions,
} from '../../../src/main/marketdata/providers/alpaca';
import { FakeAlpaca, alpacaTime } from '../../fakes/providers/alpaca';

const T0 = Date.UTC(2024, 0, 2, 14, 30); // 09:30 in New York
const MIN = 60_000;
const WAIT = { timeout: 5_000, interval: 10 };

let fake: FakeAlpaca;
let clock: SimulatedClock;
const subscriptions: Array<{ close(): Promise<void> }> = [];

beforeEach(async () => {
  fake = await FakeAlpaca.start();
  clock = new SimulatedClock(T0 + 10 * MIN);
});

afterEach(async () => {
  await Promise.all(subscriptions.splice(0).map((s) => s.close()));
  await fake.stop();
});

function alpaca(extra: Partial<AlpacaOptions> = {}): AlpacaProvider {
  return new AlpacaProvider({
    apiKey: fake.key,
    secret: fake.secret,
    restUrl: fake.restUrl,
    wsUrl: fake.wsUrl,
    clock,
    ...extra,
  });
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

function openStream(p: AlpacaProvider, symbols: string[]) {
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

async function untilSubscribed(symbol: string): Promise<void> {
  await vi.waitFor(() => {
    const s = fake.subscribed;
    expect([s.trades.has(symbol), s.quotes.has(symbol), s.bars.has(symbol)]).toEqual([true, true, true]);
  }, WAIT);
}

const bar = (ms: number, extra: Partial<{ t: string; o: number; v: number; vw: number; n: number }> = {}) => ({
  t: alpacaTime(ms),
  o: 100,
  h: 101,
  l: 99.5,
  c: 100.5,
  v: 1200,
  n: 12,
  vw: 100.2,
  ...extra,
});

describe('Alpaca REST', () => {
  it('pages by next_page_token with key headers, converts RFC-3339 times and keeps [from, to)', async () => {
    fake.pageSize = 2;
    fake.setBars('AAPL', [
      bar(T0),
      bar(T0 + MIN, { t: '2024-01-02T14:31:00.000000000Z', v: 1.029145e6 }),
      bar(T0 + 2 * MIN, { t: '2024-01-02T09:32:00-05:00' }), // an offset form of 14:32Z
      bar(T0 + 3 * MIN),
      bar(T0 + 4 * MIN), // at `end`: Alpaca includes it, our half-open range must not
    ]);
    const res = await alpaca().historicalBars('AAPL', T0, T0 + 4 * MIN);
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
      vw: 100.2,
      n: 12,
      provider: 'alpaca',
    });
    expect(fake.requests).toHaveLength(3);
    for (const r of fake.requests) {
      expect(r.headers['apca-api-key-id']).toBe(fake.key);
      expect(r.headers['apca-api-secret-key']).toBe(fake.secret);
      expect(r.query.get('timeframe')).toBe('1Min');
      expect(r.query.get('feed')).toBe('iex');
      expect(r.query.get('start')).toBe(new Date(T0).toISOString());
    }
    expect(fake.requests[0]!.query.get('page_token')).toBeNull();
    expect(fake.requests[1]!.query.get('page_token')).toBeTruthy();
    expect(fake.requests[2]!.query.get('page_token')).not.toBe(fake.requests[1]!.query.get('page_token'));
  });

  it('reads bars: null as no bars', async () => {
    fake.setBars('AAPL', null);
    expect(await alpaca().historicalBars('AAPL', T0, T0 + MIN)).toEqual({ kind: 'ok', value: [] });
    expect(await alpaca().historicalBars('ZZZZ', T0, T0 + MIN)).toEqual({ kind: 'ok', value: [] });
  });

  it('reads the latest quote with an ns-precision time, truncated to ms', async () => {
    fake.setLatestQuote('AAPL', { t: alpacaTime(T0 + 123, 999_999), bp: 187.49, bs: 3, ap: 187.51, as: 5 });
    expect(await alpaca().latestQuote('AAPL')).toEqual({
      kind: 'ok',
      value: { symbol: 'AAPL', ts: T0 + 123, bid: 187.49, bidSize: 3, ask: 187.51, askSize: 5, provider: 'alpaca' },
    });
  });

  it('passes zero, crossed and stale quotes through', async () => {
    const old = T0 - 3 * 24 * 60 * MIN;
    fake.setLatestQuote('AAPL', { t: alpacaTime(old), bp: 0, bs: 0, ap: 0, as: 0 });
    fake.setLatestQuote('MSFT', { t: alpacaTime(T0), bp: 402.5, bs: 1, ap: 402.1, as: 1 });
    expect(await alpaca().latestQuote('AAPL')).toMatchObject({ kind: 'ok', value: { ts: old, bid: 0, ask: 0 } });
    expect(await alpaca().latestQuote('MSFT')).toMatchObject({ kind: 'ok', value: { bid: 402.5, ask: 402.1 } });
  });

  it('maps 429 to throttled with Retry-After in ms, then recovers', async () => {
    fake.setBars('AAPL', [bar(T0)]);
    fake.throttleRest(3, 1);
    const p = alpaca();
    expect(await p.historicalBars('AAPL', T0, T0 + MIN)).toMatchObject({
      kind: 'throttled',
      status: 429,
      retryAfterMs: 3_000,
    });
    expect(await p.historicalBars('AAPL', T0, T0 + MIN)).toMatchObject({ kind: 'ok', value: [{ ts: T0 }] });
  });

  it('maps a wrong secret (401) and a feed the plan lacks (403) to unauthorized', async () => {
    fake.setBars('AAPL', [bar(T0)]);
    expect(await alpaca({ secret: 'wrong' }).historicalBars('AAPL', T0, T0 + MIN)).toMatchObject({
      kind: 'unauthorized',
      status: 401,
    });
    expect(fake.requests.at(-1)!.headers['apca-api-secret-key']).toBe('wrong');
    fake.entitled = false;
    expect(await alpaca({ feed: 'sip' }).historicalBars('AAPL', T0, T0 + MIN)).toMatchObject({
      kind: 'unauthorized',
      status: 403,
      message: expect.stringContaining('SIP'),
    });
  });

  it('reports broken JSON, bad shapes and bad times as malformed, with no bars', async () => {
    fake.setBars('AAPL', [bar(T0)]);
    fake.setHttpFault({ raw: '{"bars":[{"t":"2024-', times: 1 });
    expect(await alpaca().historicalBars('AAPL', T0, T0 + MIN)).toMatchObject({ kind: 'malformed' });
    fake.setHttpFault({ status: 200, body: { bars: [{ ...bar(T0), t: 'yesterday' }], symbol: 'AAPL' }, times: 1 });
    expect(await alpaca().historicalBars('AAPL', T0, T0 + MIN)).toMatchObject({
      kind: 'malformed',
      message: expect.stringContaining('RFC-3339'),
    });
    fake.setHttpFault({ status: 200, body: { bars: [{ ...bar(T0), t: '2024-02-30T14:30:00Z' }] }, times: 1 });
    expect(await alpaca().historicalBars('AAPL', T0, T0 + MIN)).toMatchObject({ kind: 'malformed' });
    fake.setHttpFault({ status: 200, body: { quote: { t: alpacaTime(T0), bp: 1 } }, times: 1 });
    expect(await alpaca().latestQuote('AAPL')).toMatchObject({ kind: 'malformed' });
  });

  it('maps an unprocessable request (422) to malformed', async () => {
    fake.setHttpFault({ status: 422, body: { code: 42210000, message: 'invalid start' }, times: 1 });
    expect(await alpaca().historicalBars('AAPL', T0, T0 + MIN)).toMatchObject({ kind: 'malformed', status: 422 });
  });

  it('answers ok through latency, and down when the wait exceeds its timeout', async () => {
    fake.setBars('AAPL', [bar(T0)]);
    fake.setHttpFault({ latencyMs: 300, times: 1 });
    expect(await alpaca({ timeoutMs: 5_000 }).historicalBars('AAPL', T0, T0 + MIN)).toMatchObject({ kind: 'ok' });
    fake.setHttpFault({ latencyMs: 1_000, times: 1 });
    expect(await alpaca({ timeoutMs: 50 }).historicalBars('AAPL', T0, T0 + MIN)).toMatchObject({ kind: 'down' });
  });
});

describe('Alpaca stream', () => {
  it('authenticates with key and secret, subscribes and normalises t/q/b', async () => {
    const { rec } = openStream(alpaca(), ['AAPL']);
    await untilConnected(rec);
    expect(rec.statuses).toEqual([{ state: 'connecting' }, { state: 'connected' }]);
    expect(fake.authAttempts).toEqual([{ key: fake.key, secret: fake.secret }]);
    await untilSubscribed('AAPL');

    fake.pushTrade({ S: 'AAPL', p: 187.5, s: 100, t: alpacaTime(T0 + 1_000, 123_456), i: 52983525029461 });
    fake.pushQuote({ S: 'AAPL', bp: 187.49, bs: 3, ap: 187.51, as: 5, t: alpacaTime(T0 + 1_001, 999_999) });
    fake.pushBar({ S: 'AAPL', o: 187, h: 188, l: 186.5, c: 187.5, v: 12_345.5, n: 42, vw: 187.3, t: alpacaTime(T0) });
    await vi.waitFor(() => expect(rec.events).toHaveLength(3), WAIT);
    expect(rec.events).toEqual([
      {
        type: 'trade',
        trade: { symbol: 'AAPL', ts: T0 + 1_000, price: 187.5, size: 100, id: '52983525029461', provider: 'alpaca' },
      },
      {
        type: 'quote',
        quote: { symbol: 'AAPL', ts: T0 + 1_001, bid: 187.49, bidSize: 3, ask: 187.51, askSize: 5, provider: 'alpaca' },
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
          n: 42,
          vw: 187.3,
          provider: 'alpaca',
        },
      },
    ]);
    expect(rec.malformed).toEqual([]);
  });

  it('replaces symbols: unsubscribes the old, subscribes the new', async () => {
    const { rec, sub } = openStream(alpaca(), ['AAPL']);
    await untilSubscribed('AAPL');
    sub.setSymbols(['MSFT']);
    await untilSubscribed('MSFT');
    await vi.waitFor(() => expect(fake.subscribed.trades.has('AAPL')).toBe(false), WAIT);
    fake.pushTrade({ S: 'AAPL', p: 1, s: 1, t: alpacaTime(T0) });
    fake.pushTrade({ S: 'MSFT', p: 402, s: 10, t: alpacaTime(T0) });
    await vi.waitFor(() => expect(rec.events).toHaveLength(1), WAIT);
    expect(rec.events[0]).toMatchObject({ trade: { symbol: 'MSFT', price: 402 } });
  });

  it('passes stale timestamps, zero prices and crossed quotes through unchanged', async () => {
    const { rec } = openStream(alpaca(), ['AAPL']);
    await untilSubscribed('AAPL');
    const old = T0 - 3 * 24 * 60 * MIN;
    fake.pushTrade({ S: 'AAPL', p: 187.5, s: 100, t: alpacaTime(old) });
    fake.pushTrade({ S: 'AAPL', p: 0, s: 100, t: alpacaTime(T0) });
    fake.pushQuote({ S: 'AAPL', bp: 188.2, bs: 1, ap: 187.9, as: 1, t: alpacaTime(T0) });
    fake.pushBar({ S: 'AAPL', o: 0, h: 0, l: 0, c: 0, v: 0, t: alpacaTime(T0) });
    await vi.waitFor(() => expect(rec.events).toHaveLength(4), WAIT);
    expect(rec.events[0]).toMatchObject({ trade: { ts: old, price: 187.5 } });
    expect(rec.events[1]).toMatchObject({ trade: { ts: T0, price: 0 } });
    expect(rec.events[2]).toMatchObject({ quote: { bid: 188.2, ask: 187.9 } });
    expect(rec.events[3]).toMatchObject({ bar: { o: 0, c: 0 } });
    expect(rec.malformed).toEqual([]);
  });

  it('reports malformed frames and messages without turning them into data', async () => {
    const { rec } = openStream(alpaca(), ['AAPL']);
    await untilSubscribed('AAPL');
    fake.sendRaw('[{"T":"t","S":"AAPL",'); // broken JSON
    fake.sendRaw({ T: 't', S: 'AAPL', p: 1, s: 1, t: alpacaTime(T0) }); // not an array
    fake.sendRaw([{ T: 't', S: 'AAPL', p: 1, s: 1, t: T0 }]); // time as a number
    fake.sendRaw([{ T: 't', S: 'AAPL', p: 1, s: 1, t: '2024-01-02 14:30' }]); // not RFC-3339
    fake.sendRaw([{ T: 'q', S: 'AAPL', bp: 1, bs: -1, ap: 1, as: 1, t: alpacaTime(T0) }]); // negative size
    fake.sendRaw([{ S: 'AAPL' }]); // no type
    fake.pushTrade({ S: 'AAPL', p: 187.5, s: 1, t: alpacaTime(T0) });
    await vi.waitFor(() => expect(rec.events).toHaveLength(1), WAIT);
    expect(rec.malformed).toHaveLength(6);
    expect(rec.events[0]).toMatchObject({ trade: { price: 187.5 } });
    expect(rec.disconnect()).toBeUndefined();
  });

  it('reports a wrong secret (error 402) as unauthorized and closes the socket itself', async () => {
    const { rec } = openStream(alpaca({ secret: 'wrong' }), ['AAPL']);
    expect(await untilDisconnected(rec)).toMatchObject({ fault: 'unauthorized', message: 'error 402: auth failed' });
    expect(fake.authAttempts).toEqual([{ key: fake.key, secret: 'wrong' }]);
    expect(rec.statuses.map((s) => s.state)).toEqual(['connecting', 'disconnected']);
    await vi.waitFor(() => expect(fake.openSockets).toBe(0), WAIT);
  });

  it('reports the connection limit (406) as throttled with a back-off, and does not redial', async () => {
    fake.authBehaviour = 'connection_limit';
    const { rec } = openStream(alpaca({ connectionLimitBackoffMs: 30_000 }), ['AAPL']);
    expect(await untilDisconnected(rec)).toMatchObject({ fault: 'throttled', retryAfterMs: 30_000 });
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.connections).toBe(1);
  });

  it('reports the symbol limit (405) as throttled', async () => {
    fake.symbolLimit = 1;
    const { rec } = openStream(alpaca(), ['AAPL', 'MSFT']);
    expect(await untilDisconnected(rec)).toMatchObject({
      fault: 'throttled',
      message: 'error 405: symbol limit exceeded',
    });
  });

  it('reports an insufficient subscription (409) as unauthorized', async () => {
    fake.entitled = false;
    const { rec } = openStream(alpaca(), ['AAPL']);
    expect(await untilDisconnected(rec)).toMatchObject({
      fault: 'unauthorized',
      message: expect.stringContaining('409'),
    });
  });

  it.each([
    [400, 'invalid syntax', 'malformed'],
    [401, 'not authenticated', 'unauthorized'],
    [402, 'auth failed', 'unauthorized'],
    [403, 'already authenticated', 'malformed'],
    [404, 'auth timeout', 'unauthorized'],
    [405, 'symbol limit exceeded', 'throttled'],
    [406, 'connection limit exceeded', 'throttled'],
    [407, 'slow client', 'throttled'],
    [408, 'v2 not enabled', 'unauthorized'],
    [409, 'insufficient subscription', 'unauthorized'],
    [500, 'internal error', 'down'],
    [599, 'something new', 'down'],
  ] as const)('ends the session on error %i (%s) with fault %s', async (code, msg, kind) => {
    const { rec } = openStream(alpaca(), ['AAPL']);
    await untilSubscribed('AAPL');
    fake.sendError(code, msg, { close: code === 407 });
    expect(await untilDisconnected(rec)).toMatchObject({ fault: kind, message: `error ${code}: ${msg}` });
    if (code in ALPACA_STREAM_ERRORS) expect(ALPACA_STREAM_ERRORS[code]).toBe(kind);
    await vi.waitFor(() => expect(fake.openSockets).toBe(0), WAIT);
  });

  it('reports a dropped socket as disconnected/down, once', async () => {
    const { rec } = openStream(alpaca(), ['AAPL']);
    await untilSubscribed('AAPL');
    fake.dropSockets();
    expect(await untilDisconnected(rec)).toMatchObject({ fault: 'down' });
    expect(rec.statuses.map((s) => s.state)).toEqual(['connecting', 'connected', 'disconnected']);
  });

  it('reports down when the provider never answers the auth', async () => {
    fake.authBehaviour = 'silent';
    const { rec } = openStream(alpaca({ handshakeTimeoutMs: 200 }), ['AAPL']);
    expect(await untilDisconnected(rec)).toMatchObject({
      fault: 'down',
      message: expect.stringContaining('no answer'),
    });
  });

  it('closes quietly on request and records heartbeats on the injected clock', async () => {
    const { rec, sub } = openStream(alpaca(), ['AAPL']);
    await untilSubscribed('AAPL');
    clock.advance(7_000);
    fake.pushTrade({ S: 'AAPL', p: 1, s: 1, t: alpacaTime(T0) });
    await vi.waitFor(() => expect(rec.events).toHaveLength(1), WAIT);
    expect(sub.lastHeartbeatAt).toBe(clock.now());
    await sub.close();
    await vi.waitFor(() => expect(fake.openSockets).toBe(0), WAIT);
    expect(rec.disconnect()).toBeUndefined();
  });
});
