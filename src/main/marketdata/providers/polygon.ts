/**
 * Polygon.io (Massive) stocks: REST minute aggregates and last NBBO/trade, plus the WebSocket stream
 * (T trades, Q quotes, AM minute bars). Units differ by endpoint: aggregates and stream events are in
 * ms, the "last" endpoints in ns. Every body and frame is validated; provider trouble comes back as a
 * typed fault or a `disconnected` status, never as an exception.
 */
import { z } from 'zod';
import type { Clock } from '../../clock';
import { Bar as BarSchema, Quote as QuoteSchema, Trade as TradeSchema } from '../../../shared/domain';
import type { Bar, Quote, Trade } from '../../../shared/domain';
import { getJson, type JsonResponse } from '../http';
import {
  fault,
  ok,
  type MarketDataProvider,
  type ProviderCapabilities,
  type ProviderResult,
  type StreamHandlers,
} from '../provider';
import {
  EpochMsWire,
  Num,
  Size,
  StreamSession,
  checkDomain,
  domainQuoteProblem,
  domainTradeProblem,
  describeIssues,
  nsToMs,
  uniqueSymbols,
  type MonitoredSubscription,
} from './parse';

export const POLYGON_REST_URL = 'https://api.polygon.io';
export const POLYGON_WS_URL = 'wss://socket.polygon.io/stocks';
/** 15-minute delayed feed, for plans without real-time access. */
export const POLYGON_DELAYED_WS_URL = 'wss://delayed.polygon.io/stocks';

export interface PolygonOptions {
  apiKey: string;
  restUrl?: string;
  wsUrl?: string;
  clock: Clock;
  /** Per REST request. Default 10 s. */
  timeoutMs?: number;
  /** From dialling to `auth_success`. Default 10 s. */
  handshakeTimeoutMs?: number;
  /**
   * Also fetch /v2/last/trade to fill `Quote.last`. Off by default: it doubles the request count
   * (the free plan allows 5 a minute). When on, a failed last-trade call leaves `last` unset.
   */
  quoteWithLastTrade?: boolean;
  /**
   * `retryAfterMs` put on the `disconnected` status after `max_connections`. Polygon names no wait;
   * this is our own floor so the breaker does not redial into the same limit. Default 60 s.
   */
  maxConnectionsBackoffMs?: number;
  /** Safety stop for `next_url` chains. Default 100 pages (5 M bars). */
  maxPages?: number;
}

// --- REST wire formats -------------------------------------------------------------------------

const Agg = z.object({
  t: EpochMsWire,
  o: Num,
  h: Num,
  l: Num,
  c: Num,
  // Volume can arrive as a float such as 1.029145e+06.
  v: Size,
  vw: Num.optional(),
  n: z.number().int().nonnegative().optional(),
});

const AggsBody = z.object({
  status: z.string(),
  // An empty range gives `results: null`, an unknown ticker no `results` at all: both are no bars.
  results: z.array(Agg).nullish(),
  next_url: z.string().nullish(),
});

const NbboBody = z.object({
  status: z.string(),
  results: z.object({
    // Lower case is the bid, upper case the ask; `t` is SIP time in ns.
    p: Num,
    s: Size,
    P: Num,
    S: Size,
    t: z.number().nonnegative(),
  }),
});

const LastTradeBody = z.object({
  status: z.string(),
  results: z.object({
    p: Num,
    s: Size,
    t: z.number().nonnegative(),
    i: z.union([z.string(), z.number()]).optional(),
  }),
});

const ErrorBody = z.object({
  status: z.string(),
  error: z.string().optional(),
  message: z.string().optional(),
});

// --- WebSocket wire formats --------------------------------------------------------------------

const StatusMsg = z.object({ ev: z.literal('status'), status: z.string(), message: z.string().optional() });
const TradeMsg = z.object({
  ev: z.literal('T'),
  sym: z.string(),
  p: Num,
  s: Size,
  t: EpochMsWire,
  i: z.union([z.string(), z.number()]).optional(),
});
const QuoteMsg = z.object({
  ev: z.literal('Q'),
  sym: z.string(),
  bp: Num,
  bs: Size,
  ap: Num,
  as: Size,
  t: EpochMsWire,
});
const AggMsg = z.object({
  ev: z.enum(['AM', 'A']),
  sym: z.string(),
  o: Num,
  h: Num,
  l: Num,
  c: Num,
  v: Size,
  vw: Num.optional(),
  // Bar start and end, ms; the bar's ts is its start.
  s: EpochMsWire,
  e: EpochMsWire,
});

