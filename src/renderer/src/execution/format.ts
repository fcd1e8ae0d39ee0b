/**
 * Orders, positions and the kill sequence in a trader's words. Pure, so the blotter, the ticket,
 * the kill switch and the status bar say the same thing, and unit tests can pin it down.
 */
import type {
  BrokerStatus,
  Fill,
  KillProgress,
  Order,
  OrderStatus,
  PnlTotals,
  Position,
  SymbolMode,
} from '../../../shared/domain';
import { formatNyStamp } from '../time/newYork';

/** New York time of an order or fill; with the date when it was not today. */
export const formatTime = formatNyStamp;

export type StatusTone = 'working' | 'done' | 'bad' | 'neutral';

export function statusTone(status: OrderStatus): StatusTone {
  switch (status) {
    case 'SUBMITTED':
    case 'ACCEPTED':
    case 'PARTIALLY_FILLED':
    case 'PENDING_CANCEL':
      return 'working';
    case 'FILLED':
      return 'done';
    case 'DENIED':
    case 'REJECTED':
      return 'bad';
    default:
      return 'neutral';
  }
}

/** The chip text: the venue word (CANCELED) so it matches logs, audit entries and IB. */
export function statusText(o: Pick<Order, 'status' | 'filledQty' | 'quantity'>): string {
  if (o.status === 'PARTIALLY_FILLED') return `PARTIAL ${o.filledQty}/${o.quantity}`;
  return o.status.replace('_', ' ');
}

export const SIDE_GLYPH = { BUY: '▲', SELL: '▼' } as const;

/** "SHADOW" orders are virtual: the simulated broker filled them, no money moved. */
export function bookLabel(o: Pick<Order, 'mode' | 'virtual'>): string {
  return o.mode === 'live' ? 'LIVE' : o.virtual ? 'VIRTUAL' : 'SHADOW';
}

const price2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 });
const money = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const qtyFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 });

export function formatPrice(p: number | null | undefined): string {
  return p === null || p === undefined || !Number.isFinite(p) ? '–' : price2.format(p);
}

export function formatQty(q: number): string {
  return qtyFmt.format(q);
}

/** Signed money with a real minus sign: "+12.30", "−4.00", "0.00". */
export function formatPnl(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const r = Math.round(v * 100) / 100;
  if (r === 0) return '0.00';
  return `${r > 0 ? '+' : '−'}${money.format(Math.abs(r))}`;
}

/** CSS class for a P&L figure; the sign is always in the text too. */
export function pnlClass(v: number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const r = Math.round(v * 100) / 100;
  return r > 0 ? 'up' : r < 0 ? 'down' : '';
}

/** "LMT 98.00" or "MKT". */
export function priceText(o: Pick<Order, 'type' | 'limitPrice'>): string {
  return o.type === 'LMT' ? `LMT ${formatPrice(o.limitPrice)}` : 'MKT';
}

/** "3 @ 100.02", "0" when nothing traded. */
export function filledText(o: Pick<Order, 'filledQty' | 'avgFillPrice'>): string {
  return o.filledQty > 0 ? `${formatQty(o.filledQty)} @ ${formatPrice(o.avgFillPrice)}` : '0';
}

/** Why an order ended as it did: "MAX_ORDER_QUANTITY: 5000 shares over the 1000 limit". */
export function reasonText(o: Pick<Order, 'denyCode' | 'reason'>): string | null {
  if (o.denyCode && o.reason) return o.reason.includes(o.denyCode) ? o.reason : `${o.denyCode}: ${o.reason}`;
  return o.reason ?? o.denyCode ?? null;
}

/** Latest state per order (by updatedAt), newest order first, at most `cap`. */
export function mergeOrders(current: readonly Order[], incoming: readonly Order[], cap: number): Order[] {
  const byId = new Map<string, Order>();
  for (const o of current) byId.set(o.clientOrderId, o);
  for (const o of incoming) {
    const had = byId.get(o.clientOrderId);
    if (!had || o.updatedAt >= had.updatedAt) byId.set(o.clientOrderId, o);
  }
  return [...byId.values()]
    .sort((a, b) => b.createdAt - a.createdAt || b.clientOrderId.localeCompare(a.clientOrderId))
    .slice(0, cap);
}

/** Fills by exec id (a repeat changes nothing but a later commission), newest first, at most `cap`. */
export function mergeFills(current: readonly Fill[], incoming: readonly Fill[], cap: number): Fill[] {
  const byId = new Map<string, Fill>();
  for (const f of current) byId.set(f.execId, f);
  for (const f of incoming) {
    const had = byId.get(f.execId);
    byId.set(f.execId, had && f.commission === null ? { ...f, commission: had.commission } : f);
  }
  return [...byId.values()].sort((a, b) => b.ts - a.ts || b.execId.localeCompare(a.execId)).slice(0, cap);
}

/** One symbol's books side by side: shadow and live positions (either may be missing). */
export interface SymbolBooks {
  symbol: string;
  shadow: Position | null;
  live: Position | null;
}

/** Total P&L of a position: realised (net of commissions) plus unrealised. */
export const totalPnl = (p: Pick<Position, 'realizedPnl' | 'unrealizedPnl'>): number => p.realizedPnl + p.unrealizedPnl;

