/**
 * Yahoo Finance v8 chart adapter (unofficial, keyless): `/v8/finance/chart/{S}` → historicalBars
 * and latestQuote. No stream.
 *
 * - Bars: `interval=1m&period1&period2` (epoch seconds). The answer is parallel arrays
 *   (`timestamp`, `indicators.quote[0].open/high/low/close/volume`); a `null` in any of them marks a
 *   minute without trades, which is skipped, never emitted with a hole. A non-number value or
 *   arrays of different lengths make the whole answer malformed. Yahoo serves 1-minute data for at
 *   most 7 days per request, so longer ranges are fetched in 7-day pieces. Regular hours only unless
 *   `extendedHours` (includePrePost).
 * - `chart.error` (unknown symbol: "Not Found", usually with HTTP 404) → malformed.
 * - Quote: the chart's `meta.regularMarketPrice` at `meta.regularMarketTime` (seconds). The chart
 *   has no bid/ask, so bid = ask = last = that price with sizes 0 (zero size: not a real book).
 *   It is `stale` when that time is more than `staleAfterMs` before the latest moment the regular
 *   session was open (now during the session, otherwise the last close).
 */
import { z } from 'zod';
import type { Bar, Quote } from '../../../shared/domain';
import type { Clock } from '../../clock';
import { nyDateKey } from '../../time/newYork';
import { previousTradingDay, sessionForDay, sessionState } from '../calendar';
import { getJson } from '../http';
import { fault, ok, type MarketDataProvider, type ProviderCapabilities, type ProviderResult } from '../provider';

export const YAHOO_REST_URL = 'https://query1.finance.yahoo.com';
/** Yahoo refuses 1-minute requests spanning more than 7 days. */
export const YAHOO_MAX_1M_SPAN_MS = 7 * 86_400_000;
export const YAHOO_DEFAULT_STALE_AFTER_MS = 15 * 60_000;
/** Yahoo answers 429 to some default client user agents; a browser-like one avoids that. */
export const YAHOO_USER_AGENT = 'Mozilla/5.0 (compatible; Kestrel)';

const MS_MIN = 60_000;

