import { afterEach, describe, expect, it } from 'vitest';
import type { Trade } from '../../../src/shared/domain';
import type { BarDiff } from '../../../src/main/bars/aggregator';
import { BarRecorder } from '../../../src/main/bars/recorder';
import { SimulatedClock } from '../../../src/main/clock';
import { SqliteBarStore } from '../../../src/main/storage/barRepo';
import { openDatabase, type Db } from '../../../src/main/storage/db';
import { tempDir } from '../../helpers/tmp';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

const M = Date.UTC(2026, 10, 20, 15, 0);

function setup() {
  const t = tempDir();
  const db: Db = openDatabase(t.dir);
  cleanups.push(() => db.open && db.close(), t.cleanup);
  const clock = new SimulatedClock(M);
  const store = new SqliteBarStore(db);
  return { db, clock, store, recorder: new BarRecorder(store, clock) };
}

const trade = (ts: number, price: number, id: string): Trade => ({
  symbol: 'NVDA',
  ts,
  price,
  size: 10,
  provider: 'polygon',
  id,
});

describe('bar recorder', () => {
  it('stores closed bars in batches, one transaction per flush', () => {
    const { clock, store, recorder } = setup();
    for (let m = 0; m < 3; m++) {
      clock.set(M + m * 60_000 + 1000);
      recorder.onEvent('polygon', { type: 'trade', trade: trade(M + m * 60_000 + 1000, 100 + m, `t${m}`) });
    }
    clock.set(M + 3 * 60_000);
    recorder.tick();
    expect(recorder.queued).toBe(3);
    expect(store.range('NVDA', '1m', 0, Number.MAX_SAFE_INTEGER)).toEqual([]);
    expect(recorder.flush()).toBe(3);
    expect(recorder.buffer.counters.flushes).toBe(1);
    const rows = store.range('NVDA', '1m', 0, Number.MAX_SAFE_INTEGER);
    expect(rows.map((r) => [r.ts, r.c, r.status, r.provider])).toEqual([
      [M, 100, 'live', 'built'],
      [M + 60_000, 101, 'live', 'built'],
      [M + 120_000, 102, 'live', 'built'],
    ]);
  });

  it('a provider bar replaces the built one for its minute, and an amendment updates the stored bar', () => {
    const { clock, store, recorder } = setup();
    const diffs: BarDiff[] = [];
    recorder.onReconciled = (d) => diffs.push(d);
    clock.set(M + 1000);
    recorder.onEvent('polygon', { type: 'trade', trade: trade(M + 1000, 100, 'a') });
    clock.set(M + 60_000);
    recorder.tick();
    clock.set(M + 61_000);
    recorder.onEvent('polygon', { type: 'trade', trade: trade(M + 59_000, 105, 'b') }); // late, amends
    recorder.flush();
    expect(store.range('NVDA', '1m', M, M + 60_000)[0]).toMatchObject({ c: 105, status: 'amended', provider: 'built' });
    recorder.onEvent('polygon', { type: 'bar', bar: { symbol: 'NVDA', ts: M, o: 100, h: 106, l: 99, c: 104, v: 30 } });
    // Our later rebuild of the same minute must not overwrite the provider's bar in the same batch.
    recorder.flush();
    expect(store.range('NVDA', '1m', M, M + 60_000)[0]).toMatchObject({
      c: 104,
      h: 106,
      provider: 'polygon',
      status: 'live',
    });
    expect(recorder.counters.reconciled).toBe(1);
    expect(diffs).toEqual([expect.objectContaining({ symbol: 'NVDA', ts: M })]);
    expect(diffs[0]!.diff).toMatchObject({ c: 104 - 105, h: 106 - 105 });
  });

  it('tells every subscriber about each bar, even when one of them throws, and stops after unsubscribe', () => {
    const { clock, recorder } = setup();
    const heard: string[] = [];
    const errors: unknown[] = [];
    recorder.onListenerError = (err) => errors.push(err);
    recorder.subscribe(() => {
      throw new Error('chart went away');
    });
    const off = recorder.subscribe((bar, kind) => heard.push(`${kind}@${bar.ts}`));
    clock.set(M + 1000);
    recorder.onEvent('polygon', { type: 'trade', trade: trade(M + 1000, 100, 'a') });
    clock.set(M + 60_000);
    recorder.tick();
    expect(heard).toEqual([`closed@${M}`]);
    expect(errors).toHaveLength(1);
    expect(recorder.counters.listenerErrors).toBe(1);
    expect(recorder.queued).toBe(1);
    off();
    clock.set(M + 61_000);
    recorder.onEvent('polygon', { type: 'trade', trade: trade(M + 61_000, 101, 'b') });
    clock.set(M + 120_000);
    recorder.tick();
    expect(heard).toHaveLength(1);
  });

  it('keeps the batch queued when the write fails, and writes it on the next flush', () => {
    const { clock, recorder, store, db } = setup();
    clock.set(M + 1000);
    recorder.onEvent('polygon', { type: 'trade', trade: trade(M + 1000, 100, 'x') });
    clock.set(M + 60_000);
    recorder.tick();
    db.exec("CREATE TRIGGER refuse BEFORE INSERT ON bars BEGIN SELECT RAISE(ABORT, 'disk says no'); END");
    expect(() => recorder.flush()).toThrow(/disk says no/);
    expect(recorder.queued).toBe(1);
    db.exec('DROP TRIGGER refuse');
    expect(recorder.flush()).toBe(1);
    expect(store.latestTs('NVDA', '1m')).toBe(M);
  });
});
