/**
 * A fake Alpha Vantage: GET /query with GLOBAL_QUOTE and TIME_SERIES_INTRADAY (1min), speaking the
 * real wire format (string values, US/Eastern keys newest first, HTTP 200 for every failure).
 *
 * Scripting:
 * - `setQuote(symbol, fields)`: numbers are written as AV does ("123.4500"); strings pass as-is.
 *   Symbols with no quote answer `{"Global Quote": {}}`.
 * - `setIntraday(symbol, bars)`: bars with epoch-ms open times, rendered as US/Eastern keys.
 *   `setRawIntraday(symbol, series, meta)` writes the "Time Series (1min)" object verbatim.
 *   Unknown symbols answer the real "Invalid API call" Error Message.
 * - `respondWith(body, times)`: the next `times` answers are this body with HTTP 200 (e.g.
 *   `AV_BODIES.daily`); `throttle(kind, times)` is shorthand for the rate-limit bodies.
 * - `dailyLimit`: after that many calls, every call gets the daily-limit Information body.
 * - A wrong or missing apikey gets the real "apikey is invalid or missing" Error Message.
 * - `server.setHttpFault(...)` for latency, statuses, headers and broken JSON (harness knobs).
 */
import type { RouteAnswer, RouteRequest } from './harness';
import { FakeProviderServer } from './harness';
import { toNewYork } from '../../../src/main/time/newYork';

/** Texts as Alpha Vantage sends them (2024–2025 free plan, and the pre-2024 Note). */
export const AV_MESSAGES = {
  daily:
    'We have detected your API key as TESTKEY and our standard API rate limit is 25 requests per day. Please subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to instantly remove all daily rate limits.',
  perSecond:
    'Thank you for using Alpha Vantage! Please consider spreading out your free API requests more sparingly (1 request per second). You may subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to lift the free key rate limit (25 requests per day), raise the per-second burst limit, and enjoy other premium benefits.',
  legacyNote:
    'Thank you for using Alpha Vantage! Our standard API call frequency is 5 calls per minute and 500 calls per day. Please visit https://www.alphavantage.co/premium/ if you would like to target a higher API call frequency.',
  premium:
    'Thank you for using Alpha Vantage! This is a premium endpoint. You may subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to instantly unlock all premium endpoints',
  invalidKey:
    'the parameter apikey is invalid or missing. Please claim your free API key on (https://www.alphavantage.co/support/#api-key). It should take less than 20 seconds.',
  invalidCall: (fn: string): string =>
    `Invalid API call. Please retry or visit the documentation (https://www.alphavantage.co/documentation/) for ${fn}.`,
} as const;

export const AV_BODIES = {
  daily: { Information: AV_MESSAGES.daily },
  perSecond: { Information: AV_MESSAGES.perSecond },
  legacyNote: { Note: AV_MESSAGES.legacyNote },
  premium: { Information: AV_MESSAGES.premium },
} as const;

export type AvThrottleKind = 'daily' | 'perSecond' | 'legacyNote';

export interface AvQuoteFields {
  price: number | string;
  latestTradingDay: string;
  open?: number | string;
  high?: number | string;
  low?: number | string;
  volume?: number | string;
  previousClose?: number | string;
}

export interface AvBar {
  /** Bar open time, epoch ms. */
  ts: number;
  o: number | string;
  h: number | string;
  l: number | string;
  c: number | string;
  v: number | string;
}

type Row = Record<string, string>;

const px = (v: number | string): string => (typeof v === 'string' ? v : v.toFixed(4));
const qty = (v: number | string): string => (typeof v === 'string' ? v : String(Math.round(v)));
const pad = (n: number): string => String(n).padStart(2, '0');

