/**
 * The bundled real dataset: daily S&P 500 index bars, 2000-01-03 .. 2020-04-17, from the npm
 * package vega-datasets 3.2.1 (`data/sp500-2000.csv`, Yahoo Finance-derived); provenance and
 * licence in resources/datasets/README.md. It is the only real data shipped: there is no real
 * intraday data here, so 1-minute work runs on the synthetic market or a user's own import.
 *
 * The file is kept byte for byte as published (columns date,open,high,low,close,adjclose,volume;
 * adjclose equals close for an index and is ignored). Loading validates every row through the
 * same path as `kestrel import` (./importExport.ts): prices positive, low ≤ open, close ≤ high,
 * dates increasing and NYSE trading days. Any problem throws, naming the row; nothing is repaired.
 * Daily bars are stamped with the regular-session open of their day (see importExport.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { tradingDays } from '../marketdata/calendar';
import { nyDateKey } from '../time/newYork';
import { csvToStoredBars } from './importExport';
import type { BarStore, StoredBar } from './types';

/** Path of the file inside the resources dir. */
export const SP500_DAILY_FILE = path.join('datasets', 'sp500-daily.csv');
export const SP500_SYMBOL = 'SPX';
export const DATASET_PROVIDER = 'dataset';
/** asOf of every dataset bar: when vega-datasets 3.2.1 was built (its datapackage.json `created`). */
export const SP500_DAILY_AS_OF = Date.UTC(2025, 7, 21, 23, 4, 37);

export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

/** Reads and validates the bundled S&P 500 daily bars: symbol SPX, interval 1d, provider 'dataset', oldest first. */
export function loadSp500Daily(resourcesDir: string): StoredBar[] {
  const file = path.join(resourcesDir, SP500_DAILY_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new DatasetError(`cannot read the bundled dataset ${file}: ${(err as Error).message}`);
  }
  const res = csvToStoredBars(text, {
    symbol: SP500_SYMBOL,
    interval: '1d',
    provider: DATASET_PROVIDER,
    status: 'backfilled',
    asOf: SP500_DAILY_AS_OF,
  });
  if (!res.ok) {
    const shown = res.errors.slice(0, 10).join('; ');
    const more = res.errors.length > 10 ? ` (and ${res.errors.length - 10} more)` : '';
    throw new DatasetError(`${file}: ${shown}${more}`);
  }
  return res.bars;
}

export interface CalendarCheck {
  /** Trading days between the first and last bar (inclusive) per the NYSE calendar. */
  tradingDays: number;
  /** Trading days in that span without a bar. */
  missing: string[];
  /** Bars whose New York date is not a trading day (none can pass loadSp500Daily; for other inputs). */
  extra: string[];
}

/** Compares daily bars' dates with the NYSE calendar over the bars' own span. */
export function checkDailyCalendar(bars: readonly StoredBar[]): CalendarCheck {
  if (bars.length === 0) return { tradingDays: 0, missing: [], extra: [] };
  const have = new Set(bars.map((b) => nyDateKey(b.ts)));
  const days = tradingDays(nyDateKey(bars[0]!.ts), nyDateKey(bars[bars.length - 1]!.ts));
  const expected = new Set(days);
  return {
    tradingDays: days.length,
    missing: days.filter((d) => !have.has(d)),
    extra: [...have].filter((d) => !expected.has(d)),
  };
}

export type SeedResult = { seeded: number } | { error: string };

/**
 * Loads the bundled S&P 500 daily bars into the store once, so the chart and the backtest demo
 * have real history on a fresh install. Any SPX daily bar already stored means it was seeded (or
 * the trader imported their own), and nothing is touched.
 */
export function seedSp500Daily(store: BarStore, resourcesDir: string): SeedResult {
  if (store.latestTs(SP500_SYMBOL, '1d') !== null) return { seeded: 0 };
  try {
    const bars = loadSp500Daily(resourcesDir);
    store.upsert(bars);
    return { seeded: bars.length };
  } catch (err) {
    return { error: (err as Error).message };
  }
}
