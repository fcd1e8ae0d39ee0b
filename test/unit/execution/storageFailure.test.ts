/**
 * Regressions (chaos: storage faults). When the disk refuses writes: the kill switch still latches
 * HALTED (in memory; the safe direction) and runs its hooks instead of throwing; the order manager
 * never sends an order it could not record, applies a broker fill it could not store (the shares
 * traded) and reports the failure so the engine halts trading.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/main/bus';
import { SimulatedClock } from '../../../src/main/clock';
import { KillSwitch } from '../../../src/main/execution/killSwitch';
import { MemoryOrderStore, type OrderEvent, type FillRow } from '../../../src/main/execution/orderEvents';
import { OrderManager } from '../../../src/main/execution/orderManager';
import { RiskEngine } from '../../../src/main/execution/risk';
import type { OrderStatus } from '../../../src/main/execution/types';
import { AuditLog } from '../../../src/main/storage/auditLog';
import { openDatabase } from '../../../src/main/storage/db';
import { TradingStateRepo } from '../../../src/main/storage/tradingStateRepo';
import { tempDir } from '../../helpers/tmp';
import { ScriptedBroker } from './fakeBroker';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

class FailingStore extends MemoryOrderStore {
  failing = false;
  override append(ev: OrderEvent, status: OrderStatus, fill?: FillRow): boolean {
    if (this.failing) throw new Error('database or disk is full');
    return super.append(ev, status, fill);
  }
}

describe('storage failure', () => {
  it('the kill switch latches HALTED in memory and runs its hooks when the disk refuses the write', async () => {
    const t = tempDir();
    const db = openDatabase(t.dir);
    cleanups.push(() => db.close(), t.cleanup);
    const bus = new EventBus();
    const hookErrors: Error[] = [];
    const ks = new KillSwitch({
      db,
      repo: new TradingStateRepo(db),
      audit: new AuditLog(db),
      bus,
      clock: new SimulatedClock(1_700_000_000_000),
      onHookError: (e) => hookErrors.push(e as Error),
    });
    const heard: string[] = [];
    bus.on('tradingState', (s) => heard.push(s.state));
    let hooked = 0;
    ks.onHalt(() => void hooked++);
    db.pragma('query_only = ON'); // every write now fails, as on a read-only or full disk
    await expect(ks.engage('order log cannot be written', 'engine')).resolves.toMatchObject({ state: 'HALTED' });
    expect(ks.current().state).toBe('HALTED');
    expect(heard).toEqual(['HALTED']);
    expect(hooked).toBe(1);
    expect(hookErrors[0]?.message).toMatch(/HALTED could not be saved .*holds until restart/);
    // Only halting is latched without the disk: re-arming still needs the write.
    expect(() => ks.rearm('ui-ws')).toThrow(/readonly|read-only|query/i);
    expect(ks.current().state).toBe('HALTED');
  });

  it('the order manager sends nothing it could not record, and reports a fill it could not store', () => {
    const clock = new SimulatedClock(Date.UTC(2026, 2, 2, 15, 0));
    const broker = new ScriptedBroker();
    const store = new FailingStore();
    const alerts: string[] = [];
    const failures: unknown[] = [];
    const oms = new OrderManager({
      store,
      clock,
      brokers: { live: broker },
      risk: new RiskEngine({ clock, config: {}, requestHalt: () => undefined }),
      tradingState: () => 'ACTIVE',
      quote: () => ({ price: 100, ts: clock.now() }),
      onAlert: (_l, title) => alerts.push(title),
      onStoreFailure: (err) => failures.push(err),
    });
    cleanups.push(() => oms.close());
    const o = oms.submit({ symbol: 'NVDA', side: 'BUY', quantity: 10, type: 'MKT', mode: 'live', origin: 'manual' });
    expect(broker.submitted).toHaveLength(1);

    store.failing = true;
    expect(() =>
      oms.submit({ symbol: 'NVDA', side: 'BUY', quantity: 5, type: 'MKT', mode: 'live', origin: 'manual' }),
    ).toThrow(/disk is full/);
    expect(broker.submitted).toHaveLength(1);

    // The broker filled the first order: it happened, so it is applied, alerted and reported.
    expect(() =>
      broker.emit({ type: 'fill', clientOrderId: o.clientOrderId, execId: 'e1', quantity: 10, price: 100, ts: 1 }),
    ).not.toThrow();
    expect(oms.get(o.clientOrderId)).toMatchObject({ status: 'FILLED', filledQty: 10 });
    expect(oms.positions.quantity('live', 'NVDA')).toBe(10);
    expect(alerts).toContain('Order event not saved');
    expect(failures).toHaveLength(1);
  });
});
