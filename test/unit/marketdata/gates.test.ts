import { describe, expect, it } from 'vitest';
import { DEFAULT_GATE_CONFIG, evaluateGates, type GateInputs } from '../../../src/main/marketdata/gates';

const good: GateInputs = {
  freshnessP95Ms: 1200,
  regularHours: true,
  successRate: 0.995,
  decisionLatencyP95Ms: 120,
  shadowMismatchRate: 0.01,
  sampleCount: 500,
};

function criterion(inputs: GateInputs, name: string, cfg = {}) {
  const c = evaluateGates(inputs, cfg).criteria.find((x) => x.name === name);
  if (!c) throw new Error(`no criterion ${name}`);
  return c;
}

describe('evaluateGates', () => {
  it('passes good figures and reports each one', () => {
    const r = evaluateGates(good);
    expect(r.verdict).toBe('PASS');
    expect(r.criteria.map((c) => [c.name, c.value, c.pass])).toEqual([
      ['samples', 500, true],
      ['freshness', 1200, true],
      ['successRate', 0.995, true],
      ['decisionLatency', 120, true],
      ['shadowMismatch', 0.01, true],
    ]);
    expect(criterion(good, 'freshness').threshold).toBe('p95 ≤ 5000 ms (regular hours)');
    expect(criterion(good, 'freshness').detail).toBe('p95 freshness 1200 ms ≤ 5000 ms (regular hours)');
    expect(criterion(good, 'successRate').detail).toBe('success rate 99.5 % ≥ 99 %');
    expect(criterion(good, 'decisionLatency').detail).toBe('p95 decision latency 120 ms ≤ 200 ms');
    expect(criterion(good, 'shadowMismatch').detail).toBe('shadow mismatch 1 % ≤ 2 %');
  });

  it('fails on any one bad figure, saying which', () => {
    const cases: [Partial<GateInputs>, string][] = [
      [{ freshnessP95Ms: 6000 }, 'freshness'],
      [{ successRate: 0.98 }, 'successRate'],
      [{ decisionLatencyP95Ms: 250 }, 'decisionLatency'],
      [{ shadowMismatchRate: 0.03 }, 'shadowMismatch'],
      [{ sampleCount: 29 }, 'samples'],
    ];
    for (const [change, name] of cases) {
      const r = evaluateGates({ ...good, ...change });
      expect(r.verdict, name).toBe('FAIL');
      expect(r.criteria.filter((c) => !c.pass).map((c) => c.name)).toEqual([name]);
    }
    expect(criterion({ ...good, successRate: 0.98 }, 'successRate').detail).toBe('success rate 98 % < 99 %');
  });

  it('passes at the thresholds exactly', () => {
    const r = evaluateGates({
      freshnessP95Ms: 5000,
      regularHours: true,
      successRate: 0.99,
      decisionLatencyP95Ms: 200,
      shadowMismatchRate: 0.02,
      sampleCount: 30,
    });
    expect(r.verdict).toBe('PASS');
  });

  it('uses 5 s for freshness in regular hours and 60 s outside', () => {
    const slow = { ...good, freshnessP95Ms: 30_000 };
    expect(evaluateGates({ ...slow, regularHours: true }).verdict).toBe('FAIL');
    expect(evaluateGates({ ...slow, regularHours: false }).verdict).toBe('PASS');
    expect(criterion({ ...slow, regularHours: false }, 'freshness').threshold).toBe(
      'p95 ≤ 60 s (outside regular hours)',
    );
    expect(evaluateGates({ ...good, freshnessP95Ms: 60_001, regularHours: false }).verdict).toBe('FAIL');
  });

  it('never passes on no evidence', () => {
    const none: GateInputs = {
      freshnessP95Ms: null,
      regularHours: true,
      successRate: 1,
      decisionLatencyP95Ms: null,
      shadowMismatchRate: null,
      sampleCount: 0,
    };
    const r = evaluateGates(none);
    expect(r.verdict).toBe('FAIL');
    expect(criterion(none, 'samples').detail).toMatch(
      /only 0 observations in the window, need 30: not enough evidence/,
    );
    expect(criterion(none, 'freshness')).toMatchObject({
      pass: false,
      value: null,
      detail: 'no events in the window: freshness unknown',
    });
    // Few samples fail even when every figure looks perfect.
    expect(evaluateGates({ ...good, sampleCount: 5 }).verdict).toBe('FAIL');
    // Non-finite figures fail rather than pass.
    expect(evaluateGates({ ...good, freshnessP95Ms: Number.NaN }).verdict).toBe('FAIL');
    expect(evaluateGates({ ...good, successRate: Number.NaN }).verdict).toBe('FAIL');
    expect(evaluateGates({ ...good, sampleCount: Number.NaN }).verdict).toBe('FAIL');
  });

  it('reports unmeasured decision latency and missing shadow without failing', () => {
    const inputs = { ...good, decisionLatencyP95Ms: null, shadowMismatchRate: null };
    const r = evaluateGates(inputs);
    expect(r.verdict).toBe('PASS');
    expect(criterion(inputs, 'decisionLatency')).toMatchObject({
      value: null,
      pass: true,
      measured: false,
      detail: 'not measured yet (no signal pipeline); does not block',
    });
    expect(criterion(inputs, 'shadowMismatch')).toMatchObject({
      value: null,
      pass: true,
      measured: false,
      detail: 'no shadow comparison; does not block',
    });
  });

  it('takes configured thresholds', () => {
    expect(DEFAULT_GATE_CONFIG.windowMs).toBe(30 * 60_000);
    expect(evaluateGates({ ...good, successRate: 0.97 }, { minSuccessRate: 0.95 }).verdict).toBe('PASS');
    expect(evaluateGates({ ...good, sampleCount: 10 }, { minSamples: 10 }).verdict).toBe('PASS');
    expect(evaluateGates(good, { freshnessRegularMs: 1000 }).verdict).toBe('FAIL');
  });
});
