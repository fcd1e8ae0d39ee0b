/**
 * The live broker's edges in the real engine against the fake IB Gateway: a non-paper account
 * refuses trading (and live mode without an override), no gateway configured denies live orders
 * with the reason, and a restart with open orders and positions at the broker ends reconciled
 * (missed fill recovered, an order Kestrel did not place adopted as EXTERNAL, mismatches audited).
 */
import { EventName, IBApi, OrderAction, OrderType, SecType } from '@stoqey/ib';
import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../src/main/clock';
import { resolveConfig } from '../../../src/main/config';
import { Engine } from '../../../src/main/engine';
import { silentLogger } from '../../../src/main/observability/logger';
import { FakeIbGateway } from '../../fakes/ibGateway';
import { tempDir } from '../../helpers/tmp';
import { until } from '../../helpers/wait';

const ctx = { surface: 'ui-ws' as const };
const toClose: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const c of toClose.splice(0).reverse()) await c();
});

async function gateway(accounts = ['DU1234567']): Promise<FakeIbGateway> {
  const gw = new FakeIbGateway({ accounts, prices: { NVDA: 100, MSFT: 400 } });
  await gw.start();
  toClose.push(() => gw.stop());
  return gw;
}

function engineOn(dir: string, env: Record<string, string>, ibPort?: number): Engine {
  const config = resolveConfig({
    flags: { dataDir: dir, ...(ibPort ? { ibPort: String(ibPort) } : {}) },
    env: { KESTREL_BACKFILL: 'off', ...env },
  });
  const engine = new Engine({ config, clock: new SystemClock(), log: silentLogger(), host: 'headless' });
  engine.start();
  return engine;
}

function handlers(engine: Engine) {
  // The same handlers the transports call, schema-checked by the ContractServer.
  return {
    call: (cmd: string, input?: unknown) => engine.server.dispatch({ id: 1, cmd, input }, ctx),
  };
}

