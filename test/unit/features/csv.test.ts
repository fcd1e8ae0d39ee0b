import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FEATURES_CSV_HEADER, featuresCsvFromBarsCsv, formatPyFloat } from '../../../src/main/features/csv';
import { FEATURE_NAMES } from '../../../src/main/features/names';

const FIXTURES = new URL('../../../../shared/fixtures/features/', import.meta.url);
const barsText = readFileSync(new URL('bars-seed7.csv', FIXTURES), 'utf8');
const featuresText = readFileSync(new URL('features-seed7.csv', FIXTURES), 'utf8');

function within(actual: number, expected: number): boolean {
  return Math.abs(actual - expected) <= 1e-9 + 1e-9 * Math.abs(expected);
}

describe('formatPyFloat writes floats as Python repr / numpy str do', () => {
  // Left: Python 3 repr(x), identical to numpy's astype(str) that pandas' to_csv uses.
  const cases: [number, string][] = [
    [0, '0.0'],
    [-0, '-0.0'],
    [10, '10.0'],
    [1, '1.0'],
    [-3.5, '-3.5'],
    [0.1, '0.1'],
    [1e-4, '0.0001'],
    [1e-5, '1e-05'],
    [0.00012345, '0.00012345'],
    [2.0974279875258185e-5, '2.0974279875258185e-05'],
    [123456789012345, '123456789012345.0'],
    [1e15, '1000000000000000.0'],
    [1e16, '1e+16'],
    [1.2345e16, '1.2345e+16'],
    [Number.MAX_VALUE, '1.7976931348623157e+308'],
    [-Number.MAX_VALUE, '-1.7976931348623157e+308'],
    [5e-324, '5e-324'],
    [106.21600000000001, '106.21600000000001'],
    [45.28301886792494, '45.28301886792494'],
    [1e22, '1e+22'],
    [1e100, '1e+100'],
    [1.23456e-8, '1.23456e-08'],
    [0.1 + 0.2, '0.30000000000000004'],
    [9999999999999998, '9999999999999998.0'],
    [NaN, ''],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
  ];
  it.each(cases)('%s → %s', (x, text) => {
    expect(formatPyFloat(x)).toBe(text);
  });

  it('reproduces every value of the pandas fixture from its parsed number', () => {
    const cells = featuresText
      .trimEnd()
      .split('\n')
      .slice(1)
      .flatMap((line) => line.split(',').slice(1));
    expect(cells.length).toBe(1121 * 12);
    expect(cells.filter((cell) => formatPyFloat(Number(cell)) !== cell)).toEqual([]);
  });
});

describe('featuresCsvFromBarsCsv', () => {
  const result = featuresCsvFromBarsCsv(barsText);

  it('reproduces the fixture: header, row count, timestamps and every value within tolerance', () => {
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const got = result.csv.split('\n');
    const want = featuresText.split('\n');
    expect(got[0]).toBe(FEATURES_CSV_HEADER);
    expect(got[0]).toBe(want[0]);
    expect(result.rows).toBe(1121);
    expect(got.length).toBe(want.length);
    expect(result.csv.endsWith('\n')).toBe(true);
    let identical = 0;
    const bad: string[] = [];
    for (let r = 1; r < want.length - 1; r++) {
      const g = got[r]!.split(',');
      const w = want[r]!.split(',');
      expect(g[0]).toBe(w[0]);
      for (let k = 1; k <= FEATURE_NAMES.length; k++) {
        if (g[k] === w[k]) identical++;
        else if (!within(Number(g[k]), Number(w[k])))
          bad.push(`line ${r + 1} ${FEATURE_NAMES[k - 1]}: ${g[k]} vs ${w[k]}`);
      }
    }
    expect(bad).toEqual([]);
    console.log(`features CSV: ${identical} of ${1121 * 12} cells byte-identical to pandas' output`);
  });

  it('writes no rows for fewer than 50 bars', () => {
    const short = barsText.split('\n').slice(0, 50).join('\n');
    expect(featuresCsvFromBarsCsv(short)).toEqual({ ok: true, csv: `${FEATURES_CSV_HEADER}\n`, rows: 0 });
    const exactly50 = barsText.split('\n').slice(0, 51).join('\n');
    const one = featuresCsvFromBarsCsv(exactly50);
    expect(one.ok && one.rows).toBe(1);
    const got = one.ok ? one.csv.split('\n')[1]!.split(',') : [];
    const want = featuresText.split('\n')[1]!.split(',');
    expect(got[0]).toBe(want[0]);
    expect(got).toHaveLength(13);
    got.slice(1).forEach((g, k) => expect(within(Number(g), Number(want[k + 1])), FEATURE_NAMES[k]).toBe(true));
  });

  it('returns errors with row numbers and no CSV for a bad bars file', () => {
    const lines = barsText.split('\n');
    lines[10] = '1741012740000,107.0,106.0,107.5,107.1,100'; // high < low
    lines[20] = lines[20]!.replace(/,\d+$/, ',-5');
    const out = featuresCsvFromBarsCsv(lines.join('\n'));
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.errors).toHaveLength(2);
    expect(out.errors[0]).toMatch(/^row 11: high 106 is below low 107\.5/);
    expect(out.errors[1]).toMatch(/^row 21: volume -5 is negative/);
    expect(out).not.toHaveProperty('csv');
  });

  it('computes each symbol from its own bars and adds a symbol column when there are several', () => {
    const rows = barsText.trimEnd().split('\n').slice(1);
    const interleaved = ['symbol,ts_ms,open,high,low,close,volume'];
    for (const r of rows) interleaved.push(`AAA,${r}`, `BBB,${r}`);
    const out = featuresCsvFromBarsCsv(interleaved.join('\n'));
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    const lines = out.csv.trimEnd().split('\n');
    expect(lines[0]).toBe(`symbol,${FEATURES_CSV_HEADER}`);
    expect(out.rows).toBe(2 * 1121);
    const single = featuresCsvFromBarsCsv(barsText);
    const singleLines = single.ok ? single.csv.trimEnd().split('\n') : [];
    expect(lines[1]).toBe(`AAA,${singleLines[1]}`);
    expect(lines[2]).toBe(`BBB,${singleLines[1]}`);
    expect(lines.at(-1)).toBe(`BBB,${singleLines.at(-1)}`);
  });

  it('one symbol column value keeps the plain pandas header', () => {
    const rows = barsText.trimEnd().split('\n').slice(1);
    const out = featuresCsvFromBarsCsv(
      ['symbol,ts_ms,open,high,low,close,volume', ...rows.map((r) => `nvda,${r}`)].join('\n'),
    );
    expect(out.ok && out.csv.split('\n')[0]).toBe(FEATURES_CSV_HEADER);
  });
});
