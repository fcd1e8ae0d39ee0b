import type { SeriesMarker, Time, UTCTimestamp } from 'lightweight-charts';
import { describe, expect, it } from 'vitest';
import type { Signal } from '../../../src/shared/domain';
import { blockText, mergeSignals, statusText } from '../../../src/renderer/src/signals/format';
import { mergeMarkers, SIGNAL_COLORS, signalMarkers } from '../../../src/renderer/src/signals/markers';

const MIN = 60_000;
/** Tue 2026-12-01 10:00 New York. */
const T0 = Date.UTC(2026, 11, 1, 15, 0);

function sig(over: Partial<Signal>): Signal {
  return {
    ts: T0 + MIN + 5,
    barTs: T0,
    policy: 'single',
    symbols: ['NVDA'],
    action: 'BUY',
    legs: [{ symbol: 'NVDA', side: 'BUY' }],
    probs: [0.1, 0.1, 0.8],
    confidence: 0.8,
    threshold: 0.6,
    passed: true,
    reason: null,
    reasons: [],
    detail: '',
    latencyUs: 12,
    mode: 'shadow',
    ...over,
  };
}

const pair = (over: Partial<Signal>) =>
  sig({
    policy: 'dual',
    symbols: ['NVDA', 'MSFT'],
    action: 'BUY_A_SELL_B',
    legs: [
      { symbol: 'NVDA', side: 'BUY' },
      { symbol: 'MSFT', side: 'SELL' },
    ],
    ...over,
  });

const minutes = (n: number) => Array.from({ length: n }, (_, i) => T0 + i * MIN);

describe('signal markers', () => {
  it('draws a buy below the bar and a sell above it; a pair action splits by leg', () => {
    const s = [pair({})];
    const nvda = signalMarkers(s, 'NVDA', '1m', minutes(5));
    const msft = signalMarkers(s, 'MSFT', '1m', minutes(5));
    expect(nvda.markers).toEqual([
      expect.objectContaining({ time: T0 / 1000, position: 'belowBar', shape: 'arrowUp', color: SIGNAL_COLORS.buy }),
    ]);
    expect(msft.markers).toEqual([
      expect.objectContaining({ time: T0 / 1000, position: 'aboveBar', shape: 'arrowDown', color: SIGNAL_COLORS.sell }),
    ]);
    expect(nvda.counts).toEqual({ buy: 1, sell: 0, gated: 0 });
    expect(signalMarkers(s, 'AMD', '1m', minutes(5)).markers).toEqual([]);
  });

  it('greys gated decisions and never draws HOLD', () => {
    const s = [
      sig({ barTs: T0 + MIN, passed: false, reason: 'confidence', reasons: ['confidence'] }),
      sig({ barTs: T0 + 2 * MIN, action: 'HOLD', legs: [{ symbol: 'NVDA', side: 'HOLD' }], passed: false }),
      pair({
        barTs: T0 + 3 * MIN,
        action: 'HOLD_A_SELL_B',
        legs: [
          { symbol: 'NVDA', side: 'HOLD' },
          { symbol: 'MSFT', side: 'SELL' },
        ],
      }),
    ];
    const { markers, counts } = signalMarkers(s, 'NVDA', '1m', minutes(5));
    expect(markers).toHaveLength(1);
    expect(markers[0]).toMatchObject({ color: SIGNAL_COLORS.gated, text: '' });
    expect(counts).toEqual({ buy: 1, sell: 0, gated: 1 });
  });

  it('puts a decision on the bucket holding its bar; one marker per bucket and side, coloured if any passed', () => {
    const buckets = [T0, T0 + 5 * MIN, T0 + 10 * MIN];
    const s = [
      sig({ barTs: T0 + 6 * MIN, passed: false, reason: 'cooldown', reasons: ['cooldown'] }),
      sig({ barTs: T0 + 8 * MIN }),
      sig({ barTs: T0 + 9 * MIN, action: 'SELL', legs: [{ symbol: 'NVDA', side: 'SELL' }], passed: false }),
      sig({ barTs: T0 + 14 * MIN }),
      sig({ barTs: T0 + 16 * MIN }), // beyond the newest bucket's span: not on screen yet
      sig({ barTs: T0 - MIN }), // before the first bucket
    ];
    const { markers, counts } = signalMarkers(s, 'NVDA', '5m', buckets);
    expect(markers.map((m) => [m.time, m.shape, m.color])).toEqual([
      [(T0 + 5 * MIN) / 1000, 'arrowUp', SIGNAL_COLORS.buy],
      [(T0 + 5 * MIN) / 1000, 'arrowDown', SIGNAL_COLORS.gated],
      [(T0 + 10 * MIN) / 1000, 'arrowUp', SIGNAL_COLORS.buy],
    ]);
    expect(counts).toEqual({ buy: 2, sell: 1, gated: 1 });
  });

  it('puts a decision on its New York day on daily bars, pre-market included', () => {
    const open = Date.UTC(2026, 11, 1, 14, 30); // 09:30 New York: daily bars are stamped at the open
    const prev = open - 86_400_000;
    const s = [sig({ barTs: Date.UTC(2026, 11, 1, 13, 0) })]; // 08:00 New York, before the stamp
    expect(signalMarkers(s, 'NVDA', '1d', [prev, open]).markers.map((m) => m.time)).toEqual([open / 1000]);
  });

  it('merges with the gap markers in time order', () => {
    const gap: SeriesMarker<Time> = {
      time: ((T0 + 2 * MIN) / 1000) as UTCTimestamp,
      position: 'aboveBar',
      shape: 'arrowDown',
      color: '#f00',
      text: 'gap 3m',
    };
    const own = signalMarkers([sig({ barTs: T0 + 4 * MIN }), sig({ barTs: T0 })], 'NVDA', '1m', minutes(5)).markers;
    expect(mergeMarkers([gap], own).map((m) => m.time)).toEqual([
      T0 / 1000,
      (T0 + 2 * MIN) / 1000,
      (T0 + 4 * MIN) / 1000,
    ]);
  });
});

