/**
 * Bars for a backtest, as one set of columns per symbol, and the data check that runs before any
 * bar is traded: gaps in the requested range, found with the market calendar.
 *
 * Sources: a bars CSV (the same parser as `kestrel import`, so a bad row is named by its line
 * number and nothing runs), the data dir's SQLite (SqliteBarStore.columns, the fast path), the
 * bundled S&P 500 daily dataset, or the seeded synthetic market. A CSV without a symbol column is
 * one symbol named after the file (nvda.csv → NVDA).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Symbol as SymbolSchema } from '../../shared/domain';
import { formatBarsCsvIssue, parseBarsCsv } from '../bars/csv';
import { loadSp500Daily, seedSp500Daily, SP500_SYMBOL } from '../bars/dataset';
import { findMinuteGaps } from '../bars/gaps';
import { dailyBarTs } from '../bars/importExport';
import { CALENDAR_FIRST_DAY, CALENDAR_LAST_DAY, sessionForDay, tradingDays } from '../marketdata/calendar';
import { SyntheticMarket } from '../marketdata/providers/syntheticMarket';
import { SqliteBarStore } from '../storage/barRepo';
import { openDatabase } from '../storage/db';
import { nyDateKey } from '../time/newYork';
import type { BacktestParams } from './params';
import type { BacktestGap, BacktestInterval } from './result';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** One symbol's bars, oldest first; index i of every array is one bar. */
export interface SymbolSeries {
  symbol: string;
  ts: Float64Array;
  o: Float64Array;
  h: Float64Array;
  l: Float64Array;
  c: Float64Array;
  v: Float64Array;
}

export interface BacktestData {
  interval: BacktestInterval;
  /** 'csv:<file name>', 'sqlite', 'dataset:sp500-daily' or 'synthetic:<seed>'. */
  source: string;
  /** The range checked and run, [from, to). */
  from: number;
  to: number;
  series: SymbolSeries[];
}

/** Bad input: a corrupt file, an unknown symbol, an empty range. `details` lists problems by row. */
export class BacktestDataError extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(details.length > 0 ? `${message}:\n${details.map((d) => `  ${d}`).join('\n')}` : message);
    this.name = 'BacktestDataError';
  }
}

/** The range has gaps and allowGaps is off. */
export class GapError extends Error {
  constructor(readonly gaps: BacktestGap[]) {
    const shown = gaps.slice(0, 5).map(describeGap);
    const more = gaps.length > 5 ? `\n  … and ${gaps.length - 5} more` : '';
    const bars = gaps.reduce((n, g) => n + g.missingBars, 0);
    super(
      `the data has ${gaps.length} gap${gaps.length === 1 ? '' : 's'} (${bars} missing bar${bars === 1 ? '' : 's'}) in the requested range:\n` +
        `${shown.map((s) => `  ${s}`).join('\n')}${more}\n` +
        'refusing to backtest over missing bars; pass --allow-gaps to run anyway (the gaps are listed in the report)',
    );
    this.name = 'GapError';
  }
}

export function describeGap(g: BacktestGap): string {
  const iso = (t: number) => new Date(t).toISOString().replace(':00.000Z', 'Z');
  return `${g.symbol} ${iso(g.fromTs)} – ${iso(g.toTs)} (${g.missingBars} bar${g.missingBars === 1 ? '' : 's'})`;
}

export interface SourceEnv {
  resourcesDir: string;
  /** asOf for bars seeded into a fresh data dir. */
  now: number;
}

