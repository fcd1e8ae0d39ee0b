/**
 * Rolling-window building blocks for the feature pipeline.
 *
 * The pipeline keeps one history ring per input column (close, volume) and derives everything
 * else from it, so a value leaving a window is recomputed bit-for-bit as it was when it entered.
 * Its sliding sums are updated in O(1) with `sum += entering − leaving` and re-summed from scratch from
 * the history every RESUM_BARS bars with the functions below (O(window) every 32 bars: amortised
 * O(1)). Between re-sums at most 32 add/remove steps accumulate, each rounding at ~1 ulp of the
 * running sum, so the error stays below ~1e-14 of the largest window sum seen in those bars however
 * long the session runs. Closes, returns and price moves do not swing by orders of magnitude within
 * 32 bars; volume can, so the pipeline Neumaier-compensates its volume sums on top of this.
 */

/** Ring capacity for histories: a power of two ≥ the longest look-back (50 bars + 1 previous close). */
export const HISTORY_SLOTS = 64;
export const HISTORY_MASK = HISTORY_SLOTS - 1;

/** Bars between fresh re-sums of every sliding sum. */
export const RESUM_BARS = 32;

/**
 * Bar `i` of a history lives in slot `i & HISTORY_MASK`. Helpers take the index one past the
 * newest bar (`end`) and a window length `n`; callers guarantee 0 ≤ end − n and n < HISTORY_SLOTS.
 */
export function windowSum(history: Float64Array, end: number, n: number): number {
  let sum = 0;
  for (let i = end - n; i < end; i++) sum += history[i & HISTORY_MASK]!;
  return sum;
}

/** Simple return of bar i (needs bar i − 1): close / previous close − 1, as pandas' pct_change. */
export function simpleReturn(closes: Float64Array, i: number): number {
  return closes[i & HISTORY_MASK]! / closes[(i - 1) & HISTORY_MASK]! - 1;
}

/** Mean of the simple returns of bars end − n … end − 1 (each needs its previous bar). */
export function windowReturnMean(closes: Float64Array, end: number, n: number): number {
  let sum = 0;
  for (let i = end - n; i < end; i++) sum += simpleReturn(closes, i);
  return sum / n;
}

/**
 * Σ(r − shift) and Σ(r − shift)² over the returns of bars end − n … end − 1, written to out[0..1].
 * Keeping sums around a shift near the window mean is what stops Σr² − (Σr)²/n cancelling away
 * the variance of small returns.
 */
export function windowShiftedReturnSums(
  closes: Float64Array,
  end: number,
  n: number,
  shift: number,
  out: Float64Array,
): void {
  let s1 = 0;
  let s2 = 0;
  for (let i = end - n; i < end; i++) {
    const d = simpleReturn(closes, i) - shift;
    s1 += d;
    s2 += d * d;
  }
  out[0] = s1;
  out[1] = s2;
}

/**
 * Σ of the up-moves (gain = true) or of the down-moves as positive numbers (gain = false) of bars
 * end − n … end − 1: pandas' `delta.where(delta > 0, 0)` and `-delta.where(delta < 0, 0)`. Bar 0
 * has no previous close; its NaN delta fails both tests and counts as 0, as in pandas.
 */
export function windowMoveSum(closes: Float64Array, end: number, n: number, gain: boolean): number {
  let sum = 0;
  for (let i = Math.max(1, end - n); i < end; i++) {
    const delta = closes[i & HISTORY_MASK]! - closes[(i - 1) & HISTORY_MASK]!;
    if (gain ? delta > 0 : delta < 0) sum += gain ? delta : -delta;
  }
  return sum;
}

/**
 * Σ wᵏ·close₍ₑₙ𝒹₋₁₋ₖ₎ for k < n (Horner from the oldest bar): the numerator of pandas' adjust=True
 * EWM over exactly the last n bars. The denominator is the same sum over ones (`emaNorm`).
 */
export function windowEmaSum(closes: Float64Array, end: number, n: number, decay: number): number {
  let s = 0;
  for (let i = end - n; i < end; i++) s = s * decay + closes[i & HISTORY_MASK]!;
  return s;
}

/** Σ wᵏ for k < n, the adjust=True EWM normaliser of an n-bar window. */
export function emaNorm(n: number, decay: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s = s * decay + 1;
  return s;
}

/** The EWM decay 1 − α for a span, α = 2 / (span + 1), as pandas computes it. */
export function emaDecay(span: number): number {
  return 1 - 2 / (span + 1);
}
