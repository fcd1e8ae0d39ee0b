import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../src/main/clock';
import { ibFixed, ibTiered, noCommission } from '../../../src/main/execution/commission';
import { ManualScheduler } from '../../../src/main/execution/scheduler';
import {
  SimulatedBroker,
  type SimQuote,
  type SimulatedBrokerOptions,
} from '../../../src/main/execution/simulatedBroker';
import type { BrokerReport, OrderRequest } from '../../../src/main/execution/types';

const T0 = 1_772_460_000_000;
let seq = 0;
function order(over: Partial<OrderRequest> = {}): OrderRequest {
  return {
    clientOrderId: `K-20260302-${++seq}`,
    symbol: 'NVDA',
    side: 'BUY',
    quantity: 100,
    type: 'MKT',
    tif: 'DAY',
    mode: 'shadow',
    origin: 'signal',
    ts: T0,
    ...over,
  };
}

function setup(opts: Partial<SimulatedBrokerOptions> = {}) {
  const clock = new SimulatedClock(T0);
  const quotes = new Map<string, SimQuote>([['NVDA', { bid: 99.9, ask: 100.1, ts: T0 }]]);
  const broker = new SimulatedBroker({
    clock,
    quotes: (s) => quotes.get(s) ?? null,
    commission: noCommission,
    ...opts,
  });
  const reports: BrokerReport[] = [];
  broker.onReport((r) => reports.push(r));
  const fills = () => reports.filter((r): r is Extract<BrokerReport, { type: 'fill' }> => r.type === 'fill');
  return { clock, quotes, broker, reports, fills };
}

describe('simulated broker', () => {
  it('fills a market buy at the ask and a sell at the bid, moved by slippage', () => {
    const { broker, reports, fills } = setup({ slippageBps: 10 });
    expect(broker.submit(order())).toEqual({ ok: true });
    expect(reports.map((r) => r.type)).toEqual(['submitted', 'accepted', 'fill']);
    expect(fills()[0]).toMatchObject({ quantity: 100, price: 100.2001 }); // 100.1 × 1.001
    broker.submit(order({ side: 'SELL' }));
    expect(fills()[1]!.price).toBeCloseTo(99.8001, 4); // 99.9 × 0.999
    expect(broker.workingCount()).toBe(0);
  });

  it('rejects a market order without a quote', () => {
    const { broker, reports } = setup();
    broker.submit(order({ symbol: 'MSFT' }));
    expect(reports.at(-1)).toMatchObject({ type: 'rejected', reason: 'no quote for MSFT' });
  });

  it('rests a limit order until marketable and never fills through its limit', () => {
    const { broker, quotes, fills } = setup({ slippageBps: 50 });
    const o = order({ type: 'LMT', limitPrice: 99.5 });
    broker.submit(o);
    expect(fills()).toHaveLength(0);
    expect(broker.workingCount()).toBe(1);
    quotes.set('NVDA', { bid: 99.3, ask: 99.45, ts: T0 + 1 });
    broker.onQuote('NVDA');
    expect(fills()).toHaveLength(1);
    expect(fills()[0]!.price).toBe(99.5); // 99.45 + 50 bps would be 99.947: capped at the limit
  });

  it('fills partially, one chunk per match, with unique exec ids', () => {
    const { broker, fills } = setup({ maxFillPerMatch: 30 });
    const o = order();
    broker.submit(o);
    broker.onQuote('NVDA');
    broker.onQuote('NVDA');
    broker.onQuote('NVDA');
    broker.onQuote('NVDA');
    expect(fills().map((f) => f.quantity)).toEqual([30, 30, 30, 10]);
    expect(new Set(fills().map((f) => f.execId)).size).toBe(4);
    expect(fills()[0]!.execId).toBe(`${o.clientOrderId}.1`);
    expect(broker.workingCount()).toBe(0);
  });

  it('IOC cancels what does not fill at once', () => {
    const { broker, reports } = setup({ maxFillPerMatch: 40 });
    broker.submit(order({ tif: 'IOC' }));
    expect(reports.map((r) => r.type)).toEqual(['submitted', 'accepted', 'fill', 'canceled']);
  });

  it('delays every report by the latency through the scheduler', () => {
    const clock = new SimulatedClock(T0);
    const scheduler = new ManualScheduler(clock);
    const reports: BrokerReport[] = [];
    const broker = new SimulatedBroker({
      clock,
      scheduler,
      latencyMs: 50,
      quotes: () => ({ bid: 10, ask: 10.02, ts: T0 }),
    });
    broker.onReport((r) => reports.push(r));
    broker.submit(order());
    expect(reports).toHaveLength(0);
    scheduler.advance(49);
    expect(reports).toHaveLength(0);
    scheduler.advance(1);
    expect(reports.map((r) => [r.type, r.ts])).toEqual([
      ['submitted', T0 + 50],
      ['accepted', T0 + 50],
      ['fill', T0 + 50],
    ]);
  });

  it('a cancel that crosses a fill is refused; one that arrives first cancels', () => {
    const { broker, quotes, reports } = setup();
    const resting = order({ type: 'LMT', limitPrice: 90 });
    broker.submit(resting);
    expect(broker.cancel(resting.clientOrderId)).toEqual({ ok: true });
    expect(reports.at(-1)).toMatchObject({ type: 'canceled', clientOrderId: resting.clientOrderId });
    expect(broker.cancel(resting.clientOrderId)).toMatchObject({ ok: false });
    quotes.set('NVDA', { bid: 50, ask: 50.1, ts: T0 });
    broker.onQuote('NVDA');
    expect(reports.filter((r) => r.type === 'fill')).toHaveLength(0);
  });

  it('cancelAll sweeps every working order locally, even with latency', async () => {
    const clock = new SimulatedClock(T0);
    const scheduler = new ManualScheduler(clock);
    const reports: BrokerReport[] = [];
    const broker = new SimulatedBroker({
      clock,
      scheduler,
      latencyMs: 100,
      quotes: () => ({ bid: 10, ask: 10.1, ts: T0 }),
    });
    broker.onReport((r) => reports.push(r));
    const a = order({ type: 'LMT', limitPrice: 9 });
    const b = order({ type: 'LMT', limitPrice: 9.5 });
    broker.submit(a);
    broker.submit(b);
    scheduler.advance(100);
    broker.submit(order()); // still on the wire when the sweep runs
    await broker.cancelAll();
    const canceled = reports
      .filter((r) => r.type === 'canceled')
      .map((r) => (r as { clientOrderId: string }).clientOrderId);
    expect(canceled).toHaveLength(3);
    expect(canceled).toEqual(expect.arrayContaining([a.clientOrderId, b.clientOrderId]));
    scheduler.advance(1_000);
    expect(reports.filter((r) => r.type === 'fill')).toHaveLength(0);
    expect(broker.workingCount()).toBe(0);
  });

  it('expires DAY orders but keeps GTC ones', () => {
    const { broker, reports } = setup();
    broker.submit(order({ type: 'LMT', limitPrice: 90 }));
    broker.submit(order({ type: 'LMT', limitPrice: 90, tif: 'GTC' }));
    expect(broker.expireDayOrders()).toBe(1);
    expect(reports.at(-1)!.type).toBe('expired');
    expect(broker.workingCount()).toBe(1);
  });

  it('charges IB fixed per order across partial fills', () => {
    const { broker, fills } = setup({ commission: ibFixed, maxFillPerMatch: 100 });
    broker.submit(order({ quantity: 300 }));
    broker.onQuote('NVDA');
    broker.onQuote('NVDA');
    // 300 × $0.005 = $1.50 for the order: the $1 minimum covers 200 shares, the last 100 add $0.50.
    expect(fills().map((f) => f.commission)).toEqual([1, 0, 0.5]);
  });

  it('snapshot reports open orders, executions since a time and positions', async () => {
    const { broker, clock } = setup();
    broker.submit(order({ quantity: 10 }));
    clock.advance(1_000);
    broker.submit(order({ quantity: 4, side: 'SELL' }));
    broker.submit(order({ type: 'LMT', limitPrice: 90 }));
    const snap = await broker.snapshot(T0 + 500);
    expect(snap.executions).toHaveLength(1);
    expect(snap.openOrders).toHaveLength(1);
    expect(snap.positions).toEqual([{ account: 'SIM', symbol: 'NVDA', quantity: 6, avgCost: 100.1 }]);
  });

  it('refuses bad options with a clear message', () => {
    expect(() => setup({ slippageBps: -1 })).toThrow(/slippageBps/);
    expect(() => setup({ maxFillPerMatch: 0 })).toThrow(/maxFillPerMatch/);
  });
});

