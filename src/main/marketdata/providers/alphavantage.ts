/**
 * Alpha Vantage REST adapter: GLOBAL_QUOTE → latestQuote, TIME_SERIES_INTRADAY (1min) →
 * historicalBars. No stream.
 *
 * Alpha Vantage answers everything with HTTP 200 and puts the failure in the body, so each body is
 * classified before it is read as data:
 * - `Information` / `Note` (rate limits) → throttled, never a price. The per-second message ("1
 *   request per second") waits 1 s, the legacy per-minute Note 60 s, the daily limit ("25 requests
 *   per day") until the next midnight US/Eastern (the reset time is not documented; see
 *   AV_DAILY_RESET_NOTE). "premium endpoint" and demo-key messages are entitlement problems →
 *   unauthorized (retrying cannot help).
 * - `Error Message` → malformed, or unauthorized when it says the apikey is invalid or missing.
 * - `{"Global Quote": {}}` → malformed (unknown symbol).
 *
 * GLOBAL_QUOTE carries no bid/ask and no time. The quote is bid = ask = last = "05. price" with
 * bidSize = askSize = 0 (zero size marks the sides as not real), and ts = the regular close of
 * "07. latest trading day", or now if that session is still running. It is `stale` when that day is
 * older than the last trading day before today (New York): older than the latest completed session.
 *
 * Intraday keys are "YYYY-MM-DD HH:MM:SS" in US/Eastern (Meta Data "6. Time Zone"), taken as the bar
 * open time; rows come newest first and every value is a string. Rows are parsed strictly: one bad
 * row makes the whole answer malformed. Prices are passed through as given (zero, crossed
 * high/low): validation is downstream. Ranges inside the trailing 28 days use one
 * `outputsize=full` call; older ranges use one `month=YYYY-MM` call per month (at most 24).
 */
import { z } from 'zod';
import type { Bar, Quote } from '../../../shared/domain';
import type { Clock } from '../../clock';
import { fromNewYork, nyDateKey, toNewYork } from '../../time/newYork';
import { previousTradingDay, sessionForDay } from '../calendar';
import { getJson } from '../http';
import { fault, ok, type MarketDataProvider, type ProviderCapabilities, type ProviderResult } from '../provider';

export const ALPHAVANTAGE_REST_URL = 'https://www.alphavantage.co';
/** Wait after the per-second throttle message. */
export const AV_PER_SECOND_RETRY_MS = 1_000;
/** Wait after the legacy per-minute Note and any unrecognised Information message. */
export const AV_PER_MINUTE_RETRY_MS = 60_000;
/** Alpha Vantage does not say when the daily quota resets; we assume midnight US/Eastern. */
export const AV_DAILY_RESET_NOTE = 'daily limit assumed to reset at 00:00 US/Eastern';
/** `outputsize=full` without `month` covers about the trailing 30 days; stay inside it. */
export const AV_TRAILING_WINDOW_MS = 28 * 86_400_000;
export const AV_MAX_MONTHS_PER_REQUEST = 24;

const MS_MIN = 60_000;

export interface AlphaVantageOptions {
  apiKey: string;
  /** Default https://www.alphavantage.co */
  restUrl?: string;
  clock: Clock;
  /** Per request; default 10 s. */
  timeoutMs?: number;
}

// ---------------------------------------------------------------------------------------------
// Wire schemas: every value is a string

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NumStr = z.string().trim().regex(NUMBER_RE, 'not a number').transform(Number).pipe(z.number());
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TS_RE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

const GlobalQuote = z.object({
  '01. symbol': z.string(),
  '05. price': NumStr,
  '06. volume': NumStr.optional(),
  '07. latest trading day': z.string().regex(DATE_RE),
});

const IntradayRow = z.object({
  '1. open': NumStr,
  '2. high': NumStr,
  '3. low': NumStr,
  '4. close': NumStr,
  '5. volume': NumStr.pipe(z.number().nonnegative()),
});

const Intraday = z.object({
  'Meta Data': z.object({ '6. Time Zone': z.string() }).optional(),
  'Time Series (1min)': z.record(z.string(), IntradayRow),
});

function issues(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.')}: ${i.message}`)
    .join('; ');
}

// ---------------------------------------------------------------------------------------------
// Body classification

