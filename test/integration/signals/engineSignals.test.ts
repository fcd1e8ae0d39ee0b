/**
 * Through the real Engine: trades → aggregator → recorder → features → policy → gate → SQLite and
 * the `signal` event; listSignals / getSignalStats over the contract, /healthz lastSignal, the
 * promotion gate's decision latency and /metrics.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Signal } from '../../../src/shared/domain';
import type { StoredBar } from '../../../src/main/bars/types';
import { SimulatedClock } from '../../../src/main/clock';
import { resolveConfig } from '../../../src/main/config';
import { Engine } from '../../../src/main/engine';
import { silentLogger } from '../../../src/main/observability/logger';
import { tempDir } from '../../helpers/tmp';

/** Monday 2025-03-03 10:00 New York. */
const T0 = Date.UTC(2025, 2, 3, 15, 0);
const MIN = 60_000;
const BASE: Record<string, number> = { NVDA: 180, MSFT: 480, AAPL: 230 };

let engine: Engine | undefined;
let cleanup: (() => void) | undefined;
afterEach(async () => {
  await engine?.stop();
  cleanup?.();
  engine = cleanup = undefined;
});

function start(symbols = 'NVDA,MSFT,AAPL') {
  const t = tempDir();
  cleanup = t.cleanup;
  const clock = new SimulatedClock(T0);
  const config = resolveConfig({ flags: { dataDir: t.dir, symbols }, env: { KESTREL_BACKFILL: 'off' } });
  engine = new Engine({ config, clock, log: silentLogger(), host: 'headless', providers: [] });
  const signals: Signal[] = [];
  engine.bus.on('signal', (s) => signals.push(s));
  return { e: engine, clock, signals };
}

/** Two trades per symbol in minute i (rising 0.1 %/min), then the tick at the minute's end closes the bars. */
function minute(e: Engine, clock: SimulatedClock, i: number, symbols = Object.keys(BASE)): void {
  for (const [k, symbol] of symbols.entries()) {
    const price = Math.round(BASE[symbol]! * 1.001 ** i * 100) / 100;
    for (const [j, dt] of [5_000, 30_000].entries()) {
      clock.set(Math.max(clock.now(), T0 + i * MIN + dt + k));
      e.signals.eventStarted();
      e.barRecorder.onEvent('synthetic', {
        type: 'trade',
        trade: {
          symbol,
          ts: clock.now(),
          price: price + j * 0.01,
          size: 100,
          id: `${symbol}-${i}-${j}`,
          provider: 'synthetic',
        },
      });
      e.signals.eventEnded();
    }
  }
  clock.set(T0 + (i + 1) * MIN);
  e.signals.eventStarted();
  e.barRecorder.tick();
  e.signals.eventEnded();
}

const ctx = { surface: 'ui-ws' as const };

describe('engine signals', () => {
  it('records and emits a decision per closed bar (single for AAPL, dual for NVDA/MSFT), served over the contract', async () => {
    const { e, clock, signals } = start();
    for (let i = 0; i < 50; i++) minute(e, clock, i);
    expect(signals.map((s) => s.symbols.join('/')).sort()).toEqual(['AAPL', 'NVDA/MSFT']);
    const aapl = signals.find((s) => s.policy === 'single')!;
    expect(aapl).toMatchObject({ action: 'BUY', passed: true, reason: null, barTs: T0 + 49 * MIN, mode: 'shadow' });
    expect(aapl.latencyUs).toBeGreaterThan(0);
    const pair = signals.find((s) => s.policy === 'dual')!;
    expect(pair.legs.map((l) => l.symbol)).toEqual(['NVDA', 'MSFT']);

    const listed = await e.server.dispatch({ id: 1, cmd: 'listSignals', input: { symbol: 'AAPL' } }, ctx);
    expect(listed).toMatchObject({ ok: true });
    const rows = (listed as { result: Signal[] }).result;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ ...aapl, id: expect.any(Number) });

    const stats = await e.server.dispatch({ id: 2, cmd: 'getSignalStats' }, ctx);
    expect(stats).toMatchObject({
      ok: true,
      result: {
        decisions: 2,
        inferenceErrors: 0,
        pair: ['NVDA', 'MSFT'],
        thresholds: { AAPL: 0.6, NVDA: 0.6, MSFT: 0.6, 'NVDA/MSFT': 0.6 },
        latency: { count: 2 },
      },
    });

    const health = e.health();
    for (const s of health.symbols) expect(s.lastSignal).not.toBeNull();
    expect(health.symbols.find((s) => s.symbol === 'AAPL')!.lastSignal).toEqual({
      action: 'BUY',
      confidence: aapl.confidence,
      passed: true,
      reason: null,
    });
    expect(health.symbols.find((s) => s.symbol === 'MSFT')!.lastSignal!.action).toBe(pair.action);

    // The symbol's p95 decision latency (ms) reaches the promotion gates; providers have none.
    const gates = vi.spyOn(e.marketData, 'gates');
    await e.server.dispatch({ id: 3, cmd: 'getPromotionGates', input: { symbol: 'AAPL' } }, ctx);
    await e.server.dispatch({ id: 4, cmd: 'getPromotionGates', input: { provider: 'synthetic' } }, ctx);
    expect(gates.mock.calls[0]).toEqual([{ symbol: 'AAPL' }, aapl.latencyUs / 1000]);
    expect(gates.mock.calls[1]).toEqual([{ provider: 'synthetic' }, null]);

    const metrics = await e.metrics.text();
    expect(metrics).toMatch(/kestrel_signals_total\{result="passed",reason="none"\}/);
    expect(metrics).toMatch(/kestrel_signal_decision_latency_seconds\{quantile="0.99"\}/);
  });

  it('a HALTED engine still decides and records, blocked with reason halted', async () => {
    const { e, clock, signals } = start('AAPL');
    await e.killSwitch.engage('test', 'cli');
    for (let i = 0; i < 50; i++) minute(e, clock, i, ['AAPL']);
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({ passed: false, reason: 'halted', detail: 'trading is HALTED' });
    expect(e.signals.list({}).map((s) => s.reason)).toEqual(['halted']);
  });

  it('warms up from stored bars at start, so the first live bar decides', () => {
    const { e, clock, signals } = start('AAPL');
    const stored: StoredBar[] = Array.from({ length: 60 }, (_, i) => {
      const c = BASE.AAPL! * 1.001 ** i;
      return {
        symbol: 'AAPL',
        interval: '1m',
        ts: T0 + i * MIN,
        o: c,
        h: c,
        l: c,
        c,
        v: 500,
        vw: null,
        n: null,
        provider: 'built',
        asOf: 0,
        status: 'live',
      };
    });
    e.bars.upsert(stored);
    clock.set(T0 + 60 * MIN);
    e.signals.start(e.bars);
    expect(signals).toHaveLength(0);
    minute(e, clock, 60, ['AAPL']);
    expect(signals).toHaveLength(1);
    expect(signals[0]!.barTs).toBe(T0 + 60 * MIN);
  });
});
