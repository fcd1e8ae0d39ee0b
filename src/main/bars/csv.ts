/**
 * Bars CSV parser for `kestrel features` and `kestrel import`. Atomic: either every row is a valid
 * bar and all of them come back, or nothing does and every problem is listed with its line number
 * (line 1 is the header), so a half-imported file never reaches the store.
 *
 * Columns (header names are case-insensitive, order free, unknown columns ignored):
 *   time   `ts_ms` (epoch milliseconds, UTC) or one ISO-8601 column named ts / timestamp / date /
 *          datetime / time. An ISO date-time must carry Z or a ±hh:mm offset (a bare local time is
 *          ambiguous); a bare date means 00:00 UTC.
 *   prices open, high, low, close (or o, h, l, c): finite and > 0, low ≤ open, close ≤ high.
 *   volume volume (or v): finite and ≥ 0.
 *   symbol optional; upper-cased and checked as a ticker. Without it, `options.symbol` (if any).
 * A file without a header is read as ts_ms-or-ISO, open, high, low, close, volume.
 * Timestamps must strictly increase per symbol (files may interleave symbols).
 */
import { Symbol as SymbolSchema } from '../../shared/domain';

export interface CsvBar {
  /** The row's symbol, else options.symbol, else null. */
  symbol: string | null;
  /** Bar open time, epoch ms UTC. */
  ts: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
}

export interface BarsCsvIssue {
  /** 1-based line number in the file (the header is line 1); 0 for problems with the file as a whole. */
  row: number;
  message: string;
}

export interface BarsCsvOptions {
  /** Symbol for files without a symbol column. */
  symbol?: string;
  /** Stop collecting after this many issues (default 100); one more issue says how many were left out. */
  maxIssues?: number;
}

export type BarsCsvResult =
  | {
      ok: true;
      bars: CsvBar[];
      /** Symbols in order of first appearance ([] when the file and options name none). */
      symbols: string[];
      /** How the file gave its times: ts_ms or ISO-8601. */
      timeFormat: 'epoch-ms' | 'iso-8601';
    }
  | { ok: false; issues: BarsCsvIssue[] };

export function formatBarsCsvIssue(issue: BarsCsvIssue): string {
  return issue.row > 0 ? `row ${issue.row}: ${issue.message}` : issue.message;
}

type Field = 'ts_ms' | 'iso' | 'open' | 'high' | 'low' | 'close' | 'volume' | 'symbol';

const HEADER_ALIASES: Record<string, Field> = {
  ts_ms: 'ts_ms',
  ts: 'iso',
  timestamp: 'iso',
  date: 'iso',
  datetime: 'iso',
  time: 'iso',
  open: 'open',
  o: 'open',
  high: 'high',
  h: 'high',
  low: 'low',
  l: 'low',
  close: 'close',
  c: 'close',
  volume: 'volume',
  v: 'volume',
  symbol: 'symbol',
  ticker: 'symbol',
};

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

type Columns = Partial<Record<Field, number>>;

