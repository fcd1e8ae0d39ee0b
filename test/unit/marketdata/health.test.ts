import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../src/main/clock';
import { ProviderHealth, healthScore, healthTerms } from '../../../src/main/marketdata/health';

const MIN = 60_000;

describe('healthScore', () => {
  it('computes H = 0.45·breaker + 0.25·(1−latency) + 0.20·(1−error) + 0.10·(1−incompleteness)', () => {
    // closed 1; latency 1000/2000 = 0.5; error 0.1; incompleteness 0.2
    // 0.45 + 0.25·0.5 + 0.20·0.9 + 0.10·0.8 = 0.45 + 0.125 + 0.18 + 0.08 = 0.835
    expect(healthScore({ breaker: 'closed', latencyP95Ms: 1000, successRate: 0.9, completeness: 0.8 })).toBeCloseTo(
      0.835,
      12,
    );
    // half-open 0.5; latency 3000 clamps to 1; no errors; complete
    // 0.225 + 0 + 0.20 + 0.10 = 0.525
    expect(healthScore({ breaker: 'half-open', latencyP95Ms: 3000, successRate: 1, completeness: 1 })).toBeCloseTo(
      0.525,
      12,
    );
    // open 0; no latency evidence 0; error 0.5; nothing complete
    // 0 + 0.25 + 0.10 + 0 = 0.35
    expect(healthScore({ breaker: 'open', latencyP95Ms: null, successRate: 0.5, completeness: 0 })).toBeCloseTo(
      0.35,
      12,
    );
    // a perfect provider scores 1, a dead one 0
    expect(healthScore({ breaker: 'closed', latencyP95Ms: 0, successRate: 1, completeness: 1 })).toBe(1);
    expect(healthScore({ breaker: 'open', latencyP95Ms: 5000, successRate: 0, completeness: 0 })).toBe(0);
  });

  it('normalises latency against the configurable ceiling', () => {
    const inputs = { breaker: 'closed' as const, latencyP95Ms: 500, successRate: 1, completeness: 1 };
    expect(healthTerms(inputs).latency).toBe(0.25);
    expect(healthTerms(inputs, 1000).latency).toBe(0.5);
    // 0.45 + 0.25·0.5 + 0.2 + 0.1 = 0.875
    expect(healthScore(inputs, 1000)).toBeCloseTo(0.875, 12);
  });

  it('treats NaN inputs as the worst case', () => {
    const t = healthTerms({
      breaker: 'closed',
      latencyP95Ms: Number.NaN,
      successRate: Number.NaN,
      completeness: Number.NaN,
    });
    expect(t).toEqual({ breaker: 1, latency: 1, error: 1, incompleteness: 1 });
  });
});

