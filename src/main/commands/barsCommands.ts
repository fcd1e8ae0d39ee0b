/**
 * `kestrel import` and `kestrel export`: bars in and out of the data dir's SQLite file. They open
 * the same database a running engine uses; WAL and the busy timeout let both write safely.
 */
import fs from 'node:fs';
import { importBarsCsv, exportBarsCsv } from '../bars/importExport';
import type { BarInterval } from '../bars/types';
import { parseIsoTimestamp } from '../bars/csv';
import type { Clock } from '../clock';
import { SqliteBarStore } from '../storage/barRepo';
import { openDatabase } from '../storage/db';
import { writeFileAtomic } from './atomicFile';

export interface CommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const INTERVALS: readonly BarInterval[] = ['1m', '1d'];

function interval(value: string | undefined, io: CommandIo): BarInterval | null {
  const v = value ?? '1m';
  if ((INTERVALS as readonly string[]).includes(v)) return v as BarInterval;
  io.err(`kestrel: --interval must be 1m or 1d, not ${JSON.stringify(v)}`);
  return null;
}

/** Epoch ms from `1700000000000` or an ISO date/date-time; a message when it is neither. */
export function parseInstant(value: string): number | string {
  if (/^\d+$/.test(value)) {
    const ms = Number(value);
    return Number.isSafeInteger(ms) ? ms : `${value} is not a valid epoch-ms timestamp`;
  }
  return parseIsoTimestamp(value);
}

export interface ImportArgs {
  dataDir: string;
  csv: string | undefined;
  symbol: string | undefined;
  interval: string | undefined;
}

/** All rows or none: a bad row rejects the file and every problem is listed by row number. */
export function importCommand(args: ImportArgs, clock: Clock, io: CommandIo): number {
  if (!args.csv) {
    io.err('kestrel: import needs --csv FILE (and --symbol X unless the file has a symbol column)');
    return 2;
  }
  const iv = interval(args.interval, io);
  if (iv === null) return 2;
  let text: string;
  try {
    text = fs.readFileSync(args.csv, 'utf8');
  } catch (err) {
    io.err(`kestrel: cannot read ${args.csv}: ${(err as Error).message}`);
    return 1;
  }
  const db = openDatabase(args.dataDir);
  try {
    const res = importBarsCsv(new SqliteBarStore(db), text, {
      ...(args.symbol === undefined ? {} : { symbol: args.symbol }),
      interval: iv,
      clock,
    });
    if (!res.ok) {
      io.err(`kestrel: ${args.csv} was not imported; nothing was written:`);
      for (const e of res.errors) io.err(`  ${e}`);
      return 1;
    }
    const span = `${new Date(res.from).toISOString()} .. ${new Date(res.to).toISOString()}`;
    io.out(
      `kestrel: imported ${res.imported} ${res.interval} bars of ${res.symbol} (${span}); ${res.replaced} replaced existing bars`,
    );
    return 0;
  } finally {
    db.close();
  }
}

export interface ExportArgs {
  dataDir: string;
  symbol: string | undefined;
  interval: string | undefined;
  from: string | undefined;
  to: string | undefined;
  out: string | undefined;
}

/** Writes [from, to) as CSV, atomically: a crash never leaves half a file. */
export function exportCommand(args: ExportArgs, io: CommandIo): number {
  if (!args.symbol || !args.out) {
    io.err('kestrel: export needs --symbol X and --out FILE.csv (optionally --from, --to, --interval)');
    return 2;
  }
  const iv = interval(args.interval, io);
  if (iv === null) return 2;
  const range: { from?: number; to?: number } = {};
  for (const key of ['from', 'to'] as const) {
    const value = args[key];
    if (value === undefined) continue;
    const ms = parseInstant(value);
    if (typeof ms === 'string') {
      io.err(`kestrel: --${key}: ${ms}`);
      return 2;
    }
    range[key] = ms;
  }
  if (range.from !== undefined && range.to !== undefined && range.to <= range.from) {
    io.err('kestrel: --to must be after --from');
    return 2;
  }
  const db = openDatabase(args.dataDir);
  let csv: string;
  try {
    csv = exportBarsCsv(new SqliteBarStore(db), { symbol: args.symbol.trim().toUpperCase(), interval: iv, ...range });
  } finally {
    db.close();
  }
  writeFileAtomic(args.out, csv);
  const rows = csv.split('\n').length - 2;
  io.out(`kestrel: wrote ${rows} ${iv} bars of ${args.symbol.toUpperCase()} to ${args.out}`);
  return 0;
}
