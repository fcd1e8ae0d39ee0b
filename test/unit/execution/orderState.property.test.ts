/**
 * Property-based (fast-check): random broker report sequences against the order manager, with
 * out-of-order, repeated and duplicate reports (fills with a repeated exec id, a second ack, a
 * cancel crossing fills, late fills after CANCELED/EXPIRED, rejects after fills). Whatever the
 * order, the invariants of docs/execution.md hold after every report.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../src/main/clock';
import { MemoryOrderStore } from '../../../src/main/execution/orderEvents';
import { OrderManager } from '../../../src/main/execution/orderManager';
import { isTerminal, TRANSITIONS } from '../../../src/main/execution/orderState';
import { RiskEngine } from '../../../src/main/execution/risk';
import type { BrokerReport, OrderStatus } from '../../../src/main/execution/types';
import { ScriptedBroker } from './fakeBroker';

type Step =
  | { k: 'submitted' | 'accepted' | 'cancelPending' | 'canceled' | 'expired' | 'cancelRejected' | 'rejected' }
  | { k: 'fill'; exec: number; qty: number; price: number }
  | { k: 'commission'; exec: number; amount: number }
  | { k: 'localCancel' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constantFrom<Step>(
    { k: 'submitted' },
    { k: 'accepted' },
    { k: 'cancelPending' },
    { k: 'canceled' },
    { k: 'expired' },
    { k: 'cancelRejected' },
    { k: 'rejected' },
    { k: 'localCancel' },
  ),
  // A small exec id space makes repeated exec ids (duplicate reports) common.
  fc.record({
    k: fc.constant('fill' as const),
    exec: fc.integer({ min: 1, max: 6 }),
    qty: fc.integer({ min: 1, max: 6 }),
    price: fc.integer({ min: 9_000, max: 11_000 }).map((c) => c / 100),
  }),
  fc.record({
    k: fc.constant('commission' as const),
    exec: fc.integer({ min: 1, max: 6 }),
    amount: fc.integer({ min: 1, max: 300 }).map((c) => c / 100),
  }),
);

/** Statuses a terminal order may still reach: late fills complete CANCELED/EXPIRED orders. */
const allowedFromTerminal: Partial<Record<OrderStatus, OrderStatus[]>> = {
  CANCELED: ['FILLED'],
  EXPIRED: ['FILLED'],
};

function setup() {
  const clock = new SimulatedClock(Date.UTC(2026, 2, 2, 15, 0));
  const broker = new ScriptedBroker();
  const store = new MemoryOrderStore();
  const risk = new RiskEngine({
    clock,
    config: { ordersPerSecond: 50, orderBurst: 1000, duplicateWindowMs: 0 },
    requestHalt: () => undefined,
  });
  const deps = {
    store,
    clock,
    brokers: { live: broker },
    risk,
    tradingState: () => 'ACTIVE' as const,
    quote: () => ({ price: 100, ts: clock.now() }),
  };
  return { clock, broker, store, deps, oms: new OrderManager(deps) };
}

function report(s: Step, id: string, orderIdx: number, ts: number): BrokerReport | null {
  switch (s.k) {
    case 'fill':
      return { type: 'fill', clientOrderId: id, execId: `${orderIdx}.${s.exec}`, quantity: s.qty, price: s.price, ts };
    case 'commission':
      return { type: 'commission', execId: `${orderIdx}.${s.exec}`, commission: s.amount, currency: 'USD', ts };
    case 'submitted':
    case 'accepted':
      return { type: s.k, clientOrderId: id, brokerOrderId: '7', ts };
    case 'rejected':
      return { type: 'rejected', clientOrderId: id, reason: 'venue said no', ts };
    case 'cancelRejected':
      return { type: 'cancelRejected', clientOrderId: id, reason: 'too late', ts };
    case 'canceled':
      return { type: 'canceled', clientOrderId: id, ts };
    case 'cancelPending':
      return { type: 'cancelPending', clientOrderId: id, ts };
    case 'expired':
      return { type: 'expired', clientOrderId: id, ts };
    case 'localCancel':
      return null;
  }
}

