/**
 * Per-symbol incremental feature pipeline: O(1) work and no allocation per bar, the same numbers
 * (within 1e-9 abs + 1e-9 rel) as the pandas reference applied to the trailing 50 bars.
 *
 * Every statistic in the reference looks back at most 50 bars, and all but two are short windows
 * whose value does not depend on where the 50-bar frame starts: the first return in a frame is
 * NaN, but rolling(20) at the frame's last row reads only returns 30–49. The two that do depend on
 * the frame, the EMA (adjust=True weights anchored at the frame's first bar) and the VWAP (cumsum
 * from the frame's first bar), are kept as 50-bar sliding sums, which is the same thing.
 *
 * How the numbers stay equal to pandas':
 * - Sliding sums: `sum += entering − leaving`, re-summed from scratch every RESUM_BARS bars (rolling.ts).
 *   The volume sums are Neumaier-compensated as well: volume can collapse by orders of magnitude.
 * - Values leaving a window are recomputed from the close/volume history, bit-for-bit what entered.
 * - pandas returns a rolling window of equal values exactly (mean = the value, var = 0), and so
 *   do we, by counting the run of equal values ending at the newest bar. This is what makes a flat
 *   tape give rsi 0/0 → 0 and a zero-volume stretch give ratio 0/0 → 0, not ±inf from a residue.
 * - EMA over the window: S ← w·S + close − w⁵⁰·close₋₅₀ with a constant normaliser Σw^k.
 *
 * The hot path is one method over plain fields and typed arrays; the only helper it passes doubles
 * to (compensatedAdd) is small enough for V8 to inline. V8 boxes every double passed to or returned
 * from a call it does not inline: a first version built from one class per statistic allocated
 * ~140 bytes a bar that way and ran about 3x slower.
 *
 * Inputs: finite ts, close finite and > 0, volume finite and ≥ 0 (what the bars CSV parser
 * admits); anything else throws a RangeError and leaves the pipeline unchanged.
 */
import type { Bar } from '../../shared/domain';
import { nyOffsetMs } from '../time/newYork';
import {
  EMA_SPAN,
  FEATURE_COUNT,
  FEATURE_WINDOW_BARS,
  FeatureIndex,
  RSI_BARS,
  SMA_FAST_BARS,
  SMA_SLOW_BARS,
  VOLATILITY_BARS,
  VOLUME_BARS,
  nanToNum,
} from './names';
import {
  HISTORY_MASK,
  HISTORY_SLOTS,
  RESUM_BARS,
  emaDecay,
  emaNorm,
  windowEmaSum,
  windowMoveSum,
  windowReturnMean,
  windowShiftedReturnSums,
  windowSum,
} from './rolling';

// Module-local bindings for the hot path: vitest's module runner (which the benchmark and tests
// run under) turns every use of an imported binding into a getter call, ~2x the per-bar cost.
const toFinite = nanToNum;
const offsetNy = nyOffsetMs;
const MASK = HISTORY_MASK;
const WINDOW = FEATURE_WINDOW_BARS;
const FAST = SMA_FAST_BARS;
const SLOW = SMA_SLOW_BARS;
const VOL_N = VOLATILITY_BARS;
const RSI_N = RSI_BARS;
const VOLUME_N = VOLUME_BARS;
const RESUM = RESUM_BARS;
const DECAY = emaDecay(EMA_SPAN);
/** The weight a close carries when it leaves the 50-bar EMA window: decay⁵⁰. */
const EVICTED_WEIGHT = DECAY ** WINDOW;
const {
  returns: RETURNS,
  log_returns: LOG_RETURNS,
  sma_5: SMA_5,
  sma_20: SMA_20,
  ema_12: EMA_12,
  volatility: VOLATILITY,
  rsi: RSI,
  volume_ratio: VOLUME_RATIO,
  vwap: VWAP,
  hour: HOUR,
  minute: MINUTE,
  close: CLOSE,
} = FeatureIndex;

const VOLUME_SUM = 0;
const WINDOW_VOLUME = 1;
const WINDOW_NOTIONAL = 2;

/** Neumaier summation: acc[i] += x, with the rounding error accumulated exactly in acc[i + 3]. */
function compensatedAdd(acc: Float64Array, i: number, x: number): void {
  const s = acc[i]!;
  const t = s + x;
  acc[i + 3]! += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
  acc[i] = t;
}

