import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeReports } from '../../../src/main/backtest/report';
import {
  EQUITY_HEADER,
  ORDERS_HEADER,
  TRADES_HEADER,
  csvText,
  equityCsv,
  ordersCsv,
  tradesCsv,
} from '../../../src/main/backtest/report/csv';
import { renderHtml } from '../../../src/main/backtest/report/html';
import { resultFromJson, resultToJson } from '../../../src/main/backtest/report/json';
import { canonicalJson, RESULT_SCHEMA_VERSION, type BacktestResult } from '../../../src/main/backtest/result';
import { buildFixtureResult } from '../../helpers/backtestFixture';
import { tempDir } from '../../helpers/tmp';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** The same object with its keys inserted in reverse order, at every level. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reverseKeys(v)]),
    );
  }
  return value;
}

describe('canonical JSON', () => {
  it('round-trips through the schema', () => {
    const r = buildFixtureResult();
    const back = resultFromJson(resultToJson(r));
    expect(back).toEqual(r);
    expect(back.schemaVersion).toBe(RESULT_SCHEMA_VERSION);
    expect(r.trades.length).toBeGreaterThan(5);
  });

  it('is byte-identical for equal inputs, whatever the key order, and differs only in generatedAt', () => {
    const a = canonicalJson(buildFixtureResult({ generatedAt: 1 }));
    const b = canonicalJson(buildFixtureResult({ generatedAt: 1 }));
    expect(b).toBe(a);
    expect(canonicalJson(reverseKeys(buildFixtureResult({ generatedAt: 1 })) as BacktestResult)).toBe(a);
    const c = canonicalJson(buildFixtureResult({ generatedAt: 2 }));
    expect(c).not.toBe(a);
    expect(c.replace('"generatedAt":2', '"generatedAt":1')).toBe(a);
    // Keys are sorted: the top level reads in alphabetical order.
    expect(Object.keys(JSON.parse(a) as object)).toEqual(Object.keys(JSON.parse(a) as object).sort());
  });

  it('refuses another schema version, a damaged file and non-JSON numbers, naming the problem', () => {
    const r = buildFixtureResult();
    const obj = JSON.parse(resultToJson(r)) as Record<string, unknown>;
    expect(() => resultFromJson(JSON.stringify({ ...obj, schemaVersion: 99 }))).toThrow(/schemaVersion/);
    const broken = JSON.parse(resultToJson(r)) as { trades: { pnl: unknown }[] };
    broken.trades[0]!.pnl = 'lots';
    expect(() => resultFromJson(JSON.stringify(broken))).toThrow(/trades\.0\.pnl/);
    expect(() => resultFromJson('{"schemaVersion": 1,')).toThrow(/not JSON/);
    const nan = { ...r, statistics: { ...r.statistics, returns: { ...r.statistics.returns, sharpe: NaN } } };
    expect(() => canonicalJson(nan)).toThrow(/NaN is not a JSON number/);
  });
});

