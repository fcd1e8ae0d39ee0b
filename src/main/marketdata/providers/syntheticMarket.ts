/**
 * A seeded, deterministic market simulator: the pure half of the Synthetic provider (no clock, no
 * timers, no I/O). Everything it produces is a function of (seed, symbol spec, time), never of the
 * order in which it is asked, so the live stream, `bars()` backfill and a replay all agree.
 *
 * Model, per symbol:
 * - Day level: log price = log(basePrice) + L(D), where L is a slowly mean-reverting walk over New
 *   York day numbers, L(D) = Σ_{k<400} φ^k σ_d z(D−k) with φ = 0.985 and σ_d = annualVol/√252.
 *   A truncated sum rather than a recursion so any day costs the same and needs no history, and
 *   prices stay within a plausible band around the base (stationary sd ≈ 5.8 σ_d) for ever.
 * - Intraday: a Brownian bridge in log price from the day's open level to the next day's level
 *   (less a small overnight gap), built by midpoint subdivision with one hashed normal per node, in
 *   "variance time" so the path moves faster at the open and close. That is a geometric random
 *   walk at minute scale with a per-symbol volatility.
 * - Within a minute: Poisson event times; at each, the mid takes a bridge step to the next minute
 *   boundary, a quote is set around it (spread of about `spreadBps`, at least one tick, never
 *   crossed or locked), and with probability 0.6 a trade prints at the ask, the bid, or inside.
 * - Activity: a U-shaped trade rate over the regular session (≈2× midday in the first 30 minutes,
 *   ≈1.7× in the last 30), optional thin pre/post trading, nothing outside session hours.
 * - Trade ids are `<epoch minute base 36>.<event index>`: unique per symbol and identical whether
 *   the trade arrives live or through a backfill.
 *
 * Memory is bounded: per symbol a few cached day paths and day levels plus the current minute's
 * events; day plans are cached a few at a time.
 */
import type { Bar, Quote, Trade } from '../../../shared/domain';
import { sessionForDay } from '../calendar';
import type { MarketEvent } from '../provider';
import { civilFromDays, fromNewYork, nyOffsetMs } from '../../time/newYork';

const MS_MIN = 60_000;
const MS_DAY = 86_400_000;

/** 'nyse': the NYSE calendar (holidays, early closes, DST). 'always': every minute of every day trades. */
export type SyntheticSessions = 'nyse' | 'always';

export interface SyntheticSymbolSpec {
  symbol: string;
  /** Centre of the long-run price band. */
  basePrice: number;
  /** Annualised volatility of log returns; default 0.30. */
  annualVol?: number;
  /** Typical quoted spread in basis points of the mid (at least one tick); default 1. */
  spreadBps?: number;
  /** Average trades per minute at midday in the regular session; default 20. */
  tradesPerMinute?: number;
}

/** Plausible late-2025 levels; the walk wanders around them. */
export const SYNTHETIC_DEFAULT_SPECS: readonly SyntheticSymbolSpec[] = [
  { symbol: 'NVDA', basePrice: 180, annualVol: 0.5, spreadBps: 1, tradesPerMinute: 40 },
  { symbol: 'MSFT', basePrice: 480, annualVol: 0.25, spreadBps: 0.8, tradesPerMinute: 30 },
];

export const SYNTHETIC_DEFAULT_SEED = 20_240_601;

export interface SyntheticMarketOptions {
  seed: number;
  /** Known symbols with their parameters; default SYNTHETIC_DEFAULT_SPECS. Others get derived ones. */
  specs?: readonly SyntheticSymbolSpec[];
  /** Symbols that `advanceTo` streams; default every symbol in `specs`. */
  symbols?: readonly string[];
  /** Default 'nyse'. */
  sessions?: SyntheticSessions;
  /** Thin trading in NYSE pre-market (04:00–09:30) and after-hours (16:00–20:00); default false. */
  extendedHours?: boolean;
  /** Where the stream cursor starts; `advanceTo` emits from here. */
  startTs: number;
}

