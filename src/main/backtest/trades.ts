/**
 * Round trips from fills. A trade opens when a symbol's position leaves zero and closes when it
 * returns to zero; a fill that reverses the position closes one trade and opens the next, its fee
 * split between them by quantity. Positions still open after the last fill are not trades: they
 * are in the equity curve, and the runner may flatten them at the end if it wants them counted.
 */
import type { BacktestFill, Trade } from './result';

/** Shares below this are rounding, not a position. */
const FLAT = 1e-9;

interface Open {
  symbol: string;
  side: 'LONG' | 'SHORT';
  entryTs: number;
  entryQty: number;
  entryNotional: number;
  exitQty: number;
  exitNotional: number;
  fees: number;
}

export function tradesFromFills(fills: readonly BacktestFill[]): Trade[] {
  const ordered = [...fills].sort((a, b) => a.ts - b.ts || (a.execId < b.execId ? -1 : a.execId > b.execId ? 1 : 0));
  const open = new Map<string, Open>();
  const trades: Trade[] = [];
  for (const f of ordered) {
    let qty = f.quantity;
    const dir: 'LONG' | 'SHORT' = f.side === 'BUY' ? 'LONG' : 'SHORT';
    const feePerShare = f.fee / f.quantity;
    const current = open.get(f.symbol);
    if (current && current.side !== dir) {
      const remaining = current.entryQty - current.exitQty;
      const closing = Math.min(remaining, qty);
      current.exitQty += closing;
      current.exitNotional += closing * f.price;
      current.fees += closing * feePerShare;
      qty -= closing;
      if (current.entryQty - current.exitQty <= FLAT) {
        trades.push(close(current, f.ts, trades.length));
        open.delete(f.symbol);
      }
      if (qty <= FLAT) continue;
    }
    const same = open.get(f.symbol);
    if (same) {
      same.entryQty += qty;
      same.entryNotional += qty * f.price;
      same.fees += qty * feePerShare;
    } else {
      open.set(f.symbol, {
        symbol: f.symbol,
        side: dir,
        entryTs: f.ts,
        entryQty: qty,
        entryNotional: qty * f.price,
        exitQty: 0,
        exitNotional: 0,
        fees: qty * feePerShare,
      });
    }
  }
  return trades;
}

function close(t: Open, exitTs: number, id: number): Trade {
  const grossPnl = t.side === 'LONG' ? t.exitNotional - t.entryNotional : t.entryNotional - t.exitNotional;
  const pnl = grossPnl - t.fees;
  return {
    id,
    symbol: t.symbol,
    side: t.side,
    qty: t.entryQty,
    entryTs: t.entryTs,
    exitTs,
    entryPrice: t.entryNotional / t.entryQty,
    exitPrice: t.exitNotional / t.exitQty,
    grossPnl,
    fees: t.fees,
    pnl,
    return: t.entryNotional > 0 ? pnl / t.entryNotional : 0,
    durationMs: exitTs - t.entryTs,
  };
}
