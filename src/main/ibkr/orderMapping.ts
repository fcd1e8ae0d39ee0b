/**
 * Translation between Kestrel's execution vocabulary and the TWS API: contracts, orders, sides,
 * execution times and order statuses. Pure functions, so the adapter's mapping is unit-testable.
 */
import { OrderAction, OrderType as IbOrderType, SecType, TimeInForce as IbTif } from '@stoqey/ib';
import type { Contract, Order } from '@stoqey/ib';
import { fromNewYork } from '../time/newYork';
import type { OrderRequest, OrderSide, OrderType } from '../execution/types';

/** US stocks routed SMART; Kestrel trades nothing else. */
export function stockContract(symbol: string): Contract {
  return { symbol, secType: SecType.STK, exchange: 'SMART', currency: 'USD' };
}

/** Why an order request cannot be sent as it stands, or null when it can. */
export function validateOrderRequest(order: OrderRequest): string | null {
  if (!order.clientOrderId) return 'the order has no clientOrderId';
  if (!/^[A-Z][A-Z0-9.]{0,11}$/.test(order.symbol))
    return `symbol ${JSON.stringify(order.symbol)} is not a stock symbol`;
  if (!Number.isInteger(order.quantity) || order.quantity <= 0)
    return `quantity ${order.quantity} must be a whole number of shares above 0`;
  if (order.type === 'LMT' && !(typeof order.limitPrice === 'number' && order.limitPrice > 0))
    return 'a limit order needs a limit price above 0';
  if (order.type === 'MKT' && order.limitPrice !== undefined) return 'a market order takes no limit price';
  return null;
}

/**
 * The IB order. transmit is always true: an untransmitted order sits in the gateway looking live
 * to nobody. orderRef carries the clientOrderId, so fills and reconciliation find the order again.
 */
export function toIbOrder(order: OrderRequest, account: string | undefined): Order {
  const ib: Order = {
    action: order.side === 'BUY' ? OrderAction.BUY : OrderAction.SELL,
    totalQuantity: order.quantity,
    orderType: order.type === 'LMT' ? IbOrderType.LMT : IbOrderType.MKT,
    tif: order.tif === 'GTC' ? IbTif.GTC : order.tif === 'IOC' ? IbTif.IOC : IbTif.DAY,
    orderRef: order.clientOrderId,
    transmit: true,
  };
  if (order.type === 'LMT') ib.lmtPrice = order.limitPrice;
  if (account) ib.account = account;
  return ib;
}

/** IB execution sides are BOT/SLD; open orders use BUY/SELL. */
export function sideFromIb(side: string | undefined): OrderSide | null {
  const s = (side ?? '').toUpperCase();
  if (s === 'BOT' || s === 'BUY') return 'BUY';
  if (s === 'SLD' || s === 'SELL' || s === 'SSHORT') return 'SELL';
  return null;
}

export function orderTypeFromIb(type: string | undefined): OrderType | null {
  if (type === 'MKT') return 'MKT';
  if (type === 'LMT') return 'LMT';
  return null;
}

/**
 * IB execution time: `yyyyMMdd HH:mm:ss[ zone]` (one or two spaces, or a dash). No zone means
 * the gateway's local time, which Kestrel's gateways run in New York time. Null if unreadable.
 */
export function parseIbExecTime(raw: string | undefined): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})[-\s]+(\d{2}):(\d{2}):(\d{2})(?:\s+(\S+))?\s*$/.exec(raw ?? '');
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const zone = m[7];
  if (zone === 'UTC' || zone === 'GMT') return Date.UTC(y, mo - 1, d, h, mi, s);
  if (zone === undefined || zone === 'US/Eastern' || zone === 'America/New_York' || zone === 'EST' || zone === 'EDT')
    return fromNewYork(y, mo, d, h, mi) + s * 1000;
  return null;
}

/** The execution filter time: `yyyyMMdd-HH:mm:ss` is read by IB as UTC. Floored to the second. */
export function ibFilterTime(ts: number): string {
  const d = new Date(ts);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/** What an IB order status means for the order manager; fills come from execDetails, never from here. */
export type IbStatusMeaning = 'pending' | 'working' | 'cancelPending' | 'canceled' | 'filled' | 'inactive' | 'unknown';

export function meaningOfIbStatus(status: string): IbStatusMeaning {
  switch (status) {
    case 'ApiPending':
    case 'PendingSubmit':
      return 'pending';
    case 'PreSubmitted':
    case 'Submitted':
      return 'working';
    case 'PendingCancel':
      return 'cancelPending';
    case 'Cancelled':
    case 'ApiCancelled':
      return 'canceled';
    case 'Filled':
      return 'filled';
    case 'Inactive':
      return 'inactive';
    default:
      return 'unknown';
  }
}
