/**
 * The feature vector the signal models consume: 12 columns, in the order of the pandas reference
 * (`features-seed7.csv`). Index constants let the hot path write a Float64Array without lookups.
 */
export const FEATURE_NAMES = [
  'returns',
  'log_returns',
  'sma_5',
  'sma_20',
  'ema_12',
  'volatility',
  'rsi',
  'volume_ratio',
  'vwap',
  'hour',
  'minute',
  'close',
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];

export const FEATURE_COUNT = FEATURE_NAMES.length;

/** Bars in the trailing window the reference computes over; no features until a symbol has this many. */
export const FEATURE_WINDOW_BARS = 50;

/** Window lengths of the individual indicators (pandas `rolling(n)` / `ewm(span)`). */
export const SMA_FAST_BARS = 5;
export const SMA_SLOW_BARS = 20;
export const EMA_SPAN = 12;
export const VOLATILITY_BARS = 20;
export const RSI_BARS = 14;
export const VOLUME_BARS = 20;

/** Column index of each feature in the output vector. */
export const FeatureIndex = {
  returns: 0,
  log_returns: 1,
  sma_5: 2,
  sma_20: 3,
  ema_12: 4,
  volatility: 5,
  rsi: 6,
  volume_ratio: 7,
  vwap: 8,
  hour: 9,
  minute: 10,
  close: 11,
} as const satisfies Record<FeatureName, number>;

/** numpy.nan_to_num: NaN → 0, ±inf → ±largest finite double. */
export function nanToNum(x: number): number {
  if (x !== x) return 0;
  if (x === Infinity) return Number.MAX_VALUE;
  if (x === -Infinity) return -Number.MAX_VALUE;
  return x;
}
