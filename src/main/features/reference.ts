/**
 * The pandas reference, transcribed line by line: every call recomputes the whole 50-bar frame
 * (every column, every row) and keeps the last row, as the Python does. It is the test oracle for
 * the incremental pipeline and the benchmark baseline, so it favours obviousness over speed.
 *
 * pandas semantics mirrored here: rolling(n) has min_periods = n and skips NaN observations (so a
 * window holding one is NaN); a rolling window of equal values gives that value (mean) or 0 (var)
 * exactly, as pandas' online kernels do; std is sqrt of a non-negative var; ewm is adjust=True,
 * ignore_na=False; cumsum skips NaN; `where(cond, 0)` replaces NaN too (NaN > 0 is false).
 */
import { toNewYork } from '../time/newYork';
import {
  EMA_SPAN,
  FEATURE_COUNT,
  FEATURE_WINDOW_BARS,
  FeatureIndex as F,
  RSI_BARS,
  SMA_FAST_BARS,
  SMA_SLOW_BARS,
  VOLATILITY_BARS,
  VOLUME_BARS,
  nanToNum,
} from './names';

/** A symbol's bars as columns (a DataFrame's ts_ms, close and volume). */
export interface BarColumns {
  ts: ArrayLike<number>;
  close: ArrayLike<number>;
  volume: ArrayLike<number>;
}

type Series = Float64Array;

function isObs(x: number): boolean {
  return x === x;
}

/** `s.shift(1)` */
export function shift1(s: Series): Series {
  const out = new Float64Array(s.length).fill(NaN);
  for (let i = 1; i < s.length; i++) out[i] = s[i - 1]!;
  return out;
}

/** `s.pct_change()` (no NaNs in the input, so pandas' pad fill is a no-op) */
export function pctChange(s: Series): Series {
  const prev = shift1(s);
  return s.map((x, i) => x / prev[i]! - 1);
}

/** `s.diff()` */
export function diff(s: Series): Series {
  const prev = shift1(s);
  return s.map((x, i) => x - prev[i]!);
}

/** `s.rolling(n).mean()` */
export function rollingMean(s: Series, n: number): Series {
  const out = new Float64Array(s.length).fill(NaN);
  for (let i = n - 1; i < s.length; i++) {
    let sum = 0;
    let obs = 0;
    let allSame = true;
    for (let j = i - n + 1; j <= i; j++) {
      const x = s[j]!;
      if (!isObs(x)) continue;
      sum += x;
      obs++;
      if (x !== s[i]) allSame = false;
    }
    if (obs < n) continue;
    out[i] = allSame ? s[i]! : sum / n;
  }
  return out;
}

/** `s.rolling(n).std(ddof)`: two-pass variance, clamped at 0 before the square root. */
export function rollingStd(s: Series, n: number, ddof = 1): Series {
  const out = new Float64Array(s.length).fill(NaN);
  for (let i = n - 1; i < s.length; i++) {
    let sum = 0;
    let obs = 0;
    let allSame = true;
    for (let j = i - n + 1; j <= i; j++) {
      const x = s[j]!;
      if (!isObs(x)) continue;
      sum += x;
      obs++;
      if (x !== s[i]) allSame = false;
    }
    if (obs < n || obs <= ddof) continue;
    if (allSame) {
      out[i] = 0;
      continue;
    }
    const mean = sum / n;
    let ssd = 0;
    for (let j = i - n + 1; j <= i; j++) ssd += (s[j]! - mean) ** 2;
    out[i] = Math.sqrt(Math.max(0, ssd / (n - ddof)));
  }
  return out;
}

/** `s.ewm(span).mean()`: adjust=True, ignore_na=False, min_periods=0, the recursion pandas runs. */
export function ewmMean(s: Series, span: number): Series {
  const out = new Float64Array(s.length).fill(NaN);
  if (s.length === 0) return out;
  const decay = 1 - 2 / (span + 1);
  let weighted = s[0]!;
  let nobs = isObs(weighted) ? 1 : 0;
  let oldWeight = 1;
  out[0] = nobs > 0 ? weighted : NaN;
  for (let i = 1; i < s.length; i++) {
    const x = s[i]!;
    const obs = isObs(x);
    if (obs) nobs++;
    if (isObs(weighted)) {
      oldWeight *= decay;
      if (obs) {
        // pandas skips the update when equal, which keeps a flat series exactly flat.
        if (weighted !== x) weighted = (oldWeight * weighted + x) / (oldWeight + 1);
        oldWeight += 1;
      }
    } else if (obs) {
      weighted = x;
    }
    out[i] = nobs > 0 ? weighted : NaN;
  }
  return out;
}

/** `s.cumsum()` (skipna: a NaN stays NaN at its row and is skipped by the running sum) */
export function cumsum(s: Series): Series {
  let acc = 0;
  return s.map((x) => (isObs(x) ? (acc += x) : NaN));
}

/** `s.where(cond, 0)` */
function where0(s: Series, cond: (x: number) => boolean): Series {
  return s.map((x) => (cond(x) ? x : 0));
}

function zip(a: Series, b: Series, f: (x: number, y: number) => number): Series {
  return a.map((x, i) => f(x, b[i]!));
}