type Fault = Exclude<ProviderResult<never>, { kind: 'ok' }>;

/**
 * Polygon sometimes states trouble in the body (a 404 "NOT_FOUND", or an error status inside an
 * otherwise readable answer); turn that into the fault it means.
 */
function bodyFault(res: JsonResponse): Fault | null {
  const e = ErrorBody.safeParse(res.body);
  const text = e.success ? (e.data.error ?? e.data.message ?? e.data.status) : '';
  if (res.status === 404) {
    // No data for this ticker: not a price, and nothing a retry fixes soon.
    return fault('malformed', `HTTP 404: ${text || 'not found'}`, { status: 404 }) as Fault;
  }
  if (!e.success) return null;
  const status = e.data.status.toUpperCase();
  if (status === 'NOT_AUTHORIZED') return fault('unauthorized', text, { status: res.status }) as Fault;
  if (status === 'ERROR') {
    if (/exceeded|maximum requests|rate limit/i.test(text)) return fault('throttled', text) as Fault;
    if (/api key|unauthori[sz]ed|not entitled/i.test(text)) return fault('unauthorized', text) as Fault;
    return fault('down', `provider error: ${text}`) as Fault;
  }
  return null;
}

export class PolygonProvider implements MarketDataProvider {
  readonly name = 'polygon' as const;
  readonly capabilities: ProviderCapabilities = {
    stream: { trades: true, quotes: true, bars: true },
    latestQuote: true,
    historicalBars: true,
  };
  private readonly restUrl: string;
  private readonly wsUrl: string;
  private readonly timeoutMs: number;
  private readonly handshakeTimeoutMs: number;
  private readonly maxPages: number;
  private heartbeatAt: number | null = null;

  constructor(private readonly opts: PolygonOptions) {
    this.restUrl = (opts.restUrl ?? POLYGON_REST_URL).replace(/\/+$/, '');
    this.wsUrl = opts.wsUrl ?? POLYGON_WS_URL;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.handshakeTimeoutMs = opts.handshakeTimeoutMs ?? 10_000;
    this.maxPages = opts.maxPages ?? 100;
  }

  /** Clock time of the last frame on any of this adapter's streams (see MonitoredSubscription). */
  get lastHeartbeatAt(): number | null {
    return this.heartbeatAt;
  }

  async historicalBars(
    symbol: string,
    fromMs: number,
    toMs: number,
    signal?: AbortSignal,
  ): Promise<ProviderResult<Bar[]>> {
    if (!(toMs > fromMs)) return ok([]);
    // Polygon's `to` is inclusive; we filter to the half-open [fromMs, toMs) below.
    let url =
      `${this.restUrl}/v2/aggs/ticker/${encodeURIComponent(symbol)}/range/1/minute/${fromMs}/${toMs}` +
      `?adjusted=true&sort=asc&limit=50000`;
    const bars: Bar[] = [];
    const visited = new Set<string>();
    for (let page = 0; ; page++) {
      if (page >= this.maxPages) return fault('malformed', `next_url chain longer than ${this.maxPages} pages`);
      visited.add(url);
      const res = await this.get(url, signal);
      if (res.kind !== 'ok') return res;
      const stated = bodyFault(res.value);
      if (stated) return stated;
      const body = AggsBody.safeParse(res.value.body);
      if (!body.success) return fault('malformed', `aggregates body: ${describeIssues(body.error)}`);
      for (const a of body.data.results ?? []) {
        if (a.t < fromMs || a.t >= toMs) continue;
        const bar: Bar = { symbol, ts: a.t, o: a.o, h: a.h, l: a.l, c: a.c, v: a.v, provider: 'polygon' };
        if (a.vw !== undefined) bar.vw = a.vw;
        if (a.n !== undefined) bar.n = a.n;
        const checked = checkDomain(BarSchema, bar);
        if (!checked.ok) return fault('malformed', `bar at ${a.t}: ${checked.message}`);
        bars.push(checked.value);
      }
      const next = body.data.next_url;
      if (!next) break;
      const nextUrl = this.rebase(next);
      if (nextUrl === null) return fault('malformed', 'next_url is not a URL');
      if (visited.has(nextUrl)) return fault('malformed', 'next_url repeats a page already read');
      url = nextUrl;
    }
    bars.sort((a, b) => a.ts - b.ts);
    return ok(bars);
  }

