/**
 * Bars CSV import and export, for `kestrel import` / `kestrel export` and the bundled dataset.
 *
 * Import is atomic. The file is parsed by parseBarsCsv (ts_ms or ISO-8601 times, see ./csv.ts),
 * then checked for the interval; any bad row rejects the whole file and every problem is reported
 * with its line number (the header is line 1). Only a clean file is written, in one transaction
 * (BarStore.upsert), so a database failure half-way rolls everything back too. Existing bars at the
 * same (symbol, interval, ts) are replaced: an import is an explicit instruction.
 *
 * Imported bars get provider 'import' and status 'backfilled': BarStatus defines 'live' as built or
 * received in real time, and an import is history obtained after the fact; the provider tells
 * imports apart from provider backfills. (One constant below if the lead prefers otherwise.)
 *
 * Interval rules:
 *   1m  ts must be a whole minute (bar open time). Any session, extended hours included.
 *   1d  ts is the regular-session open of the bar's New York trading day (09:30 New York, or the
 *       late open on the rare days the calendar has one), so daily and minute bars share one time
 *       axis and the calendar (`sessionForDay`) is the single source of truth. A row names its day
 *       either by a bare date or a midnight-UTC stamp (read as that date, the way most sources
 *       label days) or by any instant within the New York day (e.g. our own exports). Days that
 *       are not NYSE trading days are rejected; days outside the calendar's 2000–2030 table are
 *       stamped 09:30 New York without a trading-day check.
 *
 * Optional extra columns `vwap` (or `vw`) and `trades` (or `n`) are read when present; empty means
 * unknown. Export writes `ts_ms,open,high,low,close,volume,vwap,trades,provider,status`, which
 * imports back to the same ts, OHLCV, vwap and trades (provider and status become the import's).
 */
import type { Clock } from '../clock';
import { CALENDAR_FIRST_DAY, CALENDAR_LAST_DAY, holidayName, sessionForDay } from '../marketdata/calendar';
import { fromNewYork, nyDateKey } from '../time/newYork';
import { formatBarsCsvIssue, parseBarsCsv, splitFields, stripCr } from './csv';
import type { BarInterval, BarStatus, BarStore, StoredBar } from './types';

export const IMPORT_PROVIDER = 'import';
export const IMPORT_STATUS: BarStatus = 'backfilled';

const MINUTE = 60_000;
const DAY = 86_400_000;
const MAX_ERRORS = 100;

export interface CsvToBarsOptions {
  /** The symbol for files without a symbol column; when given, a file's symbol column must match it. */
  symbol?: string;
  interval: BarInterval;
  provider: string;
  status: BarStatus;
  asOf: number;
}

export type CsvToBarsResult =
  | { ok: true; bars: StoredBar[]; symbol: string; timeFormat: 'epoch-ms' | 'iso-8601' }
  | { ok: false; errors: string[] };

/**
 * Parses and checks a bars CSV into StoredBars of one symbol and interval, without touching any
 * store. All-or-nothing: either every row is good or the result lists the problems by row.
 */