/** Exposed for tests that check memory stays bounded. */
export interface SyntheticCacheStats {
  plans: number;
  symbols: number;
  paths: number;
  levels: number;
}

// ---------------------------------------------------------------------------------------------
// Parameters

const LEVEL_PHI = 0.985;
const LEVEL_TERMS = 400;
/** Overnight gap sd as a fraction of the daily sd (NYSE sessions only; 'always' is continuous). */
const GAP_FRACTION = 0.25;
/** Share of events that print a trade; the rest are quote-only updates. */
const P_TRADE = 0.6;
/** Pre/post activity and variance relative to midday. */
const EXT_ACTIVITY = 0.06;
const EXT_VARIANCE = 0.2;
/** Extended-hours spreads are wider. */
const EXT_SPREAD_MULT = 3;
/** U-shape: rate multiplier 1 + A_OPEN e^(−u/T_OPEN) + A_CLOSE e^(−(1−u)/T_CLOSE), u ∈ [0,1] through the session. */
const A_OPEN = 2.2;
const T_OPEN = 0.05;
const A_CLOSE = 1.6;
const T_CLOSE = 0.04;

const PLAN_CACHE = 16;
const PATH_CACHE = 4;
const LEVEL_CACHE = 64;
/** Symbol states kept for symbols not currently streamed (backfill of many symbols). */
const IDLE_SYMBOL_CACHE = 64;

const SALT_LEVEL = 0x1b873593;
const SALT_PATH = 0x5bd1e995;
const SALT_GAP = 0x27d4eb2f;
const SALT_MINUTE = 0x165667b1;

const PHASE_PRE = 1;
const PHASE_REGULAR = 2;
const PHASE_POST = 3;

// ---------------------------------------------------------------------------------------------
// Hashing and random numbers (fast, seedable, identical on every platform)

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

function key3(a: number, b: number, c: number): number {
  return mix32(mix32(mix32(a | 0) ^ (b | 0)) ^ (c | 0));
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A standard normal from a hash key (Box–Muller on two derived uniforms). */
function hashNormal(k: number): number {
  const u1 = (mix32(k ^ 0x9e3779b9) + 1) / 4294967297;
  const u2 = mix32(k ^ 0x85ebca6b) / 4294967296;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** mulberry32: small state, good enough statistics for a simulation. */
class Rng {
  constructor(private s: number) {}

  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  normal(): number {
    const u1 = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * this.next());
  }

  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda >= 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }
}

// ---------------------------------------------------------------------------------------------
// Day plans: which minutes trade, how actively, and how the day's variance is spread

interface Window {
  from: number;
  to: number;
}

interface DayPlan {
  day: number;
  /** Start of the next New York day: where the search for the next window continues. */
  nextDayStart: number;
  /** The price path spans [start, end); empty (start = end) on days with no session. */
  start: number;
  end: number;
  /** Trading windows inside [start, end), ascending, minute-aligned. */
  windows: Window[];
  /** Per path minute: phase (PHASE_*), trade-rate multiplier, and cumulative variance share (length n + 1, ends at 1). */
  phase: Uint8Array;
  activity: Float64Array;
  cumVar: Float64Array;
  /** Overnight gap applies (NYSE sessions). */
  gap: boolean;
}

function nyDayOf(ts: number): number {
  return Math.floor((ts + nyOffsetMs(ts)) / MS_DAY);
}

function nyDayStart(day: number): number {
  const { year, month, day: d } = civilFromDays(day);
  return fromNewYork(year, month, d);
}

