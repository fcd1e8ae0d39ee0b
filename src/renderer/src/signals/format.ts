/**
 * Signals in a trader's words: the action per leg with its arrow, why the gate blocked it, and
 * decision latency. Pure, so the panel and the chart legend say the same thing.
 */
import type { Signal, SignalSide } from '../../../shared/domain';
import { formatNyStamp, nyDay } from '../time/newYork';

/** The decision unit: 'NVDA', or 'NVDA/MSFT' for the dual-ticker pair. */
export const unitOf = (s: Pick<Signal, 'symbols'>): string => s.symbols.join('/');

/** Identity of a decision whether it came live (no id) or from listSignals (with id). */
export const signalKey = (s: Pick<Signal, 'ts' | 'symbols'>): string => `${s.ts}|${unitOf(s)}`;

export const GLYPH: Record<SignalSide, string> = { BUY: '▲', SELL: '▼', HOLD: '–' };

/** New York time of a decision; the date too when it was not today. */
export const formatSignalTime = formatNyStamp;
export { nyDay };

/** Why a decision did not pass, in words: "cooldown 42 s left (BUY NVDA)", "low confidence 0.55 < 0.60". */
export function blockText(s: Signal): string {
  if (s.passed) return 'passed';
  switch (s.reason) {
    case 'cooldown': {
      const m = /^(\w+ \S+) passed (\d+) s ago \(cooldown (\d+) s\)/.exec(s.detail);
      if (m) return `cooldown ${Math.max(0, Number(m[3]) - Number(m[2]))} s left (${m[1]})`;
      return 'cooldown: the same action passed moments ago';
    }
    case 'confidence':
      return `low confidence ${s.confidence.toFixed(2)} < ${s.threshold.toFixed(2)}`;
    case 'hold':
      return 'HOLD: nothing to trade';
    case 'halted':
      return 'trading is halted';
    case 'session':
      return s.detail || 'outside trading hours';
    case 'stale_features':
      return s.detail ? `stale data: ${s.detail}` : 'stale data: the last bar is too old';
    case 'inference_error':
      return s.detail || 'the model failed';
    default:
      return s.detail || 'blocked';
  }
}

/** Status line: "passed", or "blocked: …" plus how many other checks failed too. */
export function statusText(s: Signal): string {
  if (s.passed) return 'passed';
  const more = s.reasons.length - 1;
  return `blocked: ${blockText(s)}${more > 0 ? ` (+${more} more)` : ''}`;
}

/** Microseconds to something readable: 12 µs, 1.4 ms, 2.1 s. */
export function formatLatency(us: number | null): string {
  if (us === null) return '–';
  if (us < 1000) return `${us < 10 ? us.toFixed(1) : Math.round(us)} µs`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(us < 10_000 ? 2 : 1)} ms`;
  return `${(us / 1_000_000).toFixed(2)} s`;
}

/** Legs as words for screen readers and titles: "BUY NVDA, SELL MSFT". */
export function legsText(s: Signal): string {
  return s.legs.map((l) => (s.legs.length === 1 ? l.side : `${l.side} ${l.symbol}`)).join(', ');
}

/** Newest first, one row per decision, at most `cap`: merges a loaded page with live events. */
export function mergeSignals(a: readonly Signal[], b: readonly Signal[], cap: number): Signal[] {
  const seen = new Set<string>();
  const out: Signal[] = [];
  for (const s of [...a, ...b].sort((x, y) => y.ts - x.ts)) {
    const k = signalKey(s);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(s);
    if (out.length === cap) break;
  }
  return out;
}