export function parseBarsCsv(text: string, options: BarsCsvOptions = {}): BarsCsvResult {
  const maxIssues = options.maxIssues ?? 100;
  const issues: BarsCsvIssue[] = [];
  let dropped = 0;
  const report = (row: number, message: string): void => {
    if (issues.length < maxIssues) issues.push({ row, message });
    else dropped++;
  };
  const fail = (): BarsCsvResult => {
    if (dropped > 0) issues.push({ row: 0, message: `… and ${dropped} more problems` });
    return { ok: false, issues };
  };

  let defaultSymbol: string | null = null;
  if (options.symbol !== undefined) {
    defaultSymbol = checkSymbol(options.symbol);
    if (defaultSymbol === null) {
      report(0, `symbol ${JSON.stringify(options.symbol)} is not a ticker such as NVDA or BRK.B`);
      return fail();
    }
  }

  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split('\n');
  let first = 0;
  while (first < lines.length && lines[first]!.trim() === '') first++;
  if (first === lines.length) {
    report(0, 'the file has no rows');
    return fail();
  }

  const firstFields = splitFields(stripCr(lines[first]!));
  let cols: Columns;
  let dataStart: number;
  if (firstFields !== null && looksLikeHeader(firstFields)) {
    const header = readHeader(firstFields, first + 1, report);
    if (header === null) return fail();
    cols = header;
    dataStart = first + 1;
  } else {
    cols = { open: 1, high: 2, low: 3, close: 4, volume: 5 };
    const t = firstFields?.[0]?.trim() ?? '';
    if (NUMBER.test(t)) cols.ts_ms = 0;
    else cols.iso = 0;
    dataStart = first;
  }
  const width = Math.max(...Object.values(cols)) + 1;
  const hasSymbolColumn = cols.symbol !== undefined;

  const bars: CsvBar[] = [];
  const symbols: string[] = [];
  /** Per symbol: the last timestamp and the line it came from. */
  const lastTs = new Map<string | null, { ts: number; row: number }>();
  const symbolCache = new Map<string, string | null>();

  for (let li = dataStart; li < lines.length; li++) {
    const raw = stripCr(lines[li]!);
    const row = li + 1;
    if (raw.trim() === '') continue;
    const fields = splitFields(raw);
    if (fields === null) {
      report(row, 'unterminated quoted field');
      continue;
    }
    if (fields.length < width) {
      report(row, `expected at least ${width} fields, found ${fields.length} (missing field)`);
      continue;
    }
    const before = issues.length + dropped;
    const problem = (message: string): void => report(row, message);

    let ts = NaN;
    if (cols.ts_ms !== undefined) {
      const s = fields[cols.ts_ms]!.trim();
      const n = NUMBER.test(s) ? Number(s) : NaN;
      if (s === '') problem('ts_ms is empty (missing field)');
      else if (!Number.isSafeInteger(n) || n < 0) problem(`ts_ms ${JSON.stringify(s)} is not a non-negative integer`);
      else ts = n;
    } else {
      const s = fields[cols.iso!]!.trim();
      if (s === '') problem('timestamp is empty (missing field)');
      else {
        const parsed = parseIsoTimestamp(s);
        if (typeof parsed === 'string') problem(parsed);
        else ts = parsed;
      }
    }

    const num = (field: 'open' | 'high' | 'low' | 'close' | 'volume'): number => {
      const s = fields[cols[field]!]!.trim();
      if (s === '') {
        problem(`${field} is empty (missing field)`);
        return NaN;
      }
      const n = NUMBER.test(s) ? Number(s) : NaN;
      if (!Number.isFinite(n)) {
        problem(`${field} ${JSON.stringify(s)} is not a number`);
        return NaN;
      }
      if (field === 'volume' ? n < 0 : n <= 0) {
        problem(field === 'volume' ? `volume ${s} is negative` : `${field} ${s} is not a positive price`);
        return NaN;
      }
      return n;
    };
    const o = num('open');
    const h = num('high');
    const l = num('low');
    const c = num('close');
    const v = num('volume');
    if (h < l) problem(`high ${h} is below low ${l}`);
    else {
      if (o > h || o < l) problem(`open ${o} is outside low–high ${l}–${h}`);
      if (c > h || c < l) problem(`close ${c} is outside low–high ${l}–${h}`);
    }

    let symbol = defaultSymbol;
    if (hasSymbolColumn) {
      const s = fields[cols.symbol!]!.trim();
      let checked = symbolCache.get(s);
      if (checked === undefined) {
        checked = checkSymbol(s);
        symbolCache.set(s, checked);
      }
      if (s === '') problem('symbol is empty (missing field)');
      else if (checked === null) problem(`symbol ${JSON.stringify(s)} is not a ticker such as NVDA or BRK.B`);
      symbol = checked;
    }

    if (issues.length + dropped > before) continue;

    const prev = lastTs.get(symbol);
    if (prev !== undefined && ts <= prev.ts) {
      const who = symbol === null ? '' : ` for ${symbol}`;
      problem(`timestamp ${ts} is not after ${prev.ts} (row ${prev.row})${who}: bars must be in increasing time order`);
      continue;
    }
    if (prev === undefined && symbol !== null) symbols.push(symbol);
    lastTs.set(symbol, { ts, row });
    bars.push({ symbol, ts, o, h, l, c, v });
  }

  if (issues.length + dropped > 0) return fail();
  if (bars.length === 0) {
    report(0, 'the file has a header but no bars');
    return fail();
  }
  return { ok: true, bars, symbols, timeFormat: cols.ts_ms !== undefined ? 'epoch-ms' : 'iso-8601' };
}