/** Positions grouped by symbol (alphabetical) so shadow P&L sits beside live P&L. */
export function groupBooks(positions: readonly Position[]): SymbolBooks[] {
  const m = new Map<string, SymbolBooks>();
  for (const p of positions) {
    const row = m.get(p.symbol) ?? { symbol: p.symbol, shadow: null, live: null };
    row[p.mode] = p;
    m.set(p.symbol, row);
  }
  return [...m.values()].sort((a, b) => a.symbol.localeCompare(b.symbol));
}

export const totalsPnl = (t: PnlTotals): number => t.realizedPnl + t.unrealizedPnl;

/** The kill sequence in words: "Cancelling 3 of 4…", "All 4 cancelled", "Timed out: 1 still working". */
export function killProgressText(k: KillProgress): string {
  const left = k.total - k.cancelled;
  switch (k.phase) {
    case 'idle':
      return 'Kill switch not used';
    case 'cancelling':
      return k.total === 0 ? 'Cancelling…' : `Cancelling ${k.cancelled} of ${k.total}…`;
    case 'done':
      return k.total === 0 ? 'No working orders to cancel' : `All ${k.total} cancelled`;
    case 'timedOut':
      return `Timed out: ${left} still working (${k.cancelled} of ${k.total} cancelled)`;
  }
}

export function killLatencyText(ms: number | null): string | null {
  if (ms === null) return null;
  return `kill latency ${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
}

/** Status bar text for the live broker. */
export function brokerText(b: BrokerStatus | null): { text: string; tone: 'ok' | 'warn' | 'bad' } {
  if (!b) return { text: 'Broker: …', tone: 'warn' };
  if (b.name === 'none') return { text: 'Broker: none (no IB Gateway configured)', tone: 'warn' };
  const name = b.name === 'ibkr' ? 'IB' : 'Simulated';
  if (!b.connected) return { text: `${name}: disconnected${b.reason ? ` (${b.reason})` : ''}`, tone: 'bad' };
  const acct = b.accounts.length ? ` · ${b.accounts.join(', ')}` : '';
  if (!b.tradingAllowed)
    return { text: `${name}: connected${acct} · trading refused: ${b.reason ?? '?'}`, tone: 'bad' };
  return { text: `${name}: connected${acct}`, tone: 'ok' };
}

/** What the ticket says about where the order goes. */
export function ticketModeText(mode: SymbolMode | undefined): string {
  if (mode === 'live') return 'LIVE · IB paper';
  if (mode === 'shadow') return 'SHADOW · virtual';
  if (mode === 'off') return 'OFF · cannot trade';
  return '–';
}

export interface TicketDraft {
  symbol: string;
  side: 'BUY' | 'SELL';
  quantity: string;
  type: 'MKT' | 'LMT';
  limitPrice: string;
}

export type TicketInput = {
  symbol: string;
  side: 'BUY' | 'SELL';
  quantity: number;
  type: 'MKT' | 'LMT';
  limitPrice?: number;
};

/** Checks the ticket before it goes to the engine; the engine checks again (and the risk engine after). */
export function validateTicket(
  d: TicketDraft,
  mode: SymbolMode | undefined,
): { ok: true; input: TicketInput } | { ok: false; field: 'symbol' | 'quantity' | 'limitPrice'; error: string } {
  if (!d.symbol) return { ok: false, field: 'symbol', error: 'Choose a symbol' };
  if (mode === 'off') return { ok: false, field: 'symbol', error: `${d.symbol} is off: switch it to shadow or live` };
  const qtyText = d.quantity.trim();
  if (!/^\d+$/.test(qtyText))
    return { ok: false, field: 'quantity', error: 'Quantity must be a whole number of shares' };
  const quantity = Number(qtyText);
  if (quantity <= 0) return { ok: false, field: 'quantity', error: 'Quantity must be at least 1 share' };
  if (quantity > 1_000_000) return { ok: false, field: 'quantity', error: 'Quantity must be at most 1,000,000' };
  if (d.type === 'MKT') return { ok: true, input: { symbol: d.symbol, side: d.side, quantity, type: 'MKT' } };
  const pxText = d.limitPrice.trim();
  if (pxText === '') return { ok: false, field: 'limitPrice', error: 'A limit order needs a limit price' };
  if (!/^\d+(\.\d{1,4})?$|^\.\d{1,4}$/.test(pxText))
    return { ok: false, field: 'limitPrice', error: 'Limit price must be a number with at most 4 decimals' };
  const limitPrice = Number(pxText);
  if (!(limitPrice > 0)) return { ok: false, field: 'limitPrice', error: 'Limit price must be above 0' };
  return { ok: true, input: { symbol: d.symbol, side: d.side, quantity, type: 'LMT', limitPrice } };
}

/** "BUY 10 NVDA MKT" / "SELL 5 NVDA LMT 98.00". */
export function orderSummary(o: {
  side: string;
  quantity: number;
  symbol: string;
  type: string;
  limitPrice?: number | null;
}): string {
  const px = o.type === 'LMT' ? ` LMT ${formatPrice(o.limitPrice ?? null)}` : ' MKT';
  return `${o.side} ${formatQty(o.quantity)} ${o.symbol}${px}`;
}