  async latestQuote(symbol: string, signal?: AbortSignal): Promise<ProviderResult<Quote>> {
    const res = await this.get(`${this.restUrl}/v2/last/nbbo/${encodeURIComponent(symbol)}`, signal);
    if (res.kind !== 'ok') return res;
    const stated = bodyFault(res.value);
    if (stated) return stated;
    const body = NbboBody.safeParse(res.value.body);
    if (!body.success) return fault('malformed', `last NBBO body: ${describeIssues(body.error)}`);
    const r = body.data.results;
    const quote: Quote = {
      symbol,
      ts: nsToMs(r.t),
      bid: r.p,
      bidSize: r.s,
      ask: r.P,
      askSize: r.S,
      provider: 'polygon',
    };
    if (this.opts.quoteWithLastTrade) {
      const trade = await this.latestTrade(symbol, signal);
      if (trade.kind === 'ok') quote.last = trade.value.price;
    }
    const checked = checkDomain(QuoteSchema, quote);
    return checked.ok ? ok(checked.value) : fault('malformed', `last NBBO: ${checked.message}`);
  }

  /** The last trade (`/v2/last/trade`, `t` in ns). */
  async latestTrade(symbol: string, signal?: AbortSignal): Promise<ProviderResult<Trade>> {
    const res = await this.get(`${this.restUrl}/v2/last/trade/${encodeURIComponent(symbol)}`, signal);
    if (res.kind !== 'ok') return res;
    const stated = bodyFault(res.value);
    if (stated) return stated;
    const body = LastTradeBody.safeParse(res.value.body);
    if (!body.success) return fault('malformed', `last trade body: ${describeIssues(body.error)}`);
    const r = body.data.results;
    const trade: Trade = { symbol, ts: nsToMs(r.t), price: r.p, size: r.s, provider: 'polygon' };
    if (r.i !== undefined) trade.id = String(r.i);
    const checked = checkDomain(TradeSchema, trade);
    return checked.ok ? ok(checked.value) : fault('malformed', `last trade: ${checked.message}`);
  }

  stream(symbols: readonly string[], handlers: StreamHandlers): MonitoredSubscription {
    let wanted = uniqueSymbols(symbols);
    const channels = (syms: readonly string[]): string =>
      syms.flatMap((s) => [`T.${s}`, `Q.${s}`, `AM.${s}`]).join(',');
    const session: StreamSession = new StreamSession({
      url: this.wsUrl,
      handlers,
      clock: this.opts.clock,
      handshakeTimeoutMs: this.handshakeTimeoutMs,
      onHeartbeat: (at) => (this.heartbeatAt = at),
      onFrame: (frame) => {
        // Every Polygon frame is an array of messages; one bad message does not spoil the others.
        if (!Array.isArray(frame)) {
          handlers.onMalformed('frame is not a JSON array');
          return;
        }
        for (const msg of frame) this.onMessage(msg, session, handlers, () => channels(wanted));
      },
    });
    return {
      setSymbols: (next) => {
        const nextList = uniqueSymbols(next);
        const removed = wanted.filter((s) => !nextList.includes(s));
        const added = nextList.filter((s) => !wanted.includes(s));
        wanted = nextList;
        // Before auth_success the new list is simply what auth_success will subscribe.
        if (!session.isConnected) return;
        if (removed.length) session.send({ action: 'unsubscribe', params: channels(removed) });
        if (added.length) session.send({ action: 'subscribe', params: channels(added) });
      },
      close: () => session.close(),
      get lastHeartbeatAt() {
        return session.lastHeartbeatAt;
      },
    };
  }

