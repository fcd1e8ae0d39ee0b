/** The IB connection manager and IBKR market data, real @stoqey/ib client against the fake gateway. */
import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../src/main/clock';
import { IbConnection, IbNotConnectedError } from '../../../src/main/ibkr/connection';
import type { MarketEvent, StreamStatus } from '../../../src/main/marketdata/provider';
import { IbkrProvider, parseIbBarTime } from '../../../src/main/marketdata/providers/ibkr';
import { FakeIbGateway } from '../../fakes/ibGateway';
import { until } from '../../helpers/wait';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(opts: ConstructorParameters<typeof FakeIbGateway>[0] = {}) {
  const gw = new FakeIbGateway(opts);
  await gw.start();
  const conn = new IbConnection({ port: gw.port, clock: new SystemClock(), reconnectMs: 100, maxReconnectMs: 400 });
  cleanups.push(
    () => gw.stop(),
    () => conn.close(),
  );
  return { gw, conn };
}

describe('IB connection', () => {
  it('is connected only after both nextValidId and managedAccounts, and allows paper trading', async () => {
    const { conn, gw } = await setup({ accounts: ['DU1234567'], nextValidId: 41 });
    expect(() => conn.ensureConnected()).toThrow(IbNotConnectedError);
    conn.start();
    await until('connected', () => conn.isConnected());
    expect(conn.accounts).toEqual(['DU1234567']);
    expect(conn.tradingAllowed()).toEqual({ allowed: true });
    expect(conn.nextOrderId()).toBe(41);
    expect(conn.nextOrderId()).toBe(42);
    expect(gw.connectedClientIds()).toEqual([17]);
  });

  it('refuses to trade a non-DU account, saying why', async () => {
    const { conn } = await setup({ accounts: ['U7654321'] });
    conn.start();
    await until('connected', () => conn.isConnected());
    expect(conn.tradingAllowed()).toEqual({
      allowed: false,
      reason: 'account U7654321 is not a paper account (DU…); Kestrel trades paper accounts only',
    });
  });

  it('reconnects after a gateway restart with the same fixed clientId, and never reuses an order id', async () => {
    const { conn, gw } = await setup({ nextValidId: 100 });
    const states: string[] = [];
    conn.onState((s) => states.push(s));
    conn.start();
    await until('connected', () => conn.isConnected());
    expect([conn.nextOrderId(), conn.nextOrderId()]).toEqual([100, 101]);
    await gw.restart({ nextValidId: 1 });
    await until('disconnected', () => states.includes('disconnected'));
    await until(
      'reconnected',
      () => conn.isConnected() && states.filter((s) => s === 'connected').length === 2,
      10_000,
    );
    // The gateway rolled back to 1; we continue from our own high-water mark.
    expect(conn.nextOrderId()).toBe(102);
    expect(gw.connectedClientIds()).toEqual([17]);
  });

  it('treats 1100 as disconnected until 1102 restores the link', async () => {
    const { conn, gw } = await setup();
    conn.start();
    await until('connected', () => conn.isConnected());
    gw.sendRaw(17, [4, 2, -1, 1100, 'Connectivity between IB and Trader Workstation has been lost.', '']);
    await until('lost', () => !conn.isConnected());
    expect(conn.tradingAllowed()).toMatchObject({ allowed: false, reason: expect.stringMatching(/1100/) });
    gw.sendRaw(17, [4, 2, -1, 1102, 'Connectivity between IB and TWS has been restored - data maintained.', '']);
    await until('restored', () => conn.isConnected());
  });
});

