/**
 * Two backtest runs side by side: every statistic of both with the difference (b − a), both equity
 * curves normalised to 1.0 at their first bar (so runs with different cash compare), and notes on
 * what differs in their setup, because a comparison across fill models or data is easy to misread.
 * Pure.
 */
import type { BacktestComparison, BacktestRunInfo } from '../../shared/domain';
import type { BacktestResult } from './result';
import { statRows, thinIndices } from './view';

export interface CompareInput {
  info: BacktestRunInfo;
  result: BacktestResult;
}

/** The equity curve as multiples of its first point, thinned to at most maxPoints. */
export function normalisedCurve(result: BacktestResult, maxPoints: number): { ts: number; value: number }[] {
  const eq = result.equityCurve;
  const base = eq[0]?.equity;
  if (base === undefined || base === 0) return [];
  return thinIndices(eq.length, maxPoints).map((i) => ({ ts: eq[i]!.ts, value: eq[i]!.equity / base }));
}

export function compareRuns(a: CompareInput, b: CompareInput, maxPoints = 1000): BacktestComparison {
  const rowsA = statRows(a.result);
  const rowsB = new Map(statRows(b.result).map((r) => [r.key, r]));
  const rows = rowsA.map((ra) => {
    const vb = rowsB.get(ra.key)?.value ?? null;
    return {
      key: ra.key,
      label: ra.label,
      format: ra.format,
      a: ra.value,
      b: vb,
      diff: ra.value === null || vb === null ? null : vb - ra.value,
    };
  });
  return {
    a: a.info,
    b: b.info,
    rows,
    curveA: normalisedCurve(a.result, maxPoints),
    curveB: normalisedCurve(b.result, maxPoints),
    notes: setupNotes(a.result, b.result),
  };
}

/** What differs between the two runs' setups, in words. */
export function setupNotes(a: BacktestResult, b: BacktestResult): string[] {
  const notes: string[] = [];
  const pa = a.parameters;
  const pb = b.parameters;
  if (pa.interval !== pb.interval) notes.push(`intervals differ: ${pa.interval} vs ${pb.interval}`);
  if (pa.symbols.join(',') !== pb.symbols.join(',')) {
    notes.push(`symbols differ: ${pa.symbols.join(', ')} vs ${pb.symbols.join(', ')}`);
  }
  if (a.dataRange.source !== b.dataRange.source) {
    notes.push(`data differs: ${a.dataRange.source} vs ${b.dataRange.source}`);
  }
  if (a.dataRange.firstBarTs !== b.dataRange.firstBarTs || a.dataRange.lastBarTs !== b.dataRange.lastBarTs) {
    notes.push('ranges differ: compare CAGR and Sharpe rather than total return');
  }
  if (a.fillModel.name !== b.fillModel.name)
    notes.push(`fill models differ: ${a.fillModel.name} vs ${b.fillModel.name}`);
  if (pa.initialCash !== pb.initialCash) {
    notes.push(`starting cash differs: ${pa.initialCash} vs ${pb.initialCash} (curves are normalised to 1.0)`);
  }
  if ((pa.policy ?? '') !== (pb.policy ?? '')) {
    notes.push(`policies differ: ${pa.policy ?? 'default'} vs ${pb.policy ?? 'default'}`);
  }
  return notes;
}
