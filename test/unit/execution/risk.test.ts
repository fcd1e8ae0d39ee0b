import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../src/main/clock';
import { RiskEngine, type RiskConfig, type RiskContext, type RiskReason } from '../../../src/main/execution/risk';
import type { OrderRequest } from '../../../src/main/execution/types';

const T0 = 1_772_460_000_000;

function order(over: Partial<OrderRequest> = {}): OrderRequest {
  return {
    clientOrderId: 'K-1',
    symbol: 'NVDA',
    side: 'BUY',
    quantity: 10,
    type: 'MKT',
    tif: 'DAY',
    mode: 'live',
    origin: 'manual',
    ts: T0,
    ...over,
  };
}

function ctx(over: Partial<RiskContext> = {}): RiskContext {
  return {
    tradingState: 'ACTIVE',
    quote: { price: 100, ts: T0 },
    position: 0,
    openBuyQty: 0,
    openSellQty: 0,
    grossExposure: 0,
    dailyPnl: 0,
    ...over,
  };
}

function engine(config: Partial<RiskConfig> = {}) {
  const clock = new SimulatedClock(T0);
  const halts: string[] = [];
  const risk = new RiskEngine({
    clock,
    config: { duplicateWindowMs: 0, ...config },
    requestHalt: (r) => halts.push(r),
  });
  return { clock, risk, halts };
}

