/**
 * CSV exports: trades, orders and the equity curve, one file each. Timestamps are written twice:
 * epoch ms (exact, as everywhere in Kestrel) and ISO UTC (for spreadsheets). `\n` line ends.
 */
import type { BacktestResult } from '../result';

export const CSV_FILES = { trades: 'trades.csv', orders: 'orders.csv', equity: 'equity.csv' } as const;

export const TRADES_HEADER =
  'id,symbol,side,qty,entry_ts_ms,entry_time_utc,entry_price,exit_ts_ms,exit_time_utc,exit_price,gross_pnl,fees,pnl,return,duration_ms';
export const ORDERS_HEADER =
  'client_order_id,symbol,side,type,quantity,limit_price,ts_ms,time_utc,status,filled_qty,avg_fill_price,fees,reason';
export const EQUITY_HEADER = 'ts_ms,time_utc,equity,cash,exposure,benchmark,drawdown';

/**
 * Quotes a text field when it holds a comma, quote or line break. A leading = + - @ would run as
 * a formula in a spreadsheet, so such text gets a leading apostrophe (OWASP's CSV-injection advice).
 */
export function csvText(s: string): string {
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function iso(ts: number): string {
  return new Date(ts).toISOString();
}

function num(n: number | null): string {
  return n === null ? '' : String(n);
}

function lines(header: string, rows: string[]): string {
  return [header, ...rows].join('\n') + '\n';
}

export function tradesCsv(result: BacktestResult): string {
  return lines(
    TRADES_HEADER,
    result.trades.map((t) =>
      [
        t.id,
        csvText(t.symbol),
        t.side,
        t.qty,
        t.entryTs,
        iso(t.entryTs),
        t.entryPrice,
        t.exitTs,
        iso(t.exitTs),
        t.exitPrice,
        t.grossPnl,
        t.fees,
        t.pnl,
        t.return,
        t.durationMs,
      ].join(','),
    ),
  );
}

export function ordersCsv(result: BacktestResult): string {
  return lines(
    ORDERS_HEADER,
    result.orders.map((o) =>
      [
        csvText(o.clientOrderId),
        csvText(o.symbol),
        o.side,
        o.type,
        o.quantity,
        num(o.limitPrice),
        o.ts,
        iso(o.ts),
        o.status,
        o.filledQty,
        num(o.avgFillPrice),
        o.fees,
        o.reason === null ? '' : csvText(o.reason),
      ].join(','),
    ),
  );
}

export function equityCsv(result: BacktestResult): string {
  let peak = -Infinity;
  return lines(
    EQUITY_HEADER,
    result.equityCurve.map((p, i) => {
      peak = Math.max(peak, p.equity);
      const dd = peak > 0 ? p.equity / peak - 1 : 0;
      return [p.ts, iso(p.ts), p.equity, p.cash, p.exposure, num(result.benchmarkCurve[i]?.equity ?? null), dd].join(
        ',',
      );
    }),
  );
}
