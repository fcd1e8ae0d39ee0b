/**
 * Sanity checks on normalised market data, before anything downstream sees it. Each check returns
 * null when the value is acceptable or a short reason the UI can show.
 *
 * The jump band compares a price with the last *accepted* price of the same symbol (trade price,
 * quote mid or bar close, whichever came last). Rejected values never move that reference, so a
 * burst of bad prints cannot drag the band along with it. The first price of a symbol is accepted
 * when otherwise valid.
 *
 * A real move larger than the band (an earnings gap at the open, a halt that reopens far away)
 * would otherwise be rejected for ever, so the band is not enforced when the last accepted price
 * is older than `rebaseAfterMs` by the event's own timestamp (default 5 minutes, the length of a
 * limit-up/limit-down pause): after that long the old reference says little about the new price.
 * Set it to Infinity to never re-anchor, and call `reset()` when a corporate action changes the
 * price scale.
 */
import type { Bar, Quote, Trade } from '../../shared/domain';

/** 1 000 bps = 10 %: wider than any LULD band for liquid names, narrow enough to catch scale bugs. */
export const DEFAULT_MAX_JUMP_BPS = 1000;
export const DEFAULT_REBASE_AFTER_MS = 5 * 60_000;

export interface PriceValidatorConfig {
  /** Largest accepted move from the last accepted price, in basis points. Default 1 000. */
  maxJumpBps: number;
  /** Event-time age of the reference after which the band is not enforced. Default 5 min. */
  rebaseAfterMs?: number;
}

interface Reference {
  price: number;
  ts: number;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(10))) : String(x);
}

function badNumber(label: string, x: number, allowZero = false): string | null {
  if (!Number.isFinite(x)) return `${label} ${fmt(x)} is not a finite number`;
  if (x < 0) return `${label} ${fmt(x)} is negative`;
  if (x === 0 && !allowZero) return `${label} is zero`;
  return null;
}

function badTs(ts: number): string | null {
  return Number.isFinite(ts) && ts >= 0 ? null : `timestamp ${fmt(ts)} is invalid`;
}

export class PriceValidator {
  private readonly maxJumpBps: number;
  private readonly rebaseAfterMs: number;
  private readonly refs = new Map<string, Reference>();

  constructor(cfg: PriceValidatorConfig = { maxJumpBps: DEFAULT_MAX_JUMP_BPS }) {
    if (!(cfg.maxJumpBps > 0)) throw new RangeError('maxJumpBps must be > 0');
    this.maxJumpBps = cfg.maxJumpBps;
    this.rebaseAfterMs = cfg.rebaseAfterMs ?? DEFAULT_REBASE_AFTER_MS;
  }

  checkTrade(t: Trade): string | null {
    const reason = badTs(t.ts) ?? badNumber('trade price', t.price) ?? badNumber('trade size', t.size, true);
    if (reason !== null) return reason;
    return this.band(t.symbol, 'trade price', t.price, t.ts);
  }

  checkQuote(q: Quote): string | null {
    const reason =
      badTs(q.ts) ??
      badNumber('bid', q.bid) ??
      badNumber('ask', q.ask) ??
      badNumber('bid size', q.bidSize, true) ??
      badNumber('ask size', q.askSize, true) ??
      (q.last === undefined ? null : badNumber('last', q.last));
    if (reason !== null) return reason;
    // Locked (bid == ask) happens in fast markets and is allowed; crossed is not a market.
    if (q.bid > q.ask) return `crossed quote: bid ${fmt(q.bid)} > ask ${fmt(q.ask)}`;
    return this.band(q.symbol, 'quote mid', (q.bid + q.ask) / 2, q.ts);
  }

  checkBar(b: Bar): string | null {
    const reason =
      badTs(b.ts) ??
      badNumber('bar open', b.o) ??
      badNumber('bar high', b.h) ??
      badNumber('bar low', b.l) ??
      badNumber('bar close', b.c) ??
      badNumber('bar volume', b.v, true) ??
      (b.vw === undefined ? null : badNumber('bar vwap', b.vw)) ??
      (b.n === undefined ? null : badNumber('bar trade count', b.n, true));
    if (reason !== null) return reason;
    if (b.h < b.l) return `bar high ${fmt(b.h)} < low ${fmt(b.l)}`;
    if (b.o < b.l || b.o > b.h) return `bar open ${fmt(b.o)} outside [${fmt(b.l)}, ${fmt(b.h)}]`;
    if (b.c < b.l || b.c > b.h) return `bar close ${fmt(b.c)} outside [${fmt(b.l)}, ${fmt(b.h)}]`;
    // Every price of the bar must be inside the band; only the close becomes the reference.
    const ref = this.activeReference(b.symbol, b.ts);
    if (ref !== null) {
      for (const [label, x] of [
        ['bar high', b.h],
        ['bar low', b.l],
        ['bar open', b.o],
        ['bar close', b.c],
      ] as const) {
        const jump = this.jumpReason(label, x, ref);
        if (jump !== null) return jump;
      }
    }
    this.accept(b.symbol, b.c, b.ts);
    return null;
  }

  /** Forgets the reference of one symbol (or all): the next valid price is accepted as a first. */
  reset(symbol?: string): void {
    if (symbol === undefined) this.refs.clear();
    else this.refs.delete(symbol);
  }

  private activeReference(symbol: string, ts: number): number | null {
    const ref = this.refs.get(symbol);
    if (ref === undefined) return null;
    if (ts - ref.ts >= this.rebaseAfterMs) return null;
    return ref.price;
  }

  private jumpReason(label: string, price: number, ref: number): string | null {
    // |p − ref| / ref > max / 10 000, multiplied out to keep exact boundaries exact.
    const diff = Math.abs(price - ref);
    if (diff * 10_000 <= this.maxJumpBps * ref) return null;
    const bps = Math.round((diff / ref) * 10_000);
    return `${label} ${fmt(price)} jumps ${bps} bps from last accepted ${fmt(ref)} (band ${this.maxJumpBps} bps)`;
  }

  private band(symbol: string, label: string, price: number, ts: number): string | null {
    const ref = this.activeReference(symbol, ts);
    if (ref !== null) {
      const jump = this.jumpReason(label, price, ref);
      if (jump !== null) return jump;
    }
    this.accept(symbol, price, ts);
    return null;
  }

  private accept(symbol: string, price: number, ts: number): void {
    // An out-of-order event does not make the reference look older than it is.
    const prev = this.refs.get(symbol);
    this.refs.set(symbol, { price, ts: prev === undefined ? ts : Math.max(prev.ts, ts) });
  }
}