/** Milliseconds until the next 00:00 in New York (at least a minute). */
function untilNextNyMidnight(now: number): number {
  const { year, month, day } = toNewYork(now);
  return Math.max(MS_MIN, fromNewYork(year, month, day + 1) - now);
}

/** The throttling / entitlement text of an `Information` or `Note` body. */
function classifyNotice(text: string, now: number): ProviderResult<never> {
  const message = `Alpha Vantage: ${text.slice(0, 300)}`;
  // The per-second message also mentions the daily limit, so it is checked first.
  if (/per second|sparingly/i.test(text)) return fault('throttled', message, { retryAfterMs: AV_PER_SECOND_RETRY_MS });
  if (/per minute/i.test(text)) return fault('throttled', message, { retryAfterMs: AV_PER_MINUTE_RETRY_MS });
  if (/per day|daily/i.test(text)) {
    return fault('throttled', `${message} (${AV_DAILY_RESET_NOTE})`, { retryAfterMs: untilNextNyMidnight(now) });
  }
  if (/premium endpoint|demo purposes|demo api key/i.test(text)) return fault('unauthorized', message);
  return fault('throttled', message, { retryAfterMs: AV_PER_MINUTE_RETRY_MS });
}

/** A fault when the body is one of Alpha Vantage's HTTP-200 failure shapes, else null. */
function classifyBody(body: unknown, now: number): ProviderResult<never> | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return fault('malformed', 'Alpha Vantage: body is not a JSON object');
  }
  const b = body as Record<string, unknown>;
  const notice = b['Information'] ?? b['Note'];
  if (typeof notice === 'string') return classifyNotice(notice, now);
  const error = b['Error Message'];
  if (typeof error === 'string') {
    if (/apikey|api key/i.test(error) && /invalid|missing/i.test(error)) {
      return fault('unauthorized', `Alpha Vantage: ${error.slice(0, 300)}`);
    }
    return fault('malformed', `Alpha Vantage: ${error.slice(0, 300)}`);
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Adapter

export class AlphaVantageProvider implements MarketDataProvider {
  readonly name = 'alphavantage' as const;
  readonly capabilities: ProviderCapabilities = {
    stream: { trades: false, quotes: false, bars: false },
    latestQuote: true,
    historicalBars: true,
  };
  private readonly apiKey: string;
  private readonly restUrl: string;
  private readonly clock: Clock;
  private readonly timeoutMs: number;

  constructor(opts: AlphaVantageOptions) {
    this.apiKey = opts.apiKey;
    this.restUrl = (opts.restUrl ?? ALPHAVANTAGE_REST_URL).replace(/\/+$/, '');
    this.clock = opts.clock;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  async latestQuote(symbol: string, signal?: AbortSignal): Promise<ProviderResult<Quote>> {
    const r = await this.query({ function: 'GLOBAL_QUOTE', symbol }, signal);
    if (r.kind !== 'ok') return r;
    const body = r.value as Record<string, unknown>;
    const raw = body['Global Quote'];
    if (typeof raw !== 'object' || raw === null) return fault('malformed', 'Alpha Vantage: no "Global Quote" in body');
    if (Object.keys(raw).length === 0) return fault('malformed', `Alpha Vantage: unknown symbol ${symbol}`);
    const parsed = GlobalQuote.safeParse(raw);
    if (!parsed.success) return fault('malformed', `Alpha Vantage GLOBAL_QUOTE: ${issues(parsed.error)}`);
    const q = parsed.data;
    const day = q['07. latest trading day'];
    const now = this.clock.now();
    const staleness = this.stalenessOf(day, now);
    if (staleness) return fault('stale', `Alpha Vantage: ${symbol} quote is from ${day}; ${staleness}`);
    const price = q['05. price'];
    return ok({
      symbol,
      ts: Math.min(now, this.closeOf(day)),
      bid: price,
      bidSize: 0,
      ask: price,
      askSize: 0,
      last: price,
      provider: 'alphavantage',
    });
  }

  async historicalBars(
    symbol: string,
    fromMs: number,
    toMs: number,
    signal?: AbortSignal,
  ): Promise<ProviderResult<Bar[]>> {
    if (!(toMs > fromMs)) return ok([]);
    const months = fromMs >= this.clock.now() - AV_TRAILING_WINDOW_MS ? [undefined] : nyMonths(fromMs, toMs);
    if (months.length > AV_MAX_MONTHS_PER_REQUEST) {
      return fault(
        'malformed',
        `Alpha Vantage: range spans ${months.length} months; at most ${AV_MAX_MONTHS_PER_REQUEST}`,
      );
    }
    const byTs = new Map<number, Bar>();
    for (const month of months) {
      const params: Record<string, string> = {
        function: 'TIME_SERIES_INTRADAY',
        symbol,
        interval: '1min',
        outputsize: 'full',
        extended_hours: 'true',
      };
      if (month) params.month = month;
      const r = await this.query(params, signal);
      if (r.kind !== 'ok') return r;
      const bars = parseIntraday(r.value, symbol);
      if (bars.kind !== 'ok') return bars;
      for (const bar of bars.value) if (bar.ts >= fromMs && bar.ts < toMs) byTs.set(bar.ts, bar);
    }
    return ok([...byTs.values()].sort((a, b) => a.ts - b.ts));
  }

  /** GET /query and classify the body; ok carries a body that is not one of the failure shapes. */
  private async query(params: Record<string, string>, signal?: AbortSignal): Promise<ProviderResult<unknown>> {
    const qs = new URLSearchParams({ ...params, apikey: this.apiKey });
    const r = await getJson(`${this.restUrl}/query?${qs.toString()}`, { signal, timeoutMs: this.timeoutMs });
    if (r.kind !== 'ok') return r;
    const { status, body } = r.value;
    if (status !== 200) return fault('malformed', `Alpha Vantage: unexpected HTTP ${status}`, { status });
    return classifyBody(body, this.clock.now()) ?? ok(body);
  }

  /** Regular close of a New York date (16:00, or the calendar's early close). */
  private closeOf(dateKey: string): number {
    try {
      const session = sessionForDay(dateKey);
      if (session) return session.close;
    } catch {
      // Outside the calendar's years: fall through to the usual 16:00.
    }
    const [y, m, d] = dateKey.split('-').map(Number) as [number, number, number];
    return fromNewYork(y, m, d, 16, 0);
  }

  /** Why a quote of this trading day is stale at now, or null when it is current enough. */
  private stalenessOf(dateKey: string, now: number): string | null {
    let expected: string;
    try {
      expected = previousTradingDay(nyDateKey(now));
    } catch {
      return null;
    }
    return dateKey < expected ? `expected ${expected} or later` : null;
  }
}

/** 'YYYY-MM' of every New York month that [fromMs, toMs) touches. */
function nyMonths(fromMs: number, toMs: number): string[] {
  const first = toNewYork(fromMs);
  const last = toNewYork(toMs - 1);
  const out: string[] = [];
  for (let y = first.year, m = first.month; y < last.year || (y === last.year && m <= last.month);) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    if (++m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

function parseIntraday(body: unknown, symbol: string): ProviderResult<Bar[]> {
  const parsed = Intraday.safeParse(body);
  if (!parsed.success) return fault('malformed', `Alpha Vantage TIME_SERIES_INTRADAY: ${issues(parsed.error)}`);
  const tz = parsed.data['Meta Data']?.['6. Time Zone'];
  if (tz !== undefined && tz !== 'US/Eastern') {
    return fault('malformed', `Alpha Vantage: unexpected time zone ${JSON.stringify(tz)}`);
  }
  const bars: Bar[] = [];
  for (const [key, row] of Object.entries(parsed.data['Time Series (1min)'])) {
    const m = TS_RE.exec(key);
    if (!m) return fault('malformed', `Alpha Vantage: bad timestamp ${JSON.stringify(key)}`);
    const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) {
      return fault('malformed', `Alpha Vantage: bad timestamp ${JSON.stringify(key)}`);
    }
    bars.push({
      symbol,
      // US/Eastern wall clock → UTC. Trading minutes never fall in the repeated 01:00 hour.
      ts: fromNewYork(y, mo, d, h, mi) + s * 1000,
      o: row['1. open'],
      h: row['2. high'],
      l: row['3. low'],
      c: row['4. close'],
      v: row['5. volume'],
      provider: 'alphavantage',
    });
  }
  return ok(bars);
}
