import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/main/bus';
import { SimulatedClock } from '../../src/main/clock';
import { CommandError } from '../../src/main/errors';
import { KillSwitch } from '../../src/main/execution/killSwitch';
import { AuditLog } from '../../src/main/storage/auditLog';
import { openDatabase, type Db } from '../../src/main/storage/db';
import { TradingStateRepo } from '../../src/main/storage/tradingStateRepo';
import { tempDir } from '../helpers/tmp';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function setup(dir?: string) {
  const t = dir ? { dir, cleanup: () => {} } : tempDir();
  const db: Db = openDatabase(t.dir);
  cleanups.push(() => db.open && db.close(), t.cleanup);
  const clock = new SimulatedClock(1_700_000_000_000);
  const bus = new EventBus();
  const hookErrors: unknown[] = [];
  const ks = new KillSwitch({
    db,
    repo: new TradingStateRepo(db),
    audit: new AuditLog(db),
    bus,
    clock,
    onHookError: (e) => hookErrors.push(e),
  });
  return { db, dir: t.dir, clock, bus, ks, hookErrors };
}

describe('kill switch', () => {
  it('starts ACTIVE on a fresh database and records it', () => {
    const { ks, db } = setup();
    expect(ks.current().state).toBe('ACTIVE');
    expect(new AuditLog(db).latest()[0]!.action).toBe('tradingState.init');
  });

  it('latches HALTED in SQLite before anyone is told', async () => {
    const { ks, bus, db } = setup();
    const seenInDb: string[] = [];
    bus.on('tradingState', () => {
      seenInDb.push((db.prepare('SELECT state FROM trading_state').get() as { state: string }).state);
    });
    const s = await ks.engage('manual test', 'ui-ws');
    expect(s.state).toBe('HALTED');
    expect(seenInDb).toEqual(['HALTED']);
  });

  it('runs halt hooks after the latch, and a failing hook does not un-latch', async () => {
    const { ks, db, hookErrors } = setup();
    const order: string[] = [];
    ks.onHalt(() => {
      order.push((db.prepare('SELECT state FROM trading_state').get() as { state: string }).state);
    });
    ks.onHalt(() => {
      throw new Error('broker unreachable');
    });
    await ks.engage('manual', 'cli');
    expect(order).toEqual(['HALTED']);
    expect(hookErrors).toHaveLength(1);
    expect(ks.current().state).toBe('HALTED');
  });

  it('runs the hooks again on a second press (re-sends cancels) without a second state change', async () => {
    const { ks, bus } = setup();
    let hookRuns = 0;
    let events = 0;
    ks.onHalt(() => void hookRuns++);
    bus.on('tradingState', () => void events++);
    await ks.engage('first', 'cli');
    await ks.engage('second', 'cli');
    expect(hookRuns).toBe(2);
    expect(events).toBe(1);
    expect(ks.current().reason).toBe('first');
  });

  it('survives a restart while HALTED', async () => {
    const first = setup();
    await first.ks.engage('end of day', 'ui-electron');
    first.db.close();
    const second = setup(first.dir);
    expect(second.ks.current()).toMatchObject({ state: 'HALTED', reason: 'end of day', changedBy: 'ui-electron' });
  });

  it('re-arms only from HALTED, and audits every change with its surface and reason', async () => {
    const { ks, db, clock } = setup();
    expect(() => ks.rearm('ui-ws')).toThrow(CommandError);
    clock.advance(1000);
    await ks.engage('fat finger', 'ui-ws');
    clock.advance(1000);
    ks.rearm('ui-ws', 'checked positions');
    expect(ks.current().state).toBe('ACTIVE');
    const rows = new AuditLog(db).latest(10).reverse();
    expect(rows.map((r) => [r.action, r.surface, r.before, r.after, r.reason])).toEqual([
      ['tradingState.init', 'startup', null, '"ACTIVE"', 'first start'],
      ['tradingState.engage', 'ui-ws', '"ACTIVE"', '"HALTED"', 'fat finger'],
      ['tradingState.rearm', 'ui-ws', '"HALTED"', '"ACTIVE"', 'checked positions'],
    ]);
    expect(rows[1]!.ts).toBe(1_700_000_001_000);
  });
});