  private onMessage(msg: unknown, session: StreamSession, handlers: StreamHandlers, subscription: () => string): void {
    // A plain check: this runs for every message on the hottest path we have.
    const ev = msg !== null && typeof msg === 'object' ? (msg as { ev?: unknown }).ev : undefined;
    if (typeof ev !== 'string') {
      handlers.onMalformed('message without an event type (ev)');
      return;
    }
    switch (ev) {
      case 'status': {
        const s = StatusMsg.safeParse(msg);
        if (!s.success) return handlers.onMalformed(`status: ${describeIssues(s.error)}`);
        const text = `${s.data.status}: ${s.data.message ?? ''}`;
        switch (s.data.status) {
          case 'connected':
            session.send({ action: 'auth', params: this.opts.apiKey });
            return;
          case 'auth_success': {
            const params = subscription();
            if (params) session.send({ action: 'subscribe', params });
            session.markConnected();
            return;
          }
          case 'auth_failed':
          case 'auth_timeout':
            return session.fail('unauthorized', text);
          case 'max_connections':
            // Another connection holds the key's slot: redialling at once only repeats this.
            return session.fail('throttled', text, this.opts.maxConnectionsBackoffMs ?? 60_000);
          case 'error':
            // A refused action (e.g. a channel the plan lacks); the connection itself lives on.
            return handlers.onMalformed(`provider error: ${text}`);
          default:
            return; // "success" per subscribed channel, and any status added later.
        }
      }
      case 'T': {
        // The busiest message of all: checked by hand, with the same rules as TradeMsg, and the
        // zod schema used only to explain a rejection.
        const m = msg as { sym?: unknown; p?: unknown; s?: unknown; t?: unknown; i?: unknown };
        const i = m.i;
        if (
          typeof m.sym !== 'string' ||
          typeof m.p !== 'number' ||
          typeof m.s !== 'number' ||
          !(m.s >= 0) ||
          typeof m.t !== 'number' ||
          !Number.isInteger(m.t) ||
          m.t < 0 ||
          (i !== undefined && typeof i !== 'string' && typeof i !== 'number')
        ) {
          const t = TradeMsg.safeParse(msg);
          return handlers.onMalformed(`T: ${t.success ? 'invalid trade' : describeIssues(t.error)}`);
        }
        const trade: Trade = { symbol: m.sym, ts: m.t, price: m.p, size: m.s, provider: 'polygon' };
        if (i !== undefined) trade.id = String(i);
        const problem = domainTradeProblem(trade);
        return problem ? handlers.onMalformed(`T: ${problem}`) : handlers.onEvent({ type: 'trade', trade });
      }
      case 'Q': {
        const q = QuoteMsg.safeParse(msg);
        if (!q.success) return handlers.onMalformed(`Q: ${describeIssues(q.error)}`);
        const d = q.data;
        const quote: Quote = {
          symbol: d.sym,
          ts: d.t,
          bid: d.bp,
          bidSize: d.bs,
          ask: d.ap,
          askSize: d.as,
          provider: 'polygon',
        };
        const problem = domainQuoteProblem(quote);
        return problem ? handlers.onMalformed(`Q: ${problem}`) : handlers.onEvent({ type: 'quote', quote });
      }
      case 'AM':
      case 'A': {
        // A (second bars) arrives only if someone subscribes A.*; we subscribe AM. Both map to Bar.
        const a = AggMsg.safeParse(msg);
        if (!a.success) return handlers.onMalformed(`${ev}: ${describeIssues(a.error)}`);
        const d = a.data;
        const bar: Bar = { symbol: d.sym, ts: d.s, o: d.o, h: d.h, l: d.l, c: d.c, v: d.v, provider: 'polygon' };
        if (d.vw !== undefined) bar.vw = d.vw;
        const c = checkDomain(BarSchema, bar);
        return c.ok ? handlers.onEvent({ type: 'bar', bar: c.value }) : handlers.onMalformed(`${d.ev}: ${c.message}`);
      }
      default:
        return; // Channels we never subscribe to (LULD, FMV, …) are not errors.
    }
  }

  private get(url: string, signal?: AbortSignal): Promise<ProviderResult<JsonResponse>> {
    const keyed = `${url}${url.includes('?') ? '&' : '?'}apiKey=${encodeURIComponent(this.opts.apiKey)}`;
    return getJson(keyed, { signal, timeoutMs: this.timeoutMs });
  }

  /**
   * `next_url` names api.polygon.io and omits the key. We keep only its path and cursor and put them on
   * our configured base, so the key is only ever sent where we were told to send it.
   */
  private rebase(nextUrl: string): string | null {
    let u: URL;
    try {
      u = new URL(nextUrl, `${this.restUrl}/`);
    } catch {
      return null;
    }
    u.searchParams.delete('apiKey');
    const basePath = new URL(`${this.restUrl}/`).pathname.replace(/\/$/, '');
    const path = u.pathname.startsWith(`${basePath}/`) ? u.pathname.slice(basePath.length) : u.pathname;
    return `${this.restUrl}${path}${u.search}`;
  }
}