/** Out of line so the message's number formatting does not box the hot path's doubles. */
function rejectBar(bar: FeatureBar): never {
  throw new RangeError(
    `bar at ${bar.ts}: ts must be finite, close (${bar.c}) finite and > 0, volume (${bar.v}) finite and ≥ 0`,
  );
}

/** What the pipeline reads from a bar; a full domain `Bar` fits. */
export type FeatureBar = Pick<Bar, 'ts' | 'c' | 'v'>;

export class FeaturePipeline {
  /** The feature vector, overwritten in place by every update that returns it: copy it to keep it. */
  readonly features = new Float64Array(FEATURE_COUNT);
  /** Bar i's close and volume live in slot i & MASK. */
  private readonly closes = new Float64Array(HISTORY_SLOTS).fill(NaN);
  private readonly volumes = new Float64Array(HISTORY_SLOTS);
  private readonly scratch = new Float64Array(2);
  /** `push` copies its arguments here (double fields are updated in place, without allocating). */
  private readonly input: FeatureBar = { ts: 0, c: 0.5, v: 0.5 };
  /** UTC hour of the last New York offset lookup: DST switches on the hour, so minute bars need one lookup an hour. */
  private offsetHour = NaN;
  private nyOffset = 0;
  private bars = 0;

  // Sliding window sums.
  private closeSumFast = 0;
  private closeSumSlow = 0;
  private gainSum = 0;
  private lossSum = 0;
  /**
   * Volume sums: [20-bar volume, 50-bar volume, 50-bar notional], each with its Neumaier
   * compensation at +3. Volume can collapse by orders of magnitude from one bar to the next (an
   * auction print, then a quiet tape); a plain running sum would keep the big bars' rounding.
   */
  private readonly volumeSums = new Float64Array(6);
  /** Σ(r − shift) and Σ(r − shift)² over the last 20 returns; shift ≈ their mean. */
  private returnShift = 0;
  private returnSum = 0;
  private returnSqSum = 0;
  /** Numerator and normaliser of the window-anchored adjust=True EMA. */
  private emaSum = 0;
  private emaNorm = 0;

  // Runs of equal values ending at the newest bar.
  private closeRun = 0;
  private volumeRun = 0;
  private returnRun = 0;
  private gainRun = 0;
  private lossRun = 0;
  private lastReturn = NaN;
  private lastGain = NaN;
  private lastLoss = NaN;

  /** Bars seen since construction or the last reset. */
  get barCount(): number {
    return this.bars;
  }

  /** `update` without a bar object, for callers that hold columns. */
  push(ts: number, close: number, volume: number): Float64Array | null {
    const bar = this.input;
    bar.ts = ts;
    bar.c = close;
    bar.v = volume;
    return this.update(bar);
  }

