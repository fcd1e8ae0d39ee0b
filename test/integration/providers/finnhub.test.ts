/**
 * The real Finnhub adapter against the Finnhub fake over real sockets: the REST quote (seconds → ms,
 * all-zero unknown symbols), the token-on-URL stream with trade `data[]`, `ping` heartbeats and
 * `error` messages, and every fault kind.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SimulatedClock } from '../../../src/main/clock';
import type { MarketEvent, StreamHandlers, StreamStatus } from '../../../src/main/marketdata/provider';
import { FinnhubProvider, type FinnhubOptions } from '../../../src/main/marketdata/providers/finnhub';
import { FakeFinnhub } from '../../fakes/providers/finnhub';

const T0 = Date.UTC(2024, 0, 2, 14, 30); // 09:30 in New York
const MIN = 60_000;
const WAIT = { timeout: 5_000, interval: 10 };

let fake: FakeFinnhub;
let clock: SimulatedClock;
const subscriptions: Array<{ close(): Promise<void> }> = [];

beforeEach(async () => {
  fake = await FakeFinnhub.start();
  clock = new SimulatedClock(T0 + 10 * MIN);
});

afterEach(async () => {
  await Promise.all(subscriptions.splice(0).map((s) => s.close()));
  await fake.stop();
});

function finnhub(extra: Partial<FinnhubOptions> = {}): FinnhubProvider {
  return new FinnhubProvider({ apiKey: fake.token, restUrl: fake.restUrl, wsUrl: fake.wsUrl, clock, ...extra });
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

function openStream(p: FinnhubProvider, symbols: string[]) {
  const rec = recorder();
  const sub = p.stream(symbols, rec.handlers);
  subscriptions.push(sub);
  return { rec, sub };
}

async function untilDisconnected(rec: ReturnType<typeof recorder>): Promise<StreamStatus> {
  await vi.waitFor(() => expect(rec.disconnect()).toBeDefined(), WAIT);
  return rec.disconnect()!;
}

async function untilSubscribed(...symbols: string[]): Promise<void> {
  await vi.waitFor(() => expect([...fake.subscribed]).toEqual(expect.arrayContaining(symbols)), WAIT);
}

const quote = (c: number, tSeconds: number) => ({
  c,
  d: 1.2,
  dp: 0.64,
  h: c + 1,
  l: c - 1,
  o: c - 0.5,
  pc: c - 1.2,
  t: tSeconds,
});

describe('Finnhub REST quote', () => {
  it('converts t from seconds and reports the last price as a zero-size, zero-spread quote', async () => {
    fake.setQuote('AAPL', quote(187.5, T0 / 1000 + 42));
    expect(await finnhub().latestQuote('AAPL')).toEqual({
      kind: 'ok',
      value: {
        symbol: 'AAPL',
        ts: T0 + 42_000,
        bid: 187.5,
        bidSize: 0,
        ask: 187.5,
        askSize: 0,
        last: 187.5,
        provider: 'finnhub',
      },
    });
    expect(fake.requests[0]!.query.get('token')).toBe(fake.token);
    expect(fake.requests[0]!.query.get('symbol')).toBe('AAPL');
  });

  it("reports Finnhub's all-zero answer for an unknown symbol as a fault, not a price", async () => {
    const res = await finnhub().latestQuote('ZZZZ');
    expect(res).toMatchObject({ kind: 'malformed', message: expect.stringContaining('all zeros') });
  });

  it('passes a stale quote and a zero price with a real time through', async () => {
    const old = T0 - 3 * 24 * 60 * MIN;
    fake.setQuote('AAPL', quote(187.5, old / 1000));
    fake.setQuote('MSFT', { ...quote(0, T0 / 1000), d: null, dp: null });
    expect(await finnhub().latestQuote('AAPL')).toMatchObject({ kind: 'ok', value: { ts: old } });
    expect(await finnhub().latestQuote('MSFT')).toMatchObject({ kind: 'ok', value: { ts: T0, bid: 0, last: 0 } });
  });

  it('maps 429 to throttled with Retry-After in ms, then recovers', async () => {
    fake.setQuote('AAPL', quote(187.5, T0 / 1000));
    fake.throttleRest(60, 1);
    const p = finnhub();
    expect(await p.latestQuote('AAPL')).toMatchObject({
      kind: 'throttled',
      status: 429,
      retryAfterMs: 60_000,
      message: expect.stringContaining('API limit reached'),
    });
    expect((await p.latestQuote('AAPL')).kind).toBe('ok');
  });

  it('maps a wrong token (401) and no access (403) to unauthorized', async () => {
    fake.setQuote('AAPL', quote(187.5, T0 / 1000));
    expect(await finnhub({ apiKey: 'wrong' }).latestQuote('AAPL')).toMatchObject({ kind: 'unauthorized', status: 401 });
    expect(fake.requests.at(-1)!.query.get('token')).toBe('wrong');
    fake.setHttpFault({ status: 403, body: { error: "You don't have access to this resource." }, times: 1 });
    expect(await finnhub().latestQuote('AAPL')).toMatchObject({ kind: 'unauthorized', status: 403 });
  });

  it('reads an error stated in a 200 body by its words', async () => {
    fake.setHttpFault({ status: 200, body: { error: 'API limit reached. Please try again later.' }, times: 1 });
    expect(await finnhub().latestQuote('AAPL')).toMatchObject({ kind: 'throttled' });
    fake.setHttpFault({ status: 200, body: { error: 'Invalid API key' }, times: 1 });
    expect(await finnhub().latestQuote('AAPL')).toMatchObject({ kind: 'unauthorized' });
  });

  it('reports broken JSON and a wrongly shaped body as malformed', async () => {
    fake.setHttpFault({ raw: '{"c":187.5,"d":', times: 1 });
    expect(await finnhub().latestQuote('AAPL')).toMatchObject({ kind: 'malformed' });
    fake.setHttpFault({ status: 200, body: { c: '187.5', t: 1 }, times: 1 });
    expect(await finnhub().latestQuote('AAPL')).toMatchObject({ kind: 'malformed' });
    fake.setHttpFault({ status: 200, body: { ...quote(187.5, 1.5) }, times: 1 }); // fractional seconds
    expect(await finnhub().latestQuote('AAPL')).toMatchObject({ kind: 'malformed' });
  });

  it('answers ok through latency, and down when the wait exceeds its timeout', async () => {
    fake.setQuote('AAPL', quote(187.5, T0 / 1000));
    fake.setHttpFault({ latencyMs: 300, times: 1 });
    expect(await finnhub({ timeoutMs: 5_000 }).latestQuote('AAPL')).toMatchObject({ kind: 'ok' });
    fake.setHttpFault({ latencyMs: 1_000, times: 1 });
    expect(await finnhub({ timeoutMs: 50 }).latestQuote('AAPL')).toMatchObject({ kind: 'down' });
  });
});

describe('Finnhub stream', () => {
  it('connects with the token, subscribes each symbol and turns every data[] print into a trade', async () => {
    const { rec } = openStream(finnhub(), ['AAPL', 'MSFT']);
    await untilSubscribed('AAPL', 'MSFT');
    expect(rec.statuses).toEqual([{ state: 'connecting' }, { state: 'connected' }]);
    expect(fake.clientMessages).toEqual([
      { type: 'subscribe', symbol: 'AAPL' },
      { type: 'subscribe', symbol: 'MSFT' },
    ]);
    fake.pushTrades([
      { s: 'AAPL', p: 187.5, v: 100, t: T0 + 1_000, c: ['1', '12'] },
      { s: 'MSFT', p: 402.25, v: 0.5, t: T0 + 1_001 },
      { s: 'AAPL', p: 187.51, v: 3, t: T0 + 1_002 },
    ]);
    await vi.waitFor(() => expect(rec.events).toHaveLength(3), WAIT);
    expect(rec.events).toEqual([
      { type: 'trade', trade: { symbol: 'AAPL', ts: T0 + 1_000, price: 187.5, size: 100, provider: 'finnhub' } },
      { type: 'trade', trade: { symbol: 'MSFT', ts: T0 + 1_001, price: 402.25, size: 0.5, provider: 'finnhub' } },
      { type: 'trade', trade: { symbol: 'AAPL', ts: T0 + 1_002, price: 187.51, size: 3, provider: 'finnhub' } },
    ]);
    expect(rec.malformed).toEqual([]);
  });

  it('records a ping as a heartbeat on the injected clock, and nothing else', async () => {
    const p = finnhub();
    const { rec, sub } = openStream(p, ['AAPL']);
    await untilSubscribed('AAPL');
    expect(sub.lastHeartbeatAt).toBeNull();
    clock.advance(30_000);
    fake.ping();
    await vi.waitFor(() => expect(sub.lastHeartbeatAt).toBe(T0 + 10 * MIN + 30_000), WAIT);
    expect(p.lastHeartbeatAt).toBe(T0 + 10 * MIN + 30_000);
    clock.advance(30_000);
    fake.ping();
    await vi.waitFor(() => expect(sub.lastHeartbeatAt).toBe(T0 + 10 * MIN + 60_000), WAIT);
    expect(rec.events).toEqual([]);
    expect(rec.malformed).toEqual([]);
    expect(rec.statuses.map((s) => s.state)).toEqual(['connecting', 'connected']);
  });

  it('replaces symbols with unsubscribe and subscribe messages', async () => {
    const { rec, sub } = openStream(finnhub(), ['AAPL']);
    await untilSubscribed('AAPL');
    sub.setSymbols(['MSFT']);
    await untilSubscribed('MSFT');
    await vi.waitFor(() => expect(fake.subscribed.has('AAPL')).toBe(false), WAIT);
    expect(fake.clientMessages).toContainEqual({ type: 'unsubscribe', symbol: 'AAPL' });
    fake.pushTrades([
      { s: 'AAPL', p: 1, v: 1, t: T0 },
      { s: 'MSFT', p: 402, v: 1, t: T0 },
    ]);
    await vi.waitFor(() => expect(rec.events).toHaveLength(1), WAIT);
    expect(rec.events[0]).toMatchObject({ trade: { symbol: 'MSFT' } });
  });

  it('passes stale timestamps and zero prices through unchanged', async () => {
    const { rec } = openStream(finnhub(), ['AAPL']);
    await untilSubscribed('AAPL');
    const old = T0 - 3 * 24 * 60 * MIN;
    fake.pushTrades([
      { s: 'AAPL', p: 187.5, v: 1, t: old },
      { s: 'AAPL', p: 0, v: 1, t: T0 },
    ]);
    await vi.waitFor(() => expect(rec.events).toHaveLength(2), WAIT);
    expect(rec.events[0]).toMatchObject({ trade: { ts: old, price: 187.5 } });
    expect(rec.events[1]).toMatchObject({ trade: { ts: T0, price: 0 } });
  });

  it('reports malformed frames and prints without turning them into data', async () => {
    const { rec } = openStream(finnhub(), ['AAPL']);
    await untilSubscribed('AAPL');
    fake.sendRaw('{"type":"trade","data":['); // broken JSON
    fake.sendRaw([{ type: 'trade' }]); // not an object with a type
    fake.sendRaw({ type: 'trade', data: { p: 1 } }); // data not an array
    fake.sendRaw({
      type: 'trade',
      data: [
        { s: 'AAPL', p: '187.5', v: 1, t: T0 }, // price as a string
        { s: 'AAPL', p: 187.5, v: 1, t: T0 / 1000 + 0.5 }, // not integer ms
        { s: 'AAPL', p: 187.6, v: 2, t: T0 + 5 }, // the one good print
      ],
    });
    await vi.waitFor(() => expect(rec.events).toHaveLength(1), WAIT);
    expect(rec.events[0]).toMatchObject({ trade: { price: 187.6, ts: T0 + 5 } });
    expect(rec.malformed).toHaveLength(5);
    expect(rec.disconnect()).toBeUndefined();
  });

  it('ends on an error about the key (unauthorized) or a limit (throttled)', async () => {
    const a = openStream(finnhub(), ['AAPL']);
    await untilSubscribed('AAPL');
    fake.sendError('Invalid API key');
    expect(await untilDisconnected(a.rec)).toMatchObject({ fault: 'unauthorized', message: 'error: Invalid API key' });
    await vi.waitFor(() => expect(fake.openSockets).toBe(0), WAIT);

    const b = openStream(finnhub(), ['AAPL']);
    await untilSubscribed('AAPL');
    fake.sendError('Subscribing to too many symbols');
    expect(await untilDisconnected(b.rec)).toMatchObject({ fault: 'throttled' });
  });

  it('counts any other error as malformed and keeps streaming', async () => {
    const { rec } = openStream(finnhub(), ['AAPL']);
    await untilSubscribed('AAPL');
    fake.sendError('Invalid symbol');
    fake.pushTrades([{ s: 'AAPL', p: 187.5, v: 1, t: T0 }]);
    await vi.waitFor(() => expect(rec.events).toHaveLength(1), WAIT);
    expect(rec.malformed).toEqual(['provider error: Invalid symbol']);
    expect(rec.disconnect()).toBeUndefined();
  });

  it('reports a token refused at the upgrade (HTTP 401) as unauthorized, never connected', async () => {
    const { rec } = openStream(finnhub({ apiKey: 'wrong' }), ['AAPL']);
    expect(await untilDisconnected(rec)).toMatchObject({
      fault: 'unauthorized',
      message: expect.stringContaining('401'),
    });
    expect(fake.refusedUpgrades).toEqual([401]);
    expect(rec.statuses.map((s) => s.state)).toEqual(['connecting', 'disconnected']);
  });

  it('reports a second connection on the key (HTTP 429 at the upgrade) as throttled', async () => {
    fake.maxConnections = 1;
    const first = openStream(finnhub(), ['AAPL']);
    await untilSubscribed('AAPL');
    const second = openStream(finnhub(), ['MSFT']);
    expect(await untilDisconnected(second.rec)).toMatchObject({ fault: 'throttled' });
    expect(fake.refusedUpgrades).toEqual([429]);
    expect(first.rec.disconnect()).toBeUndefined();
  });

  it('reports a dropped socket as disconnected/down, once', async () => {
    const { rec } = openStream(finnhub(), ['AAPL']);
    await untilSubscribed('AAPL');
    fake.dropSockets();
    expect(await untilDisconnected(rec)).toMatchObject({ fault: 'down' });
    expect(rec.statuses.map((s) => s.state)).toEqual(['connecting', 'connected', 'disconnected']);
  });

  it('closes quietly on request', async () => {
    const { rec, sub } = openStream(finnhub(), ['AAPL']);
    await untilSubscribed('AAPL');
    await sub.close();
    await vi.waitFor(() => expect(fake.openSockets).toBe(0), WAIT);
    expect(rec.disconnect()).toBeUndefined();
  });
});