describe('IBKR market data provider', () => {
  it('turns ticks into quotes and trades, and 5-second bars into minute bars', async () => {
    const { conn, gw } = await setup({ prices: { AAPL: 190 } });
    conn.start();
    await until('connected', () => conn.isConnected());
    const provider = new IbkrProvider({ connection: conn, clock: new SystemClock() });
    const events: MarketEvent[] = [];
    const statuses: StreamStatus[] = [];
    const malformed: string[] = [];
    const sub = provider.stream(['AAPL'], {
      onEvent: (e) => events.push(e),
      onStatus: (s) => statuses.push(s),
      onMalformed: (m) => malformed.push(m),
    });
    cleanups.push(() => sub.close());
    await until(
      'quote and trade',
      () => events.some((e) => e.type === 'quote') && events.some((e) => e.type === 'trade'),
    );
    const q = events.find((e) => e.type === 'quote');
    expect(q).toMatchObject({ type: 'quote', quote: { symbol: 'AAPL', bid: 189.99, ask: 190.01, provider: 'ibkr' } });
    expect(events.find((e) => e.type === 'trade')).toMatchObject({
      trade: { symbol: 'AAPL', price: 190, provider: 'ibkr' },
    });
    gw.setPrice('AAPL', 191);
    await until('new last', () => events.some((e) => e.type === 'trade' && e.trade.price === 191));

    await gw.waitForReceived('REQ_REAL_TIME_BARS');
    const t0 = 1_767_364_200; // 2026-01-02 14:30:00 UTC, on a minute
    const five = (i: number, c: number) => ({
      time: t0 + i * 5,
      open: c - 0.1,
      high: c + 0.2,
      low: c - 0.3,
      close: c,
      volume: 100,
      wap: c,
      count: 3,
    });
    for (let i = 0; i < 12; i++) gw.pushRealTimeBar('AAPL', five(i, 190 + i * 0.01));
    gw.pushRealTimeBar('AAPL', five(12, 191)); // the next minute starts: the first one is complete
    const bar = await until('minute bar', () => events.find((e) => e.type === 'bar'));
    expect(bar).toMatchObject({ bar: { symbol: 'AAPL', ts: t0 * 1000, o: 189.9, c: 190.11, v: 1200, n: 36 } });
    expect(bar.type === 'bar' && bar.bar.h).toBeCloseTo(190.31, 10);
    expect(malformed).toEqual([]);
    expect(statuses[0]).toEqual({ state: 'connecting' });
  });

  it('reports a disconnect, an unknown symbol gives no price, and history maps dates', async () => {
    const { conn, gw } = await setup({ prices: { MSFT: 410 } });
    conn.start();
    await until('connected', () => conn.isConnected());
    const provider = new IbkrProvider({ connection: conn, clock: new SystemClock(), timeoutMs: 3000 });
    gw.setHistoricalBars('MSFT', [
      {
        date: '20260102 09:30:00 US/Eastern',
        open: 1,
        high: 2,
        low: 0.5,
        close: 1.5,
        volume: 100,
        wap: 1.2,
        count: 10,
      },
      {
        date: '20260102 09:31:00 US/Eastern',
        open: 1.5,
        high: 2.5,
        low: 1,
        close: 2,
        volume: 200,
        wap: 1.8,
        count: 20,
      },
    ]);
    const from = Date.UTC(2026, 0, 2, 14, 30);
    const history = await provider.historicalBars('MSFT', from, from + 120_000);
    expect(history).toMatchObject({
      kind: 'ok',
      value: [
        { ts: from, c: 1.5, vw: 1.2, n: 10 },
        { ts: from + 60_000, c: 2, v: 200 },
      ],
    });
    expect(await provider.historicalBars('ZZZZ', from, from + 60_000)).toEqual({ kind: 'ok', value: [] });

    const statuses: StreamStatus[] = [];
    const events: MarketEvent[] = [];
    const sub = provider.stream(['MSFT'], {
      onEvent: (e) => events.push(e),
      onStatus: (s) => statuses.push(s),
      onMalformed: () => {},
    });
    cleanups.push(() => sub.close());
    await until('trade', () => events.some((e) => e.type === 'trade'));
    gw.disconnectClients();
    await until('disconnected', () => statuses.some((s) => s.state === 'disconnected'));
    expect(await provider.historicalBars('MSFT', from, from + 60_000)).toMatchObject({ kind: 'down' });
  });

  it('parses both IB bar date formats', () => {
    expect(parseIbBarTime('1767364200')).toBe(1_767_364_200_000);
    expect(parseIbBarTime('20260102 09:30:00 US/Eastern')).toBe(Date.UTC(2026, 0, 2, 14, 30));
    expect(parseIbBarTime('20260702 09:30:00')).toBe(Date.UTC(2026, 6, 2, 13, 30));
    expect(parseIbBarTime('yesterday')).toBeNull();
  });
});
