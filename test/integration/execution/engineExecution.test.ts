/**
 * Execution wired into the real headless engine, against the fake IB Gateway on loopback and over
 * the WebSocket contract: shadow signal → virtual simulated fill and position; the order ticket
 * through risk; live mode by override; the kill switch with working live orders at the gateway;
 * HALTED denies new orders while cancels pass; flatten; the daily-loss trigger.
 */
import path from 'node:path';
import { EventName } from '@stoqey/ib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KillProgress, Order, PositionsReport, Signal } from '../../../src/shared/domain';
import { SystemClock } from '../../../src/main/clock';
import { resolveConfig } from '../../../src/main/config';
import { startHeadless, type HeadlessApp } from '../../../src/main/headless';
import { silentLogger } from '../../../src/main/observability/logger';
import { TradingStateRepo } from '../../../src/main/storage/tradingStateRepo';
import { FakeIbGateway } from '../../fakes/ibGateway';
import { tempDir } from '../../helpers/tmp';
import { until } from '../../helpers/wait';
import { WsContractClient, type Reply } from '../../helpers/wsContractClient';

let gw: FakeIbGateway;
let app: HeadlessApp;
let client: WsContractClient;
let cleanup: () => void;

async function call<T>(cmd: string, input?: unknown): Promise<T> {
  const r: Reply = await client.call(cmd, input);
  if (!r.ok) throw new Error(`${cmd}: ${r.error?.code} ${r.error?.message}`);
  return r.result as T;
}

async function healthz(): Promise<Record<string, unknown>> {
  const res = await fetch(`http://127.0.0.1:${app.port}/healthz`);
  return (await res.json()) as Record<string, unknown>;
}

/** Moves the gateway's price and waits until the engine's reference price follows. */
async function price(symbol: string, p: number): Promise<void> {
  gw.setPrice(symbol, p);
  await until(`${symbol} at ${p}`, () => {
    const ref = app.engine.execution.reference(symbol)?.price;
    return ref !== undefined && Math.abs(ref - p) < 0.05;
  });
}

function signal(symbol: string, side: 'BUY' | 'SELL'): Signal {
  const now = Date.now();
  return {
    ts: now,
    barTs: now - 60_000,
    policy: 'single',
    symbols: [symbol],
    action: side,
    legs: [{ symbol, side }],
    probs: side === 'BUY' ? [0.05, 0.05, 0.9] : [0.9, 0.05, 0.05],
    confidence: 0.9,
    threshold: 0.6,
    passed: true,
    reason: null,
    reasons: [],
    detail: '',
    latencyUs: 10,
    mode: 'shadow',
  };
}

beforeAll(async () => {
  gw = new FakeIbGateway({ prices: { NVDA: 100, MSFT: 400 } });
  await gw.start();
  const t = tempDir();
  cleanup = t.cleanup;
  const config = resolveConfig({
    flags: { dataDir: t.dir, port: 0, ibPort: String(gw.port) },
    env: { KESTREL_PROVIDERS: 'ibkr', KESTREL_BACKFILL: 'off', KESTREL_DAILY_LOSS_LIMIT: '50' },
  });
  expect(config.execution.liveBroker).toBe('ibkr');
  app = await startHeadless({
    config,
    clock: new SystemClock(),
    log: silentLogger(),
    rendererDir: path.resolve('out/renderer'),
  });
  client = await WsContractClient.connect(`ws://127.0.0.1:${app.port}/ws?token=${app.token}`);
  await until('broker connected', () => app.engine.execution.brokerStatus().tradingAllowed, 5000);
  // The tests send orders back to back; the default 5/s bucket would deny some at random.
  app.engine.execution.risk.updateConfig({ ordersPerSecond: 50, orderBurst: 50 });
  await price('NVDA', 100);
  await price('MSFT', 400);
});

afterAll(async () => {
  client?.ws.close();
  await app?.stop();
  await gw?.stop();
  cleanup?.();
});