describe('order state machine under random report sequences', () => {
  it('keeps filled = Σ unique fills, avg within the fills, no illegal exits from terminal states, rebuild = live', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ qty: fc.integer({ min: 1, max: 12 }), steps: fc.array(step, { maxLength: 25 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.array(fc.nat(), { maxLength: 100 }),
        (orders, interleave) => {
          const { clock, broker, store, deps, oms } = setup();
          const ids = orders.map((o, i) => {
            const r = oms.submit({
              symbol: 'NVDA',
              side: i % 2 ? 'SELL' : 'BUY',
              quantity: o.qty,
              type: 'MKT',
              mode: 'live',
              origin: 'manual',
            });
            expect(r.status).toBe('SUBMITTED');
            return r.clientOrderId;
          });
          // Interleave the orders' reports in a random order (reports of different orders race).
          const queues = orders.map((o) => [...o.steps]);
          const fillsSeen = ids.map(() => new Map<string, { qty: number; price: number }>());
          let n = 0;
          while (queues.some((q) => q.length > 0)) {
            const live = queues.map((q, i) => (q.length > 0 ? i : -1)).filter((i) => i >= 0);
            const i = live[(interleave[n++ % Math.max(1, interleave.length)] ?? 0) % live.length]!;
            const s = queues[i]!.shift()!;
            const id = ids[i]!;
            const before = oms.get(id)!;
            clock.advance(1);
            const r = report(s, id, i, clock.now());
            if (r === null) oms.cancel(id);
            else broker.emit(r);
            const after = oms.get(id)!;

            // The expected fills: first report of each exec id counts, only when the order can take a fill.
            if (s.k === 'fill') {
              const execId = `${i}.${s.exec}`;
              const known = fillsSeen[i]!.has(execId);
              const accepted = after.filledQty !== before.filledQty;
              if (known) expect(accepted, 'a repeated exec id is ignored').toBe(false);
              if (accepted) fillsSeen[i]!.set(execId, { qty: s.qty, price: s.price });
              if (!known && !accepted) expect(['DENIED', 'REJECTED', 'INITIALIZED']).toContain(before.status);
            }
            // No exits from terminal states except the documented late fills.
            if (isTerminal(before.status) && after.status !== before.status)
              expect(allowedFromTerminal[before.status] ?? []).toContain(after.status);
            // Every status change is a cell of the state table.
            if (after.status !== before.status) {
              const targets = Object.values(TRANSITIONS[before.status]);
              expect(
                targets.includes(after.status) || targets.includes('restore'),
                `${before.status} → ${after.status}`,
              ).toBe(true);
            }
            for (const [k, o] of ids.entries()) {
              const rec = oms.get(o)!;
              const fills = [...fillsSeen[k]!.values()];
              const total = fills.reduce((a, f) => a + f.qty, 0);
              expect(rec.filledQty).toBe(total);
              if (rec.filledQty > rec.request.quantity) expect(rec.overfilled).toBe(true);
              if (fills.length > 0) {
                const lo = Math.min(...fills.map((f) => f.price));
                const hi = Math.max(...fills.map((f) => f.price));
                expect(rec.avgFillPrice!).toBeGreaterThanOrEqual(lo - 1e-9);
                expect(rec.avgFillPrice!).toBeLessThanOrEqual(hi + 1e-9);
              } else expect(rec.avgFillPrice).toBeNull();
            }
          }
          // Restart: the rebuild from the stored events is the live state.
          const rebuilt = new OrderManager({ ...deps, store });
          for (const id of ids) {
            const a = oms.get(id)!;
            const b = rebuilt.get(id)!;
            expect({ ...b, updatedAt: 0 }).toEqual({ ...a, updatedAt: 0 });
          }
          expect(rebuilt.fills().length).toBe(oms.fills().length);
          expect(rebuilt.positions.quantity('live', 'NVDA')).toBeCloseTo(oms.positions.quantity('live', 'NVDA'), 9);
          rebuilt.close();
          oms.close();
        },
      ),
      { numRuns: 300, seed: 9 },
    );
  });
});
