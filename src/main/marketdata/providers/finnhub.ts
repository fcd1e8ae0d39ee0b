/**
 * Finnhub: the REST quote (`t` in seconds) and the trade stream (`t` in ms). Finnhub's quote has no
 * bid or ask, and its stream has no auth exchange: the token rides on the URL and a bad one is refused
 * at the upgrade with HTTP 401. `ping` frames carry no data but prove the socket is alive; the
 * subscription's `lastHeartbeatAt` (and the adapter's) records them.
 */
import { z } from 'zod';
import type { Clock } from '../../clock';
import { Quote as QuoteSchema, Trade as TradeSchema } from '../../../shared/domain';
import type { Quote, Trade } from '../../../shared/domain';
import { getJson } from '../http';
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
  EpochMsWire,
  Num,
  Size,
  StreamSession,
  checkDomain,
  describeIssues,
  secondsToMs,
  uniqueSymbols,
  type MonitoredSubscription,
} from './parse';

export const FINNHUB_REST_URL = 'https://finnhub.io';
export const FINNHUB_WS_URL = 'wss://ws.finnhub.io';

export interface FinnhubOptions {
  apiKey: string;
  restUrl?: string;
  wsUrl?: string;
  clock: Clock;
  /** Per REST request. Default 10 s. */
  timeoutMs?: number;
  /** For the WebSocket upgrade (Finnhub has no auth exchange after it). Default 10 s. */
  handshakeTimeoutMs?: number;
}

const QuoteBody = z.object({
  c: Num,
  // Null for a symbol Finnhub does not know (the rest of that body is zeros).
  d: Num.nullish(),
  dp: Num.nullish(),
  h: Num,
  l: Num,
  o: Num,
  pc: Num,
  t: z.number().int().nonnegative(),
});

const ErrorBody = z.object({ error: z.string() });

const Head = z.object({ type: z.string() });
const TradeItem = z.object({
  p: Num,
  s: z.string(),
  t: EpochMsWire,
  v: Size,
  c: z.array(z.string()).nullish(),
});
const TradeMsg = z.object({ type: z.literal('trade'), data: z.array(z.unknown()) });
const ErrorMsg = z.object({ type: z.literal('error'), msg: z.string() });

/**
 * Finnhub states errors only in words. Token/access wording means the key is the problem; limit
 * wording means capacity; anything else (say, an invalid symbol) is a refused request on a live
 * connection, so it is counted as malformed and the stream carries on.
 */
export function classifyFinnhubError(msg: string): FaultKind | 'non-fatal' {
  if (/token|api key|unauthori[sz]ed|access|permission|subscription required/i.test(msg)) return 'unauthorized';
  if (/limit|too many/i.test(msg)) return 'throttled';
  return 'non-fatal';
}

export class FinnhubProvider implements MarketDataProvider {
  readonly name = 'finnhub' as const;
  readonly capabilities: ProviderCapabilities = {
    stream: { trades: true, quotes: false, bars: false },
    latestQuote: true,
    // /stock/candle is a premium endpoint now; bars come from the other providers.
    historicalBars: false,
  };
  private readonly restUrl: string;
  private readonly wsUrl: string;
  private readonly timeoutMs: number;
  private readonly handshakeTimeoutMs: number;
  private heartbeatAt: number | null = null;

  constructor(private readonly opts: FinnhubOptions) {
    this.restUrl = (opts.restUrl ?? FINNHUB_REST_URL).replace(/\/+$/, '');
    this.wsUrl = opts.wsUrl ?? FINNHUB_WS_URL;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.handshakeTimeoutMs = opts.handshakeTimeoutMs ?? 10_000;
  }

  /** Clock time of the last frame (a `ping` or data) on any of this adapter's streams. */
  get lastHeartbeatAt(): number | null {
    return this.heartbeatAt;
  }

