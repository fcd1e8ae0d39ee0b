import { describe, expect, it } from 'vitest';
import type { TradingStateName } from '../../../src/shared/domain';
import { SimulatedClock } from '../../../src/main/clock';
import type { SessionPhase } from '../../../src/main/marketdata/calendar';
import { DEFAULT_GATE_SETTINGS, SignalGate, type GateInput, type GateSettings } from '../../../src/main/signals/gate';

/** Monday 2025-03-03 10:00 New York (EST): regular session on the real calendar. */
const REGULAR = Date.UTC(2025, 2, 3, 15, 0);

function setup(settings: Partial<GateSettings> = {}, phase?: SessionPhase) {
  const clock = new SimulatedClock(REGULAR);
  let state: TradingStateName = 'ACTIVE';
  const gate = new SignalGate(
    { ...DEFAULT_GATE_SETTINGS, ...settings },
    { clock, tradingState: () => state, session: phase ? () => phase : undefined },
  );
  return { clock, gate, halt: (s: TradingStateName) => (state = s) };
}

/** A fresh BUY NVDA at 0.8: passes every check unless a test changes something. */
function buy(clock: SimulatedClock, over: Partial<GateInput> = {}): GateInput {
  return {
    key: 'NVDA',
    legs: [{ symbol: 'NVDA', side: 'BUY' }],
    confidence: 0.8,
    featuresEndTs: clock.now() - 500,
    inferenceError: null,
    ...over,
  };
}

