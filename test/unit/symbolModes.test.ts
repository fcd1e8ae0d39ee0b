import { afterEach, describe, expect, it } from 'vitest';
import type { TradingStateName } from '../../src/shared/domain';
import { EventBus } from '../../src/main/bus';
import { SimulatedClock } from '../../src/main/clock';
import { AuditLog } from '../../src/main/storage/auditLog';
import { openDatabase } from '../../src/main/storage/db';
import { SymbolModeRepo } from '../../src/main/storage/symbolModeRepo';
import { SymbolModes } from '../../src/main/symbols/symbolModes';
import { tempDir } from '../helpers/tmp';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function setup(state: TradingStateName = 'ACTIVE', dir?: string) {
  const t = dir ? { dir, cleanup: () => {} } : tempDir();
  const db = openDatabase(t.dir);
  cleanups.push(() => db.open && db.close(), t.cleanup);
  const bus = new EventBus();
  const modes = new SymbolModes({
    db,
    repo: new SymbolModeRepo(db),
    audit: new AuditLog(db),
    bus,
    clock: new SimulatedClock(5000),
    tradingState: () => state,
    watched: ['NVDA', 'MSFT'],
  });
  return { db, dir: t.dir, bus, modes };
}

describe('symbol modes', () => {
  it('starts watched symbols in shadow', () => {
    expect(setup().modes.list()).toEqual([
      { symbol: 'MSFT', mode: 'shadow', changedAt: null },
      { symbol: 'NVDA', mode: 'shadow', changedAt: null },
    ]);
  });

  it('persists a change, audits it and emits it', () => {
    const { modes, bus, db, dir } = setup();
    const seen: unknown[] = [];
    bus.on('symbolMode', (s) => seen.push(s));
    modes.set('NVDA', 'off', 'ui-ws', 'earnings today');
    expect(seen).toEqual([{ symbol: 'NVDA', mode: 'off', changedAt: 5000 }]);
    const audit = new AuditLog(db).latest(1)[0]!;
    expect(audit).toMatchObject({
      action: 'symbolMode.set',
      subject: 'NVDA',
      before: '"shadow"',
      after: '"off"',
      reason: 'earnings today',
    });
    db.close();
    expect(setup('ACTIVE', dir).modes.mode('NVDA')).toBe('off');
  });

  it('refuses live without a connected paper account, and while HALTED, saying why', () => {
    expect(() => setup().modes.set('NVDA', 'live', 'ui-ws')).toThrow(/paper IBKR account/);
    const halted = setup('HALTED');
    halted.modes.setLiveGuard({ check: () => ({ allowed: true }) });
    expect(() => halted.modes.set('NVDA', 'live', 'ui-ws')).toThrow(/HALTED/);
  });

  it('allows live when the guard allows it', () => {
    const { modes } = setup();
    modes.setLiveGuard({ check: () => ({ allowed: true }) });
    expect(modes.set('MSFT', 'live', 'ui-electron').mode).toBe('live');
  });
});