export function csvToStoredBars(text: string, opts: CsvToBarsOptions): CsvToBarsResult {
  const parsed = parseBarsCsv(text, opts.symbol === undefined ? {} : { symbol: opts.symbol });
  if (!parsed.ok) return { ok: false, errors: parsed.issues.map(formatBarsCsvIssue) };

  const wanted = opts.symbol?.trim().toUpperCase();
  if (parsed.symbols.length === 0) {
    return { ok: false, errors: ['the file has no symbol column: name the symbol (e.g. --symbol NVDA)'] };
  }
  if (parsed.symbols.length > 1 || (wanted !== undefined && parsed.symbols[0] !== wanted)) {
    const want = wanted === undefined ? 'one symbol per file' : `only ${wanted} was asked for`;
    return { ok: false, errors: [`the file holds ${parsed.symbols.join(', ')}; ${want}`] };
  }
  const symbol = parsed.symbols[0]!;

  const rows = dataRows(text);
  if (rows.lines.length !== parsed.bars.length) {
    // parseBarsCsv accepted one bar per non-blank data line; anything else is a bug here, not in the file.
    return { ok: false, errors: [`internal: ${parsed.bars.length} bars for ${rows.lines.length} data lines`] };
  }

  const errors: string[] = [];
  let dropped = 0;
  const problem = (row: number, message: string): void => {
    if (errors.length < MAX_ERRORS) errors.push(`row ${row}: ${message}`);
    else dropped++;
  };
  const bars: StoredBar[] = new Array<StoredBar>(parsed.bars.length);
  /** 1d: the row each trading day came from, to catch two rows for one day. */
  const dayRow = new Map<number, number>();

  for (let i = 0; i < parsed.bars.length; i++) {
    const b = parsed.bars[i]!;
    const row = rows.lines[i]!;
    const fields = rows.fields[i]!;
    let ts = b.ts;
    if (opts.interval === '1m') {
      if (ts % MINUTE !== 0)
        problem(row, `${new Date(ts).toISOString()} is not a whole minute (1m bars open on the minute)`);
    } else {
      const day = dailyBarTs(ts);
      if (typeof day === 'string') problem(row, day);
      else {
        const prev = dayRow.get(day);
        if (prev !== undefined) problem(row, `${nyDateKey(day)} already has a bar (row ${prev})`);
        dayRow.set(day, row);
        ts = day;
      }
    }
    let vw: number | null = null;
    if (rows.vwCol !== null) {
      const s = (fields[rows.vwCol] ?? '').trim();
      if (s !== '') {
        const x = NUMBER.test(s) ? Number(s) : NaN;
        if (!(Number.isFinite(x) && x > 0)) problem(row, `vwap ${JSON.stringify(s)} is not a positive price`);
        else vw = x;
      }
    }
    let n: number | null = null;
    if (rows.nCol !== null) {
      const s = (fields[rows.nCol] ?? '').trim();
      if (s !== '') {
        const x = NUMBER.test(s) ? Number(s) : NaN;
        if (!(Number.isSafeInteger(x) && x >= 0)) problem(row, `trades ${JSON.stringify(s)} is not a whole number ≥ 0`);
        else n = x;
      }
    }
    bars[i] = {
      symbol,
      interval: opts.interval,
      ts,
      o: b.o,
      h: b.h,
      l: b.l,
      c: b.c,
      v: b.v,
      vw,
      n,
      provider: opts.provider,
      asOf: opts.asOf,
      status: opts.status,
    };
  }
  if (errors.length > 0) {
    if (dropped > 0) errors.push(`… and ${dropped} more problems`);
    return { ok: false, errors };
  }
  return { ok: true, bars, symbol, timeFormat: parsed.timeFormat };
}

export interface ImportBarsOptions {
  /** Required unless the file has a symbol column; when both, they must agree. */
  symbol?: string;
  interval: BarInterval;
  clock: Clock;
}

export type ImportBarsResult =
  | {
      ok: true;
      imported: number;
      /** Of those, bars that replaced one already stored at the same ts. */
      replaced: number;
      symbol: string;
      interval: BarInterval;
      /** Open time of the first and last imported bar, epoch ms. */
      from: number;
      to: number;
    }
  | { ok: false; errors: string[] };

/** Imports a bars CSV into the store: everything or, with every problem listed by row, nothing. */
export function importBarsCsv(store: BarStore, text: string, opts: ImportBarsOptions): ImportBarsResult {
  const res = csvToStoredBars(text, {
    ...(opts.symbol === undefined ? {} : { symbol: opts.symbol }),
    interval: opts.interval,
    provider: IMPORT_PROVIDER,
    status: IMPORT_STATUS,
    asOf: opts.clock.now(),
  });
  if (!res.ok) return res;
  const { bars, symbol } = res;
  const from = bars[0]!.ts;
  const to = bars[bars.length - 1]!.ts;
  const incoming = new Set(bars.map((b) => b.ts));
  let replaced = 0;
  try {
    for (const ts of store.timestamps(symbol, opts.interval, from, to + 1)) if (incoming.has(ts)) replaced++;
    store.upsert(bars);
  } catch (err) {
    return { ok: false, errors: [`database write failed, nothing was imported: ${(err as Error).message}`] };
  }
  return { ok: true, imported: bars.length, replaced, symbol, interval: opts.interval, from, to };
}

