/**
 * Alpaca market data v2 (stocks): REST minute bars and latest quote, plus the stream (t trades,
 * q quotes, b minute bars). Timestamps are RFC-3339 strings with up to ns precision; they become
 * epoch ms, truncated. Stream errors arrive as `{"T":"error","code","msg"}` and end the session with
 * the fault kind in ALPACA_STREAM_ERRORS.
 */
import { z } from 'zod';
import type { Clock } from '../../clock';
import { Bar as BarSchema, Quote as QuoteSchema, Trade as TradeSchema } from '../../../shared/domain';
import type { Bar, Quote, Trade } from '../../../shared/domain';
import { getJson, type JsonResponse } from '../http';
import {
  fault,
  ok,
  type FaultKind,
  type MarketDataProvider,
  type ProviderCapabilities,
  type ProviderResult,
  type StreamHandlers,
} from '../provider';
import {
  Num,
  Rfc3339Ms,
  Size,
  StreamSession,
  checkDomain,
  describeIssues,
  uniqueSymbols,
  type MonitoredSubscription,
} from './parse';

export const ALPACA_REST_URL = 'https://data.alpaca.markets';
export const ALPACA_WS_URL = 'wss://stream.data.alpaca.markets/v2/iex';
export const ALPACA_SIP_WS_URL = 'wss://stream.data.alpaca.markets/v2/sip';

export type AlpacaFeed = 'iex' | 'sip';

export interface AlpacaOptions {
  apiKey: string;
  secret: string;
  restUrl?: string;
  /** The feed is part of the stream URL (…/v2/iex or …/v2/sip). */
  wsUrl?: string;
  clock: Clock;
  /** REST `feed` parameter. Default 'iex' (the free plan's). */
  feed?: AlpacaFeed;
  /** Per REST request. Default 10 s. */
  timeoutMs?: number;
  /** From dialling to `authenticated`. Default 10 s. */
  handshakeTimeoutMs?: number;
  /**
   * `retryAfterMs` on the `disconnected` status after error 406 (connection limit). Alpaca names no
   * wait; this is our floor against redialling into the same limit. Default 60 s.
   */
  connectionLimitBackoffMs?: number;
  /** Safety stop for `next_page_token` chains. Default 100 pages. */
  maxPages?: number;
}

/**
 * How each stream error code ends the session. Every code is fatal: the adapter closes and the
 * router's breaker decides about a retry. Our choices where the kind is a judgement:
 * - 401/402/404 (not authenticated, auth failed, auth timeout) and 408 (v2 not enabled) are about
 *   the account: unauthorized, never retried.
 * - 409 (insufficient subscription, e.g. SIP on a free plan) is an entitlement like Polygon's 403:
 *   unauthorized, because a retry cannot help.
 * - 405 (symbol limit), 406 (connection limit), 407 (slow client) are capacity limits: throttled.
 * - 400 (invalid syntax) and 403 (already authenticated) mean the two sides disagree about the
 *   protocol: malformed. 500 and unknown codes: down.
 */
export const ALPACA_STREAM_ERRORS: Readonly<Record<number, FaultKind>> = {
  400: 'malformed',
  401: 'unauthorized',
  402: 'unauthorized',
  403: 'malformed',
  404: 'unauthorized',
  405: 'throttled',
  406: 'throttled',
  407: 'throttled',
  408: 'unauthorized',
  409: 'unauthorized',
  500: 'down',
};

// --- REST wire formats -------------------------------------------------------------------------

const RestBar = z.object({
  t: Rfc3339Ms,
  o: Num,
  h: Num,
  l: Num,
  c: Num,
  v: Size,
  n: z.number().int().nonnegative().optional(),
  vw: Num.optional(),
});

const BarsBody = z.object({
  // A symbol or range without data gives `bars: null`.
  bars: z.array(RestBar).nullable(),
  symbol: z.string().optional(),
  next_page_token: z.string().nullish(),
});

const LatestQuoteBody = z.object({
  symbol: z.string().optional(),
  quote: z.object({ t: Rfc3339Ms, bp: Num, bs: Size, ap: Num, as: Size }),
});

const RestError = z.object({ message: z.string(), code: z.number().optional() });

// --- Stream wire formats -----------------------------------------------------------------------

const Head = z.object({ T: z.string() });
const SuccessMsg = z.object({ T: z.literal('success'), msg: z.string() });
const ErrorMsg = z.object({ T: z.literal('error'), code: z.number().int(), msg: z.string().optional() });
const TradeMsg = z.object({
  T: z.literal('t'),
  S: z.string(),
  i: z.union([z.number(), z.string()]).optional(),
  p: Num,
  s: Size,
  t: Rfc3339Ms,
});
const QuoteMsg = z.object({ T: z.literal('q'), S: z.string(), bp: Num, bs: Size, ap: Num, as: Size, t: Rfc3339Ms });
const BarMsg = z.object({
  T: z.literal('b'),
  S: z.string(),
  o: Num,
  h: Num,
  l: Num,
  c: Num,
  v: Size,
  t: Rfc3339Ms,
  n: z.number().int().nonnegative().optional(),
  vw: Num.optional(),
});