describe('live broker edges', () => {
  it('refuses trading on a non-paper (non-DU) account and says why', async () => {
    const gw = await gateway(['U7654321']);
    const t = tempDir();
    const engine = engineOn(t.dir, { KESTREL_PROVIDERS: 'ibkr' }, gw.port);
    toClose.push(t.cleanup, () => engine.stop());
    await until('connected', () => engine.execution.brokerStatus().connected);
    const status = engine.execution.brokerStatus();
    expect(status).toMatchObject({ name: 'ibkr', accounts: ['U7654321'], paper: false, tradingAllowed: false });
    expect(status.reason).toMatch(/U7654321 is not a paper account/);
    expect(engine.health().broker).toEqual(status);

    const { call } = handlers(engine);
    const refused = await call('setSymbolMode', { symbol: 'NVDA', mode: 'live' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'DENIED' } });
    expect(JSON.stringify(refused)).toMatch(/not a paper account/);
    const overridden = await call('setSymbolMode', {
      symbol: 'NVDA',
      mode: 'live',
      override: { confirm: true, reason: 'check the denial path' },
    });
    expect(overridden).toMatchObject({ ok: true, result: { mode: 'live' } });
    expect(engine.audit.latest(10).find((a) => a.action === 'symbolMode.liveOverride')?.before).toMatch(
      /not a paper account/,
    );
    // Live by override still sends nothing: the broker refuses, the order is DENIED with the reason.
    await until('quote', () => engine.execution.reference('NVDA'));
    const placed = await call('placeOrder', { symbol: 'NVDA', side: 'BUY', quantity: 1, type: 'MKT' });
    expect(placed).toMatchObject({ ok: true, result: { status: 'DENIED', denyCode: 'BROKER_UNAVAILABLE' } });
    expect(JSON.stringify(placed)).toMatch(/not a paper account/);
    expect(gw.receivedOfType('PLACE_ORDER')).toHaveLength(0);
  });

  it('without a configured gateway, live orders are denied with the reason and /healthz says none', async () => {
    const t = tempDir();
    const engine = engineOn(t.dir, { KESTREL_PROVIDERS: 'synthetic', KESTREL_SYNTHETIC_SESSIONS: 'always' });
    toClose.push(t.cleanup, () => engine.stop());
    expect(engine.ib).toBeNull();
    expect(engine.health().broker).toMatchObject({ name: 'none', connected: false, tradingAllowed: false });
    expect(engine.health().broker.reason).toMatch(/no IB Gateway is configured/);
    await until('quote', () => engine.execution.reference('NVDA'));
    const o = engine.execution.oms.submit({
      symbol: 'NVDA',
      side: 'BUY',
      quantity: 1,
      type: 'MKT',
      mode: 'live',
      origin: 'manual',
    });
    expect(o).toMatchObject({ status: 'DENIED', denyCode: 'BROKER_UNAVAILABLE' });
    expect(o.reason).toMatch(/no IB Gateway is configured/);
  });

  it('halts when the gateway drops with live orders working, and cancels them once it is back', async () => {
    const gw = await gateway();
    const t = tempDir();
    const engine = engineOn(t.dir, { KESTREL_PROVIDERS: 'ibkr' }, gw.port);
    toClose.push(t.cleanup, () => engine.stop());
    await until('trading allowed', () => engine.execution.brokerStatus().tradingAllowed);
    await until('quote', () => engine.execution.reference('NVDA'));
    await handlers(engine).call('setSymbolMode', {
      symbol: 'NVDA',
      mode: 'live',
      override: { confirm: true, reason: 'disconnect test' },
    });
    const o = engine.execution.placeOrder({ symbol: 'NVDA', side: 'BUY', quantity: 5, type: 'LMT', limitPrice: 98 });
    await until('accepted', () => engine.execution.oms.get(o.clientOrderId)?.status === 'ACCEPTED');

    gw.disconnectClients();
    await until('halted', () => engine.killSwitch.current().state === 'HALTED');
    expect(engine.killSwitch.current().reason).toMatch(/IB Gateway disconnected .* 1 live order working/);
    expect(engine.audit.latest(20).some((a) => a.action === 'execution.autoHalt')).toBe(true);
    // The cancel could not be sent while disconnected: the progress says so, trading stays HALTED.
    await until('kill ran', () => engine.execution.killProgress().errors.length > 0);
    expect(engine.execution.killProgress().errors[0]).toMatch(/not connected/);

    // Back online: reconciliation runs, and the still-working live order is cancelled.
    await until(
      'cancelled after reconnect',
      () => engine.execution.oms.get(o.clientOrderId)?.status === 'CANCELED',
      8000,
    );
    expect(gw.receivedOfType('REQ_GLOBAL_CANCEL').length).toBeGreaterThan(0);
    expect(engine.execution.killProgress()).toMatchObject({ phase: 'done', cancelled: 1, total: 1 });
  });

  it('a restart with open orders and positions at the broker ends reconciled', async () => {
    const gw = await gateway();
    const t = tempDir();
    toClose.push(t.cleanup);
    const env = { KESTREL_PROVIDERS: 'ibkr' };

    // Run 1: a resting live order; a shadow order left working (LMT far from the market).
    let engine = engineOn(t.dir, env, gw.port);
    await until('trading allowed', () => engine.execution.brokerStatus().tradingAllowed);
    await until('quote', () => engine.execution.reference('NVDA'));
    const { call } = handlers(engine);
    await call('setSymbolMode', {
      symbol: 'NVDA',
      mode: 'live',
      override: { confirm: true, reason: 'reconcile test' },
    });
    const live = engine.execution.placeOrder({ symbol: 'NVDA', side: 'BUY', quantity: 5, type: 'LMT', limitPrice: 98 });
    const shadow = engine.execution.placeOrder({
      symbol: 'MSFT',
      side: 'BUY',
      quantity: 2,
      type: 'LMT',
      limitPrice: 395,
    });
    expect(shadow.mode).toBe('shadow');
    await until('live accepted', () => engine.execution.oms.get(live.clientOrderId)?.status === 'ACCEPTED');
    const ibId = Number(engine.execution.oms.get(live.clientOrderId)!.brokerOrderId);
    await engine.stop();

    // While Kestrel is down: the order fills at IB, and another client places an order.
    gw.fillOrder(ibId, { clientId: 17, price: 97.5 });
    const other = new IBApi({ host: '127.0.0.1', port: gw.port });
    other.connect(5);
    const otherId = await new Promise<number>((resolve) => other.once(EventName.nextValidId, resolve));
    other.placeOrder(
      otherId,
      { symbol: 'MSFT', secType: SecType.STK, exchange: 'SMART', currency: 'USD' },
      { action: OrderAction.SELL, totalQuantity: 7, orderType: OrderType.LMT, lmtPrice: 450, transmit: true },
    );
    await until('external order working', () => gw.workingOrders(5).length === 1);
    other.disconnect();

    // Run 2: reconciliation on connect.
    engine = engineOn(t.dir, env, gw.port);
    toClose.push(() => engine.stop());
    await until('reconciled', () => engine.execution.reconciler.runs.length > 0, 8000);
    const run = engine.execution.reconciler.runs[0]!;
    expect(run.error).toBeNull();
    const kinds = run.corrections.map((c) => c.kind);
    expect(kinds).toContain('applyFill');
    expect(kinds).toContain('adoptExternal');

    const recovered = engine.execution.oms.get(live.clientOrderId)!;
    expect(recovered).toMatchObject({ status: 'FILLED', filledQty: 5, avgFillPrice: 97.5 });
    expect(engine.execution.oms.positions.quantity('live', 'NVDA')).toBe(5);
    const external = engine.execution.oms.list().find((o) => o.request.origin === 'external')!;
    expect(external).toMatchObject({ status: 'ACCEPTED', brokerOrderId: expect.any(String) });
    expect(external.request).toMatchObject({ symbol: 'MSFT', side: 'SELL', quantity: 7, mode: 'live' });
    // The shadow order died with the simulated broker: cancelled at start, with the reason.
    expect(engine.execution.oms.get(shadow.clientOrderId)).toMatchObject({
      status: 'CANCELED',
      reason: 'the simulated broker does not survive a restart',
    });
    // Each mismatch is an alert and an audit entry.
    const titles = engine.alerts.list().map((a) => a.title);
    expect(titles).toEqual(expect.arrayContaining(['Missed fill recovered', 'External order adopted']));
    const audit = engine.audit.latest(50).map((a) => a.action);
    expect(audit).toEqual(expect.arrayContaining(['reconcile.applyFill', 'reconcile.adoptExternal']));
    // IB's position and ours agree: no mismatch was raised.
    expect(kinds).not.toContain('positionMismatch');
  });
});
