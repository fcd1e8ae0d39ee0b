/**
 * Bars CSV → features CSV, the body of `kestrel features` (the CLI only reads and writes files).
 * Output matches pandas `df.to_csv(index=False)` of the reference: header `ts_ms,returns,…,close`,
 * one row per bar that has a full 50-bar window, `\n` line ends, floats written the way numpy
 * writes float64 (Python repr: shortest round-trip digits, `10.0` for whole numbers, exponent form
 * like `2.5e-05` below 1e-4 and from 1e16). Values agree with pandas within 1e-9 abs + 1e-9 rel;
 * they are not always bit-identical (pandas' Kahan-summed rolling windows and our sliding sums
 * round differently in the last digits), so some rows differ from pandas' text in the 15th–17th
 * significant digit.
 */
import { formatBarsCsvIssue, parseBarsCsv } from '../bars/csv';
import type { BarsCsvOptions, CsvBar } from '../bars/csv';
import { FEATURE_COUNT, FEATURE_NAMES } from './names';
import { FeaturePipeline } from './pipeline';

export const FEATURES_CSV_HEADER = ['ts_ms', ...FEATURE_NAMES].join(',');

export type FeaturesCsvResult = { ok: true; csv: string; rows: number } | { ok: false; errors: string[] };

/**
 * Features CSV text for a bars CSV text. Atomic like the parser: on any bad row, no CSV and every
 * error as `row N: …`. A file with several symbols gets a leading `symbol` column, each row
 * computed from its own symbol's bars; with one symbol (or none) the header is exactly pandas'.
 */
export function featuresCsvFromBarsCsv(text: string, options: BarsCsvOptions = {}): FeaturesCsvResult {
  const parsed = parseBarsCsv(text, options);
  if (!parsed.ok) return { ok: false, errors: parsed.issues.map(formatBarsCsvIssue) };
  return { ok: true, ...featuresCsvFromBars(parsed.bars, parsed.symbols.length > 1) };
}

/** Features CSV for bars already in time order per symbol. */
export function featuresCsvFromBars(bars: readonly CsvBar[], withSymbol = false): { csv: string; rows: number } {
  const pipelines = new Map<string | null, FeaturePipeline>();
  const lines: string[] = [withSymbol ? `symbol,${FEATURES_CSV_HEADER}` : FEATURES_CSV_HEADER];
  const cells = new Array<string>(FEATURE_COUNT);
  for (const bar of bars) {
    let p = pipelines.get(bar.symbol);
    if (!p) pipelines.set(bar.symbol, (p = new FeaturePipeline()));
    const f = p.update(bar);
    if (f === null) continue;
    for (let k = 0; k < FEATURE_COUNT; k++) cells[k] = formatPyFloat(f[k]!);
    lines.push(`${withSymbol ? `${bar.symbol ?? ''},` : ''}${bar.ts},${cells.join(',')}`);
  }
  return { csv: `${lines.join('\n')}\n`, rows: lines.length - 1 };
}

/**
 * A float64 the way Python's repr (and numpy's str, which pandas' to_csv uses) writes it:
 * shortest digits that round-trip (the same digits JavaScript picks), fixed notation for
 * 1e-4 ≤ |x| < 1e16 with at least one decimal (`10.0`), otherwise `d.ddde±XX`.
 */
export function formatPyFloat(x: number): string {
  if (x !== x) return '';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const exp = Math.abs(x).toExponential(); // shortest round-trip digits, e.g. "1.2345e-5"
  const e = exp.indexOf('e');
  const digits = exp.slice(0, e).replace('.', '');
  const exponent = Number(exp.slice(e + 1));
  if (exponent < -4 || exponent >= 16) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const abs = Math.abs(exponent);
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
  }
  const point = exponent + 1; // digits before the decimal point
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}.0`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