describe('execution in the engine', () => {
  it('reports the paper broker on /healthz and getBrokerStatus', async () => {
    const h = await healthz();
    expect(h.broker).toEqual({
      name: 'ibkr',
      connected: true,
      accounts: ['DU1234567'],
      paper: true,
      tradingAllowed: true,
      reason: null,
    });
    expect(await call('getBrokerStatus')).toEqual(h.broker);
    expect(client.events.some((e) => e.event === 'broker')).toBe(true);
  });

  it('turns a passed shadow signal into a virtual simulated order with a fill and a position', async () => {
    app.engine.bus.emit('signal', signal('NVDA', 'BUY'));
    const orders = await call<Order[]>('listOrders', { mode: 'shadow' });
    expect(orders).toHaveLength(1);
    const o = orders[0]!;
    expect(o).toMatchObject({ symbol: 'NVDA', side: 'BUY', quantity: 10, origin: 'signal', virtual: true });
    expect(o.status).toBe('FILLED');
    // Bought at the ask (100.01) moved 1 bp against the order.
    expect(o.avgFillPrice).toBeCloseTo(100.01 * 1.0001, 4);
    const fills = await call<{ clientOrderId: string; quantity: number }[]>('listFills', { mode: 'shadow' });
    expect(fills).toEqual([expect.objectContaining({ clientOrderId: o.clientOrderId, quantity: 10 })]);
    const pos = await call<PositionsReport>('listPositions');
    expect(pos.positions).toEqual([expect.objectContaining({ mode: 'shadow', symbol: 'NVDA', quantity: 10 })]);
    expect(pos.totals.shadow.grossExposure).toBeGreaterThan(999);
    expect(pos.totals.live.grossExposure).toBe(0);
    // Nothing went to the gateway: shadow orders never reach IBKR.
    expect(gw.placedOrders()).toHaveLength(0);
    await until('order event', () =>
      client.events.some(
        (e) => e.event === 'order' && (e.payload as { orders: Order[] }).orders.some((x) => x.status === 'FILLED'),
      ),
    );
    await until('positions event', () => client.events.some((e) => e.event === 'positions'));
    // A SELL signal closes the long (shorts are off) and no further.
    app.engine.bus.emit('signal', signal('NVDA', 'SELL'));
    const after = await call<PositionsReport>('listPositions', { mode: 'shadow' });
    expect(after.positions[0]?.quantity).toBe(0);
  });

  it('runs a manual ticket through the risk checks and returns a denial with its reason', async () => {
    const denied = await call<Order>('placeOrder', { symbol: 'MSFT', side: 'BUY', quantity: 5000, type: 'MKT' });
    expect(denied.status).toBe('DENIED');
    expect(denied.denyCode).toBe('MAX_ORDER_QUANTITY');
    expect(denied.reason).toMatch(/5000/);
    const band = await call<Order>('placeOrder', {
      symbol: 'MSFT',
      side: 'BUY',
      quantity: 1,
      type: 'LMT',
      limitPrice: 300,
    });
    expect(band.denyCode).toBe('PRICE_BAND');
    const ok = await call<Order>('placeOrder', { symbol: 'MSFT', side: 'BUY', quantity: 3, type: 'MKT' });
    expect(ok).toMatchObject({ mode: 'shadow', virtual: true, status: 'FILLED', origin: 'manual' });
    // Bad input is a clear error, and nothing is recorded.
    const before = (await call<Order[]>('listOrders')).length;
    const noLimit = await client.call('placeOrder', { symbol: 'MSFT', side: 'BUY', quantity: 1, type: 'LMT' });
    expect(noLimit.ok).toBe(false);
    expect(noLimit.error?.code).toBe('INVALID_INPUT');
    expect(noLimit.error?.message).toMatch(/limitPrice/);
    const liveNotLive = await client.call('placeOrder', {
      symbol: 'MSFT',
      side: 'BUY',
      quantity: 1,
      type: 'MKT',
      mode: 'live',
    });
    expect(liveNotLive.error).toMatchObject({ code: 'DENIED' });
    expect(liveNotLive.error?.message).toMatch(/not live/);
    expect((await call<Order[]>('listOrders')).length).toBe(before);
  });

  it('refuses live while the promotion gates fail, and allows it with a confirmed override, audited', async () => {
    const refused = await client.call('setSymbolMode', { symbol: 'NVDA', mode: 'live' });
    expect(refused.ok).toBe(false);
    expect(refused.error?.message).toMatch(/NVDA cannot go live: promotion gates fail/);
    const ok = await call<{ mode: string }>('setSymbolMode', {
      symbol: 'NVDA',
      mode: 'live',
      override: { confirm: true, reason: 'paper test of the kill switch' },
    });
    expect(ok.mode).toBe('live');
    const audit = app.engine.audit.latest(20).find((a) => a.action === 'symbolMode.liveOverride');
    expect(audit).toMatchObject({ subject: 'NVDA', reason: 'paper test of the kill switch' });
    expect(audit?.before).toMatch(/promotion gates fail/);
  });

  it('kill switch: HALTED persisted first, reqGlobalCancel on the wire, n of n cancelled, live → shadow', async () => {
    await price('NVDA', 100.1);
    const filled = await call<Order>('placeOrder', { symbol: 'NVDA', side: 'BUY', quantity: 10, type: 'MKT' });
    expect(filled.mode).toBe('live');
    await until('live fill', () => app.engine.execution.oms.get(filled.clientOrderId)?.status === 'FILLED');
    const resting: Order[] = [];
    for (const qty of [1, 2, 3]) {
      resting.push(
        await call<Order>('placeOrder', { symbol: 'NVDA', side: 'BUY', quantity: qty, type: 'LMT', limitPrice: 98 }),
      );
    }
    expect(resting.map((o) => o.status)).toEqual(['SUBMITTED', 'SUBMITTED', 'SUBMITTED']);
    await until('3 working at the gateway', () => gw.workingOrders(17).length === 3);
    await until('accepted', () =>
      resting.every((o) => app.engine.execution.oms.get(o.clientOrderId)?.status === 'ACCEPTED'),
    );

    // At the moment reqGlobalCancel is written to the socket, SQLite already says HALTED.
    let stateOnWire: string | undefined;
    const onSent = (tokens: unknown[]): void => {
      if (Number(tokens[0]) === 58) stateOnWire = new TradingStateRepo(app.engine.db).load()?.state;
    };
    app.engine.ib!.api.on(EventName.sent, onSent);
    const state = await call<{ state: string }>('engageKillSwitch', { reason: 'test kill' });
    app.engine.ib!.api.off(EventName.sent, onSent);
    expect(state.state).toBe('HALTED');
    expect(stateOnWire).toBe('HALTED');
    await gw.waitForReceived('REQ_GLOBAL_CANCEL');

    await until('all cancelled', () => app.engine.execution.killProgress().phase === 'done');
    const progress = await call<KillProgress>('getKillProgress');
    expect(progress).toMatchObject({ cancelled: 3, total: 3, message: '3 of 3 cancelled', timedOut: false });
    expect(progress.shadowed).toEqual(['NVDA']);
    expect(progress.latencyMs).not.toBeNull();
    expect(progress.errors).toEqual([]);
    for (const o of resting) expect(app.engine.execution.oms.get(o.clientOrderId)?.status).toBe('CANCELED');
    expect(gw.workingOrders(17)).toHaveLength(0);
    const symbols = await call<{ symbol: string; mode: string }[]>('listSymbols');
    expect(symbols.find((s) => s.symbol === 'NVDA')?.mode).toBe('shadow');
    await until('killProgress event', () =>
      client.events.some((e) => e.event === 'killProgress' && (e.payload as KillProgress).phase === 'done'),
    );
    const metrics = await (await fetch(`http://127.0.0.1:${app.port}/metrics`)).text();
    expect(metrics).toMatch(/kestrel_kill_latency_seconds_count 1/);
    expect((await healthz()).tradingState).toBe('HALTED');
  });

  it('while HALTED denies new orders but lets cancels pass; flatten is a separate confirmed action', async () => {
    const denied = await call<Order>('placeOrder', { symbol: 'MSFT', side: 'BUY', quantity: 1, type: 'MKT' });
    expect(denied).toMatchObject({ status: 'DENIED', denyCode: 'TRADING_HALTED' });
    app.engine.bus.emit('signal', signal('MSFT', 'BUY'));
    const bySignal = (await call<Order[]>('listOrders', { symbol: 'MSFT', limit: 1 }))[0]!;
    expect(bySignal).toMatchObject({ origin: 'signal', status: 'DENIED', denyCode: 'TRADING_HALTED' });

    // A reduce-only flatten order passes while HALTED; held at the gateway, its cancel passes too.
    gw.holdNextOrder();
    const held = app.engine.execution.oms.submit({
      symbol: 'NVDA',
      side: 'SELL',
      quantity: 4,
      type: 'MKT',
      mode: 'live',
      origin: 'flatten',
      reduceOnly: true,
    });
    await until('held accepted', () => app.engine.execution.oms.get(held.clientOrderId)?.status === 'ACCEPTED');
    const pending = await call<Order>('cancelOrder', { clientOrderId: held.clientOrderId });
    expect(pending.status).toBe('PENDING_CANCEL');
    await until('held cancelled', () => app.engine.execution.oms.get(held.clientOrderId)?.status === 'CANCELED');
    const unknown = await client.call('cancelOrder', { clientOrderId: 'K-nope' });
    expect(unknown.error?.code).toBe('INVALID_INPUT');

    const noConfirm = await client.call('flattenAll', { mode: 'live' });
    expect(noConfirm.error?.code).toBe('INVALID_INPUT');
    const report = await call<{ flat: boolean; orders: Order[] }>('flattenAll', { confirm: true, mode: 'live' });
    expect(report.flat).toBe(true);
    expect(report.orders[0]).toMatchObject({ origin: 'flatten', side: 'SELL', quantity: 10, reduceOnly: true });
    const live = await call<PositionsReport>('listPositions', { mode: 'live' });
    expect(live.positions.every((p) => p.quantity === 0)).toBe(true);
  });

  it('halts automatically when the live daily loss passes the limit, with an alert and an audit entry', async () => {
    await call('rearm', { confirm: true, reason: 'test re-arm' });
    await call('setSymbolMode', { symbol: 'NVDA', mode: 'live', override: { confirm: true, reason: 'loss test' } });
    await price('NVDA', 100);
    const buy = await call<Order>('placeOrder', { symbol: 'NVDA', side: 'BUY', quantity: 20, type: 'MKT' });
    await until('filled', () => app.engine.execution.oms.get(buy.clientOrderId)?.status === 'FILLED');
    await price('NVDA', 95); // 20 × −5 = −100 plus earlier losses, past the 50 limit
    await until('halted', () => app.engine.killSwitch.current().state === 'HALTED');
    expect(app.engine.killSwitch.current().reason).toMatch(/automatic: .*daily loss/i);
    expect(app.engine.alerts.list().some((a) => a.title === 'Automatic halt')).toBe(true);
    expect(app.engine.audit.latest(50).some((a) => a.action === 'execution.autoHalt')).toBe(true);
  });
});
