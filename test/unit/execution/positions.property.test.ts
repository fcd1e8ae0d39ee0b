/**
 * Property-based (fast-check): portfolio accounting over random fill sequences, including flips
 * through flat, commissions with the fill or reported later, and both modes at once.
 * Invariants: position = Σ signed fills; cash conservation (cash + position × avgCost = initial +
 * realised, realised being net of commissions, so the books balance to the cent); commissions add
 * up; the average cost lies within the prices that built the open position.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../src/main/clock';
import { PositionBook } from '../../../src/main/execution/positions';

const fill = fc.record({
  mode: fc.constantFrom('shadow' as const, 'live' as const),
  symbol: fc.constantFrom('NVDA', 'MSFT'),
  side: fc.constantFrom('BUY' as const, 'SELL' as const),
  quantity: fc.integer({ min: 1, max: 500 }),
  price: fc.integer({ min: 100, max: 100_000 }).map((c) => c / 100),
  commission: fc.integer({ min: 0, max: 500 }).map((c) => c / 100),
  /** Commission reported with the fill, or later on its own (IB's commissionReport). */
  separate: fc.boolean(),
  /** Minutes later: crosses New York day boundaries now and then. */
  gap: fc.integer({ min: 0, max: 900 }),
});

const INITIAL_CASH = 1_000_000;

describe('portfolio accounting under random fills', () => {
  it('position = Σ fills, cash is conserved, commissions add up, avg cost within the opening prices', () => {
    fc.assert(
      fc.property(fc.array(fill, { maxLength: 60 }), (fills) => {
        const clock = new SimulatedClock(Date.UTC(2026, 2, 2, 14, 30));
        const book = new PositionBook({ clock });
        const ledger = new Map<string, { qty: number; cash: number; fees: number; opening: number[] }>();
        for (const f of fills) {
          clock.advance(f.gap * 60_000 + 1);
          const ts = clock.now();
          const key = `${f.mode}:${f.symbol}`;
          const l = ledger.get(key) ?? { qty: 0, cash: INITIAL_CASH, fees: 0, opening: [] };
          const signed = f.side === 'BUY' ? f.quantity : -f.quantity;
          // Prices that built the open position: reset when it goes through flat.
          const flips = l.qty !== 0 && Math.sign(l.qty + signed) !== Math.sign(l.qty);
          if (l.qty === 0 || flips) l.opening = [];
          if (l.qty + signed !== 0) l.opening.push(f.price);
          l.qty += signed;
          l.cash -= signed * f.price + f.commission;
          l.fees += f.commission;
          ledger.set(key, l);
          book.applyFill({ ...f, commission: f.separate ? 0 : f.commission, ts });
          if (f.separate) book.applyCommission(f.mode, f.symbol, f.commission, ts);

          const p = book.get(f.mode, f.symbol)!;
          expect(p.quantity).toBe(l.qty);
          expect(p.commissions).toBeCloseTo(l.fees, 6);
          // Cash conservation: what the book holds at cost plus cash equals the start plus realised.
          expect(l.cash + p.quantity * p.avgCost).toBeCloseTo(INITIAL_CASH + p.realizedPnl, 4);
          if (p.quantity === 0) expect(p.avgCost).toBe(0);
          else {
            expect(p.avgCost).toBeGreaterThanOrEqual(Math.min(...l.opening) - 1e-9);
            expect(p.avgCost).toBeLessThanOrEqual(Math.max(...l.opening) + 1e-9);
          }
        }
        // The modes never mix: each book is its own fills.
        for (const [key, l] of ledger) {
          const [mode, symbol] = key.split(':') as ['shadow' | 'live', string];
          expect(book.quantity(mode, symbol)).toBe(l.qty);
        }
      }),
      { numRuns: 500, seed: 11 },
    );
  });
});