export const EXPORT_HEADER = 'ts_ms,open,high,low,close,volume,vwap,trades,provider,status';

export interface ExportBarsOptions {
  symbol: string;
  interval: BarInterval;
  /** Bars with ts in [from, to); default: all of them. */
  from?: number;
  to?: number;
}

/** The stored bars as CSV text (header `EXPORT_HEADER`, `\n` line ends); a header alone when there are none. */
export function exportBarsCsv(store: BarStore, opts: ExportBarsOptions): string {
  const bars = store.range(opts.symbol, opts.interval, opts.from ?? 0, opts.to ?? Number.MAX_SAFE_INTEGER);
  const lines = new Array<string>(bars.length + 1);
  lines[0] = EXPORT_HEADER;
  for (let i = 0; i < bars.length; i++) {
    const b = bars[i]!;
    lines[i + 1] =
      `${b.ts},${b.o},${b.h},${b.l},${b.c},${b.v},${b.vw ?? ''},${b.n ?? ''},${csvField(b.provider)},${b.status}`;
  }
  return lines.join('\n') + '\n';
}

/**
 * The ts of the daily bar for the day a row names (see the header comment), or why there is none.
 * Midnight UTC names that UTC date; any other instant names the New York date containing it.
 */
export function dailyBarTs(rowTs: number): number | string {
  const dateKey = rowTs % DAY === 0 ? new Date(rowTs).toISOString().slice(0, 10) : nyDateKey(rowTs);
  if (dateKey < CALENDAR_FIRST_DAY || dateKey > CALENDAR_LAST_DAY) {
    return fromNewYork(Number(dateKey.slice(0, 4)), Number(dateKey.slice(5, 7)), Number(dateKey.slice(8, 10)), 9, 30);
  }
  const session = sessionForDay(dateKey);
  if (session !== null) return session.open;
  const holiday = holidayName(dateKey);
  return `${dateKey} is not an NYSE trading day (${holiday ?? 'weekend'})`;
}

// ---------------------------------------------------------------------------------------------
// Reading the rows again for their line numbers and the columns parseBarsCsv does not know.
// Header detection and field splitting follow ./csv.ts exactly.

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const KNOWN_HEADERS = new Set([
  'ts_ms',
  'ts',
  'timestamp',
  'date',
  'datetime',
  'time',
  'open',
  'o',
  'high',
  'h',
  'low',
  'l',
  'close',
  'c',
  'volume',
  'v',
  'symbol',
  'ticker',
]);

interface DataRows {
  /** 1-based line number of each non-blank data line. */
  lines: number[];
  fields: string[][];
  vwCol: number | null;
  nCol: number | null;
}

function dataRows(text: string): DataRows {
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split('\n');
  const out: DataRows = { lines: [], fields: [], vwCol: null, nCol: null };
  let i = 0;
  while (i < lines.length && lines[i]!.trim() === '') i++;
  if (i === lines.length) return out;
  const first = splitFields(stripCr(lines[i]!)) ?? [];
  const names = first.map((f) => f.trim().toLowerCase());
  if (names.some((f) => KNOWN_HEADERS.has(f))) {
    const vw = names.findIndex((f) => f === 'vwap' || f === 'vw');
    const n = names.findIndex((f) => f === 'trades' || f === 'n');
    out.vwCol = vw < 0 ? null : vw;
    out.nCol = n < 0 ? null : n;
    i++;
  }
  for (; i < lines.length; i++) {
    const raw = stripCr(lines[i]!);
    if (raw.trim() === '') continue;
    out.lines.push(i + 1);
    out.fields.push(splitFields(raw) ?? []);
  }
  return out;
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
