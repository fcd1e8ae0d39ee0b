import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatBarsCsvIssue, parseBarsCsv, parseIsoTimestamp } from '../../../src/main/bars/csv';
import type { BarsCsvResult } from '../../../src/main/bars/csv';

const FIXTURES = new URL('../../../../shared/fixtures/features/', import.meta.url);

function issues(result: BarsCsvResult): string[] {
  expect(result.ok).toBe(false);
  expect(result).not.toHaveProperty('bars');
  return result.ok ? [] : result.issues.map(formatBarsCsvIssue);
}

const HEADER = 'ts_ms,open,high,low,close,volume';

describe('parseBarsCsv: good files', () => {
  it('reads the seed-7 fixture: every bar, in order', () => {
    const r = parseBarsCsv(readFileSync(new URL('bars-seed7.csv', FIXTURES), 'utf8'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.bars).toHaveLength(1170);
    expect(r.bars[0]).toEqual({ symbol: null, ts: 1741012200000, o: 107, h: 107.01, l: 106.99, c: 107, v: 83696 });
    expect(r.symbols).toEqual([]);
    expect(r.timeFormat).toBe('epoch-ms');
  });

  it('accepts any column order, aliases, upper-case names, CRLF, a BOM, extra columns and a trailing blank line', () => {
    const text =
      '\ufeffVolume,Close,Low,High,Open,TS_MS,vwap\r\n100,10.5,10,11,10.2,1000,10.4\r\n0,10.6,10.5,10.7,10.5,2000,\r\n\r\n';
    const r = parseBarsCsv(text);
    expect(r).toEqual({
      ok: true,
      bars: [
        { symbol: null, ts: 1000, o: 10.2, h: 11, l: 10, c: 10.5, v: 100 },
        { symbol: null, ts: 2000, o: 10.5, h: 10.7, l: 10.5, c: 10.6, v: 0 },
      ],
      symbols: [],
      timeFormat: 'epoch-ms',
    });
  });

  it('reads ISO-8601 timestamps with Z or an offset, and a bare date as UTC midnight', () => {
    const text = [
      'datetime,o,h,l,c,v',
      '2025-03-03T14:30:00Z,1,1,1,1,1',
      '2025-03-03T09:31:00-05:00,1,1,1,1,1',
      '2025-03-03 14:32:00.250+0000,1,1,1,1,1',
    ].join('\n');
    const r = parseBarsCsv(text);
    expect(r.ok && r.bars.map((b) => b.ts)).toEqual([
      Date.UTC(2025, 2, 3, 14, 30),
      Date.UTC(2025, 2, 3, 14, 31),
      Date.UTC(2025, 2, 3, 14, 32, 0, 250),
    ]);
    expect(r.ok && r.timeFormat).toBe('iso-8601');
    expect(parseIsoTimestamp('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
  });

  it('reads a symbol column (upper-cased), with timestamps increasing per symbol', () => {
    const text = [
      'symbol,ts_ms,open,high,low,close,volume',
      'nvda,1000,1,1,1,1,1',
      'AAPL,1000,2,2,2,2,2',
      'NVDA,2000,1,1,1,1,1',
    ].join('\n');
    const r = parseBarsCsv(text);
    expect(r.ok && r.symbols).toEqual(['NVDA', 'AAPL']);
    expect(r.ok && r.bars.map((b) => `${b.symbol}@${b.ts}`)).toEqual(['NVDA@1000', 'AAPL@1000', 'NVDA@2000']);
  });

  it('uses options.symbol for a file without a symbol column', () => {
    const r = parseBarsCsv(`${HEADER}\n1000,1,1,1,1,1`, { symbol: 'brk.b' });
    expect(r.ok && r.bars[0]!.symbol).toBe('BRK.B');
    expect(r.ok && r.symbols).toEqual(['BRK.B']);
    expect(issues(parseBarsCsv(`${HEADER}\n1000,1,1,1,1,1`, { symbol: 'not a ticker' }))[0]).toMatch(/not a ticker/);
  });

  it('reads a headerless file as ts, open, high, low, close, volume', () => {
    const r = parseBarsCsv('1000,1,2,0.5,1.5,10\n2000,1.5,2,1,1,0\n');
    expect(r.ok && r.bars).toEqual([
      { symbol: null, ts: 1000, o: 1, h: 2, l: 0.5, c: 1.5, v: 10 },
      { symbol: null, ts: 2000, o: 1.5, h: 2, l: 1, c: 1, v: 0 },
    ]);
    const iso = parseBarsCsv('2025-03-03T14:30:00Z,1,2,0.5,1.5,10\n');
    expect(iso.ok && iso.bars[0]!.ts).toBe(Date.UTC(2025, 2, 3, 14, 30));
  });

  it('handles quoted fields', () => {
    const r = parseBarsCsv(
      `"symbol","ts_ms","open","high","low","close","volume"\n"NVDA","1000","1.5","2","1","1.5","1,000"`,
    );
    // "1,000" is one field (with a comma in it) and not a number.
    expect(issues(r)).toEqual(['row 2: volume "1,000" is not a number']);
    const ok = parseBarsCsv(
      `"symbol","ts_ms","open","high","low","close","volume"\n"NVDA","1000","1.5","2","1","1.5","1000"`,
    );
    expect(ok.ok && ok.bars[0]).toEqual({ symbol: 'NVDA', ts: 1000, o: 1.5, h: 2, l: 1, c: 1.5, v: 1000 });
  });
});

describe('parseBarsCsv: bad files are rejected whole, every problem with its row number', () => {
  it('reports each kind of bad row and returns no bars', () => {
    const text = [
      HEADER, //                        row 1
      '1000,1,1,1,1,1', //              row 2: fine
      '2000,abc,1,1,1,1', //            row 3: bad number
      '3000,1,1,1,1', //                row 4: missing field
      '4000,1,1,2,1,1', //              row 5: high < low
      '5000,1,1,1,1,-1', //             row 6: negative volume
      '5000,1,1,1,1,1', //              row 7: fine
      '4500,1,1,1,1,1', //              row 8: not after row 7
      '6000,1,1,1,,1', //               row 9: empty close
      '7000,0,1,1,1,1', //              row 10: zero price
      '8000,1,2,1,3,1', //              row 11: close above high
      '9000.5,1,1,1,1,1', //            row 12: fractional ts_ms
      '10000,NaN,1,1,1,1', //           row 13: NaN is not a number here
      '11000,1,1,1,1,Infinity', //      row 14
      '12000,1,1,1,1,1', //             row 15: fine
    ].join('\n');
    expect(issues(parseBarsCsv(text))).toEqual([
      'row 3: open "abc" is not a number',
      'row 4: expected at least 6 fields, found 5 (missing field)',
      'row 5: high 1 is below low 2',
      'row 6: volume -1 is negative',
      'row 8: timestamp 4500 is not after 5000 (row 7): bars must be in increasing time order',
      'row 9: close is empty (missing field)',
      'row 10: open 0 is not a positive price',
      'row 11: close 3 is outside low–high 1–2',
      'row 12: ts_ms "9000.5" is not a non-negative integer',
      'row 13: open "NaN" is not a number',
      'row 14: volume "Infinity" is not a number',
    ]);
  });

  it('rejects duplicate timestamps per symbol but not across symbols', () => {
    const text = [
      'symbol,ts_ms,open,high,low,close,volume',
      'A,1000,1,1,1,1,1',
      'B,1000,1,1,1,1,1',
      'A,1000,1,1,1,1,1',
    ].join('\n');
    expect(issues(parseBarsCsv(text))).toEqual([
      'row 4: timestamp 1000 is not after 1000 (row 2) for A: bars must be in increasing time order',
    ]);
  });

  it('rejects timestamps without an offset, impossible dates and bad symbols', () => {
    const text = [
      'symbol,timestamp,open,high,low,close,volume',
      'NVDA,2025-03-03T09:30:00,1,1,1,1,1',
      'NVDA,2025-02-30T09:30:00Z,1,1,1,1,1',
      'NVDA,1741012200000,1,1,1,1,1',
      'nv da,2025-03-04T09:30:00Z,1,1,1,1,1',
      ',2025-03-05T09:30:00Z,1,1,1,1,1',
    ].join('\n');
    expect(issues(parseBarsCsv(text))).toEqual([
      'row 2: timestamp "2025-03-03T09:30:00" has no UTC offset; add Z or ±hh:mm',
      'row 3: timestamp "2025-02-30T09:30:00Z" is not a valid date and time',
      'row 4: timestamp "1741012200000" is not ISO-8601 (e.g. 2025-03-03T14:30:00Z)',
      'row 5: symbol "nv da" is not a ticker such as NVDA or BRK.B',
      'row 6: symbol is empty (missing field)',
    ]);
  });

  it('rejects headers it cannot use', () => {
    expect(issues(parseBarsCsv('ts_ms,open,high,low,close\n1000,1,1,1,1'))).toEqual(['row 1: missing column: volume']);
    expect(issues(parseBarsCsv('open,high,low,close,volume\n1,1,1,1,1'))).toEqual([
      'row 1: no time column: expected ts_ms or one of ts, timestamp, date, datetime',
    ]);
    expect(issues(parseBarsCsv('ts_ms,date,open,high,low,close,volume\n'))).toEqual([
      'row 1: both ts_ms and an ISO timestamp column: keep one',
    ]);
    expect(issues(parseBarsCsv('ts_ms,close,open,high,low,c,volume\n'))[0]).toMatch(/^row 1: column "c" duplicates/);
  });

  it('rejects empty files and header-only files', () => {
    expect(issues(parseBarsCsv(''))).toEqual(['the file has no rows']);
    expect(issues(parseBarsCsv('\n\n'))).toEqual(['the file has no rows']);
    expect(issues(parseBarsCsv(`${HEADER}\n`))).toEqual(['the file has a header but no bars']);
  });

  it('caps the list of problems and says how many more there were', () => {
    const rows = [HEADER, ...Array.from({ length: 250 }, (_, i) => `${i + 1},x,1,1,1,1`)];
    const list = issues(parseBarsCsv(rows.join('\n'), { maxIssues: 100 }));
    expect(list).toHaveLength(101);
    expect(list[0]).toBe('row 2: open "x" is not a number');
    expect(list[99]).toBe('row 101: open "x" is not a number');
    expect(list[100]).toBe('… and 150 more problems');
  });

  it('one bad row among a thousand good ones still yields nothing', () => {
    const rows = [
      HEADER,
      ...Array.from({ length: 1000 }, (_, i) => `${(i + 1) * 60_000},1,1,1,1,${i === 777 ? -3 : 5}`),
    ];
    expect(issues(parseBarsCsv(rows.join('\n')))).toEqual(['row 779: volume -3 is negative']);
  });
});
