/**
 * A fake Yahoo Finance v8 chart endpoint: GET /v8/finance/chart/:symbol in the real shape
 * (`chart.result[0]` with `meta`, `timestamp` in seconds and parallel `indicators.quote[0]` arrays
 * where `null` marks a gap; `chart.error` with HTTP 404 for unknown symbols).
 *
 * Scripting:
 * - `setChart(symbol, { points, price, marketTime })`: points are bars (epoch-ms open times) or
 *   `{ ts, gap: true }` (all five values null) or partial nulls; `price`/`marketTime` (epoch ms)
 *   fill `meta.regularMarketPrice`/`regularMarketTime` (default: last close and its minute end).
 * - `setRawChart(symbol, body, status)`: answer verbatim.
 * - period1/period2 select points in [period1, period2); `range` returns everything. A span over
 *   7 days gets Yahoo's 422 "Only 7 days worth of 1m granularity data" error, as the real one does.
 * - `server.setHttpFault(...)` for latency, statuses, headers and broken JSON (harness knobs).
 * Yahoo has no API key; the fake records the User-Agent it was sent.
 */
import type { RouteAnswer, RouteRequest } from './harness';
import { FakeProviderServer } from './harness';
import { nyOffsetMs } from '../../../src/main/time/newYork';

export type YahooPoint =
  | { ts: number; o: number | null; h: number | null; l: number | null; c: number | null; v: number | null }
  | { ts: number; gap: true };

export interface YahooChartScript {
  points: readonly YahooPoint[];
  price?: number;
  /** Epoch ms of meta.regularMarketTime. */
  marketTime?: number;
  /** Extra or overriding meta fields. */
  meta?: Record<string, unknown>;
}

const SEVEN_DAYS_S = 7 * 86_400;

export class FakeYahoo {
  readonly server: FakeProviderServer;
  private readonly charts = new Map<string, YahooChartScript>();
  private readonly raw = new Map<string, RouteAnswer>();

  constructor() {
    this.server = new FakeProviderServer({
      routes: { 'GET /v8/finance/chart/:symbol': (req) => this.handle(req) },
    });
  }

  static async start(): Promise<FakeYahoo> {
    const fake = new FakeYahoo();
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

  reset(): void {
    this.charts.clear();
    this.raw.clear();
    this.server.requests.length = 0;
    this.server.setHttpFault(null);
  }

  setChart(symbol: string, script: YahooChartScript): void {
    this.charts.set(symbol, script);
  }

  setRawChart(symbol: string, body: unknown, status = 200): void {
    this.raw.set(symbol, { status, body });
  }

  private handle(req: RouteRequest): RouteAnswer {
    const symbol = req.params.symbol ?? '';
    const raw = this.raw.get(symbol);
    if (raw) return raw;
    const script = this.charts.get(symbol);
    if (!script) {
      return {
        status: 404,
        body: {
          chart: { result: null, error: { code: 'Not Found', description: 'No data found, symbol may be delisted' } },
        },
      };
    }
    const p1 = req.query.get('period1');
    const p2 = req.query.get('period2');
    let points = [...script.points].sort((a, b) => a.ts - b.ts);
    if (p1 !== null && p2 !== null) {
      const from = Number(p1);
      const to = Number(p2);
      if (req.query.get('interval') === '1m' && to - from > SEVEN_DAYS_S) {
        return {
          status: 422,
          body: {
            chart: {
              result: null,
              error: {
                code: 'Unprocessable Entity',
                description: `1m data not available for startTime=${from} and endTime=${to}. Only 7 days worth of 1m granularity data are allowed to be fetched per request.`,
              },
            },
          },
        };
      }
      points = points.filter((p) => p.ts >= from * 1000 && p.ts < to * 1000);
    }
    return { body: this.chartBody(symbol, script, points) };
  }

  private chartBody(symbol: string, script: YahooChartScript, points: YahooPoint[]): unknown {
    const bars = script.points.filter((p): p is Exclude<YahooPoint, { gap: true }> => !('gap' in p));
    const lastBar = bars.at(-1);
    const price = script.price ?? lastBar?.c ?? 0;
    const marketTime = script.marketTime ?? (lastBar ? lastBar.ts + 60_000 : 0);
    const offsetS = nyOffsetMs(marketTime) / 1000;
    const meta = {
      currency: 'USD',
      symbol,
      exchangeName: 'NMS',
      fullExchangeName: 'NasdaqGS',
      instrumentType: 'EQUITY',
      firstTradeDate: 917015400,
      regularMarketTime: Math.floor(marketTime / 1000),
      hasPrePostMarketData: true,
      gmtoffset: offsetS,
      timezone: offsetS === -14_400 ? 'EDT' : 'EST',
      exchangeTimezoneName: 'America/New_York',
      regularMarketPrice: price,
      chartPreviousClose: price,
      previousClose: price,
      scale: 3,
      priceHint: 2,
      dataGranularity: '1m',
      range: '',
      validRanges: ['1d', '5d', '1mo', '3mo', '6mo', '1y', '2y', '5y', '10y', 'ytd', 'max'],
      ...script.meta,
    };
    // No points: Yahoo leaves out `timestamp` and sends empty quote objects.
    if (points.length === 0) return { chart: { result: [{ meta, indicators: { quote: [{}] } }], error: null } };
    const col = (k: 'o' | 'h' | 'l' | 'c' | 'v'): (number | null)[] => points.map((p) => ('gap' in p ? null : p[k]));
    return {
      chart: {
        result: [
          {
            meta,
            timestamp: points.map((p) => Math.floor(p.ts / 1000)),
            indicators: {
              quote: [{ open: col('o'), high: col('h'), low: col('l'), close: col('c'), volume: col('v') }],
            },
          },
        ],
        error: null,
      },
    };
  }
}