describe('SignalGate', () => {
  it('passes when every check passes', () => {
    const { clock, gate } = setup();
    expect(gate.evaluate(buy(clock))).toEqual({ passed: true, reason: null, reasons: [], detail: '', threshold: 0.6 });
  });

  it('blocks on low confidence, against the per-symbol threshold', () => {
    const { clock, gate } = setup({ thresholds: { MSFT: 0.9 } });
    const v = gate.evaluate(buy(clock, { confidence: 0.55 }));
    expect(v).toMatchObject({ passed: false, reason: 'confidence', reasons: ['confidence'], threshold: 0.6 });
    expect(v.detail).toBe('confidence 0.55 < 0.60');
    const msft = gate.evaluate(buy(clock, { key: 'MSFT', legs: [{ symbol: 'MSFT', side: 'BUY' }], confidence: 0.85 }));
    expect(msft).toMatchObject({ passed: false, reason: 'confidence', threshold: 0.9 });
    expect(gate.evaluate(buy(clock, { confidence: 0.6 })).passed).toBe(true); // ≥, not >
  });

  it('blocks when HALTED (REDUCING does not block a signal)', () => {
    const { clock, gate, halt } = setup();
    halt('HALTED');
    expect(gate.evaluate(buy(clock))).toMatchObject({ passed: false, reason: 'halted', detail: 'trading is HALTED' });
    halt('REDUCING');
    expect(gate.evaluate(buy(clock)).passed).toBe(true);
  });

  it('blocks stale features: the newest bar ended longer ago than the limit', () => {
    const { clock, gate } = setup({ maxFeatureAgeMs: 30_000 });
    const v = gate.evaluate(buy(clock, { featuresEndTs: clock.now() - 30_001 }));
    expect(v).toMatchObject({ passed: false, reason: 'stale_features', detail: 'features are 30 s old (limit 30 s)' });
    expect(gate.evaluate(buy(clock, { featuresEndTs: clock.now() - 30_000 })).passed).toBe(true);
  });

  it('blocks outside regular hours on the real calendar, unless extended hours are enabled (never when closed)', () => {
    const pre = Date.UTC(2025, 2, 3, 13, 0); // 08:00 New York
    const saturday = Date.UTC(2025, 2, 8, 15, 0);
    for (const [ts, allow, reason] of [
      [pre, false, 'session'],
      [pre, true, null],
      [saturday, true, 'session'],
    ] as const) {
      const clock = new SimulatedClock(ts);
      const gate = new SignalGate(
        { ...DEFAULT_GATE_SETTINGS, allowExtendedHours: allow },
        { clock, tradingState: () => 'ACTIVE' },
      );
      expect(gate.evaluate(buy(clock)).reason).toBe(reason);
    }
    const { clock, gate } = setup({}, 'post');
    expect(gate.evaluate(buy(clock)).detail).toBe('after-hours: extended hours are not enabled');
  });

  it('blocks an inference error and a HOLD; neither is ever traded', () => {
    const { clock, gate } = setup();
    const err = gate.evaluate(
      buy(clock, { legs: [{ symbol: 'NVDA', side: 'HOLD' }], confidence: 0, inferenceError: 'boom' }),
    );
    expect(err).toMatchObject({ passed: false, reason: 'inference_error', detail: 'inference failed: boom' });
    expect(err.reasons).toEqual(['inference_error', 'confidence']);
    const hold = gate.evaluate(buy(clock, { legs: [{ symbol: 'NVDA', side: 'HOLD' }], confidence: 0.95 }));
    expect(hold).toMatchObject({ passed: false, reason: 'hold', reasons: ['hold'] });
  });

  it('reports every failing check, the first in a fixed order', () => {
    const { clock, gate, halt } = setup({}, 'closed');
    halt('HALTED');
    const v = gate.evaluate(buy(clock, { confidence: 0.1, featuresEndTs: 0 }));
    expect(v.reason).toBe('halted');
    expect(v.reasons).toEqual(['halted', 'session', 'stale_features', 'confidence']);
  });

  it('cooldown is per symbol and per action, on the injected clock; only passed signals start one', () => {
    const { clock, gate } = setup({ cooldownMs: 60_000 });
    const sig = (symbol: string, side: 'BUY' | 'SELL' | 'HOLD', confidence = 0.8) =>
      gate.evaluate(buy(clock, { key: symbol, legs: [{ symbol, side }], confidence, featuresEndTs: clock.now() }));

    expect(sig('NVDA', 'BUY').passed).toBe(true);
    clock.advance(30_000);
    const again = sig('NVDA', 'BUY');
    expect(again).toMatchObject({ passed: false, reason: 'cooldown' });
    expect(again.detail).toBe('BUY NVDA passed 30 s ago (cooldown 60 s)');
    expect(sig('NVDA', 'SELL').passed).toBe(true); // other action, same symbol
    expect(sig('MSFT', 'BUY').passed).toBe(true); // same action, other symbol
    expect(sig('NVDA', 'HOLD', 0.9).reason).toBe('hold'); // HOLD: not subject to cooldown
    clock.advance(29_999);
    expect(sig('NVDA', 'BUY').reason).toBe('cooldown');
    clock.advance(1);
    expect(sig('NVDA', 'BUY').passed).toBe(true); // 60 s after the last pass

    // A blocked signal does not start a cooldown.
    expect(sig('AAPL', 'BUY', 0.1).reason).toBe('confidence');
    expect(sig('AAPL', 'BUY').passed).toBe(true);
  });

  it('pairs: the threshold is the pair entry or the higher leg; cooldown checks each trading leg', () => {
    const { clock, gate } = setup({ thresholds: { NVDA: 0.5, MSFT: 0.7 } });
    const pair = (side: 'BUY' | 'HOLD', confidence: number): GateInput =>
      buy(clock, {
        key: 'NVDA/MSFT',
        legs: [
          { symbol: 'NVDA', side: 'BUY' },
          { symbol: 'MSFT', side },
        ],
        confidence,
      });
    expect(gate.evaluate(pair('HOLD', 0.65))).toMatchObject({ reason: 'confidence', threshold: 0.7 });
    expect(gate.evaluate(pair('HOLD', 0.75)).passed).toBe(true);
    // NVDA BUY is now cooling down: a pair action with that leg is blocked, a single MSFT BUY is not.
    expect(gate.evaluate(pair('BUY', 0.9)).reason).toBe('cooldown');
    expect(gate.evaluate(buy(clock, { key: 'MSFT', legs: [{ symbol: 'MSFT', side: 'BUY' }] })).passed).toBe(true);

    const own = setup({ thresholds: { 'NVDA/MSFT': 0.4, MSFT: 0.9 } });
    expect(own.gate.threshold('NVDA/MSFT')).toBe(0.4);
  });
});