  /** Feeds the next bar (in time order); returns the feature vector once 50 bars exist, else null. */
  update(bar: FeatureBar): Float64Array | null {
    // Reading the bar here rather than taking (ts, close, volume) arguments keeps the doubles
    // unboxed: V8 allocates a heap number for each double passed to a call it does not inline.
    const ts = bar.ts;
    const close = bar.c;
    const volume = bar.v;
    if (!(close > 0 && close < Infinity && volume >= 0 && volume < Infinity && ts - ts === 0)) rejectBar(bar);
    const closes = this.closes;
    const volumes = this.volumes;
    const t = this.bars;
    // NaN for bar 0 (the constructor seeds bar −1's slot). Not `t > 0 ? … : NaN`: that phi makes
    // V8 box the close into a heap number on every bar.
    const prev = closes[(t - 1) & MASK]!;
    const prevVolume = volumes[(t - 1) & MASK]!;
    closes[t & MASK] = close;
    volumes[t & MASK] = volume;
    this.bars = t + 1;

    this.closeRun = close === prev ? this.closeRun + 1 : 1;
    this.volumeRun = t > 0 && volume === prevVolume ? this.volumeRun + 1 : 1;

    // Closes: sma_5, sma_20, ema_12.
    this.closeSumFast += t >= FAST ? close - closes[(t - FAST) & MASK]! : close;
    this.closeSumSlow += t >= SLOW ? close - closes[(t - SLOW) & MASK]! : close;
    if (t >= WINDOW) {
      this.emaSum = this.emaSum * DECAY + close - EVICTED_WEIGHT * closes[(t - WINDOW) & MASK]!;
    } else {
      this.emaSum = this.emaSum * DECAY + close;
      this.emaNorm = this.emaNorm * DECAY + 1;
    }

    // Returns (bar 0 has none): volatility.
    const ret = close / prev - 1;
    if (t >= 1) {
      this.returnRun = ret === this.lastReturn ? this.returnRun + 1 : 1;
      this.lastReturn = ret;
      if (t === 1) this.returnShift = ret;
      const d = ret - this.returnShift;
      if (t > VOL_N) {
        const old = t - VOL_N;
        const dOld = closes[old & MASK]! / closes[(old - 1) & MASK]! - 1 - this.returnShift;
        this.returnSum += d - dOld;
        this.returnSqSum += d * d - dOld * dOld;
      } else {
        this.returnSum += d;
        this.returnSqSum += d * d;
      }
    }

    // Up and down moves: rsi. Bar 0's NaN delta counts as 0, as in pandas' where().
    const delta = close - prev;
    const gain = delta > 0 ? delta : 0;
    const loss = delta < 0 ? -delta : 0;
    this.gainRun = gain === this.lastGain ? this.gainRun + 1 : 1;
    this.lossRun = loss === this.lastLoss ? this.lossRun + 1 : 1;
    this.lastGain = gain;
    this.lastLoss = loss;
    if (t >= RSI_N) {
      const old = t - RSI_N;
      const dOld = old >= 1 ? closes[old & MASK]! - closes[(old - 1) & MASK]! : 0;
      this.gainSum += gain - (dOld > 0 ? dOld : 0);
      this.lossSum += loss - (dOld < 0 ? -dOld : 0);
    } else {
      this.gainSum += gain;
      this.lossSum += loss;
    }

    // Volumes: volume_ratio, vwap.
    const sums = this.volumeSums;
    compensatedAdd(sums, VOLUME_SUM, volume);
    if (t >= VOLUME_N) compensatedAdd(sums, VOLUME_SUM, -volumes[(t - VOLUME_N) & MASK]!);
    compensatedAdd(sums, WINDOW_VOLUME, volume);
    compensatedAdd(sums, WINDOW_NOTIONAL, close * volume);
    if (t >= WINDOW) {
      const old = (t - WINDOW) & MASK;
      compensatedAdd(sums, WINDOW_VOLUME, -volumes[old]!);
      compensatedAdd(sums, WINDOW_NOTIONAL, -closes[old]! * volumes[old]!);
    }

    if ((t + 1) % RESUM === 0) this.resum(t + 1);
    if (t + 1 < WINDOW) return null;

    const out = this.features;
    // Finite for valid bars; the rare overflow takes the call (a call with a double allocates).
    out[RETURNS] = ret - ret === 0 ? ret : toFinite(ret);
    const logReturn = Math.log(close / prev);
    out[LOG_RETURNS] = logReturn - logReturn === 0 ? logReturn : toFinite(logReturn);
    out[SMA_5] = this.closeRun >= FAST ? close : this.closeSumFast / FAST;
    out[SMA_20] = this.closeRun >= SLOW ? close : this.closeSumSlow / SLOW;
    out[EMA_12] = this.closeRun >= WINDOW ? close : this.emaSum / this.emaNorm;
    const variance =
      this.returnRun >= VOL_N ? 0 : (this.returnSqSum - (this.returnSum * this.returnSum) / VOL_N) / (VOL_N - 1);
    out[VOLATILITY] = variance > 0 ? Math.sqrt(variance) : 0;
    // IEEE does what pandas does: loss 0 & gain > 0 → gain/loss = inf → 100; both 0 → NaN → 0.
    const avgGain = this.gainRun >= RSI_N ? gain : this.gainSum / RSI_N;
    const avgLoss = this.lossRun >= RSI_N ? loss : this.lossSum / RSI_N;
    // rsi lies in [0, 100] or is NaN; volume_ratio is NaN (0/0) or finite, since a positive
    // volume makes its own 20-bar mean positive.
    const rsi = 100 - 100 / (1 + avgGain / avgLoss);
    out[RSI] = rsi === rsi ? rsi : 0;
    const avgVolume = this.volumeRun >= VOLUME_N ? volume : (sums[VOLUME_SUM]! + sums[VOLUME_SUM + 3]!) / VOLUME_N;
    const volumeRatio = volume / avgVolume;
    out[VOLUME_RATIO] = volumeRatio === volumeRatio ? volumeRatio : 0;
    // A 50-bar stretch without volume is 0/0 in pandas: 0, and no sum residue can make it ±inf.
    out[VWAP] =
      this.volumeRun >= WINDOW && volume === 0
        ? 0
        : (sums[WINDOW_NOTIONAL]! + sums[WINDOW_NOTIONAL + 3]!) / (sums[WINDOW_VOLUME]! + sums[WINDOW_VOLUME + 3]!);
    // New York wall clock by floor division (nyMinuteOfDay's two float `%` cost ~30 ns here).
    const utcHour = Math.floor(ts / 3_600_000);
    if (utcHour !== this.offsetHour) {
      this.offsetHour = utcHour;
      this.nyOffset = offsetNy(ts);
    }
    const minutes = Math.floor((ts + this.nyOffset) / 60_000);
    const minuteOfDay = minutes - Math.floor(minutes / 1440) * 1440;
    const hour = Math.floor(minuteOfDay / 60);
    out[HOUR] = hour;
    out[MINUTE] = minuteOfDay - hour * 60;
    out[CLOSE] = close;
    return out;
  }