  /**
   * Finnhub's quote is a last price, not a book: we report `bid = ask = last = c` with sizes 0, so a
   * consumer sees a zero-size, zero-spread quote and can tell it carries no depth. `ts` is `t` (s) in ms.
   */
  async latestQuote(symbol: string, signal?: AbortSignal): Promise<ProviderResult<Quote>> {
    const q = new URLSearchParams({ symbol, token: this.opts.apiKey });
    const res = await getJson(`${this.restUrl}/api/v1/quote?${q.toString()}`, { signal, timeoutMs: this.timeoutMs });
    if (res.kind !== 'ok') return res;
    const stated = ErrorBody.safeParse(res.value.body);
    if (stated.success) {
      const kind = classifyFinnhubError(stated.data.error);
      return fault(kind === 'non-fatal' ? 'malformed' : kind, stated.data.error, { status: res.value.status });
    }
    if (res.value.status === 404) return fault('malformed', 'HTTP 404: not found', { status: 404 });
    const body = QuoteBody.safeParse(res.value.body);
    if (!body.success) return fault('malformed', `quote body: ${describeIssues(body.error)}`);
    const b = body.data;
    // Unknown symbols come back as HTTP 200 with every field 0 (and d/dp null): that is no price at all.
    if (b.c === 0 && b.t === 0) return fault('malformed', `no quote for ${symbol}: Finnhub answered all zeros`);
    const quote: Quote = {
      symbol,
      ts: secondsToMs(b.t),
      bid: b.c,
      bidSize: 0,
      ask: b.c,
      askSize: 0,
      last: b.c,
      provider: 'finnhub',
    };
    const checked = checkDomain(QuoteSchema, quote);
    return checked.ok ? ok(checked.value) : fault('malformed', `quote: ${checked.message}`);
  }

  stream(symbols: readonly string[], handlers: StreamHandlers): MonitoredSubscription {
    let wanted = uniqueSymbols(symbols);
    let url: string;
    try {
      const u = new URL(this.wsUrl);
      u.searchParams.set('token', this.opts.apiKey);
      url = u.toString();
    } catch {
      url = this.wsUrl; // StreamSession reports the bad URL as `down`.
    }
    const session: StreamSession = new StreamSession({
      url,
      handlers,
      clock: this.opts.clock,
      handshakeTimeoutMs: this.handshakeTimeoutMs,
      onHeartbeat: (at) => (this.heartbeatAt = at),
      onOpen: () => {
        // No auth exchange: an open socket means the token was accepted.
        for (const symbol of wanted) session.send({ type: 'subscribe', symbol });
        session.markConnected();
      },
      onFrame: (frame) => this.onFrame(frame, session, handlers),
    });
    return {
      setSymbols: (next) => {
        const nextList = uniqueSymbols(next);
        const removed = wanted.filter((s) => !nextList.includes(s));
        const added = nextList.filter((s) => !wanted.includes(s));
        wanted = nextList;
        if (!session.isConnected) return;
        for (const symbol of removed) session.send({ type: 'unsubscribe', symbol });
        for (const symbol of added) session.send({ type: 'subscribe', symbol });
      },
      close: () => session.close(),
      get lastHeartbeatAt() {
        return session.lastHeartbeatAt;
      },
    };
  }

  private onFrame(frame: unknown, session: StreamSession, handlers: StreamHandlers): void {
    const head = Head.safeParse(frame);
    if (!head.success) return handlers.onMalformed(`frame without a type: ${describeIssues(head.error)}`);
    switch (head.data.type) {
      case 'ping':
        return; // Liveness only; StreamSession already stamped lastHeartbeatAt.
      case 'trade': {
        const m = TradeMsg.safeParse(frame);
        if (!m.success) return handlers.onMalformed(`trade: ${describeIssues(m.error)}`);
        // One bad print does not spoil the others in the same frame.
        for (const item of m.data.data) {
          const t = TradeItem.safeParse(item);
          if (!t.success) {
            handlers.onMalformed(`trade item: ${describeIssues(t.error)}`);
            continue;
          }
          const trade: Trade = { symbol: t.data.s, ts: t.data.t, price: t.data.p, size: t.data.v, provider: 'finnhub' };
          const c = checkDomain(TradeSchema, trade);
          if (c.ok) handlers.onEvent({ type: 'trade', trade: c.value });
          else handlers.onMalformed(`trade item: ${c.message}`);
        }
        return;
      }
      case 'error': {
        const e = ErrorMsg.safeParse(frame);
        if (!e.success) return handlers.onMalformed(`error: ${describeIssues(e.error)}`);
        const kind = classifyFinnhubError(e.data.msg);
        if (kind === 'non-fatal') return handlers.onMalformed(`provider error: ${e.data.msg}`);
        return session.fail(kind, `error: ${e.data.msg}`);
      }
      default:
        return; // Other feeds (news, …) we never subscribe to.
    }
  }
}
