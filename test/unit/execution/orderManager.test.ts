import { afterEach, describe, expect, it } from 'vitest';
import type { TradingStateName } from '../../../src/shared/domain';
import { SimulatedClock } from '../../../src/main/clock';
import { ibFixed } from '../../../src/main/execution/commission';
import { OrderManager, type ExecutionUpdate, type NewOrder } from '../../../src/main/execution/orderManager';
import { RiskEngine, type RiskConfig } from '../../../src/main/execution/risk';
import { SimulatedBroker, type SimQuote } from '../../../src/main/execution/simulatedBroker';
import { openDatabase, type Db } from '../../../src/main/storage/db';
import { tempDir } from '../../helpers/tmp';
import { ScriptedBroker } from './fakeBroker';

// 2026-03-02 10:00 New York (EST).
const T0 = Date.UTC(2026, 2, 2, 15, 0);
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function setup(opts: { dir?: string; risk?: Partial<RiskConfig>; clock?: SimulatedClock } = {}) {
  const t = opts.dir ? { dir: opts.dir, cleanup: () => {} } : tempDir();
  const db: Db = openDatabase(t.dir);
  cleanups.push(() => db.open && db.close(), t.cleanup);
  const clock = opts.clock ?? new SimulatedClock(T0);
  const quotes = new Map<string, SimQuote>([
    ['NVDA', { bid: 99.9, ask: 100.1, ts: T0 }],
    ['MSFT', { bid: 399.8, ask: 400.2, ts: T0 }],
  ]);
  const quote = (s: string) => {
    const q = quotes.get(s);
    return q ? { price: (q.bid + q.ask) / 2, ts: q.ts } : null;
  };
  const sim = new SimulatedBroker({ clock, quotes: (s) => quotes.get(s) ?? null, commission: ibFixed });
  const live = new ScriptedBroker();
  const halts: string[] = [];
  const alerts: { level: string; title: string; message: string }[] = [];
  let state: TradingStateName = 'ACTIVE';
  const risk = new RiskEngine({
    clock,
    config: { duplicateWindowMs: 0, maxQuoteAgeMs: null, ordersPerSecond: 1_000, orderBurst: 1_000, ...opts.risk },
    requestHalt: (r) => halts.push(r),
  });
  const updates: ExecutionUpdate[] = [];
  const oms = new OrderManager({
    db,
    clock,
    brokers: { shadow: sim, live },
    risk,
    tradingState: () => state,
    quote,
    onAlert: (level, title, message) => alerts.push({ level, title, message }),
    listeners: [(u) => updates.push(u)],
  });
  cleanups.unshift(() => oms.close());
  return {
    db,
    dir: t.dir,
    clock,
    quotes,
    sim,
    live,
    oms,
    halts,
    alerts,
    updates,
    setState: (s: TradingStateName) => (state = s),
  };
}

const buy = (over: Partial<NewOrder> = {}): NewOrder => ({
  symbol: 'NVDA',
  side: 'BUY',
  quantity: 100,
  type: 'MKT',
  mode: 'live',
  origin: 'manual',
  ...over,
});

function fill(id: string, execId: string, quantity: number, price: number, ts = T0) {
  return { type: 'fill' as const, clientOrderId: id, execId, quantity, price, ts };
}

