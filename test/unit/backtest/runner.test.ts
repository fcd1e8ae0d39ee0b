import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backtest } from '../../../src/main/backtest/run';
import { canonicalJson, type BacktestResult } from '../../../src/main/backtest/result';
import type { BacktestParamsInput } from '../../../src/main/backtest/params';
import { GapError } from '../../../src/main/backtest/source';
import type { RunResult } from '../../../src/main/backtest/runner';
import { SimulatedClock } from '../../../src/main/clock';
import { FEATURE_COUNT, FeatureIndex } from '../../../src/main/features/names';
import type { Policy, PolicyOutput } from '../../../src/main/inference/policy';
import { sessionForDay } from '../../../src/main/marketdata/calendar';
import { tempDir } from '../../helpers/tmp';

const RESOURCES = path.resolve('resources');
const DAY = '2026-03-02';
const OPEN = sessionForDay(DAY)!.open;
const MIN = 60_000;

interface Bar {
  ts: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
}

/**
 * A tape where knowing bar t+1 pays: even minutes close at 100; odd minutes gap up to open at 102
 * and close at 101. Buying every close of 100 and selling every close of 101 makes money at the
 * close (same-close), and loses 2 a share when the fills wait for the next open (102 in, 100 out).
 */
function sawtooth(minutes: number, start = OPEN): Bar[] {
  return Array.from({ length: minutes }, (_, i) =>
    i % 2 === 0
      ? { ts: start + i * MIN, o: 100, h: 101, l: 100, c: 100, v: 1000 }
      : { ts: start + i * MIN, o: 102, h: 102, l: 101, c: 101, v: 1000 },
  );
}

function csv(bars: Bar[], symbol?: string): string {
  const head = symbol ? 'symbol,ts_ms,open,high,low,close,volume' : 'ts_ms,open,high,low,close,volume';
  const rows = bars.map((b) => `${symbol ? `${symbol},` : ''}${b.ts},${b.o},${b.h},${b.l},${b.c},${b.v}`);
  return `${[head, ...rows].join('\n')}\n`;
}

interface Seen {
  now: number;
  close: number;
  hour: number;
  minute: number;
}

/**
 * BUY on a close of 100, SELL on anything else, with full confidence; records what it saw and
 * when (the runner's clock), so the test can check no decision saw a bar that had not closed.
 */
function observingPolicy(clock: SimulatedClock, seen: Seen[]): Policy {
  const probs = new Float64Array(3);
  const out: PolicyOutput = { probs, action: 1, confidence: 1 };
  return {
    kind: 'single',
    name: 'observer',
    infer(obs: Float64Array): PolicyOutput {
      expect(obs.length).toBe(FEATURE_COUNT + 1);
      const close = obs[FeatureIndex.close]!;
      seen.push({ now: clock.now(), close, hour: obs[FeatureIndex.hour]!, minute: obs[FeatureIndex.minute]! });
      out.action = close === 100 ? 2 : 0;
      probs.fill(0);
      probs[out.action] = 1;
      return out;
    },
  };
}

