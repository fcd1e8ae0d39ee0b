/**
 * Bars as stored: the contract between the aggregator, the bar store, gap detection, backfill,
 * import/export and the chart. One row per (symbol, interval, ts).
 */
import type { Bar } from '../../shared/domain';

export type BarInterval = '1m' | '1d';
/** live: built or received in real time; backfilled: fetched later to fill a gap; amended: changed after close. */
export type BarStatus = 'live' | 'backfilled' | 'amended';

export interface StoredBar {
  symbol: string;
  interval: BarInterval;
  /** Bar open time, epoch ms UTC. */
  ts: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  /** Volume-weighted average price; null when unknown. */
  vw: number | null;
  /** Trade count; null when unknown. */
  n: number | null;
  /** Where it came from: a provider name, 'built' (our aggregator), 'import' or 'dataset'. */
  provider: string;
  /** When we recorded this version, epoch ms. */
  asOf: number;
  status: BarStatus;
}

export interface BarStore {
  /** Inserts or replaces, all in one transaction. */
  upsert(bars: readonly StoredBar[]): void;
  /** Bars with ts in [fromTs, toTs), oldest first. */
  range(symbol: string, interval: BarInterval, fromTs: number, toTs: number): StoredBar[];
  /** Only the open times in [fromTs, toTs), oldest first: cheap input for gap detection. */
  timestamps(symbol: string, interval: BarInterval, fromTs: number, toTs: number): number[];
  latestTs(symbol: string, interval: BarInterval): number | null;
  /** Ingestion cursor: the newest bar ts taken from a provider for a symbol and interval. */
  cursor(symbol: string, interval: BarInterval, provider: string): number | null;
  setCursor(symbol: string, interval: BarInterval, provider: string, ts: number): void;
}

/** The market-data shape of a stored bar (for feeds that replay history). */
export function toMarketBar(b: StoredBar): Bar {
  return {
    symbol: b.symbol,
    ts: b.ts,
    o: b.o,
    h: b.h,
    l: b.l,
    c: b.c,
    v: b.v,
    ...(b.vw === null ? {} : { vw: b.vw }),
    ...(b.n === null ? {} : { n: b.n }),
    interval: b.interval,
  };
}
