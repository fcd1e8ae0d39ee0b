import { describe, expect, it } from 'vitest';
import { compareRuns, normalisedCurve, setupNotes } from '../../../src/main/backtest/compare';
import { curveOf, statRows, thinIndices } from '../../../src/main/backtest/view';
import type { BacktestResult } from '../../../src/main/backtest/result';
import type { BacktestRunInfo } from '../../../src/shared/domain';
import { buildFixtureResult } from '../../helpers/backtestFixture';

function info(runId: number): BacktestRunInfo {
  return {
    runId,
    createdAt: 1,
    finishedAt: 2,
    status: 'done',
    request: {
      data: 'sp500',
      symbols: [],
      interval: '1d',
      from: null,
      to: null,
      initialCash: 100_000,
      slippageBps: 1,
      commission: 'ib-fixed',
      fillAt: 'next-open',
      allowGaps: false,
      policy: null,
      seed: 1,
    },
    label: `run ${runId}`,
    headline: null,
    error: null,
  };
}

/** A result whose equity curve is exactly the given values (one point a day). */
function withCurve(base: BacktestResult, values: number[]): BacktestResult {
  return {
    ...base,
    equityCurve: values.map((equity, i) => ({ ts: 1_000 + i * 86_400_000, equity, cash: equity, exposure: 0 })),
  };
}

describe('compareRuns', () => {
  const a = buildFixtureResult({ symbols: ['NVDA'], to: '2025-06-30' });
  const b = buildFixtureResult({ symbols: ['NVDA', 'MSFT'], to: '2025-09-30' });

  it('puts every statistic of both runs side by side with b − a', () => {
    const cmp = compareRuns({ info: info(1), result: a }, { info: info(2), result: b });
    expect(cmp.rows.map((r) => r.key)).toEqual(statRows(a).map((r) => r.key));
    const total = cmp.rows.find((r) => r.key === 'totalReturn')!;
    expect(total.a).toBe(a.statistics.returns.totalReturn);
    expect(total.b).toBe(b.statistics.returns.totalReturn);
    expect(total.diff).toBeCloseTo(b.statistics.returns.totalReturn - a.statistics.returns.totalReturn, 12);
    expect(cmp.a.runId).toBe(1);
    expect(cmp.b.runId).toBe(2);
  });

  it('has a null difference when either side is undefined', () => {
    const none = { ...a, statistics: { ...a.statistics, returns: { ...a.statistics.returns, sharpe: null } } };
    const cmp = compareRuns({ info: info(1), result: none }, { info: info(2), result: b });
    const sharpe = cmp.rows.find((r) => r.key === 'sharpe')!;
    expect(sharpe).toMatchObject({ a: null, diff: null });
    expect(sharpe.b).toBe(b.statistics.returns.sharpe);
  });

  it('normalises both equity curves to 1.0 at their first bar', () => {
    const x = withCurve(a, [200_000, 220_000, 180_000]);
    const y = withCurve(a, [50, 75]);
    const cmp = compareRuns({ info: info(1), result: x }, { info: info(2), result: y });
    expect(cmp.curveA.map((p) => p.value)).toEqual([1, 1.1, 0.9]);
    expect(cmp.curveB.map((p) => p.value)).toEqual([1, 1.5]);
    expect(normalisedCurve(withCurve(a, []), 10)).toEqual([]);
  });

  it('names what differs between the setups', () => {
    const notes = setupNotes(a, b).join('\n');
    expect(notes).toMatch(/symbols differ: NVDA vs NVDA, MSFT/);
    expect(notes).toMatch(/ranges differ/);
    expect(setupNotes(a, a)).toEqual([]);
  });
});

describe('panel views', () => {
  it('thins evenly and keeps the first and last point', () => {
    expect(thinIndices(5, 10)).toEqual([0, 1, 2, 3, 4]);
    expect(thinIndices(101, 5)).toEqual([0, 25, 50, 75, 100]);
    const kept = thinIndices(1000, 7);
    expect(kept[0]).toBe(0);
    expect(kept[kept.length - 1]).toBe(999);
    expect(kept).toHaveLength(7);
  });

  it('computes drawdown from the whole curve before thinning', () => {
    const r = withCurve(buildFixtureResult({ symbols: ['NVDA'], to: '2025-03-31' }), [100, 120, 90, 130, 65]);
    const c = curveOf(r, 3);
    expect(c.map((p) => p.equity)).toEqual([100, 90, 65]);
    expect(c.map((p) => p.drawdown)).toEqual([0, 90 / 120 - 1, 65 / 130 - 1]);
  });
});
