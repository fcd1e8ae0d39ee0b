import { describe, expect, it } from 'vitest';
import type { Fill, KillProgress, Order, Position } from '../../../src/shared/domain';
import {
  bookLabel,
  brokerText,
  filledText,
  formatPnl,
  formatTime,
  groupBooks,
  killLatencyText,
  killProgressText,
  mergeFills,
  mergeOrders,
  orderSummary,
  pnlClass,
  priceText,
  reasonText,
  statusText,
  statusTone,
  validateTicket,
  type TicketDraft,
} from '../../../src/renderer/src/execution/format';

/** Tue 2026-12-01 10:00 New York. */
const T0 = Date.UTC(2026, 11, 1, 15, 0);

function order(over: Partial<Order>): Order {
  return {
    clientOrderId: 'K-20261201-1',
    mode: 'shadow',
    virtual: true,
    symbol: 'NVDA',
    side: 'BUY',
    quantity: 10,
    type: 'MKT',
    limitPrice: null,
    tif: 'DAY',
    origin: 'manual',
    reduceOnly: false,
    status: 'FILLED',
    working: false,
    brokerOrderId: null,
    filledQty: 10,
    avgFillPrice: 100.02,
    commission: 1,
    reason: null,
    denyCode: null,
    overfilled: false,
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

function fill(over: Partial<Fill>): Fill {
  return {
    execId: 'K-20261201-1.1',
    clientOrderId: 'K-20261201-1',
    mode: 'shadow',
    symbol: 'NVDA',
    side: 'BUY',
    quantity: 10,
    price: 100.02,
    commission: null,
    ts: T0,
    ...over,
  };
}

function position(over: Partial<Position>): Position {
  return {
    mode: 'shadow',
    symbol: 'NVDA',
    quantity: 10,
    avgCost: 100,
    realizedPnl: 0,
    unrealizedPnl: 5,
    dailyPnl: 5,
    commissions: 1,
    lastPrice: 100.5,
    updatedAt: T0,
    ...over,
  };
}

function kill(over: Partial<KillProgress>): KillProgress {
  return {
    phase: 'cancelling',
    message: '',
    cancelled: 0,
    total: 0,
    timedOut: false,
    latencyMs: null,
    reason: null,
    startedAt: T0,
    finishedAt: null,
    shadowed: [],
    errors: [],
    ...over,
  };
}

describe('order text', () => {
  it('says the state in words, with partial fills counted', () => {
    expect(statusText(order({ status: 'PARTIALLY_FILLED', filledQty: 3 }))).toBe('PARTIAL 3/10');
    expect(statusText(order({ status: 'PENDING_CANCEL' }))).toBe('PENDING CANCEL');
    expect(statusText(order({ status: 'CANCELED' }))).toBe('CANCELED');
    expect(statusTone('ACCEPTED')).toBe('working');
    expect(statusTone('DENIED')).toBe('bad');
    expect(statusTone('FILLED')).toBe('done');
    expect(statusTone('EXPIRED')).toBe('neutral');
  });

  it('labels shadow orders virtual and live orders LIVE', () => {
    expect(bookLabel(order({}))).toBe('VIRTUAL');
    expect(bookLabel(order({ mode: 'live', virtual: false }))).toBe('LIVE');
  });

  it('formats prices, fills and summaries', () => {
    expect(priceText(order({ type: 'LMT', limitPrice: 98 }))).toBe('LMT 98.00');
    expect(priceText(order({}))).toBe('MKT');
    expect(filledText(order({}))).toBe('10 @ 100.02');
    expect(filledText(order({ filledQty: 0, avgFillPrice: null }))).toBe('0');
    expect(orderSummary({ side: 'SELL', quantity: 1500, symbol: 'MSFT', type: 'LMT', limitPrice: 401.5 })).toBe(
      'SELL 1,500 MSFT LMT 401.50',
    );
  });

  it('puts the risk code before a denial reason unless the reason already names it', () => {
    expect(reasonText(order({ denyCode: 'MAX_ORDER_QUANTITY', reason: '5000 shares > 1000' }))).toBe(
      'MAX_ORDER_QUANTITY: 5000 shares > 1000',
    );
    expect(reasonText(order({ denyCode: 'PRICE_BAND', reason: 'PRICE_BAND: 300 is 25% off' }))).toBe(
      'PRICE_BAND: 300 is 25% off',
    );
    expect(reasonText(order({}))).toBeNull();
  });

  it('shows the time in New York, with the date when not today', () => {
    expect(formatTime(T0 + 1000, T0 + 60_000)).toBe('10:00:01');
    expect(formatTime(T0, T0 + 86_400_000)).toMatch(/^Dec 1, 10:00$/);
  });
});

describe('P&L text', () => {
  it('signs money with a real minus and rounds to cents', () => {
    expect(formatPnl(12.3)).toBe('+12.30');
    expect(formatPnl(-4)).toBe('−4.00');
    expect(formatPnl(-0.001)).toBe('0.00');
    expect(formatPnl(1234.5)).toBe('+1,234.50');
    expect(formatPnl(null)).toBe('–');
    expect(pnlClass(-0.004)).toBe('');
    expect(pnlClass(2)).toBe('up');
    expect(pnlClass(-2)).toBe('down');
  });

  it('groups books by symbol so shadow sits beside live', () => {
    const rows = groupBooks([
      position({ symbol: 'NVDA', mode: 'live' }),
      position({ symbol: 'MSFT' }),
      position({ symbol: 'NVDA', mode: 'shadow', quantity: 3 }),
    ]);
    expect(rows.map((r) => r.symbol)).toEqual(['MSFT', 'NVDA']);
    expect(rows[0]?.live).toBeNull();
    expect(rows[1]?.shadow?.quantity).toBe(3);
    expect(rows[1]?.live?.mode).toBe('live');
  });
});

describe('merging order and fill updates', () => {
  it('keeps the latest state per order, newest order first, capped', () => {
    const a = order({ clientOrderId: 'K-1', createdAt: T0, updatedAt: T0, status: 'ACCEPTED' });
    const b = order({ clientOrderId: 'K-2', createdAt: T0 + 5, updatedAt: T0 + 5 });
    const aLater = { ...a, status: 'CANCELED' as const, updatedAt: T0 + 10 };
    const merged = mergeOrders([a, b], [aLater], 10);
    expect(merged.map((o) => [o.clientOrderId, o.status])).toEqual([
      ['K-2', 'FILLED'],
      ['K-1', 'CANCELED'],
    ]);
    // A stale reply (an older state) does not undo a newer event.
    expect(mergeOrders(merged, [a], 10).find((o) => o.clientOrderId === 'K-1')?.status).toBe('CANCELED');
    expect(mergeOrders(merged, [], 1).map((o) => o.clientOrderId)).toEqual(['K-2']);
  });

  it('ignores repeated exec ids but keeps a commission that arrived earlier', () => {
    const f = fill({ commission: 1 });
    const merged = mergeFills([f], [fill({ commission: null }), fill({ execId: 'x.2', ts: T0 + 1 })], 10);
    expect(merged.map((x) => x.execId)).toEqual(['x.2', 'K-20261201-1.1']);
    expect(merged[1]?.commission).toBe(1);
  });
});

describe('kill progress text', () => {
  it('counts cancellations, says when all are done, and how many are left after a timeout', () => {
    expect(killProgressText(kill({ cancelled: 3, total: 4 }))).toBe('Cancelling 3 of 4…');
    expect(killProgressText(kill({ phase: 'done', cancelled: 4, total: 4 }))).toBe('All 4 cancelled');
    expect(killProgressText(kill({ phase: 'done' }))).toBe('No working orders to cancel');
    expect(killProgressText(kill({ phase: 'timedOut', cancelled: 3, total: 4, timedOut: true }))).toBe(
      'Timed out: 1 still working (3 of 4 cancelled)',
    );
    expect(killLatencyText(3.27)).toBe('kill latency 3.3 ms');
    expect(killLatencyText(42.6)).toBe('kill latency 43 ms');
    expect(killLatencyText(null)).toBeNull();
  });
});

describe('broker text', () => {
  it('names the account when connected and why trading is refused otherwise', () => {
    const ok = { name: 'ibkr' as const, connected: true, accounts: ['DU1234567'], paper: true };
    expect(brokerText({ ...ok, tradingAllowed: true, reason: null })).toEqual({
      text: 'IB: connected · DU1234567',
      tone: 'ok',
    });
    expect(
      brokerText({
        ...ok,
        accounts: ['U999'],
        paper: false,
        tradingAllowed: false,
        reason: 'U999 is not a paper account',
      }),
    ).toEqual({ text: 'IB: connected · U999 · trading refused: U999 is not a paper account', tone: 'bad' });
    expect(
      brokerText({ ...ok, connected: false, accounts: [], tradingAllowed: false, reason: 'no gateway' }).tone,
    ).toBe('bad');
    expect(brokerText({ ...ok, name: 'none', connected: false, tradingAllowed: false, reason: 'x' }).text).toMatch(
      /no IB Gateway/,
    );
    expect(brokerText(null).text).toBe('Broker: …');
  });
});

describe('ticket validation', () => {
  const base: TicketDraft = { symbol: 'NVDA', side: 'BUY', quantity: '10', type: 'MKT', limitPrice: '' };

  it('accepts a market order and a limit order with its price', () => {
    expect(validateTicket(base, 'shadow')).toEqual({
      ok: true,
      input: { symbol: 'NVDA', side: 'BUY', quantity: 10, type: 'MKT' },
    });
    expect(validateTicket({ ...base, type: 'LMT', limitPrice: '98.25' }, 'live')).toEqual({
      ok: true,
      input: { symbol: 'NVDA', side: 'BUY', quantity: 10, type: 'LMT', limitPrice: 98.25 },
    });
    // A limit price typed before switching to MKT is not sent.
    expect(validateTicket({ ...base, limitPrice: '98' }, 'shadow')).toMatchObject({ ok: true, input: { type: 'MKT' } });
  });

  it('names the field and the problem for bad input', () => {
    expect(validateTicket({ ...base, symbol: '' }, undefined)).toMatchObject({ ok: false, field: 'symbol' });
    expect(validateTicket(base, 'off')).toMatchObject({ ok: false, field: 'symbol', error: /is off/ });
    for (const q of ['', '0', '-5', '1.5', 'ten', '2000000'])
      expect(validateTicket({ ...base, quantity: q }, 'shadow')).toMatchObject({ ok: false, field: 'quantity' });
    expect(validateTicket({ ...base, type: 'LMT' }, 'shadow')).toMatchObject({
      ok: false,
      field: 'limitPrice',
      error: 'A limit order needs a limit price',
    });
    for (const p of ['0', 'abc', '1e3', '98.12345', '-1'])
      expect(validateTicket({ ...base, type: 'LMT', limitPrice: p }, 'shadow')).toMatchObject({
        ok: false,
        field: 'limitPrice',
      });
  });
});