describe('ProviderHealth', () => {
  it('reports success rate, latency percentiles, errors by kind and the score', () => {
    const clock = new SimulatedClock(1_000 * MIN);
    const h = new ProviderHealth('polygon', clock);
    for (let i = 1; i <= 9; i++) h.recordRequest(i * 100, 'ok');
    h.recordRequest(1000, 'down');
    let s = h.snapshot();
    expect(s.provider).toBe('polygon');
    expect(s.successRate).toBe(0.9);
    expect(s.requests).toBe(10);
    expect(s.latencyP50Ms).toBe(500);
    expect(s.latencyP95Ms).toBe(1000);
    expect(s.errors).toEqual({ throttled: 0, unauthorized: 0, malformed: 0, stale: 0, down: 1 });
    // 0.45 + 0.25·(1 − 0.5) + 0.2·0.9 + 0.1·1 = 0.855
    expect(s.score).toBeCloseTo(0.855, 12);

    h.recordRequest(50, 'throttled');
    h.recordRequest(50, 'throttled');
    h.recordRequest(50, 'unauthorized');
    h.recordRequest(50, 'malformed');
    h.recordRequest(50, 'stale');
    s = h.snapshot();
    expect(s.errors).toEqual({ throttled: 2, unauthorized: 1, malformed: 1, stale: 1, down: 1 });
    expect(s.successRate).toBeCloseTo(9 / 15, 12);
  });

  it('starts perfect: no requests means success 1, no latency, no freshness', () => {
    const h = new ProviderHealth('finnhub', new SimulatedClock(0));
    const s = h.snapshot();
    expect(s.successRate).toBe(1);
    expect(s.latencyP50Ms).toBeNull();
    expect(s.latencyP95Ms).toBeNull();
    expect(s.freshnessP95Ms).toBeNull();
    expect(s.completeness).toBe(1);
    expect(s.lastEventAt).toBeNull();
    expect(s.lastHeartbeatAt).toBeNull();
    expect(s.sampleCount).toBe(0);
    expect(s.score).toBe(1);
  });

  it('forgets everything older than the window (default 30 minutes)', () => {
    const clock = new SimulatedClock(1_000 * MIN);
    const h = new ProviderHealth('polygon', clock);
    h.recordRequest(1800, 'down');
    h.recordEvent(clock.now() - 4000);
    h.recordBars(10, 5);
    clock.advance(20 * MIN);
    h.recordRequest(100, 'ok');
    let s = h.snapshot();
    expect(s.requests).toBe(2);
    expect(s.successRate).toBe(0.5);
    expect(s.completeness).toBe(0.5);
    expect(s.freshnessP95Ms).toBe(4000);
    clock.advance(12 * MIN); // the first records are now 32 minutes old
    s = h.snapshot();
    expect(s.requests).toBe(1);
    expect(s.successRate).toBe(1);
    expect(s.latencyP95Ms).toBe(100);
    expect(s.errors.down).toBe(0);
    expect(s.completeness).toBe(1);
    expect(s.freshnessP95Ms).toBeNull();
    // lastEventAt is a fact, not a windowed figure
    expect(s.lastEventAt).toBe(1_000 * MIN);
  });

  it('honours a configured window', () => {
    const clock = new SimulatedClock(1_000 * MIN);
    const h = new ProviderHealth('polygon', clock, { windowMs: 5 * MIN });
    h.recordRequest(100, 'down');
    clock.advance(6 * MIN);
    expect(h.snapshot().requests).toBe(0);
  });

  it('measures freshness as receipt time − event time, p95 over the window', () => {
    const clock = new SimulatedClock(1_000 * MIN);
    const h = new ProviderHealth('alpaca', clock);
    for (let k = 1; k <= 20; k++) {
      clock.advance(1000);
      h.recordEvent(clock.now() - k * 10); // freshness 10, 20, …, 200 ms
    }
    const s = h.snapshot();
    expect(s.freshnessP95Ms).toBe(190); // ⌈0.95·20⌉ = 19th of 20
    expect(s.events).toBe(20);
    expect(s.lastEventAt).toBe(clock.now());
    // An event time in the future (provider clock ahead) counts as fresh, not negative.
    h.recordEvent(clock.now() + 5000);
    expect(h.snapshot().freshnessP95Ms).toBe(190);
  });

  it('tracks heartbeats, bar completeness and the breaker', () => {
    const clock = new SimulatedClock(1_000 * MIN);
    const h = new ProviderHealth('ibkr', clock);
    h.recordHeartbeat();
    clock.advance(5000);
    h.recordBars(10, 8);
    h.recordBars(10, 10);
    h.recordBars(5, 7); // more than expected never lifts completeness above 1
    h.setBreaker('half-open');
    const s = h.snapshot();
    expect(s.lastHeartbeatAt).toBe(1_000 * MIN);
    expect(s.completeness).toBe(1);
    expect(s.breaker).toBe('half-open');
    // 0.45·0.5 + 0.25 + 0.2 + 0.1 = 0.775
    expect(s.score).toBeCloseTo(0.775, 12);
    const h2 = new ProviderHealth('ibkr', clock);
    h2.recordBars(10, 8);
    h2.recordBars(10, 10);
    h2.setBreaker('open');
    // completeness 18/20 = 0.9 → 0 + 0.25 + 0.2 + 0.09 = 0.54
    expect(h2.snapshot().completeness).toBeCloseTo(0.9, 12);
    expect(h2.snapshot().score).toBeCloseTo(0.54, 12);
  });

  it('counts an outcome without a latency sample when latency is NaN', () => {
    const h = new ProviderHealth('polygon', new SimulatedClock(0));
    h.recordRequest(800, 'ok');
    h.recordRequest(Number.NaN, 'malformed');
    const s = h.snapshot();
    expect(s.requests).toBe(2);
    expect(s.errors.malformed).toBe(1);
    expect(s.latencyP50Ms).toBe(800);
  });

  it('counts events plus requests as evidence', () => {
    const clock = new SimulatedClock(1_000 * MIN);
    const h = new ProviderHealth('polygon', clock);
    h.recordRequest(10, 'ok');
    h.recordEvent(clock.now());
    h.recordEvent(clock.now());
    expect(h.snapshot().sampleCount).toBe(3);
  });
});