describe('risk engine: each check denies with its reason', () => {
  const table: [string, Partial<OrderRequest>, Partial<RiskContext>, Partial<RiskConfig>, RiskReason][] = [
    ['zero quantity', { quantity: 0 }, {}, {}, 'INVALID_ORDER'],
    ['fractional quantity', { quantity: 1.5 }, {}, {}, 'INVALID_ORDER'],
    ['LMT without a price', { type: 'LMT' }, {}, {}, 'INVALID_ORDER'],
    ['lower-case symbol', { symbol: 'nvda' }, {}, {}, 'INVALID_ORDER'],
    ['HALTED', {}, { tradingState: 'HALTED' }, {}, 'TRADING_HALTED'],
    [
      'HALTED, reducing but not a flatten',
      { side: 'SELL' },
      { tradingState: 'HALTED', position: 50 },
      {},
      'TRADING_HALTED',
    ],
    ['REDUCING, increasing', {}, { tradingState: 'REDUCING', position: 50 }, {}, 'REDUCING_ONLY'],
    [
      'REDUCING, flipping through flat',
      { side: 'SELL', quantity: 60 },
      { tradingState: 'REDUCING', position: 50 },
      {},
      'REDUCING_ONLY',
    ],
    ['reduce-only that increases', { reduceOnly: true }, { position: 50 }, {}, 'REDUCE_ONLY_WOULD_INCREASE'],
    ['max quantity', { quantity: 101 }, {}, { maxOrderQuantity: 100 }, 'MAX_ORDER_QUANTITY'],
    ['no quote', {}, { quote: null }, {}, 'NO_QUOTE'],
    ['stale quote', {}, { quote: { price: 100, ts: T0 - 60_000 } }, { maxQuoteAgeMs: 5_000 }, 'STALE_QUOTE'],
    ['max notional (MKT at the quote)', { quantity: 20 }, {}, { maxOrderNotional: 1_999 }, 'MAX_ORDER_NOTIONAL'],
    [
      'max notional (LMT at its limit)',
      { type: 'LMT', limitPrice: 101, quantity: 10 },
      {},
      { maxOrderNotional: 1_005 },
      'MAX_ORDER_NOTIONAL',
    ],
    ['fat finger above the band', { type: 'LMT', limitPrice: 106 }, {}, { priceBandBps: 500 }, 'PRICE_BAND'],
    [
      'fat finger below the band',
      { type: 'LMT', limitPrice: 94, side: 'SELL' },
      {},
      { priceBandBps: 500 },
      'PRICE_BAND',
    ],
    ['max position', { quantity: 10 }, { position: 95 }, { maxPositionPerSymbol: 100 }, 'MAX_POSITION'],
    [
      'max position counting working orders',
      { quantity: 10 },
      { openBuyQty: 95 },
      { maxPositionPerSymbol: 100 },
      'MAX_POSITION',
    ],
    [
      'max short position',
      { side: 'SELL', quantity: 10 },
      { position: -95 },
      { maxPositionPerSymbol: 100 },
      'MAX_POSITION',
    ],
    ['max gross exposure', {}, { grossExposure: 9_500 }, { maxGrossExposure: 10_000 }, 'MAX_GROSS_EXPOSURE'],
    ['daily loss limit', {}, { dailyPnl: -1_000 }, { dailyLossLimit: 1_000 }, 'DAILY_LOSS_LIMIT'],
  ];

  it.each(table)('%s', (_name, o, c, cfg, reason) => {
    const { risk } = engine(cfg);
    const d = risk.check(order(o), ctx(c));
    expect(d.ok).toBe(false);
    if (!d.ok) {
      expect(d.reason).toBe(reason);
      expect(d.message.length).toBeGreaterThan(10);
    }
  });

  it('passes a plain order, and the edge of each limit', () => {
    const { risk } = engine({
      maxOrderQuantity: 10,
      maxOrderNotional: 1_000,
      maxPositionPerSymbol: 10,
      priceBandBps: 500,
    });
    expect(risk.check(order(), ctx())).toEqual({ ok: true });
    expect(risk.check(order({ type: 'LMT', limitPrice: 95, quantity: 5 }), ctx())).toEqual({ ok: true });
  });

  it('REDUCING lets an exposure-reducing order through; HALTED only a reducing flatten', () => {
    const { risk } = engine();
    expect(risk.check(order({ side: 'SELL', quantity: 20 }), ctx({ tradingState: 'REDUCING', position: 50 }))).toEqual({
      ok: true,
    });
    const flatten = order({ side: 'SELL', quantity: 50, origin: 'flatten', reduceOnly: true });
    expect(risk.check(flatten, ctx({ tradingState: 'HALTED', position: 50 }))).toEqual({ ok: true });
    // Working sells already cover the position: another one would flip it.
    const d = risk.check(
      order({ side: 'SELL', quantity: 20 }),
      ctx({ tradingState: 'REDUCING', position: 50, openSellQty: 40 }),
    );
    expect(d).toMatchObject({ ok: false, reason: 'REDUCING_ONLY' });
  });

  it('reducing orders are not held by position, exposure or daily loss limits', () => {
    const { risk } = engine({ maxPositionPerSymbol: 10, maxGrossExposure: 1, dailyLossLimit: 10 });
    const d = risk.check(
      order({ side: 'SELL', quantity: 10 }),
      ctx({ position: 50, grossExposure: 5_000, dailyPnl: -500 }),
    );
    expect(d).toEqual({ ok: true });
  });

  it('daily loss breach in live asks for HALTED once; in shadow it only denies', () => {
    const { risk, halts } = engine({ dailyLossLimit: 100 });
    expect(risk.check(order({ mode: 'shadow' }), ctx({ dailyPnl: -200 }))).toMatchObject({
      reason: 'DAILY_LOSS_LIMIT',
    });
    expect(halts).toHaveLength(0);
    risk.check(order(), ctx({ dailyPnl: -200 }));
    risk.check(order(), ctx({ dailyPnl: -300 }));
    expect(risk.evaluateDailyLoss(-400)).toBe(true);
    expect(halts).toHaveLength(1);
    expect(halts[0]).toMatch(/daily loss/);
    risk.resetDay();
    risk.evaluateDailyLoss(-400);
    expect(halts).toHaveLength(2);
    expect(risk.evaluateDailyLoss(-50)).toBe(false);
  });

  it('rate limit: a token bucket of 5/s on the clock', () => {
    const { risk, clock } = engine();
    for (let i = 0; i < 5; i++) expect(risk.check(order({ quantity: i + 1 }), ctx())).toEqual({ ok: true });
    expect(risk.check(order({ quantity: 9 }), ctx())).toMatchObject({ ok: false, reason: 'RATE_LIMIT' });
    clock.advance(199);
    expect(risk.check(order({ quantity: 9 }), ctx())).toMatchObject({ reason: 'RATE_LIMIT' });
    clock.advance(1);
    expect(risk.check(order({ quantity: 9 }), ctx())).toEqual({ ok: true });
    // A denial for another reason does not spend a token.
    clock.advance(200);
    expect(risk.check(order({ quantity: 0 }), ctx())).toMatchObject({ reason: 'INVALID_ORDER' });
    expect(risk.check(order({ quantity: 8 }), ctx())).toEqual({ ok: true });
  });

  it('duplicate guard: same symbol/side/qty within the window', () => {
    const { risk, clock } = engine({ duplicateWindowMs: 1_000 });
    expect(risk.check(order(), ctx())).toEqual({ ok: true });
    clock.advance(500);
    expect(risk.check(order(), ctx())).toMatchObject({ ok: false, reason: 'DUPLICATE_ORDER' });
    expect(risk.check(order({ quantity: 11 }), ctx())).toEqual({ ok: true });
    expect(risk.check(order({ side: 'SELL' }), ctx())).toEqual({ ok: true });
    expect(risk.check(order({ mode: 'shadow' }), ctx())).toEqual({ ok: true });
    clock.advance(500);
    expect(risk.check(order(), ctx())).toEqual({ ok: true });
  });

  it('reject storm: N rejects within M s ask for HALTED, older ones fall out', () => {
    const { risk, clock, halts } = engine({ rejectStormCount: 3, rejectStormWindowMs: 1_000 });
    expect(risk.recordReject()).toBe(false);
    clock.advance(600);
    expect(risk.recordReject()).toBe(false);
    clock.advance(600); // the first one is now out of the window
    expect(risk.recordReject()).toBe(false);
    expect(halts).toHaveLength(0);
    clock.advance(100);
    expect(risk.recordReject()).toBe(true);
    expect(halts).toEqual(['reject storm: 3 rejects in 1 s']);
  });
});
