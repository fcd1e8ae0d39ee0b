import { describe, expect, it } from 'vitest';
import type { Quote } from '../../src/shared/domain';
import { QuoteRecorder } from '../../src/main/marketdata/quoteRecorder';

const quote = (ts: number): Quote => ({
  symbol: 'NVDA',
  ts,
  bid: 100,
  bidSize: 1,
  ask: 100.01,
  askSize: 2,
  provider: 'synthetic',
});

describe('quote recorder', () => {
  it('appends queued quotes in one batch per flush', () => {
    const batches: number[][] = [];
    const rec = new QuoteRecorder({ append: (qs) => batches.push(qs.map((q) => q.ts)) });
    rec.add(quote(1));
    rec.add(quote(2));
    expect(rec.flush()).toBe(2);
    expect(rec.flush()).toBe(0);
    expect(batches).toEqual([[1, 2]]);
    expect(rec.counters.written).toBe(2);
  });

  it('keeps quotes queued when the write fails and writes them on the next flush', () => {
    let fail = true;
    const stored: number[] = [];
    const rec = new QuoteRecorder({
      append: (qs) => {
        if (fail) throw new Error('SQLITE_FULL');
        stored.push(...qs.map((q) => q.ts));
      },
    });
    rec.add(quote(1));
    expect(() => rec.flush()).toThrow('SQLITE_FULL');
    expect(rec.queued).toBe(1);
    fail = false;
    rec.add(quote(2));
    rec.flush();
    expect(stored).toEqual([1, 2]);
    expect(rec.counters.failures).toBe(1);
  });

  it('drops the oldest quotes, counted, once the cap is reached', () => {
    const rec = new QuoteRecorder({ append: () => {} }, 4);
    for (let i = 1; i <= 5; i++) rec.add(quote(i));
    expect(rec.counters.dropped).toBe(2);
    expect(rec.queued).toBe(3);
    const kept: number[] = [];
    const rec2 = new QuoteRecorder({ append: (qs) => kept.push(...qs.map((q) => q.ts)) }, 4);
    for (let i = 1; i <= 5; i++) rec2.add(quote(i));
    rec2.flush();
    expect(kept).toEqual([3, 4, 5]);
  });
});