export interface YahooOptions {
  /** Default https://query1.finance.yahoo.com */
  restUrl?: string;
  clock: Clock;
  /** Per request; default 10 s. */
  timeoutMs?: number;
  /** Quote age beyond which latestQuote reports `stale`; default 15 min. */
  staleAfterMs?: number;
  /** Ask for pre/post-market minutes too (includePrePost); default false. */
  extendedHours?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Wire schema

const Series = z.array(z.number().nullable());

const ChartResult = z.object({
  meta: z.object({
    symbol: z.string().optional(),
    regularMarketPrice: z.number().optional(),
    regularMarketTime: z.number().int().optional(),
  }),
  timestamp: z.array(z.number().int()).optional(),
  indicators: z
    .object({
      quote: z.array(
        z.object({
          open: Series.optional(),
          high: Series.optional(),
          low: Series.optional(),
          close: Series.optional(),
          volume: Series.optional(),
        }),
      ),
    })
    .optional(),
});
type ChartResult = z.infer<typeof ChartResult>;

const ChartBody = z.object({
  chart: z.object({
    result: z.array(ChartResult).nullable().optional(),
    error: z.object({ code: z.string(), description: z.string().nullable().optional() }).nullable().optional(),
  }),
});

function issues(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.')}: ${i.message}`)
    .join('; ');
}

/**
 * The latest instant the NYSE regular session was open, at or before now: now itself during the
 * session, else the last regular close. Null outside the calendar's years.
 */
export function lastRegularMoment(now: number): number | null {
  try {
    if (sessionState(now).state === 'regular') return now;
    const today = nyDateKey(now);
    const session = sessionForDay(today);
    if (session && session.open <= now) return session.close;
    return sessionForDay(previousTradingDay(today))?.close ?? null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Adapter

export class YahooProvider implements MarketDataProvider {
  readonly name = 'yahoo' as const;
  readonly capabilities: ProviderCapabilities = {
    stream: { trades: false, quotes: false, bars: false },
    latestQuote: true,
    historicalBars: true,
  };
  private readonly restUrl: string;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly staleAfterMs: number;
  private readonly extendedHours: boolean;

  constructor(opts: YahooOptions) {
    this.restUrl = (opts.restUrl ?? YAHOO_REST_URL).replace(/\/+$/, '');
    this.clock = opts.clock;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.staleAfterMs = opts.staleAfterMs ?? YAHOO_DEFAULT_STALE_AFTER_MS;
    this.extendedHours = opts.extendedHours ?? false;
  }

  async latestQuote(symbol: string, signal?: AbortSignal): Promise<ProviderResult<Quote>> {
    const r = await this.chart(symbol, { interval: '1m', range: '1d' }, signal);
    if (r.kind !== 'ok') return r;
    const { regularMarketPrice: price, regularMarketTime: time } = r.value.meta;
    if (price === undefined || time === undefined) {
      return fault('malformed', `Yahoo: ${symbol} chart meta lacks regularMarketPrice/regularMarketTime`);
    }
    const ts = time * 1000;
    const expected = lastRegularMoment(this.clock.now());
    if (expected !== null && ts < expected - this.staleAfterMs) {
      return fault(
        'stale',
        `Yahoo: ${symbol} price is from ${new Date(ts).toISOString()}, ${Math.round((expected - ts) / MS_MIN)} min behind the market`,
      );
    }
    return ok({ symbol, ts, bid: price, bidSize: 0, ask: price, askSize: 0, last: price, provider: 'yahoo' });
  }

  async historicalBars(
    symbol: string,
    fromMs: number,
    toMs: number,
    signal?: AbortSignal,
  ): Promise<ProviderResult<Bar[]>> {
    const byTs = new Map<number, Bar>();
    for (let start = fromMs; start < toMs; start += YAHOO_MAX_1M_SPAN_MS) {
      const end = Math.min(toMs, start + YAHOO_MAX_1M_SPAN_MS);
      const r = await this.chart(
        symbol,
        {
          interval: '1m',
          period1: String(Math.floor(start / 1000)),
          period2: String(Math.ceil(end / 1000)),
          includePrePost: String(this.extendedHours),
        },
        signal,
      );
      if (r.kind !== 'ok') return r;
      const bars = toBars(r.value, symbol);
      if (bars.kind !== 'ok') return bars;
      for (const bar of bars.value) if (bar.ts >= fromMs && bar.ts < toMs) byTs.set(bar.ts, bar);
    }
    return ok([...byTs.values()].sort((a, b) => a.ts - b.ts));
  }

  private async chart(
    symbol: string,
    params: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<ProviderResult<ChartResult>> {
    const url = `${this.restUrl}/v8/finance/chart/${encodeURIComponent(symbol)}?${new URLSearchParams(params).toString()}`;
    const r = await getJson(url, { signal, timeoutMs: this.timeoutMs, headers: { 'User-Agent': YAHOO_USER_AGENT } });
    if (r.kind !== 'ok') return r;
    const parsed = ChartBody.safeParse(r.value.body);
    if (!parsed.success) {
      return fault('malformed', `Yahoo chart: ${issues(parsed.error)}`, { status: r.value.status });
    }
    const { result, error } = parsed.data.chart;
    if (error) {
      const what = error.code === 'Not Found' ? `unknown symbol ${symbol}` : error.code;
      return fault('malformed', `Yahoo: ${what}: ${error.description ?? ''}`.trim(), { status: r.value.status });
    }
    if (r.value.status !== 200) return fault('malformed', `Yahoo: HTTP ${r.value.status}`, { status: r.value.status });
    const first = result?.[0];
    if (!first) return fault('malformed', `Yahoo: no chart result for ${symbol}`);
    return ok(first);
  }
}

function toBars(result: ChartResult, symbol: string): ProviderResult<Bar[]> {
  const ts = result.timestamp;
  // No trading in the range: Yahoo leaves out `timestamp` (and the series) entirely.
  if (!ts || ts.length === 0) return ok([]);
  const q = result.indicators?.quote[0];
  const { open, high, low, close, volume } = q ?? {};
  if (!open || !high || !low || !close || !volume) return fault('malformed', 'Yahoo: chart lacks quote series');
  const n = ts.length;
  if (open.length !== n || high.length !== n || low.length !== n || close.length !== n || volume.length !== n) {
    return fault('malformed', 'Yahoo: timestamp and quote series differ in length');
  }
  const bars: Bar[] = [];
  for (let i = 0; i < n; i++) {
    const o = open[i];
    const h = high[i];
    const l = low[i];
    const c = close[i];
    const v = volume[i];
    // A null anywhere: a gap minute (no trades), not a bar with holes.
    if (o == null || h == null || l == null || c == null || v == null) continue;
    const t = ts[i]! * 1000;
    // During the session the last point can be the live, unaligned tick time: not a finished minute.
    if (t % MS_MIN !== 0) continue;
    if (v < 0) return fault('malformed', `Yahoo: negative volume at ${t}`);
    bars.push({ symbol, ts: t, o, h, l, c, v, provider: 'yahoo' });
  }
  return ok(bars);
}