describe('CSV exports', () => {
  const r = buildFixtureResult();

  it('writes trades with a header and one row per trade', () => {
    const lines = tradesCsv(r).trimEnd().split('\n');
    expect(lines[0]).toBe(TRADES_HEADER);
    expect(lines).toHaveLength(r.trades.length + 1);
    const t = r.trades[0]!;
    const cells = lines[1]!.split(',');
    const col = (name: string): string => cells[TRADES_HEADER.split(',').indexOf(name)]!;
    expect(col('symbol')).toBe(t.symbol);
    expect(Number(col('entry_ts_ms'))).toBe(t.entryTs);
    expect(col('entry_time_utc')).toBe(new Date(t.entryTs).toISOString());
    expect(Number(col('pnl'))).toBe(t.pnl);
    expect(Number(col('duration_ms'))).toBe(t.durationMs);
  });

  it('writes orders, quoting text and defusing spreadsheet formulas', () => {
    const lines = ordersCsv(r).trimEnd().split('\n');
    expect(lines[0]).toBe(ORDERS_HEADER);
    expect(lines).toHaveLength(r.orders.length + 1);
    // The fixture's rejected order: reason `risk: <price band> & "limit" too far`.
    expect(lines[lines.length - 1]!.endsWith(',REJECTED,0,,0,"risk: <price band> & ""limit"" too far"')).toBe(true);
    expect(csvText('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvText('plain')).toBe('plain');
    expect(csvText('a,b')).toBe('"a,b"');
  });

  it('writes the equity curve with the benchmark and the drawdown beside it', () => {
    const lines = equityCsv(r).trimEnd().split('\n');
    expect(lines[0]).toBe(EQUITY_HEADER);
    expect(lines).toHaveLength(r.equityCurve.length + 1);
    const [ts, , equity, , , benchmark, drawdown] = lines[1]!.split(',');
    expect(Number(ts)).toBe(r.equityCurve[0]!.ts);
    expect(Number(equity)).toBe(r.equityCurve[0]!.equity);
    expect(Number(benchmark)).toBe(r.benchmarkCurve[0]!.equity);
    expect(Number(drawdown)).toBe(0);
    const minDd = Math.min(...lines.slice(1).map((l) => Number(l.split(',')[6])));
    expect(minDd).toBeCloseTo(r.statistics.drawdown.maxDrawdown, 12);
  });
});

describe('HTML report', () => {
  it('escapes every piece of text from the result', () => {
    const evil = '<script>alert("x")</script> & \'q\'';
    const html = renderHtml(buildFixtureResult({ policy: evil, symbols: ['A&B', 'C<D>'] }));
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;');
    expect(html).toContain('A&amp;B · C&lt;D&gt;');
    expect(html).not.toContain('C<D>');
    // The rejected order's reason, from the broker or risk engine, is text too.
    expect(html).toContain('risk: &lt;price band&gt; &amp; &quot;limit&quot; too far');
  });

  it('is self-contained: no remote src or href, no stylesheet link, no import, no url()', () => {
    const html = renderHtml(buildFixtureResult());
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<link\b|<script\b|<iframe\b|<img\b|@import|url\(/i);
    expect(html).toContain("default-src 'none'");
  });

  it('shows the headline statistics, the fill model and the parameters', () => {
    const r = buildFixtureResult();
    const html = renderHtml(r);
    expect(html).toContain(r.fillModel.name);
    expect(html).toContain('Max drawdown');
    expect(html).toContain('Monthly returns');
    expect(html).toContain('fastSma');
    expect((html.match(/<svg class="chart"/g) ?? []).length).toBe(3 + r.prices.length);
  });

  it('says so when there are no trades, instead of drawing empty charts', () => {
    const r = buildFixtureResult({ from: '2025-03-03', to: '2025-03-12' }); // too short for the rule to trade
    expect(r.trades).toEqual([]);
    const html = renderHtml(r);
    expect(html).toContain('No closed trades.');
  });
});

describe('writeReports', () => {
  it('writes the JSON and the three CSV files, creating the directory', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const r = buildFixtureResult();
    const json = path.join(t.dir, 'out', 'result.json');
    const csvDir = path.join(t.dir, 'csv');
    const html = path.join(t.dir, 'report.html');
    const written = await writeReports(r, { json, csvDir, html });
    expect(written).toEqual([
      json,
      path.join(csvDir, 'trades.csv'),
      path.join(csvDir, 'orders.csv'),
      path.join(csvDir, 'equity.csv'),
      html,
    ]);
    expect(fs.readFileSync(json, 'utf8')).toBe(canonicalJson(r));
    expect(fs.readFileSync(path.join(csvDir, 'orders.csv'), 'utf8')).toBe(ordersCsv(r));
    expect(fs.readFileSync(html, 'utf8')).toBe(renderHtml(r));
    expect(fs.readdirSync(t.dir).some((f) => f.includes('.partial-'))).toBe(false);
  });
});