/** Loads the bars the params name, restricted to [from, to). Throws BacktestDataError on bad input. */
export function loadBacktestData(params: BacktestParams, env: SourceEnv): BacktestData {
  const src = params.source;
  let interval: BacktestInterval;
  let series: SymbolSeries[];
  let source: string;
  switch (src.kind) {
    case 'csv': {
      let text: string;
      try {
        text = fs.readFileSync(src.file, 'utf8');
      } catch (err) {
        throw new BacktestDataError(`cannot read ${src.file}: ${(err as Error).message}`);
      }
      ({ interval, series } = seriesFromCsv(text, path.basename(src.file), params.interval));
      source = `csv:${path.basename(src.file)}`;
      if (params.symbols.length > 0) {
        const have = new Set(series.map((s) => s.symbol));
        const missing = params.symbols.filter((s) => !have.has(s));
        if (missing.length > 0) {
          throw new BacktestDataError(
            `${src.file} has no bars for ${missing.join(', ')} (it has ${[...have].join(', ')})`,
          );
        }
        series = params.symbols.map((s) => series.find((x) => x.symbol === s)!);
      }
      break;
    }
    case 'sqlite': {
      interval = params.interval ?? '1m';
      const db = openDatabase(src.dataDir);
      try {
        const store = new SqliteBarStore(db);
        // A fresh data dir has no SPX yet (the engine seeds it on first start): seed it here too.
        if (interval === '1d' && params.symbols.includes(SP500_SYMBOL)) {
          const seeded = seedSp500Daily(store, env.resourcesDir);
          if ('error' in seeded) throw new BacktestDataError(`cannot seed ${SP500_SYMBOL}: ${seeded.error}`);
        }
        const from = params.from ?? 0;
        const to = params.to ?? Number.MAX_SAFE_INTEGER;
        series = params.symbols.map((symbol) => {
          const c = store.columns(symbol, interval, from, to);
          if (c.time.length === 0) {
            throw new BacktestDataError(
              `no ${interval} bars of ${symbol} in ${src.dataDir}${params.from !== null || params.to !== null ? ' in the requested range' : ''} (import some with \`kestrel import\`)`,
            );
          }
          return { symbol, ts: c.time, o: c.open, h: c.high, l: c.low, c: c.close, v: c.volume };
        });
      } finally {
        db.close();
      }
      source = 'sqlite';
      break;
    }
    case 'dataset': {
      interval = '1d';
      if (params.interval === '1m')
        throw new BacktestDataError('the S&P 500 dataset has daily bars only (--interval 1d)');
      let bars;
      try {
        bars = loadSp500Daily(env.resourcesDir);
      } catch (err) {
        throw new BacktestDataError((err as Error).message);
      }
      series = [columnsOf(SP500_SYMBOL, bars)];
      source = 'dataset:sp500-daily';
      break;
    }
    case 'synthetic': {
      interval = '1m';
      if (params.interval === '1d') throw new BacktestDataError('the synthetic market has 1-minute bars only');
      const market = new SyntheticMarket({ seed: src.seed, startTs: params.from! });
      series = params.symbols.map((symbol) => columnsOf(symbol, market.bars(symbol, params.from!, params.to!)));
      source = `synthetic:${src.seed}`;
      break;
    }
  }
  series = series.map((s) => clip(s, params.from, params.to));
  const empty = series.filter((s) => s.ts.length === 0).map((s) => s.symbol);
  if (empty.length > 0) throw new BacktestDataError(`no bars of ${empty.join(', ')} in the requested range`);
  const first = Math.min(...series.map((s) => s.ts[0]!));
  const last = Math.max(...series.map((s) => s.ts[s.ts.length - 1]!));
  const from = params.from ?? first;
  const to = params.to ?? (interval === '1m' ? last + MINUTE : dayEnd(last));
  return { interval, source, from, to, series };
}

/** Regular-session bars missing from [data.from, data.to), per symbol, by the market calendar. */
export function findGaps(data: BacktestData): BacktestGap[] {
  const gaps: BacktestGap[] = [];
  const lo = Date.parse(`${CALENDAR_FIRST_DAY}T00:00:00Z`);
  const hi = Date.parse(`${CALENDAR_LAST_DAY}T00:00:00Z`);
  if (data.from < lo || data.to > hi + DAY) {
    throw new BacktestDataError(
      `the range ${nyDateKey(data.from)} .. ${nyDateKey(data.to - 1)} is outside the market calendar (${CALENDAR_FIRST_DAY} .. ${CALENDAR_LAST_DAY}): gaps cannot be checked`,
    );
  }
  for (const s of data.series) {
    if (data.interval === '1m') {
      for (const g of findMinuteGaps(Array.from(s.ts), data.from, data.to)) {
        gaps.push({ symbol: s.symbol, fromTs: g.fromTs, toTs: g.toTs, missingBars: g.minutes });
      }
      continue;
    }
    const have = new Set<string>();
    for (let i = 0; i < s.ts.length; i++) have.add(nyDateKey(s.ts[i]!));
    let run: BacktestGap | null = null;
    for (const day of tradingDays(nyDateKey(data.from), nyDateKey(data.to - 1))) {
      const session = sessionForDay(day)!;
      if (session.open < data.from || session.open >= data.to || have.has(day)) {
        run = null;
        continue;
      }
      if (run) {
        run.toTs = session.close;
        run.missingBars++;
      } else {
        run = { symbol: s.symbol, fromTs: session.open, toTs: session.close, missingBars: 1 };
        gaps.push(run);
      }
    }
  }
  return gaps;
}

