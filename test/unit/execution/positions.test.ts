import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../src/main/clock';
import { PositionBook, type PositionFill } from '../../../src/main/execution/positions';
import { sizeOrder, validateRule } from '../../../src/main/execution/sizing';
import { fromNewYork } from '../../../src/main/time/newYork';

const MON_10 = fromNewYork(2026, 3, 2, 10, 0);
const MON_23 = fromNewYork(2026, 3, 2, 23, 30);
const TUE_01 = fromNewYork(2026, 3, 3, 1, 0);
const TUE_10 = fromNewYork(2026, 3, 3, 10, 0);

function f(over: Partial<PositionFill>): PositionFill {
  return { mode: 'live', symbol: 'NVDA', side: 'BUY', quantity: 100, price: 100, commission: 0, ts: MON_10, ...over };
}

describe('positions', () => {
  it('average cost, realised P&L net of commissions, flip through flat, unrealised at the mark', () => {
    const book = new PositionBook({ clock: new SimulatedClock(MON_10) });
    book.applyFill(f({ quantity: 100, price: 100, commission: 1 }));
    book.applyFill(f({ quantity: 100, price: 102, commission: 1 }));
    expect(book.get('live', 'NVDA')).toMatchObject({ quantity: 200, avgCost: 101, realizedPnl: -2 });
    book.applyFill(f({ side: 'SELL', quantity: 50, price: 105, commission: 1 }));
    expect(book.get('live', 'NVDA')).toMatchObject({ quantity: 150, avgCost: 101, realizedPnl: 200 - 3 });
    book.applyFill(f({ side: 'SELL', quantity: 200, price: 100 }));
    // 150 closed at −1 each, 50 short opened at 100.
    expect(book.get('live', 'NVDA')).toMatchObject({ quantity: -50, avgCost: 100, realizedPnl: 197 - 150 });
    book.mark('NVDA', 98, MON_10);
    expect(book.get('live', 'NVDA')!.unrealizedPnl).toBe(100);
    book.applyFill(f({ quantity: 50, price: 98 }));
    expect(book.get('live', 'NVDA')).toMatchObject({ quantity: 0, avgCost: 0, realizedPnl: 147, unrealizedPnl: 0 });
  });

  it('keeps shadow and live apart', () => {
    const book = new PositionBook({ clock: new SimulatedClock(MON_10) });
    book.applyFill(f({ mode: 'shadow', quantity: 10 }));
    book.applyFill(f({ mode: 'live', quantity: 3, side: 'SELL' }));
    expect(book.quantity('shadow', 'NVDA')).toBe(10);
    expect(book.quantity('live', 'NVDA')).toBe(-3);
    book.mark('NVDA', 101, MON_10);
    expect(book.totals('shadow')).toMatchObject({ unrealizedPnl: 10, grossExposure: 1010 });
    expect(book.totals('live')).toMatchObject({ unrealizedPnl: -3, grossExposure: 303 });
  });

  it('daily P&L restarts at the New York midnight, from the last mark of the day before', () => {
    const clock = new SimulatedClock(MON_10);
    const book = new PositionBook({ clock });
    book.applyFill(f({ quantity: 100, price: 100, commission: 1 }));
    book.mark('NVDA', 103, MON_10 + 60_000);
    expect(book.get('live', 'NVDA')!.dailyPnl).toBeCloseTo(299, 10);
    clock.set(MON_23); // 04:30 UTC Tuesday, still Monday in New York
    book.mark('NVDA', 104, MON_23);
    expect(book.get('live', 'NVDA')!.dailyPnl).toBeCloseTo(399, 10);
    clock.set(TUE_01);
    expect(book.get('live', 'NVDA')!.dailyPnl).toBe(0);
    clock.set(TUE_10);
    book.mark('NVDA', 102, TUE_10);
    book.applyFill(f({ side: 'SELL', quantity: 50, price: 102.5, commission: 1, ts: TUE_10 }));
    // 100 shares 104 → 102 = −200; the 50 sold gained 0.5 more than the mark; −1 commission.
    expect(book.get('live', 'NVDA')!.dailyPnl).toBeCloseTo(-200 + 25 - 1, 10);
  });

  it('uses the prior close as the day-start mark when given', () => {
    const clock = new SimulatedClock(MON_10);
    const book = new PositionBook({ clock, priorClose: () => 101 });
    book.applyFill(f({ quantity: 10, price: 100 }));
    clock.set(TUE_10);
    book.mark('NVDA', 102, TUE_10);
    expect(book.get('live', 'NVDA')!.dailyPnl).toBeCloseTo(10, 10);
  });

  it('ignores a non-positive or non-finite mark', () => {
    const book = new PositionBook({ clock: new SimulatedClock(MON_10) });
    book.applyFill(f({}));
    expect(book.mark('NVDA', 0, MON_10)).toEqual([]);
    expect(book.mark('NVDA', NaN, MON_10)).toEqual([]);
    expect(book.get('live', 'NVDA')!.lastPrice).toBe(100);
  });
});

describe('sizing', () => {
  it('fixed quantity, fixed notional and % of equity, rounded down to whole shares', () => {
    expect(sizeOrder({ kind: 'fixedQuantity', quantity: 25 }, { price: null, equity: null })).toEqual({
      ok: true,
      quantity: 25,
    });
    expect(sizeOrder({ kind: 'fixedNotional', notional: 10_000 }, { price: 333, equity: null })).toEqual({
      ok: true,
      quantity: 30,
    });
    expect(sizeOrder({ kind: 'fixedNotional', notional: 1_000 }, { price: 0.1, equity: null })).toEqual({
      ok: true,
      quantity: 10_000,
    });
    expect(sizeOrder({ kind: 'percentEquity', percent: 5 }, { price: 250, equity: 100_000 })).toEqual({
      ok: true,
      quantity: 20,
    });
  });

  it('refuses what it cannot size, with the reason', () => {
    expect(sizeOrder({ kind: 'fixedNotional', notional: 100 }, { price: null, equity: null })).toMatchObject({
      ok: false,
      reason: /no valid price/,
    });
    expect(sizeOrder({ kind: 'fixedNotional', notional: 100 }, { price: 500, equity: null })).toMatchObject({
      ok: false,
      reason: /rounds to 0/,
    });
    expect(sizeOrder({ kind: 'percentEquity', percent: 5 }, { price: 10, equity: null })).toMatchObject({
      ok: false,
      reason: /equity/,
    });
    expect(validateRule({ kind: 'fixedQuantity', quantity: 2.5 })).toMatch(/whole number/);
    expect(validateRule({ kind: 'percentEquity', percent: 150 })).toMatch(/\(0, 100\]/);
    expect(sizeOrder({ kind: 'fixedNotional', notional: -5 }, { price: 10, equity: null })).toMatchObject({
      ok: false,
    });
  });
});
