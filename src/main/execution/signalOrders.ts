/**
 * A passed signal → orders: one market order per BUY/SELL leg, in the symbol's mode now (shadow →
 * the simulated broker, labelled virtual; live → IBKR; off → none), sized by the symbol's rule.
 * Without allowShort a SELL only closes a long, never opens a short.
 */
import type { Signal, SymbolMode } from '../../shared/domain';
import type { NewOrder } from './orderManager';
import { sizeOrder, type SizingRule } from './sizing';
import type { OrderMode } from './types';

export interface SignalOrderDeps {
  mode: (symbol: string) => SymbolMode;
  sizing: (symbol: string) => SizingRule;
  price: (symbol: string) => number | null;
  equity: (mode: OrderMode) => number;
  position: (mode: OrderMode, symbol: string) => number;
  allowShort: boolean;
}

export interface SignalOrders {
  orders: NewOrder[];
  skipped: { symbol: string; reason: string }[];
}

export function ordersForSignal(signal: Signal, deps: SignalOrderDeps): SignalOrders {
  const out: SignalOrders = { orders: [], skipped: [] };
  if (!signal.passed) return out;
  for (const leg of signal.legs) {
    if (leg.side === 'HOLD') continue;
    const symbolMode = deps.mode(leg.symbol);
    if (symbolMode === 'off') {
      out.skipped.push({ symbol: leg.symbol, reason: `${leg.symbol} is off` });
      continue;
    }
    const mode: OrderMode = symbolMode;
    const sized = sizeOrder(deps.sizing(leg.symbol), { price: deps.price(leg.symbol), equity: deps.equity(mode) });
    if (!sized.ok) {
      out.skipped.push({ symbol: leg.symbol, reason: sized.reason });
      continue;
    }
    let quantity = sized.quantity;
    if (leg.side === 'SELL' && !deps.allowShort) {
      const long = Math.floor(Math.max(0, deps.position(mode, leg.symbol)));
      if (long < 1) {
        out.skipped.push({ symbol: leg.symbol, reason: `SELL without a long ${leg.symbol} position (shorts are off)` });
        continue;
      }
      quantity = Math.min(quantity, long);
    }
    out.orders.push({ symbol: leg.symbol, side: leg.side, quantity, type: 'MKT', mode, origin: 'signal' });
  }
  return out;
}