describe('order manager', () => {
  it('gives each order a unique K-<yyyymmdd>-<seq> id that survives a restart', () => {
    const a = setup();
    const ids = [a.oms.submit(buy()).clientOrderId, a.oms.submit(buy({ quantity: 5 })).clientOrderId];
    expect(ids).toEqual(['K-20260302-1', 'K-20260302-2']);
    a.oms.close();
    a.db.close();
    const b = setup({ dir: a.dir });
    expect(b.oms.submit(buy()).clientOrderId).toBe('K-20260302-3');
    b.clock.advance(86_400_000);
    expect(b.oms.submit(buy()).clientOrderId).toBe('K-20260303-1');
  });

  it('submits to the broker of the mode and runs a shadow order to FILLED on the simulated broker', () => {
    const { oms, live, updates } = setup();
    const o = oms.submit(buy({ mode: 'shadow' }));
    expect(o.status).toBe('FILLED');
    expect(o.avgFillPrice).toBe(100.1);
    expect(o.commission).toBe(1);
    expect(o.brokerOrderId).toBe(`SIM-${o.clientOrderId}`);
    expect(live.submitted).toHaveLength(0);
    expect(oms.positions.get('shadow', 'NVDA')).toMatchObject({ quantity: 100, avgCost: 100.1, realizedPnl: -1 });
    expect(oms.positions.get('live', 'NVDA')).toBeNull();
    expect(updates.filter((u) => u.type === 'order').map((u) => (u.type === 'order' ? u.order.status : ''))).toEqual([
      'INITIALIZED',
      'SUBMITTED',
      'SUBMITTED', // broker ack carrying the broker order id
      'ACCEPTED',
      'FILLED',
    ]);
  });

  it('partial fills keep a running weighted average price and the right position', () => {
    const { oms, live } = setup();
    const o = oms.submit(buy());
    expect(live.submitted[0]!.clientOrderId).toBe(o.clientOrderId);
    live.emit({ type: 'accepted', clientOrderId: o.clientOrderId, brokerOrderId: '7', ts: T0 });
    live.emit(fill(o.clientOrderId, 'e1', 30, 100));
    expect(oms.get(o.clientOrderId)).toMatchObject({ status: 'PARTIALLY_FILLED', filledQty: 30, avgFillPrice: 100 });
    live.emit(fill(o.clientOrderId, 'e2', 50, 101));
    live.emit(fill(o.clientOrderId, 'e3', 20, 102.5));
    const done = oms.get(o.clientOrderId)!;
    expect(done.status).toBe('FILLED');
    expect(done.avgFillPrice).toBeCloseTo((30 * 100 + 50 * 101 + 20 * 102.5) / 100, 10);
    expect(oms.positions.get('live', 'NVDA')).toMatchObject({ quantity: 100 });
    expect(oms.positions.get('live', 'NVDA')!.avgCost).toBeCloseTo(101, 10); // (3000 + 5050 + 2050) / 100
  });

  it('ignores duplicate execution ids and repeat status reports', () => {
    const { oms, live, db } = setup();
    const o = oms.submit(buy());
    const accepted = { type: 'accepted' as const, clientOrderId: o.clientOrderId, brokerOrderId: '7', ts: T0 };
    live.emit(accepted);
    const before = (db.prepare('SELECT COUNT(*) AS n FROM order_events').get() as { n: number }).n;
    live.emit(accepted);
    live.emit(fill(o.clientOrderId, 'e1', 40, 100));
    live.emit(fill(o.clientOrderId, 'e1', 40, 100));
    live.emit(accepted);
    expect(oms.get(o.clientOrderId)).toMatchObject({ status: 'PARTIALLY_FILLED', filledQty: 40 });
    expect(oms.positions.quantity('live', 'NVDA')).toBe(40);
    expect(oms.duplicateFillCount).toBe(1);
    const after = (db.prepare('SELECT COUNT(*) AS n FROM order_events').get() as { n: number }).n;
    expect(after - before).toBe(1); // only the one real fill
    expect((db.prepare('SELECT COUNT(*) AS n FROM fills').get() as { n: number }).n).toBe(1);
  });

  it('flags an overfill, applies it, and raises a critical alert', () => {
    const { oms, live, alerts } = setup();
    const o = oms.submit(buy({ quantity: 10 }));
    live.emit(fill(o.clientOrderId, 'e1', 10, 100));
    live.emit(fill(o.clientOrderId, 'e2', 5, 100));
    expect(oms.get(o.clientOrderId)).toMatchObject({ status: 'FILLED', filledQty: 15, overfilled: true });
    expect(oms.positions.quantity('live', 'NVDA')).toBe(15);
    expect(alerts).toContainEqual(expect.objectContaining({ level: 'critical', title: 'Overfill' }));
  });

  it('applies a commission report that arrives after (or before) its fill, once', () => {
    const { oms, live, db } = setup();
    const o = oms.submit(buy());
    live.emit(fill(o.clientOrderId, 'e1', 50, 100));
    live.emit({ type: 'commission', execId: 'e1', commission: 0.25, currency: 'USD', ts: T0 });
    live.emit({ type: 'commission', execId: 'e1', commission: 0.25, currency: 'USD', ts: T0 });
    live.emit({ type: 'commission', execId: 'e2', commission: 0.5, currency: 'USD', ts: T0 });
    live.emit(fill(o.clientOrderId, 'e2', 50, 100));
    expect(oms.get(o.clientOrderId)!.commission).toBeCloseTo(0.75, 10);
    expect(oms.positions.get('live', 'NVDA')!.realizedPnl).toBeCloseTo(-0.75, 10);
    const rows = db.prepare('SELECT exec_id, commission FROM fills ORDER BY exec_id').all();
    expect(rows).toEqual([
      { exec_id: 'e1', commission: 0.25 },
      { exec_id: 'e2', commission: 0.5 },
    ]);
  });

  it('applies a fill that arrives after CANCELED; refuses a fill on a REJECTED order and logs it', () => {
    const { oms, live, alerts, db } = setup();
    const a = oms.submit(buy());
    live.emit(fill(a.clientOrderId, 'e1', 30, 100));
    expect(oms.cancel(a.clientOrderId)).toEqual({ ok: true });
    expect(live.cancels).toEqual([a.clientOrderId]);
    expect(oms.get(a.clientOrderId)!.status).toBe('PENDING_CANCEL');
    live.emit({ type: 'canceled', clientOrderId: a.clientOrderId, ts: T0 });
    live.emit(fill(a.clientOrderId, 'e2', 20, 100));
    expect(oms.get(a.clientOrderId)).toMatchObject({ status: 'CANCELED', filledQty: 50 });
    expect(oms.positions.quantity('live', 'NVDA')).toBe(50);

    const b = oms.submit(buy({ quantity: 7 }));
    live.emit({ type: 'rejected', clientOrderId: b.clientOrderId, reason: 'margin', code: 201, ts: T0 });
    live.emit(fill(b.clientOrderId, 'e3', 7, 100));
    expect(oms.get(b.clientOrderId)).toMatchObject({ status: 'REJECTED', filledQty: 0, reason: 'margin' });
    expect(oms.positions.quantity('live', 'NVDA')).toBe(50);
    expect(oms.refusedCount).toBe(1);
    expect(alerts).toContainEqual(expect.objectContaining({ title: 'Fill refused' }));
    const refused = db.prepare('SELECT kind, refused FROM order_events WHERE refused IS NOT NULL').all();
    expect(refused).toEqual([{ kind: 'fill', refused: expect.stringContaining('REJECTED') }]);
  });

  it('while HALTED, new orders are denied but cancels pass', () => {
    const { oms, live, setState } = setup();
    const working = oms.submit(buy({ type: 'LMT', limitPrice: 99 }));
    live.emit({ type: 'accepted', clientOrderId: working.clientOrderId, brokerOrderId: '1', ts: T0 });
    setState('HALTED');
    const denied = oms.submit(buy());
    expect(denied).toMatchObject({ status: 'DENIED', denyCode: 'TRADING_HALTED' });
    expect(live.submitted).toHaveLength(1);
    expect(oms.cancel(working.clientOrderId)).toEqual({ ok: true });
    expect(live.cancels).toEqual([working.clientOrderId]);
    live.emit({ type: 'canceled', clientOrderId: working.clientOrderId, ts: T0 });
    expect(oms.get(working.clientOrderId)!.status).toBe('CANCELED');
  });

  it('HALTED still lets a reduce-only flatten through; REDUCING only reducing orders', () => {
    const { oms, live, setState } = setup();
    const o = oms.submit(buy());
    live.emit(fill(o.clientOrderId, 'e1', 100, 100));
    setState('REDUCING');
    expect(oms.submit(buy({ quantity: 1 }))).toMatchObject({ status: 'DENIED', denyCode: 'REDUCING_ONLY' });
    expect(oms.submit(buy({ side: 'SELL', quantity: 40 })).status).toBe('SUBMITTED');
    setState('HALTED');
    // 40 already working on the sell side: only 60 more reduce.
    expect(oms.submit(buy({ side: 'SELL', quantity: 70, origin: 'flatten', reduceOnly: true }))).toMatchObject({
      denyCode: 'REDUCE_ONLY_WOULD_INCREASE',
    });
    expect(oms.submit(buy({ side: 'SELL', quantity: 60, origin: 'flatten', reduceOnly: true })).status).toBe(
      'SUBMITTED',
    );
  });

  it('cancelAll marks working orders PENDING_CANCEL, reaches each broker, and tracks progress', async () => {
    const { oms, live, sim } = setup();
    const a = oms.submit(buy({ type: 'LMT', limitPrice: 99 }));
    const b = oms.submit(buy({ type: 'LMT', limitPrice: 98, quantity: 5 }));
    const s = oms.submit(buy({ mode: 'shadow', type: 'LMT', limitPrice: 99 }));
    expect(sim.workingCount()).toBe(1);
    const ids = await oms.cancelAll();
    expect(ids.sort()).toEqual([a.clientOrderId, b.clientOrderId, s.clientOrderId].sort());
    expect(live.cancelAllCalls).toBe(1);
    expect(oms.get(s.clientOrderId)!.status).toBe('CANCELED'); // the simulated broker's local sweep
    expect(oms.cancelProgress(ids)).toEqual({ done: 1, total: 3 });
    live.emit({ type: 'canceled', clientOrderId: a.clientOrderId, ts: T0 });
    live.emit({ type: 'canceled', clientOrderId: b.clientOrderId, ts: T0 });
    expect(oms.cancelProgress(ids)).toEqual({ done: 3, total: 3 });
  });

  it('denies, never sends, when the broker does not allow trading, and says why', () => {
    const { oms, live } = setup();
    live.tradingAllowed = false;
    expect(oms.submit(buy())).toMatchObject({
      status: 'DENIED',
      denyCode: 'BROKER_UNAVAILABLE',
      reason: 'ibkr broker: disconnected from IB Gateway',
    });
    expect(live.submitted).toHaveLength(0);
  });

  it('a broker that refuses synchronously rejects the order; live rejects feed the reject storm', () => {
    const { oms, live, halts } = setup({ risk: { rejectStormCount: 2, rejectStormWindowMs: 1_000 } });
    live.submitResult = { ok: false, reason: 'not connected' };
    expect(oms.submit(buy())).toMatchObject({ status: 'REJECTED', reason: 'not connected' });
    expect(oms.submit(buy({ quantity: 3 })).status).toBe('REJECTED');
    expect(halts).toEqual(['reject storm: 2 rejects in 1 s']);
  });

  it('bad input is denied with a clear reason and recorded', () => {
    const { oms, live, db } = setup();
    const o = oms.submit(buy({ quantity: -5 }));
    expect(o).toMatchObject({ status: 'DENIED', denyCode: 'INVALID_ORDER' });
    expect(o.reason).toMatch(/positive whole number/);
    expect(oms.submit(buy({ type: 'LMT' })).reason).toMatch(/limit price/);
    expect(live.submitted).toHaveLength(0);
    const kinds = db.prepare('SELECT kind FROM order_events WHERE client_order_id = ?').pluck().all(o.clientOrderId);
    expect(kinds).toEqual(['created', 'denied']);
  });

  it('a live loss past the daily limit asks for HALTED when the position is marked', () => {
    const { oms, live, halts } = setup({ risk: { dailyLossLimit: 500 } });
    const o = oms.submit(buy());
    live.emit(fill(o.clientOrderId, 'e1', 100, 100));
    oms.mark('NVDA', 97, T0 + 1_000);
    expect(halts).toHaveLength(0);
    oms.mark('NVDA', 94.9, T0 + 2_000);
    expect(halts).toHaveLength(1);
    expect(halts[0]).toMatch(/daily loss limit/);
  });

  it('order_events and fills are append-only in SQLite', () => {
    const { oms, live, db } = setup();
    const o = oms.submit(buy());
    live.emit(fill(o.clientOrderId, 'e1', 100, 100));
    expect(() => db.prepare("UPDATE order_events SET status = 'CANCELED'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM order_events').run()).toThrow(/append-only/);
    expect(() => db.prepare('UPDATE fills SET price = 1').run()).toThrow(/immutable/);
    expect(() => db.prepare('DELETE FROM fills').run()).toThrow(/append-only/);
  });

  it('rebuilds every order, fill and position from the events after reopening the database', () => {
    const a = setup();
    const { oms, live, quotes, clock, sim } = a;
    // Shadow: a buy, a resting limit, a partial sell.
    oms.submit(buy({ mode: 'shadow' }));
    const rest = oms.submit(buy({ mode: 'shadow', type: 'LMT', limitPrice: 99.5, quantity: 20 }));
    clock.advance(1_000);
    quotes.set('NVDA', { bid: 101, ask: 101.2, ts: clock.now() });
    oms.submit(buy({ mode: 'shadow', side: 'SELL', quantity: 60 }));
    // Live: partial fills, late commission, a flip through flat, a cancel, a reject, a denial.
    const l1 = oms.submit(buy({ quantity: 50 }));
    live.emit({ type: 'accepted', clientOrderId: l1.clientOrderId, brokerOrderId: '11', ts: clock.now() });
    live.emit(fill(l1.clientOrderId, 'x1', 20, 100, clock.now()));
    live.emit(fill(l1.clientOrderId, 'x2', 30, 100.5, clock.now()));
    live.emit({ type: 'commission', execId: 'x1', commission: 1, currency: 'USD', ts: clock.now() });
    const l2 = oms.submit(buy({ side: 'SELL', quantity: 80 }));
    live.emit(fill(l2.clientOrderId, 'x3', 80, 102, clock.now()));
    const l3 = oms.submit(buy({ symbol: 'MSFT', quantity: 5, type: 'LMT', limitPrice: 399 }));
    oms.cancel(l3.clientOrderId);
    live.emit({ type: 'canceled', clientOrderId: l3.clientOrderId, ts: clock.now() });
    const l4 = oms.submit(buy({ symbol: 'MSFT', quantity: 6 }));
    live.emit({
      type: 'rejected',
      clientOrderId: l4.clientOrderId,
      reason: 'no permissions',
      code: 201,
      ts: clock.now(),
    });
    oms.submit(buy({ quantity: 0 }));
    sim.onQuote('NVDA');
    expect(oms.get(rest.clientOrderId)!.status).toBe('ACCEPTED');

    const liveOrders = oms.list();
    const liveFills = oms.fills();
    const livePositions = oms.positions.list();
    expect(oms.positions.get('live', 'NVDA')!.quantity).toBe(-30);
    oms.close();
    a.db.close();

    const b = setup({ dir: a.dir, clock: new SimulatedClock(clock.now()) });
    expect(b.oms.list()).toEqual(liveOrders);
    expect(b.oms.fills()).toEqual(liveFills);
    expect(b.oms.positions.list()).toEqual(livePositions);
    expect(b.alerts).toEqual([]);
    // The DB's status column agrees with the rebuilt state.
    const last = b.db
      .prepare(
        `SELECT client_order_id AS id, status FROM order_events e WHERE refused IS NULL
         AND seq = (SELECT MAX(seq) FROM order_events WHERE client_order_id = e.client_order_id AND refused IS NULL)`,
      )
      .all() as { id: string; status: string }[];
    for (const r of last) expect(b.oms.get(r.id)!.status).toBe(r.status);
  });
});