  reset(): void {
    this.bars = 0;
    this.offsetHour = NaN;
    this.features.fill(0);
    this.closes.fill(NaN);
    this.volumes.fill(0);
    this.closeSumFast = this.closeSumSlow = this.gainSum = this.lossSum = 0;
    this.volumeSums.fill(0);
    this.returnShift = this.returnSum = this.returnSqSum = this.emaSum = this.emaNorm = 0;
    this.closeRun = this.volumeRun = this.returnRun = this.gainRun = this.lossRun = 0;
    this.lastReturn = this.lastGain = this.lastLoss = NaN;
  }

  /** Fresh re-sum of every sliding sum from the history (cold path, every RESUM_BARS bars). */
  private resum(end: number): void {
    const closes = this.closes;
    const volumes = this.volumes;
    this.closeSumFast = windowSum(closes, end, Math.min(FAST, end));
    this.closeSumSlow = windowSum(closes, end, Math.min(SLOW, end));
    this.emaSum = windowEmaSum(closes, end, Math.min(WINDOW, end), DECAY);
    this.emaNorm = emaNorm(Math.min(WINDOW, end), DECAY);
    this.gainSum = windowMoveSum(closes, end, Math.min(RSI_N, end), true);
    this.lossSum = windowMoveSum(closes, end, Math.min(RSI_N, end), false);
    // The volume sums are re-summed compensated too, keeping the rounding error as a separate term.
    const sums = this.volumeSums;
    sums.fill(0);
    for (let i = Math.max(0, end - WINDOW); i < end; i++) {
      const v = volumes[i & MASK]!;
      if (i >= end - VOLUME_N) compensatedAdd(sums, VOLUME_SUM, v);
      compensatedAdd(sums, WINDOW_VOLUME, v);
      compensatedAdd(sums, WINDOW_NOTIONAL, closes[i & MASK]! * v);
    }
    const returns = Math.min(VOL_N, end - 1);
    this.returnShift = windowReturnMean(closes, end, returns);
    windowShiftedReturnSums(closes, end, returns, this.returnShift, this.scratch);
    this.returnSum = this.scratch[0]!;
    this.returnSqSum = this.scratch[1]!;
  }
}

/** One pipeline per symbol, created on the symbol's first bar. */
export class FeaturePipelines {
  private readonly bySymbol = new Map<string, FeaturePipeline>();

  update(bar: FeatureBar & Pick<Bar, 'symbol'>): Float64Array | null {
    return this.pipeline(bar.symbol).update(bar);
  }

  pipeline(symbol: string): FeaturePipeline {
    let p = this.bySymbol.get(symbol);
    if (!p) {
      p = new FeaturePipeline();
      this.bySymbol.set(symbol, p);
    }
    return p;
  }

  has(symbol: string): boolean {
    return this.bySymbol.has(symbol);
  }

  /** Forgets a symbol, e.g. after a data gap that the caller decides must restart its window. */
  drop(symbol: string): boolean {
    return this.bySymbol.delete(symbol);
  }

  get symbols(): string[] {
    return [...this.bySymbol.keys()];
  }
}