/** The 12 feature columns for bars [start, end) with NaN/inf left as pandas has them. */
export function referenceFrame(bars: BarColumns, start: number, end: number): Series[] {
  const close = Float64Array.from({ length: end - start }, (_, i) => bars.close[start + i]!);
  const volume = Float64Array.from({ length: end - start }, (_, i) => bars.volume[start + i]!);
  const ts = Float64Array.from({ length: end - start }, (_, i) => bars.ts[start + i]!);

  const returns = pctChange(close);
  const logReturns = zip(close, shift1(close), (c, p) => Math.log(c / p));
  const delta = diff(close);
  const gain = rollingMean(
    where0(delta, (d) => d > 0),
    RSI_BARS,
  );
  const loss = rollingMean(
    where0(delta, (d) => d < 0).map((d) => -d),
    RSI_BARS,
  );
  const cols: Series[] = new Array<Series>(FEATURE_COUNT);
  cols[F.returns] = returns;
  cols[F.log_returns] = logReturns;
  cols[F.sma_5] = rollingMean(close, SMA_FAST_BARS);
  cols[F.sma_20] = rollingMean(close, SMA_SLOW_BARS);
  cols[F.ema_12] = ewmMean(close, EMA_SPAN);
  cols[F.volatility] = rollingStd(returns, VOLATILITY_BARS);
  cols[F.rsi] = zip(gain, loss, (g, l) => 100 - 100 / (1 + g / l));
  cols[F.volume_ratio] = zip(volume, rollingMean(volume, VOLUME_BARS), (v, m) => v / m);
  cols[F.vwap] = zip(cumsum(zip(close, volume, (c, v) => c * v)), cumsum(volume), (cv, v) => cv / v);
  cols[F.hour] = ts.map((t) => toNewYork(t).hour);
  cols[F.minute] = ts.map((t) => toNewYork(t).minute);
  cols[F.close] = close;
  return cols;
}

/**
 * The last row only, recomputed from the window's bars with no intermediate columns: the leanest
 * O(window) recompute, a second baseline for the benchmark and a second oracle for the tests.
 * Same semantics as `referenceFrame` for finite closes and volumes.
 */
export function recomputeLastRow(
  bars: BarColumns,
  end: number,
  out = new Float64Array(FEATURE_COUNT),
): Float64Array | null {
  const start = end - FEATURE_WINDOW_BARS;
  if (start < 0 || end > bars.close.length) return null;
  const c = bars.close;
  const v = bars.volume;
  const last = end - 1;
  const close = c[last]!;
  const prev = c[last - 1]!;

  const meanOfLast = (x: (i: number) => number, n: number): number => {
    let sum = 0;
    let same = true;
    for (let i = end - n; i < end; i++) {
      sum += x(i);
      if (x(i) !== x(last)) same = false;
    }
    return same ? x(last) : sum / n;
  };
  const ret = (i: number): number => c[i]! / c[i - 1]! - 1;
  const delta = (i: number): number => c[i]! - c[i - 1]!;

  let volatility = 0;
  const volMean = meanOfLast(ret, VOLATILITY_BARS);
  let retSame = true;
  for (let i = end - VOLATILITY_BARS; i < end; i++) {
    volatility += (ret(i) - volMean) ** 2;
    if (ret(i) !== ret(last)) retSame = false;
  }
  volatility = retSame ? 0 : Math.sqrt(Math.max(0, volatility / (VOLATILITY_BARS - 1)));

  // adjust=True EMA anchored at the window's first bar, as Horner sums of value and weight.
  const decay = 1 - 2 / (EMA_SPAN + 1);
  let weighted = 0;
  let norm = 0;
  let emaSame = true;
  for (let i = start; i < end; i++) {
    weighted = weighted * decay + c[i]!;
    norm = norm * decay + 1;
    if (c[i] !== close) emaSame = false;
  }

  let notional = 0;
  let volume = 0;
  for (let i = start; i < end; i++) {
    notional += c[i]! * v[i]!;
    volume += v[i]!;
  }

  const gain = meanOfLast((i) => (delta(i) > 0 ? delta(i) : 0), RSI_BARS);
  const loss = meanOfLast((i) => (delta(i) < 0 ? -delta(i) : 0), RSI_BARS);
  const { hour, minute } = toNewYork(bars.ts[last]!);

  out[F.returns] = nanToNum(close / prev - 1);
  out[F.log_returns] = nanToNum(Math.log(close / prev));
  out[F.sma_5] = nanToNum(meanOfLast((i) => c[i]!, SMA_FAST_BARS));
  out[F.sma_20] = nanToNum(meanOfLast((i) => c[i]!, SMA_SLOW_BARS));
  out[F.ema_12] = nanToNum(emaSame ? close : weighted / norm);
  out[F.volatility] = nanToNum(volatility);
  out[F.rsi] = nanToNum(100 - 100 / (1 + gain / loss));
  out[F.volume_ratio] = nanToNum(v[last]! / meanOfLast((i) => v[i]!, VOLUME_BARS));
  out[F.vwap] = nanToNum(notional / volume);
  out[F.hour] = hour;
  out[F.minute] = minute;
  out[F.close] = nanToNum(close);
  return out;
}

/**
 * The feature vector for the bar at index `end − 1`: the last row of the frame over the trailing
 * 50 bars, through numpy.nan_to_num. Null when fewer than 50 bars end there.
 */
export function referenceFeatures(bars: BarColumns, end: number): Float64Array | null {
  const start = end - FEATURE_WINDOW_BARS;
  if (start < 0 || end > bars.close.length) return null;
  const cols = referenceFrame(bars, start, end);
  const out = new Float64Array(FEATURE_COUNT);
  for (let k = 0; k < FEATURE_COUNT; k++) out[k] = nanToNum(cols[k]![FEATURE_WINDOW_BARS - 1]!);
  return out;
}