describe('commission models', () => {
  it('IB fixed: $0.005/share, min $1, max 1% of value', () => {
    expect(ibFixed.orderCommission({ side: 'BUY', shares: 100, value: 10_000, monthVolume: 0 })).toBe(1);
    expect(ibFixed.orderCommission({ side: 'BUY', shares: 1_000, value: 50_000, monthVolume: 0 })).toBe(5);
    // 1% of a $20 trade is below the $1 minimum: IB charges the 1%.
    expect(ibFixed.orderCommission({ side: 'BUY', shares: 10, value: 20, monthVolume: 0 })).toBe(0.2);
    // 10,000 shares at $0.40: 1% of $4,000 = $40 caps the $50.
    expect(ibFixed.orderCommission({ side: 'BUY', shares: 10_000, value: 4_000, monthVolume: 0 })).toBe(40);
  });

  it('IB tiered: per-share rate by monthly volume, min $0.35, clearing and TAF on sales', () => {
    const buy = (shares: number, monthVolume: number) =>
      ibTiered.orderCommission({ side: 'BUY', shares, value: shares * 50, monthVolume });
    expect(buy(1_000, 0)).toBeCloseTo(3.5 + 0.2, 6);
    expect(buy(1_000, 500_000)).toBeCloseTo(2 + 0.2, 6);
    expect(buy(1_000, 200_000_000)).toBeCloseTo(0.5 + 0.2, 6);
    expect(buy(10, 0)).toBeCloseTo(0.35 + 0.002, 6);
    const sell = ibTiered.orderCommission({ side: 'SELL', shares: 1_000, value: 50_000, monthVolume: 0 });
    expect(sell).toBeCloseTo(3.5 + 0.2 + 0.166, 4);
  });
});
