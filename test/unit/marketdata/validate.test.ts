import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_JUMP_BPS, PriceValidator } from '../../../src/main/marketdata/validate';
import type { Bar, Quote, Trade } from '../../../src/shared/domain';

const T0 = 1_760_000_000_000;

function trade(price: number, over: Partial<Trade> = {}): Trade {
  return { symbol: 'NVDA', ts: T0, price, size: 100, provider: 'polygon', ...over };
}

function quote(bid: number, ask: number, over: Partial<Quote> = {}): Quote {
  return { symbol: 'NVDA', ts: T0, bid, bidSize: 1, ask, askSize: 1, provider: 'polygon', ...over };
}

function bar(o: number, h: number, l: number, c: number, over: Partial<Bar> = {}): Bar {
  return { symbol: 'NVDA', ts: T0, o, h, l, c, v: 1000, ...over };
}

describe('PriceValidator', () => {
  it('defaults the band to 1 000 bps', () => {
    expect(DEFAULT_MAX_JUMP_BPS).toBe(1000);
    const v = new PriceValidator();
    expect(v.checkTrade(trade(100))).toBeNull();
    expect(v.checkTrade(trade(110))).toBeNull();
    expect(v.checkTrade(trade(121.1))).toMatch(/jumps/);
  });

  it('rejects non-finite, zero and negative prices', () => {
    const v = new PriceValidator({ maxJumpBps: 1000 });
    expect(v.checkTrade(trade(Number.NaN))).toMatch(/trade price NaN is not a finite number/);
    expect(v.checkTrade(trade(Infinity))).toMatch(/not a finite number/);
    expect(v.checkTrade(trade(0))).toMatch(/trade price is zero/);
    expect(v.checkTrade(trade(-5))).toMatch(/trade price -5 is negative/);
    expect(v.checkQuote(quote(0, 100))).toMatch(/bid is zero/);
    expect(v.checkQuote(quote(99, Number.NaN))).toMatch(/ask NaN/);
    expect(v.checkQuote(quote(99, 100, { last: -1 }))).toMatch(/last -1 is negative/);
    expect(v.checkBar(bar(100, 101, 0, 100))).toMatch(/bar low is zero/);
    expect(v.checkBar(bar(100, Infinity, 99, 100))).toMatch(/bar high Infinity/);
  });

  it('rejects negative sizes and volumes but accepts zero size', () => {
    const v = new PriceValidator({ maxJumpBps: 1000 });
    expect(v.checkTrade(trade(100, { size: -1 }))).toMatch(/trade size -1 is negative/);
    expect(v.checkTrade(trade(100, { size: 0 }))).toBeNull();
    expect(v.checkQuote(quote(99, 100, { bidSize: -2 }))).toMatch(/bid size -2 is negative/);
    expect(v.checkQuote(quote(99, 100, { askSize: -2 }))).toMatch(/ask size -2 is negative/);
    expect(v.checkBar(bar(100, 101, 99, 100, { v: -10 }))).toMatch(/bar volume -10 is negative/);
  });

  it('rejects an invalid timestamp', () => {
    const v = new PriceValidator({ maxJumpBps: 1000 });
    expect(v.checkTrade(trade(100, { ts: Number.NaN }))).toMatch(/timestamp/);
  });

  it('rejects a crossed quote and accepts a locked one', () => {
    const v = new PriceValidator({ maxJumpBps: 1000 });
    expect(v.checkQuote(quote(100.02, 100.01))).toBe('crossed quote: bid 100.02 > ask 100.01');
    expect(v.checkQuote(quote(100.01, 100.01))).toBeNull();
    expect(v.checkQuote(quote(100, 100.01))).toBeNull();
  });

  it('rejects impossible bars', () => {
    const v = new PriceValidator({ maxJumpBps: 1000 });
    expect(v.checkBar(bar(100, 99, 101, 100))).toMatch(/bar high 99 < low 101/);
    expect(v.checkBar(bar(102, 101, 99, 100))).toMatch(/bar open 102 outside \[99, 101\]/);
    expect(v.checkBar(bar(100, 101, 99, 98))).toMatch(/bar close 98 outside \[99, 101\]/);
    expect(v.checkBar(bar(100, 101, 99, 100.5))).toBeNull();
  });

  it('accepts the first price of a symbol and bands later ones against the last accepted', () => {
    const v = new PriceValidator({ maxJumpBps: 500 });
    expect(v.checkTrade(trade(200))).toBeNull();
    expect(v.checkTrade(trade(210))).toBeNull(); // exactly 500 bps: inside
    expect(v.checkTrade(trade(220.6))).toMatch(/jumps 505 bps from last accepted 210/);
    expect(v.checkTrade(trade(220.5))).toBeNull(); // exactly 500 bps of 210
    // The reference is now 220.5; 200 is 930 bps below it.
    expect(v.checkTrade(trade(200))).toBe('trade price 200 jumps 930 bps from last accepted 220.5 (band 500 bps)');
    // Another symbol has its own reference.
    expect(v.checkTrade(trade(5, { symbol: 'AMD' }))).toBeNull();
  });

  it('uses the band boundary exactly', () => {
    const v = new PriceValidator({ maxJumpBps: 1000 });
    expect(v.checkTrade(trade(100))).toBeNull();
    expect(v.checkTrade(trade(90))).toBeNull(); // −1 000 bps: inside, reference now 90
    expect(v.checkTrade(trade(99))).toBeNull(); // +1 000 bps of 90
    expect(v.checkTrade(trade(108.9001))).toMatch(/jumps 1000 bps/); // just over
  });

  it('never moves the reference on a rejected value', () => {
    const v = new PriceValidator({ maxJumpBps: 1000 });
    expect(v.checkTrade(trade(100))).toBeNull();
    expect(v.checkTrade(trade(150))).toMatch(/jumps 5000 bps from last accepted 100/);
    // Were 150 the reference, 140 would pass; it is 4 000 bps from 100.
    expect(v.checkTrade(trade(140))).toMatch(/from last accepted 100/);
    // Rejections for other reasons do not move it either.
    expect(v.checkQuote(quote(160, 150))).toMatch(/crossed/);
    expect(v.checkTrade(trade(105))).toBeNull();
  });

  it('shares one reference across trades, quote mids and bar closes', () => {
    const v = new PriceValidator({ maxJumpBps: 1000 });
    expect(v.checkQuote(quote(99, 101))).toBeNull(); // mid 100
    expect(v.checkTrade(trade(111))).toMatch(/from last accepted 100/);
    expect(v.checkBar(bar(100, 105, 99, 104))).toBeNull(); // reference is now the close, 104
    expect(v.checkQuote(quote(115, 115.2))).toMatch(/quote mid 115.1 jumps 1067 bps from last accepted 104/);
    // Any bar price outside the band rejects the bar.
    expect(v.checkBar(bar(104, 120, 103, 105))).toMatch(/bar high 120 jumps/);
    expect(v.checkTrade(trade(113))).toBeNull(); // still relative to 104
  });

  it('re-anchors after the reference is older than rebaseAfterMs, by event time', () => {
    const v = new PriceValidator({ maxJumpBps: 1000, rebaseAfterMs: 60_000 });
    expect(v.checkTrade(trade(100, { ts: T0 }))).toBeNull();
    expect(v.checkTrade(trade(130, { ts: T0 + 59_999 }))).toMatch(/jumps/);
    expect(v.checkTrade(trade(130, { ts: T0 + 60_000 }))).toBeNull();
    expect(v.checkTrade(trade(131, { ts: T0 + 60_001 }))).toBeNull();
    expect(v.checkTrade(trade(100, { ts: T0 + 60_002 }))).toMatch(/from last accepted 131/);
  });

  it('forgets a symbol on reset', () => {
    const v = new PriceValidator({ maxJumpBps: 1000 });
    expect(v.checkTrade(trade(100))).toBeNull();
    v.reset('NVDA');
    expect(v.checkTrade(trade(1000))).toBeNull();
  });
});