/** "YYYY-MM-DD HH:MM:SS" in US/Eastern, as Alpha Vantage keys intraday rows. */
export function avEasternKey(ts: number): string {
  const p = toNewYork(ts);
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

export class FakeAlphaVantage {
  readonly server: FakeProviderServer;
  /** Total /query calls answered (including throttled ones). */
  calls = 0;
  dailyLimit: number | undefined;
  private readonly quotes = new Map<string, Row>();
  private readonly intraday = new Map<string, { series: Record<string, Row>; meta: Record<string, string> }>();
  private scripted: { body: unknown; times: number } | null = null;

  constructor(readonly apiKey = 'TESTKEY') {
    this.server = new FakeProviderServer({ routes: { 'GET /query': (req) => this.handle(req) } });
  }

  static async start(apiKey?: string): Promise<FakeAlphaVantage> {
    const fake = new FakeAlphaVantage(apiKey);
    await fake.server.start();
    return fake;
  }

  get restUrl(): string {
    return this.server.restUrl;
  }

  get requests(): RouteRequest[] {
    return this.server.requests;
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  /** Clears data, scripts, faults and counters between tests. */
  reset(): void {
    this.quotes.clear();
    this.intraday.clear();
    this.scripted = null;
    this.dailyLimit = undefined;
    this.calls = 0;
    this.server.requests.length = 0;
    this.server.setHttpFault(null);
  }

  setQuote(symbol: string, f: AvQuoteFields): void {
    const price = px(f.price);
    this.quotes.set(symbol, {
      '01. symbol': symbol,
      '02. open': px(f.open ?? f.price),
      '03. high': px(f.high ?? f.price),
      '04. low': px(f.low ?? f.price),
      '05. price': price,
      '06. volume': qty(f.volume ?? 1_234_567),
      '07. latest trading day': f.latestTradingDay,
      '08. previous close': px(f.previousClose ?? f.price),
      '09. change': '0.0000',
      '10. change percent': '0.0000%',
    });
  }

  setIntraday(symbol: string, bars: readonly AvBar[]): void {
    const series: Record<string, Row> = {};
    // Alpha Vantage lists newest first; object key order carries that on the wire.
    for (const b of [...bars].sort((a, z) => z.ts - a.ts)) {
      series[avEasternKey(b.ts)] = {
        '1. open': px(b.o),
        '2. high': px(b.h),
        '3. low': px(b.l),
        '4. close': px(b.c),
        '5. volume': qty(b.v),
      };
    }
    this.setRawIntraday(symbol, series);
  }

  setRawIntraday(symbol: string, series: Record<string, Row>, meta: Record<string, string> = {}): void {
    this.intraday.set(symbol, { series, meta });
  }

  respondWith(body: unknown, times = 1): void {
    this.scripted = { body, times };
  }

  throttle(kind: AvThrottleKind, times = 1): void {
    this.respondWith(AV_BODIES[kind], times);
  }

  private handle(req: RouteRequest): RouteAnswer {
    this.calls++;
    const q = req.query;
    if (q.get('apikey') !== this.apiKey) return { body: { 'Error Message': AV_MESSAGES.invalidKey } };
    if (this.scripted) {
      const { body } = this.scripted;
      if (--this.scripted.times <= 0) this.scripted = null;
      return { body };
    }
    if (this.dailyLimit !== undefined && this.calls > this.dailyLimit) return { body: AV_BODIES.daily };
    const fn = q.get('function') ?? '';
    const symbol = q.get('symbol') ?? '';
    if (fn === 'GLOBAL_QUOTE') return { body: { 'Global Quote': this.quotes.get(symbol) ?? {} } };
    if (fn === 'TIME_SERIES_INTRADAY') return this.intradayAnswer(q, symbol);
    return { body: { 'Error Message': `This API function (${fn}) does not exist.` } };
  }

  private intradayAnswer(q: URLSearchParams, symbol: string): RouteAnswer {
    const data = this.intraday.get(symbol);
    const interval = q.get('interval');
    if (!data || interval !== '1min') {
      return { body: { 'Error Message': AV_MESSAGES.invalidCall('TIME_SERIES_INTRADAY') } };
    }
    let entries = Object.entries(data.series);
    const month = q.get('month');
    if (month) entries = entries.filter(([k]) => k.startsWith(`${month}-`));
    const full = q.get('outputsize') === 'full';
    if (!full) entries = entries.slice(0, 100);
    return {
      body: {
        'Meta Data': {
          '1. Information': 'Intraday (1min) open, high, low, close prices and volume',
          '2. Symbol': symbol,
          '3. Last Refreshed': entries[0]?.[0] ?? '',
          '4. Interval': '1min',
          '5. Output Size': full ? 'Full size' : 'Compact',
          '6. Time Zone': 'US/Eastern',
          ...data.meta,
        },
        'Time Series (1min)': Object.fromEntries(entries),
      },
    };
  }
}