type Fault = Exclude<ProviderResult<never>, { kind: 'ok' }>;

function restFault(res: JsonResponse): Fault | null {
  if (res.status !== 404) return null;
  const e = RestError.safeParse(res.body);
  return fault('malformed', `HTTP 404: ${e.success ? e.data.message : 'not found'}`, { status: 404 }) as Fault;
}

export class AlpacaProvider implements MarketDataProvider {
  readonly name = 'alpaca' as const;
  readonly capabilities: ProviderCapabilities = {
    stream: { trades: true, quotes: true, bars: true },
    latestQuote: true,
    historicalBars: true,
  };
  private readonly restUrl: string;
  private readonly wsUrl: string;
  private readonly feed: AlpacaFeed;
  private readonly timeoutMs: number;
  private readonly handshakeTimeoutMs: number;
  private readonly maxPages: number;
  private heartbeatAt: number | null = null;

  constructor(private readonly opts: AlpacaOptions) {
    this.restUrl = (opts.restUrl ?? ALPACA_REST_URL).replace(/\/+$/, '');
    this.wsUrl = opts.wsUrl ?? ALPACA_WS_URL;
    this.feed = opts.feed ?? 'iex';
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
    const base = new URLSearchParams({
      timeframe: '1Min',
      start: new Date(fromMs).toISOString(),
      // Alpaca's `end` is inclusive; the filter below makes the range half-open.
      end: new Date(toMs).toISOString(),
      limit: '10000',
      // Split-adjusted, to match Polygon's adjusted=true so providers can be cross-checked.
      adjustment: 'split',
      feed: this.feed,
    });
    const bars: Bar[] = [];
    const tokens = new Set<string>();
    let pageToken: string | undefined;
    for (let page = 0; ; page++) {
      if (page >= this.maxPages) return fault('malformed', `next_page_token chain longer than ${this.maxPages} pages`);
      const q = new URLSearchParams(base);
      if (pageToken) q.set('page_token', pageToken);
      const res = await this.get(`/v2/stocks/${encodeURIComponent(symbol)}/bars?${q.toString()}`, signal);
      if (res.kind !== 'ok') return res;
      const stated = restFault(res.value);
      if (stated) return stated;
      const body = BarsBody.safeParse(res.value.body);
      if (!body.success) return fault('malformed', `bars body: ${describeIssues(body.error)}`);
      for (const b of body.data.bars ?? []) {
        if (b.t < fromMs || b.t >= toMs) continue;
        const bar: Bar = { symbol, ts: b.t, o: b.o, h: b.h, l: b.l, c: b.c, v: b.v, provider: 'alpaca' };
        if (b.vw !== undefined) bar.vw = b.vw;
        if (b.n !== undefined) bar.n = b.n;
        const checked = checkDomain(BarSchema, bar);
        if (!checked.ok) return fault('malformed', `bar at ${b.t}: ${checked.message}`);
        bars.push(checked.value);
      }
      const next = body.data.next_page_token;
      if (!next) break;
      if (tokens.has(next)) return fault('malformed', 'next_page_token repeats a page already read');
      tokens.add(next);
      pageToken = next;
    }
    bars.sort((a, b) => a.ts - b.ts);
    return ok(bars);
  }

  async latestQuote(symbol: string, signal?: AbortSignal): Promise<ProviderResult<Quote>> {
    const q = new URLSearchParams({ feed: this.feed });
    const res = await this.get(`/v2/stocks/${encodeURIComponent(symbol)}/quotes/latest?${q.toString()}`, signal);
    if (res.kind !== 'ok') return res;
    const stated = restFault(res.value);
    if (stated) return stated;
    const body = LatestQuoteBody.safeParse(res.value.body);
    if (!body.success) return fault('malformed', `latest quote body: ${describeIssues(body.error)}`);
    const r = body.data.quote;
    const quote: Quote = { symbol, ts: r.t, bid: r.bp, bidSize: r.bs, ask: r.ap, askSize: r.as, provider: 'alpaca' };
    const checked = checkDomain(QuoteSchema, quote);
    return checked.ok ? ok(checked.value) : fault('malformed', `latest quote: ${checked.message}`);
  }