describe('signal words', () => {
  it('says how long a cooldown has left, and what else failed', () => {
    const s = sig({
      passed: false,
      reason: 'cooldown',
      reasons: ['confidence', 'cooldown'],
      detail: 'BUY NVDA passed 18 s ago (cooldown 60 s)',
    });
    expect(blockText(s)).toBe('cooldown 42 s left (BUY NVDA)');
    expect(statusText(s)).toBe('blocked: cooldown 42 s left (BUY NVDA) (+1 more)');
  });

  it('maps reason codes to words when the detail is missing', () => {
    const base = { passed: false, detail: '' };
    expect(blockText(sig({ ...base, reason: 'confidence', confidence: 0.55 }))).toBe('low confidence 0.55 < 0.60');
    expect(blockText(sig({ ...base, reason: 'hold' }))).toBe('HOLD: nothing to trade');
    expect(blockText(sig({ ...base, reason: 'halted' }))).toBe('trading is halted');
    expect(blockText(sig({ ...base, reason: 'session' }))).toBe('outside trading hours');
    expect(blockText(sig({ ...base, reason: 'cooldown' }))).toMatch(/^cooldown/);
    expect(statusText(sig({}))).toBe('passed');
  });

  it('merges a loaded page with live decisions: newest first, no doubles, capped', () => {
    const a = sig({ ts: 3, id: 7 });
    const live = [sig({ ts: 3 }), sig({ ts: 5 })];
    const merged = mergeSignals([a, sig({ ts: 1, id: 6 })], live, 2);
    expect(merged.map((s) => [s.ts, s.id])).toEqual([
      [5, undefined],
      [3, 7],
    ]);
  });
});