/**
 * Epoch ms of an ISO-8601 date or date-time with offset, or a message saying what is wrong.
 * Parsed by hand: Date.parse would accept a bare local time and read it in the machine's zone.
 */
export function parseIsoTimestamp(s: string): number | string {
  const m = ISO.exec(s);
  if (!m) return `timestamp ${JSON.stringify(s)} is not ISO-8601 (e.g. 2025-03-03T14:30:00Z)`;
  const [, ys, mos, ds, hs, mis, ss, frac, zone] = m;
  if (hs !== undefined && zone === undefined) {
    return `timestamp ${JSON.stringify(s)} has no UTC offset; add Z or ±hh:mm`;
  }
  const year = Number(ys);
  const month = Number(mos);
  const day = Number(ds);
  const hour = Number(hs ?? 0);
  const minute = Number(mis ?? 0);
  const second = Number(ss ?? 0);
  const daysInMonth = month >= 1 && month <= 12 ? new Date(Date.UTC(year, month, 0)).getUTCDate() : 0;
  if (day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) {
    return `timestamp ${JSON.stringify(s)} is not a valid date and time`;
  }
  let offsetMin = 0;
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (oh > 23 || om > 59) return `timestamp ${JSON.stringify(s)} has an invalid UTC offset`;
    offsetMin = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000 + 1e-6);
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMin * 60_000;
  if (utc < 0) return `timestamp ${JSON.stringify(s)} is before 1970`;
  return utc;
}

export function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** Splits one CSV line; handles "quoted, fields" and "" escapes. Null for an unterminated quote. */
export function splitFields(line: string): string[] | null {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    while (line[i] === ' ') i++;
    if (line[i] === '"') {
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return null;
        field += line.slice(i, q);
        if (line[q + 1] === '"') {
          field += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      const comma = line.indexOf(',', i);
      field += (comma < 0 ? line.slice(i) : line.slice(i, comma)).trim();
      i = comma < 0 ? line.length + 1 : comma + 1;
    } else {
      const comma = line.indexOf(',', i);
      field = comma < 0 ? line.slice(i) : line.slice(i, comma);
      i = comma < 0 ? line.length + 1 : comma + 1;
    }
    out.push(field);
    if (i > line.length) return out;
  }
}

function looksLikeHeader(fields: string[]): boolean {
  return fields.some((f) => HEADER_ALIASES[f.trim().toLowerCase()] !== undefined);
}

function readHeader(fields: string[], row: number, report: (row: number, message: string) => void): Columns | null {
  const cols: Columns = {};
  let ok = true;
  fields.forEach((name, i) => {
    const field = HEADER_ALIASES[name.trim().toLowerCase()];
    if (field === undefined) return;
    if (cols[field] !== undefined) {
      report(row, `column ${JSON.stringify(name.trim())} duplicates an earlier ${field} column`);
      ok = false;
    }
    cols[field] = i;
  });
  if (cols.ts_ms !== undefined && cols.iso !== undefined) {
    report(row, 'both ts_ms and an ISO timestamp column: keep one');
    ok = false;
  }
  if (cols.ts_ms === undefined && cols.iso === undefined) {
    report(row, 'no time column: expected ts_ms or one of ts, timestamp, date, datetime');
    ok = false;
  }
  const missing = (['open', 'high', 'low', 'close', 'volume'] as const).filter((f) => cols[f] === undefined);
  if (missing.length > 0) {
    report(row, `missing column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
    ok = false;
  }
  return ok ? cols : null;
}

function checkSymbol(s: string): string | null {
  const upper = s.trim().toUpperCase();
  return SymbolSchema.safeParse(upper).success ? upper : null;
}