  stream(symbols: readonly string[], handlers: StreamHandlers): MonitoredSubscription {
    let wanted = uniqueSymbols(symbols);
    const lists = (syms: readonly string[]) => ({ trades: [...syms], quotes: [...syms], bars: [...syms] });
    const session: StreamSession = new StreamSession({
      url: this.wsUrl,
      handlers,
      clock: this.opts.clock,
      handshakeTimeoutMs: this.handshakeTimeoutMs,
      onHeartbeat: (at) => (this.heartbeatAt = at),
      onFrame: (frame) => {
        if (!Array.isArray(frame)) {
          handlers.onMalformed('frame is not a JSON array');
          return;
        }
        for (const msg of frame) this.onMessage(msg, session, handlers, () => wanted);
      },
    });
    return {
      setSymbols: (next) => {
        const nextList = uniqueSymbols(next);
        const removed = wanted.filter((s) => !nextList.includes(s));
        const added = nextList.filter((s) => !wanted.includes(s));
        wanted = nextList;
        if (!session.isConnected) return;
        if (removed.length) session.send({ action: 'unsubscribe', ...lists(removed) });
        if (added.length) session.send({ action: 'subscribe', ...lists(added) });
      },
      close: () => session.close(),
      get lastHeartbeatAt() {
        return session.lastHeartbeatAt;
      },
    };
  }

  private onMessage(
    msg: unknown,
    session: StreamSession,
    handlers: StreamHandlers,
    wanted: () => readonly string[],
  ): void {
    const head = Head.safeParse(msg);
    if (!head.success) return handlers.onMalformed(`message without a type: ${describeIssues(head.error)}`);
    switch (head.data.T) {
      case 'success': {
        const s = SuccessMsg.safeParse(msg);
        if (!s.success) return handlers.onMalformed(`success: ${describeIssues(s.error)}`);
        if (s.data.msg === 'connected') {
          session.send({ action: 'auth', key: this.opts.apiKey, secret: this.opts.secret });
        } else if (s.data.msg === 'authenticated') {
          const syms = wanted();
          if (syms.length) {
            session.send({ action: 'subscribe', trades: [...syms], quotes: [...syms], bars: [...syms] });
          }
          session.markConnected();
        }
        return;
      }
      case 'error': {
        const e = ErrorMsg.safeParse(msg);
        if (!e.success) return handlers.onMalformed(`error: ${describeIssues(e.error)}`);
        const kind = ALPACA_STREAM_ERRORS[e.data.code] ?? 'down';
        const retryAfterMs = e.data.code === 406 ? (this.opts.connectionLimitBackoffMs ?? 60_000) : undefined;
        return session.fail(kind, `error ${e.data.code}: ${e.data.msg ?? ''}`, retryAfterMs);
      }
      case 'subscription':
        return; // The server's echo of the full lists; what we asked for is what we track.
      case 't': {
        const t = TradeMsg.safeParse(msg);
        if (!t.success) return handlers.onMalformed(`t: ${describeIssues(t.error)}`);
        const trade: Trade = { symbol: t.data.S, ts: t.data.t, price: t.data.p, size: t.data.s, provider: 'alpaca' };
        if (t.data.i !== undefined) trade.id = String(t.data.i);
        const c = checkDomain(TradeSchema, trade);
        return c.ok ? handlers.onEvent({ type: 'trade', trade: c.value }) : handlers.onMalformed(`t: ${c.message}`);
      }
      case 'q': {
        const q = QuoteMsg.safeParse(msg);
        if (!q.success) return handlers.onMalformed(`q: ${describeIssues(q.error)}`);
        const d = q.data;
        const quote: Quote = {
          symbol: d.S,
          ts: d.t,
          bid: d.bp,
          bidSize: d.bs,
          ask: d.ap,
          askSize: d.as,
          provider: 'alpaca',
        };
        const c = checkDomain(QuoteSchema, quote);
        return c.ok ? handlers.onEvent({ type: 'quote', quote: c.value }) : handlers.onMalformed(`q: ${c.message}`);
      }
      case 'b': {
        const b = BarMsg.safeParse(msg);
        if (!b.success) return handlers.onMalformed(`b: ${describeIssues(b.error)}`);
        const d = b.data;
        const bar: Bar = { symbol: d.S, ts: d.t, o: d.o, h: d.h, l: d.l, c: d.c, v: d.v, provider: 'alpaca' };
        if (d.vw !== undefined) bar.vw = d.vw;
        if (d.n !== undefined) bar.n = d.n;
        const c = checkDomain(BarSchema, bar);
        return c.ok ? handlers.onEvent({ type: 'bar', bar: c.value }) : handlers.onMalformed(`b: ${c.message}`);
      }
      default:
        return; // Channels we never subscribe to (updated/daily bars, statuses, LULD, corrections).
    }
  }

  private get(pathAndQuery: string, signal?: AbortSignal): Promise<ProviderResult<JsonResponse>> {
    return getJson(`${this.restUrl}${pathAndQuery}`, {
      signal,
      timeoutMs: this.timeoutMs,
      headers: { 'APCA-API-KEY-ID': this.opts.apiKey, 'APCA-API-SECRET-KEY': this.opts.secret },
    });
  }
}
