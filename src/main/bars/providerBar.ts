/** Provider minute bars (stream or history) checked and turned into stored bars, one rule for both paths. */
import type { Bar } from '../../shared/domain';
import type { BarStatus, StoredBar } from './types';

const MINUTE = 60_000;

function isPrice(x: unknown): x is number {
  return typeof x === 'number' && x > 0 && x !== Infinity;
}

/**
 * A provider's minute bar is usable only whole: finite positive prices with low ≤ open, close ≤ high,
 * volume ≥ 0, a minute-aligned time, and vwap/trade count absent, null or sane. The live aggregator
 * and backfill both check with this one rule.
 */
export function isValidMinuteBar(bar: Bar): boolean {
  const { o, h, l, c, v } = bar;
  const vw: unknown = bar.vw;
  const n: unknown = bar.n;
  return (
    typeof bar.symbol === 'string' &&
    bar.symbol.length > 0 &&
    Number.isSafeInteger(bar.ts) &&
    bar.ts >= 0 &&
    bar.ts % MINUTE === 0 &&
    isPrice(o) &&
    isPrice(h) &&
    isPrice(l) &&
    isPrice(c) &&
    typeof v === 'number' &&
    v >= 0 &&
    v !== Infinity &&
    l <= o &&
    l <= c &&
    o <= h &&
    c <= h &&
    (vw === undefined || vw === null || isPrice(vw)) &&
    (n === undefined || n === null || (Number.isSafeInteger(n) && (n as number) >= 0))
  );
}

/** The stored form of a provider's minute bar. */
export function storedFromProvider(bar: Bar, provider: string, asOf: number, status: BarStatus): StoredBar {
  return {
    symbol: bar.symbol,
    interval: '1m',
    ts: bar.ts,
    o: bar.o,
    h: bar.h,
    l: bar.l,
    c: bar.c,
    v: bar.v,
    vw: bar.vw ?? null,
    n: bar.n ?? null,
    provider,
    asOf,
    status,
  };
}