const dirs: { cleanup: () => void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

function writeCsv(name: string, text: string): string {
  const t = tempDir();
  dirs.push(t);
  const file = path.join(t.dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function run(params: BacktestParamsInput, opts: { policy?: Policy; clock?: SimulatedClock; now?: number } = {}) {
  const r: RunResult = backtest(params, {
    resourcesDir: RESOURCES,
    now: opts.now ?? 1,
    ...(opts.policy ? { policy: opts.policy } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  if (r.status !== 'done') throw new Error('cancelled');
  return r;
}

const base = (file: string): BacktestParamsInput => ({
  source: { kind: 'csv', file },
  interval: '1m',
  slippageBps: 0,
  commission: 'none',
  sizing: { kind: 'fixedQuantity', quantity: 10 },
});

function barsByTs(bars: Bar[]): Map<number, Bar> {
  return new Map(bars.map((b) => [b.ts, b]));
}

describe('backtest runner', () => {
  it('no look-ahead: each decision sees only closed bars, and fills wait for the next bar’s open', () => {
    const bars = sawtooth(120);
    const file = writeCsv('SAW.csv', csv(bars));
    const clock = new SimulatedClock(0);
    const seen: Seen[] = [];
    const r = run(base(file), { policy: observingPolicy(clock, seen), clock });
    const byTs = barsByTs(bars);

    // Decisions start once 50 bars exist, one per bar after that.
    expect(seen.length).toBe(bars.length - 49);
    for (const s of seen) {
      // The newest bar visible closed at (or before) the decision: its open is now − 1 min.
      const newest = byTs.get(s.now - MIN)!;
      expect(newest, `decision at ${s.now}`).toBeDefined();
      expect(s.close).toBe(newest.c);
      // The features' clock fields are bar t's, never t+1's.
      const nyMinute = ((s.now - MIN - OPEN) / MIN + 30) % 60;
      expect(s.minute).toBe(nyMinute);
    }

    // Every fill is at the open of the bar after its order's decision, stamped with that bar's time.
    const orders = new Map(r.result.orders.map((o) => [o.clientOrderId, o]));
    expect(r.result.fills.length).toBeGreaterThan(30);
    for (const f of r.result.fills) {
      const decidedAt = orders.get(f.clientOrderId)!.ts; // the decision bar's close = next bar's open
      expect(f.ts).toBe(decidedAt);
      const next = byTs.get(f.ts)!;
      expect(f.price).toBe(next.o);
      expect(f.price).toBe(f.side === 'BUY' ? 102 : 100);
    }
    // Knowing bar t+1 would have paid; the honest fills lose 2 a share per round trip.
    expect(r.result.trades.length).toBeGreaterThan(10);
    for (const t of r.result.trades) expect(t.pnl).toBeCloseTo(-20, 9);
    expect(r.result.statistics.returns.totalReturn).toBeLessThan(0);
    expect(r.result.fillModel.fillAt).toBe('next-open');
    expect(r.result.fillModel.name).toContain('next-open');
  });

  it('same-close fills at the decision bar’s close (the optimistic model, named as such)', () => {
    const bars = sawtooth(120);
    const file = writeCsv('SAW.csv', csv(bars));
    const clock = new SimulatedClock(0);
    const r = run({ ...base(file), fillAt: 'same-close' }, { policy: observingPolicy(clock, []), clock });
    const byTs = barsByTs(bars);
    expect(r.result.fills.length).toBeGreaterThan(30);
    for (const f of r.result.fills) {
      const bar = byTs.get(f.ts - MIN)!; // filled at the close of the bar that decided
      expect(f.price).toBe(bar.c);
    }
    for (const t of r.result.trades) expect(t.pnl).toBeCloseTo(10, 9);
    expect(r.result.statistics.returns.totalReturn).toBeGreaterThan(0);
    expect(r.result.fillModel.name).toContain('same-close');
  });

  it('is deterministic: two runs give identical canonical JSON apart from generatedAt', () => {
    const params: BacktestParamsInput = {
      source: { kind: 'synthetic', seed: 11 },
      symbols: ['NVDA', 'MSFT'],
      from: Date.UTC(2026, 2, 2),
      to: Date.UTC(2026, 2, 5),
      threshold: 0.4,
    };
    const a = run(params, { now: 1_000 }).result;
    const b = run(params, { now: 2_000 }).result;
    expect(a.generatedAt).not.toBe(b.generatedAt);
    const strip = (r: BacktestResult) => canonicalJson({ ...r, generatedAt: 0 });
    expect(strip(a)).toBe(strip(b));
    expect(a.orders.length).toBeGreaterThan(0);
  });

  it('refuses a range with gaps, naming them and --allow-gaps; allowGaps runs and lists them', () => {
    const bars = sawtooth(120).filter((_, i) => i !== 70 && i !== 71);
    const file = writeCsv('GAPPY.csv', csv(bars));
    let err: unknown;
    try {
      run(base(file));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GapError);
    const msg = (err as Error).message;
    expect(msg).toContain('--allow-gaps');
    expect(msg).toContain('GAPPY 2026-03-02T15:40Z – 2026-03-02T15:42Z (2 bars)');
    const r = run({ ...base(file), allowGaps: true });
    expect(r.result.gaps).toEqual([
      { symbol: 'GAPPY', fromTs: OPEN + 70 * MIN, toTs: OPEN + 72 * MIN, missingBars: 2 },
    ]);
    expect(r.result.parameters.allowGaps).toBe(true);
  });

  it('applies commissions: IB fixed $1 minimum per order, IB tiered less, none zero; cash pays them', () => {
    const bars = sawtooth(120);
    const file = writeCsv('SAW.csv', csv(bars));
    const results = (['ib-fixed', 'ib-tiered', 'none'] as const).map((commission) => {
      const clock = new SimulatedClock(0);
      return run({ ...base(file), commission }, { policy: observingPolicy(clock, []), clock }).result;
    });
    const [fixed, tiered, none] = results as [BacktestResult, BacktestResult, BacktestResult];
    for (const f of fixed.fills) expect(f.fee).toBe(1);
    for (const f of tiered.fills) {
      expect(f.fee).toBeGreaterThan(0);
      expect(f.fee).toBeLessThan(1);
    }
    for (const f of none.fills) expect(f.fee).toBe(0);
    // Same fills, so equity differs by exactly the fees.
    const fees = fixed.fills.reduce((s, f) => s + f.fee, 0);
    expect(fixed.fills.length).toBe(none.fills.length);
    expect(none.statistics.returns.endEquity - fixed.statistics.returns.endEquity).toBeCloseTo(fees, 6);
    expect(fixed.statistics.trades.fees).toBeCloseTo(fees, 9);
    expect(fixed.fillModel.commission).toBe('ib-fixed');
  });

  it('slippage moves fills against the order', () => {
    const file = writeCsv('SAW.csv', csv(sawtooth(80)));
    const clock = new SimulatedClock(0);
    const r = run({ ...base(file), slippageBps: 10 }, { policy: observingPolicy(clock, []), clock }).result;
    for (const f of r.fills) expect(f.price).toBeCloseTo(f.side === 'BUY' ? 102 * 1.001 : 100 * 0.999, 4);
  });

  it('partial fills cap each bar and the rest fills on later bars', () => {
    const file = writeCsv('SAW.csv', csv(sawtooth(80)));
    const clock = new SimulatedClock(0);
    const r = run({ ...base(file), maxFillPerBar: 4 }, { policy: observingPolicy(clock, []), clock }).result;
    const first = r.orders[0]!;
    const fills = r.fills.filter((f) => f.clientOrderId === first.clientOrderId);
    expect(fills.map((f) => f.quantity)).toEqual([4, 4, 2]);
    expect(new Set(fills.map((f) => f.ts)).size).toBe(3);
    expect(r.fillModel.partialFills).toBe(true);
  });

  it('runs several symbols merged by time, each deciding on its own bars', () => {
    const a = sawtooth(100);
    // BBB is AAA one minute ahead: it buys on odd minutes where AAA buys on even ones.
    const b = sawtooth(101)
      .slice(1)
      .map((x, i) => ({ ...x, ts: OPEN + i * MIN }));
    const file = writeCsv('two.csv', csv(a, 'AAA') + csv(b, 'BBB').split('\n').slice(1).join('\n'));
    const clock = new SimulatedClock(0);
    const seen: Seen[] = [];
    const r = run(base(file), { policy: observingPolicy(clock, seen), clock }).result;
    expect(r.parameters.symbols).toEqual(['AAA', 'BBB']);
    expect(r.dataRange.barsBySymbol).toEqual({ AAA: 100, BBB: 100 });
    expect(r.equityCurve.length).toBe(100);
    // Both symbols decided on every bar from the 50th: two decisions per minute.
    expect(seen.length).toBe(2 * 51);
    const buys = (s: string) => r.fills.filter((f) => f.symbol === s && f.side === 'BUY');
    expect(buys('AAA').length).toBeGreaterThan(10);
    expect(buys('BBB').length).toBeGreaterThan(10);
    // Each fills at its own next open: AAA decides on even minutes and fills on odd ones, BBB the reverse.
    for (const f of buys('AAA')) expect(((f.ts - OPEN) / MIN) % 2).toBe(1);
    for (const f of buys('BBB')) expect(((f.ts - OPEN) / MIN) % 2).toBe(0);
    for (const f of r.fills) expect(f.price).toBe(f.side === 'BUY' ? 102 : 100);
    // Equity marks both positions at their own closes.
    const last = r.equityCurve[r.equityCurve.length - 1]!;
    expect(last.equity).toBeCloseTo(last.cash + last.exposure, 6);
  });

  it('runs daily bars from the bundled dataset with the default policy and no gaps', () => {
    const r = run({ source: { kind: 'dataset', name: 'sp500-daily' }, to: Date.UTC(2004, 0, 1) }).result;
    expect(r.parameters.interval).toBe('1d');
    expect(r.gaps).toEqual([]);
    expect(r.dataRange.source).toBe('dataset:sp500-daily');
    expect(r.orders.length).toBeGreaterThan(0);
    // Every fill is at the open of a later daily bar than its decision.
    for (const f of r.fills) {
      const o = r.orders.find((x) => x.clientOrderId === f.clientOrderId)!;
      expect(f.ts).toBeGreaterThan(o.ts);
    }
  });

  it('rejects a corrupt CSV with row numbers and runs nothing', () => {
    const good = csv(sawtooth(60));
    const text = good.replace(`${OPEN + 4 * MIN},100,101,100,100,1000`, `${OPEN + 4 * MIN},100,99,100,100,1000`);
    expect(text).not.toBe(good);
    const file = writeCsv('BAD.csv', text);
    expect(() => run(base(file))).toThrow(/row 6: high 99 is below low 100/);
  });
});
