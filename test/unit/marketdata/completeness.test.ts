import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/main/bus';
import { SimulatedClock } from '../../../src/main/clock';
import type { MarketDataProvider } from '../../../src/main/marketdata/provider';
import { DEFAULT_ROUTER_CONFIG } from '../../../src/main/marketdata/router';
import { MarketDataService } from '../../../src/main/marketdata/service';
import { silentLogger } from '../../../src/main/observability/logger';
import { Metrics } from '../../../src/main/observability/metrics';
import { fromNewYork } from '../../../src/main/time/newYork';

/** A bar-streaming provider driven by hand: this tests our accounting, not a wire format. */
const provider: MarketDataProvider = {
  name: 'polygon',
  capabilities: { stream: { trades: true, quotes: true, bars: true }, latestQuote: false, historicalBars: false },
  stream: (_symbols, handlers) => {
    handlers.onStatus({ state: 'connected' });
    return { setSymbols: () => {}, close: async () => {} };
  },
};

function setup(startTs: number) {
  const clock = new SimulatedClock(startTs);
  const svc = new MarketDataService({
    clock,
    bus: new EventBus(),
    log: silentLogger(),
    metrics: new Metrics(),
    recordSwitch: () => {},
    providers: [provider],
    config: {
      router: { ...DEFAULT_ROUTER_CONFIG, priority: ['polygon'] },
      shadow: null,
      plans: {},
      maxJumpBps: 1000,
      mismatchBps: 10,
      gateWindowMs: 3_600_000,
      evaluateEveryMs: 250,
      uiFlushEveryMs: 100,
    },
  });
  svc.start(['NVDA', 'MSFT']);
  const check = () => (svc as unknown as { checkCompleteness(): void }).checkCompleteness();
  return { clock, svc, check };
}

const bar = (symbol: string, ts: number) => ({
  type: 'bar' as const,
  bar: { symbol, ts, o: 100, h: 101, l: 99, c: 100.5, v: 10 },
});

describe('bar completeness', () => {
  it('counts expected regular-session minute bars against those received', async () => {
    const open = fromNewYork(2026, 11, 20, 10, 0);
    const { clock, svc, check } = setup(open);
    // A minute bar arrives once its minute is over (the service refuses bars from the future).
    clock.set(open + 120_000);
    // Minute 10:00: both symbols; minute 10:01: only NVDA.
    svc.ingest('polygon', bar('NVDA', open));
    svc.ingest('polygon', bar('MSFT', open));
    svc.ingest('polygon', bar('NVDA', open + 60_000));
    clock.set(open + 180_000);
    check();
    clock.set(open + 240_000);
    check();
    const snap = (
      svc as unknown as { entries: Map<string, { health: { snapshot(): { completeness: number } } }> }
    ).entries
      .get('polygon')!
      .health.snapshot();
    // Checked two minutes late: 10:01 (NVDA only) and 10:02 (nothing) → 1 of 4.
    expect(snap.completeness).toBeCloseTo(1 / 4, 10);
    await svc.stop();
  });

  it('expects nothing while the market is closed, and keeps its memory bounded', async () => {
    const night = fromNewYork(2026, 11, 21, 3, 0); // a Saturday
    const { clock, svc, check } = setup(night);
    for (let i = 0; i < 100; i++) {
      svc.ingest('polygon', bar('NVDA', night + i * 60_000));
      clock.set(night + (i + 3) * 60_000);
      check();
    }
    const entry = (
      svc as unknown as {
        entries: Map<string, { barsSeen: Set<string>; health: { snapshot(): { completeness: number } } }>;
      }
    ).entries.get('polygon')!;
    expect(entry.health.snapshot().completeness).toBe(1);
    expect(entry.barsSeen.size).toBeLessThanOrEqual(3);
    await svc.stop();
  });
});