function dateKeyOf(day: number): string {
  const { year, month, day: d } = civilFromDays(day);
  return `${year}-${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function uShape(u: number): number {
  return 1 + A_OPEN * Math.exp(-u / T_OPEN) + A_CLOSE * Math.exp(-(1 - u) / T_CLOSE);
}

function buildPlan(day: number, sessions: SyntheticSessions, extendedHours: boolean): DayPlan {
  const dayStart = nyDayStart(day);
  const nextDayStart = nyDayStart(day + 1);
  const empty: DayPlan = {
    day,
    nextDayStart,
    start: dayStart,
    end: dayStart,
    windows: [],
    phase: new Uint8Array(0),
    activity: new Float64Array(0),
    cumVar: new Float64Array(1),
    gap: false,
  };
  let start: number;
  let end: number;
  let open: number;
  let close: number;
  if (sessions === 'always') {
    start = open = dayStart;
    end = close = nextDayStart;
  } else {
    let session: ReturnType<typeof sessionForDay>;
    try {
      session = sessionForDay(dateKeyOf(day));
    } catch {
      // Outside the calendar's table (2000–2030): no session rather than a guess.
      return empty;
    }
    if (!session) return empty;
    start = session.preOpen;
    end = session.postClose;
    open = session.open;
    close = session.close;
  }
  const n = Math.round((end - start) / MS_MIN);
  const phase = new Uint8Array(n);
  const activity = new Float64Array(n);
  const weight = new Float64Array(n);
  const regularLen = close - open;
  for (let i = 0; i < n; i++) {
    const m = start + i * MS_MIN;
    if (m >= open && m < close) {
      phase[i] = PHASE_REGULAR;
      // 'always' has no open or close auction to cluster around: flat.
      const f = sessions === 'always' ? 1 : uShape((m + MS_MIN / 2 - open) / regularLen);
      activity[i] = f;
      weight[i] = 0.5 + 0.5 * f;
    } else {
      phase[i] = m < open ? PHASE_PRE : PHASE_POST;
      activity[i] = extendedHours ? EXT_ACTIVITY : 0;
      weight[i] = EXT_VARIANCE;
    }
  }
  const cumVar = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) cumVar[i + 1] = cumVar[i]! + weight[i]!;
  const total = cumVar[n]!;
  for (let i = 1; i <= n; i++) cumVar[i] = cumVar[i]! / total;
  const windows: Window[] = [];
  if (sessions === 'always') windows.push({ from: start, to: end });
  else if (extendedHours) windows.push({ from: start, to: end });
  else windows.push({ from: open, to: close });
  return { day, nextDayStart, start, end, windows, phase, activity, cumVar, gap: sessions === 'nyse' };
}

// ---------------------------------------------------------------------------------------------
// Symbols

interface ResolvedSpec {
  symbol: string;
  basePrice: number;
  annualVol: number;
  spreadBps: number;
  tradesPerMinute: number;
}

interface MinuteData {
  minute: number;
  /** Quotes and trades in time order (a trade follows the quote it printed against). */
  events: MarketEvent[];
  bar: Bar | null;
}

interface SymbolState {
  spec: ResolvedSpec;
  hash: number;
  logBase: number;
  sigmaDay: number;
  /** Price grid: 100 ticks per dollar, or 10,000 below $1 (Reg NMS sub-penny rule). */
  ticksPerUnit: number;
  levels: Map<number, number>;
  paths: Map<number, Float64Array>;
  /** The streamed minute, kept so a minute is generated once however many ticks cross it. */
  live: MinuteData | null;
  liveNext: number;
}

const SYMBOL_RE = /^[A-Z][A-Z0-9.-]*$/;

function resolveSpec(s: SyntheticSymbolSpec): ResolvedSpec {
  if (!SYMBOL_RE.test(s.symbol) || s.symbol.length > 16) throw new Error(`invalid symbol ${JSON.stringify(s.symbol)}`);
  if (!(s.basePrice > 0)) throw new Error(`basePrice must be > 0 for ${s.symbol}`);
  return {
    symbol: s.symbol,
    basePrice: s.basePrice,
    annualVol: s.annualVol ?? 0.3,
    spreadBps: s.spreadBps ?? 1,
    tradesPerMinute: s.tradesPerMinute ?? 20,
  };
}

/** A symbol nobody configured still gets stable parameters: a price between $10 and $500 from its name. */
function derivedSpec(symbol: string): ResolvedSpec {
  const h = fnv1a(symbol);
  return resolveSpec({
    symbol,
    basePrice: 10 + (mix32(h) % 49_000) / 100,
    annualVol: 0.35,
    spreadBps: 2,
    tradesPerMinute: 15,
  });
}

function boundedSet<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  if (map.size >= max) map.delete(map.keys().next().value as K);
  map.set(key, value);
}

function eventTs(e: MarketEvent): number {
  return e.type === 'trade' ? e.trade.ts : e.type === 'quote' ? e.quote.ts : e.bar.ts;
}

// ---------------------------------------------------------------------------------------------
// The market

export class SyntheticMarket {
  readonly seed: number;
  readonly sessions: SyntheticSessions;
  readonly extendedHours: boolean;
  private readonly specs = new Map<string, ResolvedSpec>();
  private readonly states = new Map<string, SymbolState>();
  private readonly plans = new Map<number, DayPlan>();
  private active: string[];
  private cursorTs: number;

  constructor(opts: SyntheticMarketOptions) {
    this.seed = opts.seed | 0;
    this.sessions = opts.sessions ?? 'nyse';
    this.extendedHours = opts.extendedHours ?? false;
    for (const s of opts.specs ?? SYNTHETIC_DEFAULT_SPECS) this.specs.set(s.symbol, resolveSpec(s));
    this.active = [...new Set(opts.symbols ?? [...this.specs.keys()])];
    for (const s of this.active) this.state(s);
    this.cursorTs = opts.startTs;
  }

  /** Everything before this time has been emitted by `advanceTo`. */
  get cursor(): number {
    return this.cursorTs;
  }

  get symbols(): readonly string[] {
    return this.active;
  }

  /** Replace the streamed symbols; new ones start at the cursor (no burst of history). */
  setSymbols(symbols: readonly string[]): void {
    const next = [...new Set(symbols)];
    for (const s of next) this.state(s);
    this.active = next;
    this.trimIdle();
  }

  /**
   * Emits, in time order, every quote and trade with time in [cursor, ts), and the bar of each
   * minute whose end falls in (cursor, ts] (after that minute's last trade). Calls `onEvent` for
   * each when given; otherwise returns them. Bars are whole-minute aggregates, identical to
   * `bars()`, even when the cursor started inside the minute.
   */
  advanceTo(ts: number, onEvent?: (e: MarketEvent) => void): MarketEvent[] {
    const out: MarketEvent[] = [];
    const emit = onEvent ?? ((e: MarketEvent) => void out.push(e));
    const lo = this.cursorTs;
    if (!(ts > lo)) return out;
    let m = Math.floor(lo / MS_MIN) * MS_MIN;
    while (m < ts) {
      const found = this.windowFrom(m, ts);
      if (!found) break;
      const { plan, window } = found;
      if (window.from > m) m = window.from;
      const end = Math.min(window.to, ts);
      for (; m < end; m += MS_MIN) this.emitMinute(plan, m, lo, ts, emit);
    }
    this.cursorTs = ts;
    return out;
  }

  /** Moves the cursor without emitting (a stream that fell far behind catches up by skipping). */
  skipTo(ts: number): void {
    if (ts > this.cursorTs) this.cursorTs = ts;
  }

  /** 1-minute bars with open time in [fromMs, toMs), oldest first: the aggregates of the trades `advanceTo` emits. */
  bars(symbol: string, fromMs: number, toMs: number): Bar[] {
    const st = this.state(symbol);
    const out: Bar[] = [];
    let m = Math.ceil(fromMs / MS_MIN) * MS_MIN;
    while (m < toMs) {
      const found = this.windowFrom(m, toMs);
      if (!found) break;
      const { plan, window } = found;
      if (window.from > m) m = window.from;
      const end = Math.min(window.to, toMs);
      for (; m < end; m += MS_MIN) {
        const bar = this.generateMinute(st, plan, m, false).bar;
        if (bar) out.push(bar);
      }
    }
    this.trimIdle();
    return out;
  }

  /**
   * The quote in force at ts (the last one at or before it, looking back across closed time to the
   * previous session), with `last` from the latest trade before it when one is found within 30
   * trading minutes. Null when no session in the previous 10 days.
   */
  quoteAt(symbol: string, ts: number): Quote | null {
    const st = this.state(symbol);
    let quote: Quote | null = null;
    let last: number | undefined;
    let minutesSearched = 0;
    let m = Math.floor(ts / MS_MIN) * MS_MIN;
    const floor = ts - 10 * MS_DAY;
    while (m >= floor && (quote === null || (last === undefined && minutesSearched < 30))) {
      const found = this.windowAtOrBefore(m, floor);
      if (!found) break;
      const { plan, window } = found;
      if (m >= window.to) m = window.to - MS_MIN;
      const data = this.generateMinute(st, plan, m, true);
      minutesSearched++;
      for (let i = data.events.length - 1; i >= 0; i--) {
        const e = data.events[i]!;
        if (eventTs(e) > ts) continue;
        if (e.type === 'quote' && quote === null) quote = e.quote;
        if (e.type === 'trade' && last === undefined) last = e.trade.price;
        if (quote !== null && last !== undefined) break;
      }
      m -= MS_MIN;
      if (m < window.from) m = window.from - MS_MIN;
    }
    this.trimIdle();
    return quote === null ? null : last === undefined ? quote : { ...quote, last };
  }

  cacheStats(): SyntheticCacheStats {
    let paths = 0;
    let levels = 0;
    for (const st of this.states.values()) {
      paths += st.paths.size;
      levels += st.levels.size;
    }
    return { plans: this.plans.size, symbols: this.states.size, paths, levels };
  }

  // -------------------------------------------------------------------------------------------

  private state(symbol: string): SymbolState {
    let st = this.states.get(symbol);
    if (st) return st;
    const spec = this.specs.get(symbol) ?? derivedSpec(symbol);
    st = {
      spec,
      hash: fnv1a(symbol),
      logBase: Math.log(spec.basePrice),
      sigmaDay: spec.annualVol / Math.sqrt(252),
      ticksPerUnit: spec.basePrice >= 1 ? 100 : 10_000,
      levels: new Map(),
      paths: new Map(),
      live: null,
      liveNext: 0,
    };
    this.states.set(symbol, st);
    return st;
  }

  /** Drops cached states of symbols no longer streamed, beyond a small allowance. */
  private trimIdle(): void {
    const excess = this.states.size - this.active.length - IDLE_SYMBOL_CACHE;
    if (excess <= 0) return;
    const keep = new Set(this.active);
    let n = excess;
    for (const sym of this.states.keys()) {
      if (n <= 0) break;
      if (keep.has(sym)) continue;
      this.states.delete(sym);
      n--;
    }
  }

  private plan(day: number): DayPlan {
    let p = this.plans.get(day);
    if (!p) {
      p = buildPlan(day, this.sessions, this.extendedHours);
      boundedSet(this.plans, day, p, PLAN_CACHE);
    }
    return p;
  }

  /** The first trading window ending after m and starting before limit, with its day's plan. */
  private windowFrom(m: number, limit: number): { plan: DayPlan; window: Window } | null {
    let day = nyDayOf(m);
    for (;;) {
      const plan = this.plan(day);
      for (const w of plan.windows) {
        if (w.to > m) return w.from < limit ? { plan, window: w } : null;
      }
      if (plan.nextDayStart >= limit) return null;
      day++;
    }
  }

  /** The last trading window starting at or before m and ending after floor. */
  private windowAtOrBefore(m: number, floor: number): { plan: DayPlan; window: Window } | null {
    let day = nyDayOf(m);
    for (;;) {
      const plan = this.plan(day);
      for (let i = plan.windows.length - 1; i >= 0; i--) {
        const w = plan.windows[i]!;
        if (w.from <= m) return w.to > floor ? { plan, window: w } : null;
      }
      if (nyDayStart(day) <= floor) return null;
      day--;
    }
  }

  private level(st: SymbolState, day: number): number {
    let v = st.levels.get(day);
    if (v !== undefined) return v;
    const seed = this.seed ^ SALT_LEVEL;
    v = 0;
    let w = st.sigmaDay;
    for (let k = 0; k < LEVEL_TERMS; k++) {
      v += w * hashNormal(key3(seed, st.hash, day - k));
      w *= LEVEL_PHI;
    }
    boundedSet(st.levels, day, v, LEVEL_CACHE);
    return v;
  }

  /** Log mid at each minute boundary of the day's path (length n + 1). */
  private path(st: SymbolState, plan: DayPlan): Float64Array {
    let p = st.paths.get(plan.day);
    if (p) return p;
    const n = plan.phase.length;
    p = new Float64Array(n + 1);
    const x0 = st.logBase + this.level(st, plan.day);
    const gap = plan.gap ? GAP_FRACTION * st.sigmaDay * hashNormal(key3(this.seed ^ SALT_GAP, st.hash, plan.day)) : 0;
    p[0] = x0;
    p[n] = st.logBase + this.level(st, plan.day + 1) - gap;
    const variance = st.sigmaDay * st.sigmaDay;
    const cum = plan.cumVar;
    const seed = this.seed ^ SALT_PATH;
    // Midpoint subdivision (Lévy's construction): each node is a pure function of its own hash.
    const stack: number[] = [0, n];
    while (stack.length > 0) {
      const b = stack.pop()!;
      const a = stack.pop()!;
      if (b - a < 2) continue;
      const mid = (a + b) >> 1;
      const va = cum[a]!;
      const vm = cum[mid]!;
      const vb = cum[b]!;
      const span = vb - va;
      const frac = span > 0 ? (vm - va) / span : 0.5;
      const condVar = span > 0 ? (variance * (vm - va) * (vb - vm)) / span : 0;
      p[mid] =
        p[a]! + frac * (p[b]! - p[a]!) + Math.sqrt(condVar) * hashNormal(key3(seed, st.hash, plan.day * 4096 + mid));
      stack.push(a, mid, mid, b);
    }
    boundedSet(st.paths, plan.day, p, PATH_CACHE);
    return p;
  }

  /**
   * All events of one minute for one symbol. `withQuotes` false skips building quote objects (for
   * backfill) but draws exactly the same random numbers, so trades and bars are identical.
   */
  private generateMinute(st: SymbolState, plan: DayPlan, m: number, withQuotes: boolean): MinuteData {
    const i = Math.round((m - plan.start) / MS_MIN);
    const events: MarketEvent[] = [];
    const rate = plan.activity[i] ?? 0;
    if (rate <= 0) return { minute: m, events, bar: null };
    const path = this.path(st, plan);
    const x0 = path[i]!;
    const x1 = path[i + 1]!;
    const varPerMs = (st.sigmaDay * st.sigmaDay * (plan.cumVar[i + 1]! - plan.cumVar[i]!)) / MS_MIN;
    const spec = st.spec;
    const regular = plan.phase[i] === PHASE_REGULAR;
    const spreadMult = regular ? 1 : EXT_SPREAD_MULT;
    const tpu = st.ticksPerUnit;
    const minuteIndex = m / MS_MIN;
    const rng = new Rng(key3(this.seed ^ SALT_MINUTE, st.hash, minuteIndex));
    const count = rng.poisson((spec.tradesPerMinute * rate) / P_TRADE);
    const offsets = new Int32Array(count);
    for (let k = 0; k < count; k++) offsets[k] = Math.floor(rng.next() * MS_MIN);
    offsets.sort();
    const idBase = minuteIndex.toString(36) + '.';
    let x = x0;
    let tPrev = 0;
    let o = 0;
    let h = -Infinity;
    let l = Infinity;
    let c = 0;
    let v = 0;
    let pv = 0;
    let n = 0;
    for (let k = 0; k < count; k++) {
      const t = offsets[k]!;
      const remaining = MS_MIN - tPrev;
      // Bridge step towards the next minute boundary: mean interpolates, variance shrinks to 0 there.
      const dt = t - tPrev;
      const stepVar = (varPerMs * dt * (MS_MIN - t)) / remaining;
      x = x + (dt / remaining) * (x1 - x) + Math.sqrt(stepVar) * rng.normal();
      tPrev = t;
      const mid = Math.exp(x);
      const spreadTicks =
        Math.max(1, Math.round((mid * spec.spreadBps * spreadMult * tpu) / 10_000)) + (rng.next() < 0.25 ? 1 : 0);
      const bidT = Math.max(1, Math.round(mid * tpu - spreadTicks / 2));
      const askT = bidT + spreadTicks;
      const bidSize = 100 * (1 + Math.floor(rng.next() * 20));
      const askSize = 100 * (1 + Math.floor(rng.next() * 20));
      const ts = m + t;
      if (withQuotes) {
        events.push({
          type: 'quote',
          quote: {
            symbol: spec.symbol,
            ts,
            bid: bidT / tpu,
            bidSize,
            ask: askT / tpu,
            askSize,
            provider: 'synthetic',
          },
        });
      }
      if (rng.next() >= P_TRADE) continue;
      const side = rng.next();
      // Mostly at the touch; one in ten inside the spread (a tick inside, or the midpoint when one tick wide).
      let priceTicks: number;
      if (side < 0.45) priceTicks = askT;
      else if (side < 0.9) priceTicks = bidT;
      else priceTicks = spreadTicks > 1 ? bidT + 1 + Math.floor(rng.next() * (spreadTicks - 1)) : (bidT + askT) / 2;
      const price = priceTicks / tpu;
      const u = rng.next();
      const size =
        u < 0.35
          ? 1 + Math.floor(rng.next() * 99)
          : u < 0.97
            ? 100 * (1 + Math.floor(-Math.log(1 - rng.next()) * 1.5))
            : 1000 * (1 + Math.floor(rng.next() * 10));
      const trade: Trade = { symbol: spec.symbol, ts, price, size, id: idBase + k, provider: 'synthetic' };
      events.push({ type: 'trade', trade });
      if (n === 0) o = price;
      if (price > h) h = price;
      if (price < l) l = price;
      c = price;
      v += size;
      pv += price * size;
      n++;
    }
    const bar: Bar | null =
      n === 0
        ? null
        : {
            symbol: spec.symbol,
            ts: m,
            o,
            h,
            l,
            c,
            v,
            vw: Math.round((pv / v) * 10_000) / 10_000,
            n,
            provider: 'synthetic',
          };
    return { minute: m, events, bar };
  }

  private emitMinute(plan: DayPlan, m: number, lo: number, hi: number, emit: (e: MarketEvent) => void): void {
    const buffer: MarketEvent[] = [];
    let needsSort = false;
    for (const sym of this.active) {
      const st = this.state(sym);
      if (st.live?.minute !== m) {
        st.live = this.generateMinute(st, plan, m, true);
        st.liveNext = 0;
      }
      const events = st.live.events;
      let j = st.liveNext;
      while (j < events.length && eventTs(events[j]!) < lo) j++;
      const before = buffer.length;
      while (j < events.length && eventTs(events[j]!) < hi) buffer.push(events[j++]!);
      st.liveNext = j;
      if (before > 0 && buffer.length > before) needsSort = true;
    }
    // Stable sort: per-symbol order (a quote before the trade it priced) survives equal timestamps.
    if (needsSort) buffer.sort((a, b) => eventTs(a) - eventTs(b));
    for (const e of buffer) emit(e);
    if (m + MS_MIN <= hi) {
      for (const sym of this.active) {
        const bar = this.state(sym).live?.bar;
        if (bar) emit({ type: 'bar', bar });
      }
    }
  }
}
