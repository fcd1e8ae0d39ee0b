/** Execution state → the contract's shapes (src/shared/domain.ts): blotter orders, fills, positions. */
import type { Fill, Order, PnlTotals, Position, PositionsReport } from '../../shared/domain';
import type { FillView } from './orderManager';
import type { OrderRecord } from './orderEvents';
import { isWorking } from './orderState';
import type { PositionBook, PositionView } from './positions';

export function orderDto(o: OrderRecord): Order {
  const r = o.request;
  return {
    clientOrderId: o.clientOrderId,
    mode: r.mode,
    virtual: r.mode === 'shadow',
    symbol: r.symbol,
    side: r.side,
    quantity: r.quantity,
    type: r.type,
    limitPrice: r.limitPrice ?? null,
    tif: r.tif,
    origin: r.origin,
    reduceOnly: r.reduceOnly ?? false,
    status: o.status,
    working: isWorking(o.status),
    brokerOrderId: o.brokerOrderId,
    filledQty: o.filledQty,
    avgFillPrice: o.avgFillPrice,
    commission: o.commission,
    reason: o.reason,
    denyCode: o.denyCode,
    overfilled: o.overfilled,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
  };
}

export function fillDto(f: FillView): Fill {
  return { ...f };
}

export function positionDto(p: PositionView): Position {
  return { ...p };
}

function totals(book: PositionBook, mode: 'shadow' | 'live'): PnlTotals {
  const t = book.totals(mode);
  return {
    realizedPnl: t.realizedPnl,
    unrealizedPnl: t.unrealizedPnl,
    dailyPnl: t.dailyPnl,
    grossExposure: t.grossExposure,
  };
}

export function positionsReport(book: PositionBook, ts: number, mode?: 'shadow' | 'live'): PositionsReport {
  return {
    positions: book.list(mode).map(positionDto),
    totals: { shadow: totals(book, 'shadow'), live: totals(book, 'live') },
    ts,
  };
}
