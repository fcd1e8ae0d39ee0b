import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/main/bus';
import { SimulatedClock } from '../../../src/main/clock';
import { AlertCenter, AlertInputError, MemoryAlertStore } from '../../../src/main/observability/alerts';
import type { Alert } from '../../../src/shared/domain';

describe('AlertCenter', () => {
  it('defaults the kind to other, publishes each alert and pages the history newest first', () => {
    const bus = new EventBus();
    const seen: Alert[] = [];
    bus.on('alert', (a) => seen.push(a));
    const center = new AlertCenter(bus, new SimulatedClock(5), 200);
    const a = center.raise('warning', 'A', 'a');
    const b = center.raise('critical', 'B', 'b', { kind: 'killSwitch' });
    const c = center.raise('info', 'C', 'c', { kind: 'dataGap', symbol: 'NVDA' });
    expect(seen.map((x) => [x.title, x.kind, x.symbol])).toEqual([
      ['A', 'other', undefined],
      ['B', 'killSwitch', undefined],
      ['C', 'dataGap', 'NVDA'],
    ]);
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);
    expect(center.list().map((x) => x.title)).toEqual(['A', 'B', 'C']);
    expect(center.history(2)).toMatchObject({ alerts: [{ title: 'C' }, { title: 'B' }], unread: 3 });
    expect(center.history(2, b.id).alerts.map((x) => x.title)).toEqual(['A']);
    expect(center.ack(b.id)).toBe(2);
    expect(center.ackAll()).toEqual({ acked: 2, unread: 0 });
    expect(() => center.ack('nope')).toThrow(AlertInputError);
    expect(() => center.history(10, 'nope')).toThrow(AlertInputError);
  });

  it('keeps alerts the store refused, still shows them, and writes them once the store recovers', () => {
    const store = new MemoryAlertStore();
    let broken = true;
    const original = store.append.bind(store);
    store.append = (a) => {
      if (broken) throw new Error('SQLITE_FULL');
      original(a);
    };
    const errors: unknown[] = [];
    const center = new AlertCenter(new EventBus(), new SimulatedClock(1), 200, store);
    center.onStoreError = (e) => errors.push(e);
    center.raise('critical', 'Bar storage failed', 'disk full', { kind: 'storage' });
    center.raise('warning', 'Second', 'x');
    expect(errors).toHaveLength(1); // told once per run of failures
    expect(center.list().map((a) => a.title)).toEqual(['Bar storage failed', 'Second']);
    expect(center.history().unread).toBe(2);
    broken = false;
    center.raise('info', 'Third', 'y');
    expect(store.list(10).map((a) => a.title)).toEqual(['Third', 'Second', 'Bar storage failed']);
    expect(center.history().alerts).toHaveLength(3);
  });
});
