/**
 * Positions per (mode, symbol), average-cost method. Shadow and live are separate books so the UI
 * can show shadow P&L beside live P&L. Realised P&L is net of commissions; unrealised is marked to
 * the last quote. Daily P&L is measured from the start of the New York calendar day:
 *   daily = qty × mark − qtyAtDayStart × markAtDayStart + today's cash flow (fills and commissions)
 * which counts overnight positions from their day-start mark and intraday trades from their price.
 */
import type { Clock } from '../clock';
import { nyDateKey } from '../time/newYork';
import type { OrderMode, OrderSide } from './types';

export interface PositionView {
  mode: OrderMode;
  symbol: string;
  /** Signed shares: negative is short. */
  quantity: number;
  avgCost: number;
  /** Net of commissions. */
  realizedPnl: number;
  unrealizedPnl: number;
  dailyPnl: number;
  commissions: number;
  /** Last price marked (quote) or, before any quote, the last fill price. */
  lastPrice: number | null;
  updatedAt: number;
}

export interface PnlTotals {
  mode: OrderMode;
  realizedPnl: number;
  unrealizedPnl: number;
  dailyPnl: number;
  /** Σ |qty| × mark: what the risk engine caps. */
  grossExposure: number;
}

export interface PositionFill {
  mode: OrderMode;
  symbol: string;
  side: OrderSide;
  quantity: number;
  price: number;
  commission: number;
  ts: number;
}

interface Book {
  mode: OrderMode;
  symbol: string;
  quantity: number;
  avgCost: number;
  realizedPnl: number;
  commissions: number;
  lastPrice: number | null;
  updatedAt: number;
  dayKey: string;
  dayStartQty: number;
  dayStartMark: number;
  dayCash: number;
}

export interface PositionBookOptions {
  clock: Clock;
  /** The prior session's close, used as the day-start mark for an overnight position when known. */
  priorClose?: (symbol: string, dayKey: string) => number | null;
}

/** Shares below this are float dust, not a position. */
const EPS = 1e-9;

export class PositionBook {
  private readonly books = new Map<string, Book>();

  constructor(private readonly opts: PositionBookOptions) {}

  applyFill(f: PositionFill): PositionView {
    const b = this.book(f.mode, f.symbol, f.ts);
    this.roll(b, f.ts);
    const signed = f.side === 'BUY' ? f.quantity : -f.quantity;
    if (Math.abs(b.quantity) < EPS || Math.sign(b.quantity) === Math.sign(signed)) {
      const size = Math.abs(b.quantity) + f.quantity;
      b.avgCost = (Math.abs(b.quantity) * b.avgCost + f.quantity * f.price) / size;
      b.quantity += signed;
    } else {
      const closing = Math.min(f.quantity, Math.abs(b.quantity));
      b.realizedPnl += closing * (f.price - b.avgCost) * Math.sign(b.quantity);
      b.quantity += signed;
      if (Math.abs(b.quantity) < EPS) {
        b.quantity = 0;
        b.avgCost = 0;
      } else if (f.quantity > closing) {
        // Flipped through flat: the remainder opens a new position at the fill price.
        b.avgCost = f.price;
      }
    }
    b.realizedPnl -= f.commission;
    b.commissions += f.commission;
    b.dayCash += -signed * f.price - f.commission;
    if (b.lastPrice === null) b.lastPrice = f.price;
    b.updatedAt = Math.max(b.updatedAt, f.ts);
    return this.view(b);
  }

  /** A commission reported after its fill. */
  applyCommission(mode: OrderMode, symbol: string, commission: number, ts: number): PositionView {
    const b = this.book(mode, symbol, ts);
    this.roll(b, ts);
    b.realizedPnl -= commission;
    b.commissions += commission;
    b.dayCash -= commission;
    b.updatedAt = Math.max(b.updatedAt, ts);
    return this.view(b);
  }

  /** Marks both books of a symbol to a quote price. Returns the positions that exist. */
  mark(symbol: string, price: number, ts: number): PositionView[] {
    if (!(price > 0) || !Number.isFinite(price)) return [];
    const out: PositionView[] = [];
    for (const mode of ['shadow', 'live'] as const) {
      const b = this.books.get(key(mode, symbol));
      if (!b) continue;
      this.roll(b, ts);
      b.lastPrice = price;
      b.updatedAt = Math.max(b.updatedAt, ts);
      out.push(this.view(b));
    }
    return out;
  }

  get(mode: OrderMode, symbol: string): PositionView | null {
    const b = this.books.get(key(mode, symbol));
    if (!b) return null;
    this.roll(b, this.opts.clock.now());
    return this.view(b);
  }

  quantity(mode: OrderMode, symbol: string): number {
    return this.books.get(key(mode, symbol))?.quantity ?? 0;
  }

  list(mode?: OrderMode): PositionView[] {
    const now = this.opts.clock.now();
    const out: PositionView[] = [];
    for (const b of this.books.values()) {
      if (mode && b.mode !== mode) continue;
      this.roll(b, now);
      out.push(this.view(b));
    }
    return out.sort((a, b) => a.mode.localeCompare(b.mode) || a.symbol.localeCompare(b.symbol));
  }

  totals(mode: OrderMode): PnlTotals {
    const t: PnlTotals = { mode, realizedPnl: 0, unrealizedPnl: 0, dailyPnl: 0, grossExposure: 0 };
    for (const p of this.list(mode)) {
      t.realizedPnl += p.realizedPnl;
      t.unrealizedPnl += p.unrealizedPnl;
      t.dailyPnl += p.dailyPnl;
      t.grossExposure += Math.abs(p.quantity) * (p.lastPrice ?? p.avgCost);
    }
    return t;
  }

  private book(mode: OrderMode, symbol: string, ts: number): Book {
    const k = key(mode, symbol);
    let b = this.books.get(k);
    if (!b) {
      b = {
        mode,
        symbol,
        quantity: 0,
        avgCost: 0,
        realizedPnl: 0,
        commissions: 0,
        lastPrice: null,
        updatedAt: ts,
        dayKey: nyDateKey(ts),
        dayStartQty: 0,
        dayStartMark: 0,
        dayCash: 0,
      };
      this.books.set(k, b);
    }
    return b;
  }

  /** Starts a new day's P&L at the first event of a later New York day. Never goes back. */
  private roll(b: Book, ts: number): void {
    const day = nyDateKey(ts);
    if (day <= b.dayKey) return;
    b.dayKey = day;
    b.dayStartQty = b.quantity;
    b.dayStartMark = this.opts.priorClose?.(b.symbol, day) ?? b.lastPrice ?? b.avgCost;
    b.dayCash = 0;
  }

  private view(b: Book): PositionView {
    const mark = b.lastPrice ?? b.avgCost;
    return {
      mode: b.mode,
      symbol: b.symbol,
      quantity: b.quantity,
      avgCost: b.avgCost,
      realizedPnl: b.realizedPnl,
      unrealizedPnl: b.lastPrice === null ? 0 : b.quantity * (b.lastPrice - b.avgCost),
      dailyPnl: b.quantity * mark - b.dayStartQty * b.dayStartMark + b.dayCash,
      commissions: b.commissions,
      lastPrice: b.lastPrice,
      updatedAt: b.updatedAt,
    };
  }
}

const key = (mode: OrderMode, symbol: string): string => `${mode}:${symbol}`;
