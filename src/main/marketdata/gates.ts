/**
 * Promotion gates: whether a provider's (or a symbol's) data is good enough to trade on, judged
 * on the figures of the last window (default 30 minutes). Every criterion reports its figure,
 * its threshold and why it passed or failed, so the UI can show the whole verdict.
 *
 * Missing figures: a criterion whose subsystem does not exist yet (decision latency: the signal
 * pipeline; shadow mismatch: no shadow configured) is reported as "not measured" and does not
 * fail the verdict. Missing figures of the data itself never pass: no events means no freshness,
 * and fewer than `minSamples` observations fails the verdict outright, whatever the other figures.
 */
import { DEFAULT_WINDOW_MS } from './stats';

export interface GateInputs {
  /** p95 of (receipt − event time) over the window; null when no events. */
  freshnessP95Ms: number | null;
  /** Whether the market is in its regular session now (freshness threshold depends on it). */
  regularHours: boolean;
  /** 0..1 */
  successRate: number;
  /** null until the signal pipeline measures it. */
  decisionLatencyP95Ms: number | null;
  /** 0..1; null when there is no shadow comparison. */
  shadowMismatchRate: number | null;
  /** Observations behind the figures (events + requests in the window). */
  sampleCount: number;
}

export interface GateConfig {
  freshnessRegularMs: number;
  freshnessOutsideMs: number;
  minSuccessRate: number;
  maxDecisionLatencyMs: number;
  maxShadowMismatchRate: number;
  minSamples: number;
  /** The window the router computes the inputs over; reported, not used here. */
  windowMs: number;
}

export const DEFAULT_GATE_CONFIG: GateConfig = {
  freshnessRegularMs: 5000,
  freshnessOutsideMs: 60_000,
  minSuccessRate: 0.99,
  maxDecisionLatencyMs: 200,
  maxShadowMismatchRate: 0.02,
  minSamples: 30,
  windowMs: DEFAULT_WINDOW_MS,
};

export type GateName = 'samples' | 'freshness' | 'successRate' | 'decisionLatency' | 'shadowMismatch';

export interface GateCriterion {
  /** One of GateName for the criteria evaluated here. */
  name: string;
  value: number | null;
  threshold: string;
  pass: boolean;
  /** false when the figure does not exist yet and the criterion was skipped (pass is then true). */
  measured: boolean;
  detail: string;
}

export interface GateReport {
  verdict: 'PASS' | 'FAIL';
  criteria: GateCriterion[];
}

function pct(x: number): string {
  return `${Number((x * 100).toFixed(2))} %`;
}

function ms(x: number): string {
  return x >= 10_000 ? `${Number((x / 1000).toFixed(1))} s` : `${Math.round(x)} ms`;
}

const finite = (x: number | null): x is number => x !== null && Number.isFinite(x);

export function evaluateGates(inputs: GateInputs, cfg: Partial<GateConfig> = {}): GateReport {
  const c = { ...DEFAULT_GATE_CONFIG, ...cfg };
  const criteria: GateCriterion[] = [];

  const n = inputs.sampleCount;
  const enough = Number.isFinite(n) && n >= c.minSamples;
  criteria.push({
    name: 'samples',
    value: Number.isFinite(n) ? n : null,
    threshold: `≥ ${c.minSamples}`,
    pass: enough,
    measured: true,
    detail: enough
      ? `${n} observations in the window`
      : `only ${Number.isFinite(n) ? n : 0} observations in the window, need ${c.minSamples}: not enough evidence to pass`,
  });

  const limit = inputs.regularHours ? c.freshnessRegularMs : c.freshnessOutsideMs;
  const session = inputs.regularHours ? 'regular hours' : 'outside regular hours';
  const f = inputs.freshnessP95Ms;
  const freshOk = finite(f) && f <= limit;
  criteria.push({
    name: 'freshness',
    value: finite(f) ? f : null,
    threshold: `p95 ≤ ${ms(limit)} (${session})`,
    pass: freshOk,
    measured: true,
    detail: !finite(f)
      ? 'no events in the window: freshness unknown'
      : `p95 freshness ${ms(f)} ${freshOk ? '≤' : '>'} ${ms(limit)} (${session})`,
  });

  const s = inputs.successRate;
  const successOk = Number.isFinite(s) && s >= c.minSuccessRate;
  criteria.push({
    name: 'successRate',
    value: Number.isFinite(s) ? s : null,
    threshold: `≥ ${pct(c.minSuccessRate)}`,
    pass: successOk,
    measured: true,
    detail: Number.isFinite(s)
      ? `success rate ${pct(s)} ${successOk ? '≥' : '<'} ${pct(c.minSuccessRate)}`
      : 'success rate unknown',
  });

  const d = inputs.decisionLatencyP95Ms;
  if (d === null) {
    criteria.push({
      name: 'decisionLatency',
      value: null,
      threshold: `p95 ≤ ${ms(c.maxDecisionLatencyMs)}`,
      pass: true,
      measured: false,
      detail: 'not measured yet (no signal pipeline); does not block',
    });
  } else {
    const ok = Number.isFinite(d) && d <= c.maxDecisionLatencyMs;
    criteria.push({
      name: 'decisionLatency',
      value: Number.isFinite(d) ? d : null,
      threshold: `p95 ≤ ${ms(c.maxDecisionLatencyMs)}`,
      pass: ok,
      measured: true,
      detail: Number.isFinite(d)
        ? `p95 decision latency ${ms(d)} ${ok ? '≤' : '>'} ${ms(c.maxDecisionLatencyMs)}`
        : 'decision latency is not a number',
    });
  }

  const m = inputs.shadowMismatchRate;
  if (m === null) {
    criteria.push({
      name: 'shadowMismatch',
      value: null,
      threshold: `≤ ${pct(c.maxShadowMismatchRate)}`,
      pass: true,
      measured: false,
      detail: 'no shadow comparison; does not block',
    });
  } else {
    const ok = Number.isFinite(m) && m <= c.maxShadowMismatchRate;
    criteria.push({
      name: 'shadowMismatch',
      value: Number.isFinite(m) ? m : null,
      threshold: `≤ ${pct(c.maxShadowMismatchRate)}`,
      pass: ok,
      measured: true,
      detail: Number.isFinite(m)
        ? `shadow mismatch ${pct(m)} ${ok ? '≤' : '>'} ${pct(c.maxShadowMismatchRate)}`
        : 'shadow mismatch rate is not a number',
    });
  }

  return { verdict: criteria.every((x) => x.pass) ? 'PASS' : 'FAIL', criteria };
}