/** Bars CSV → per-symbol columns. Every problem is named by its line (the header is line 1). */
export function seriesFromCsv(
  text: string,
  fileName: string,
  wanted: BacktestInterval | null,
): { interval: BacktestInterval; series: SymbolSeries[] } {
  const stem = fileName.replace(/\.[^.]*$/, '').toUpperCase();
  const fromName = SymbolSchema.safeParse(stem).success ? stem : undefined;
  const parsed = parseBarsCsv(text, fromName === undefined ? {} : { symbol: fromName });
  if (!parsed.ok)
    throw new BacktestDataError(`${fileName} is not a usable bars CSV`, parsed.issues.map(formatBarsCsvIssue));
  if (parsed.symbols.length === 0) {
    throw new BacktestDataError(
      `${fileName} has no symbol column and its name is not a ticker: add a symbol column or rename it (e.g. NVDA.csv)`,
    );
  }
  const interval = wanted ?? guessInterval(parsed.bars.map((b) => b.ts));
  const errors: string[] = [];
  const bySymbol = new Map<string, { ts: number; o: number; h: number; l: number; c: number; v: number }[]>();
  // parseBarsCsv keeps one bar per non-blank data line, in file order: line numbers for the messages.
  const lines = dataLineNumbers(text, parsed.bars.length);
  parsed.bars.forEach((b, i) => {
    let ts = b.ts;
    if (interval === '1m' && ts % MINUTE !== 0) {
      errors.push(`row ${lines[i]}: ${new Date(ts).toISOString()} is not a whole minute (1m bars open on the minute)`);
    } else if (interval === '1d') {
      const day = dailyBarTs(ts);
      if (typeof day === 'string') errors.push(`row ${lines[i]}: ${day}`);
      else ts = day;
    }
    const symbol = b.symbol!;
    let rows = bySymbol.get(symbol);
    if (!rows) bySymbol.set(symbol, (rows = []));
    const prev = rows[rows.length - 1];
    if (prev && ts <= prev.ts) errors.push(`row ${lines[i]}: a second bar for ${symbol} on ${nyDateKey(ts)}`);
    rows.push({ ts, o: b.o, h: b.h, l: b.l, c: b.c, v: b.v });
  });
  if (errors.length > 0) {
    const shown = errors.slice(0, 100);
    if (errors.length > 100) shown.push(`… and ${errors.length - 100} more problems`);
    throw new BacktestDataError(`${fileName} is not a usable ${interval} bars CSV`, shown);
  }
  return { interval, series: [...bySymbol.entries()].map(([symbol, rows]) => columnsOf(symbol, rows)) };
}

/** Daily when consecutive bars are mostly a day or more apart. */
function guessInterval(ts: readonly number[]): BacktestInterval {
  if (ts.length < 2) return ts.length === 1 && ts[0]! % DAY === 0 ? '1d' : '1m';
  let wide = 0;
  for (let i = 1; i < ts.length; i++) if (ts[i]! - ts[i - 1]! >= 20 * 3_600_000) wide++;
  return wide * 2 >= ts.length - 1 ? '1d' : '1m';
}

/** 1-based line numbers of the data rows: every non-blank line, less the header when there is one. */
function dataLineNumbers(text: string, count: number): number[] {
  const out: number[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() !== '') out.push(i + 1);
  });
  return out.length > count ? out.slice(out.length - count) : out;
}

function columnsOf(
  symbol: string,
  bars: readonly { ts: number; o: number; h: number; l: number; c: number; v: number }[],
): SymbolSeries {
  const n = bars.length;
  const s: SymbolSeries = {
    symbol,
    ts: new Float64Array(n),
    o: new Float64Array(n),
    h: new Float64Array(n),
    l: new Float64Array(n),
    c: new Float64Array(n),
    v: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const b = bars[i]!;
    s.ts[i] = b.ts;
    s.o[i] = b.o;
    s.h[i] = b.h;
    s.l[i] = b.l;
    s.c[i] = b.c;
    s.v[i] = b.v;
  }
  return s;
}

function clip(s: SymbolSeries, from: number | null, to: number | null): SymbolSeries {
  let a = 0;
  let b = s.ts.length;
  if (from !== null) while (a < b && s.ts[a]! < from) a++;
  if (to !== null) while (b > a && s.ts[b - 1]! >= to) b--;
  if (a === 0 && b === s.ts.length) return s;
  return {
    symbol: s.symbol,
    ts: s.ts.subarray(a, b),
    o: s.o.subarray(a, b),
    h: s.h.subarray(a, b),
    l: s.l.subarray(a, b),
    c: s.c.subarray(a, b),
    v: s.v.subarray(a, b),
  };
}

/** End of a daily bar: its session's close (bars outside the calendar: 6.5 h after the open). */
export function dayEnd(openTs: number): number {
  try {
    return sessionForDay(nyDateKey(openTs))?.close ?? openTs + 390 * MINUTE;
  } catch {
    return openTs + 390 * MINUTE;
  }
}
