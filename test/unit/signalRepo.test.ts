import { afterEach, describe, expect, it } from 'vitest';
import type { Signal } from '../../src/shared/domain';
import { openDatabase, type Db } from '../../src/main/storage/db';
import { SignalRepo } from '../../src/main/storage/signalRepo';
import { tempDir } from '../helpers/tmp';

let db: Db | undefined;
let cleanup: (() => void) | undefined;
afterEach(() => {
  db?.close();
  cleanup?.();
  db = cleanup = undefined;
});

function open(): SignalRepo {
  const t = tempDir();
  cleanup = t.cleanup;
  db = openDatabase(t.dir);
  return new SignalRepo(db);
}

function signal(over: Partial<Signal> = {}): Signal {
  return {
    ts: 1_741_017_660_000,
    barTs: 1_741_017_600_000,
    policy: 'single',
    symbols: ['AAPL'],
    action: 'BUY',
    legs: [{ symbol: 'AAPL', side: 'BUY' }],
    probs: [0.1, 0.2, 0.7],
    confidence: 0.7,
    threshold: 0.6,
    passed: true,
    reason: null,
    reasons: [],
    detail: '',
    latencyUs: 42.5,
    mode: 'shadow',
    ...over,
  };
}

const blocked = signal({
  ts: 1_741_017_720_000,
  passed: false,
  reason: 'confidence',
  reasons: ['confidence', 'cooldown'],
  detail: 'confidence 0.55 < 0.60',
  confidence: 0.55,
});
const pair = signal({
  ts: 1_741_017_780_000,
  policy: 'dual',
  symbols: ['NVDA', 'MSFT'],
  action: 'BUY_A_HOLD_B',
  legs: [
    { symbol: 'NVDA', side: 'BUY' },
    { symbol: 'MSFT', side: 'HOLD' },
  ],
  probs: [0, 0, 0, 0, 0.3, 0, 0, 0.7, 0],
});

describe('SignalRepo', () => {
  it('queues without writing, then writes a batch in one flush; reads come back newest first, with reason and latency', () => {
    const repo = open();
    repo.append(signal());
    repo.append(blocked);
    repo.append(pair);
    expect(db!.prepare('SELECT count(*) AS n FROM signals').get()).toEqual({ n: 0 });
    expect(repo.flush()).toBe(3);
    expect(repo.queued).toBe(0);
    const rows = repo.recent();
    expect(rows.map(({ id: _id, ...s }) => s)).toEqual([pair, blocked, signal()]);
    expect(rows[1]).toMatchObject({ reason: 'confidence', latencyUs: 42.5, passed: false });
    expect(rows[0]!.id).toBeGreaterThan(rows[1]!.id!);
  });

  it('recent() writes the queue first; filters by symbol, pairs included; honours limit', () => {
    const repo = open();
    repo.append(signal());
    repo.append(pair);
    repo.append(signal({ symbols: ['MSFTX'], legs: [{ symbol: 'MSFTX', side: 'BUY' }] }));
    expect(repo.recent({ symbol: 'MSFT' }).map((s) => s.action)).toEqual(['BUY_A_HOLD_B']);
    expect(repo.recent({ symbol: 'NVDA' })).toHaveLength(1);
    expect(repo.recent({ symbol: 'AAPL' })).toHaveLength(1);
    expect(repo.recent({ limit: 2 })).toHaveLength(2);
  });

  it('a failed write keeps the whole batch queued and writes nothing of it', () => {
    const repo = open();
    repo.append(signal());
    repo.append(signal({ confidence: 1.5 })); // violates the CHECK: a bug upstream
    expect(() => repo.flush()).toThrow(/CHECK constraint failed/);
    expect(repo.queued).toBe(2);
    expect(db!.prepare('SELECT count(*) AS n FROM signals').get()).toEqual({ n: 0 });
  });

  it('the table refuses a passed row with a reason and a blocked row without one', () => {
    const repo = open();
    repo.append(signal({ passed: true, reason: 'cooldown' }));
    expect(() => repo.flush()).toThrow(/CHECK constraint failed/);
    const repo2 = new SignalRepo(db!);
    repo2.append(signal({ passed: false, reason: null }));
    expect(() => repo2.flush()).toThrow(/CHECK constraint failed/);
  });
});
