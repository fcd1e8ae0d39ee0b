/**
 * An Alpaca market data v2 fake in the real wire format: REST bars with `next_page_token` paging and
 * key/secret headers, the latest quote, and the stream's JSON-array frames (connected → auth →
 * authenticated → subscribe → subscription) with Alpaca's numbered errors. Times are RFC-3339
 * strings with up to ns precision, as Alpaca sends them.
 */
import type { WebSocket } from 'ws';
import { FakeProviderServer, type HttpFault, type RouteAnswer, type RouteRequest } from './harness';

/** RFC-3339 with ns precision, as Alpaca writes it: alpacaTime(ms, 456789) → "…T14:30:00.123456789Z". */
export function alpacaTime(ms: number, extraNs = 0): string {
  const iso = new Date(ms).toISOString(); // always "….mmmZ"
  return extraNs ? `${iso.slice(0, -1)}${String(extraNs).padStart(6, '0')}Z` : iso;
}

export interface AlpacaBarWire {
  t: string;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  n?: number;
  vw?: number;
}

export interface AlpacaQuoteWire {
  t: string;
  bp: number;
  bs: number;
  ap: number;
  as: number;
  bx?: string;
  ax?: string;
  c?: string[];
  z?: string;
}

export interface AlpacaTradeEvent {
  S: string;
  p: number;
  s: number;
  t: string;
  i?: number;
  x?: string;
  c?: string[];
  z?: string;
}

export interface AlpacaQuoteEvent extends AlpacaQuoteWire {
  S: string;
}

export interface AlpacaBarEvent extends AlpacaBarWire {
  S: string;
}

/**
 * What the fake answers to `{"action":"auth"}`:
 * - 'check': `authenticated` for the right key and secret, error 402 "auth failed" otherwise;
 * - 'connection_limit': error 406 "connection limit exceeded", then close;
 * - 'silent': nothing (the adapter's own handshake timeout must fire).
 */
export type AlpacaAuthBehaviour = 'check' | 'connection_limit' | 'silent';

type Channel = 'trades' | 'quotes' | 'bars';
const CHANNELS: Channel[] = ['trades', 'quotes', 'bars'];

interface Session {
  authed: boolean;
  subs: Record<Channel, Set<string>>;
}

export class FakeAlpaca {
  readonly server: FakeProviderServer;
  /** Bars per page; a small value forces `next_page_token` paging. */
  pageSize = 10_000;
  authBehaviour: AlpacaAuthBehaviour = 'check';
  /** Distinct symbols one connection may subscribe; beyond it, error 405. */
  symbolLimit = Number.POSITIVE_INFINITY;
  /** False: subscriptions get error 409 (insufficient subscription) and REST `feed=sip` a 403. */
  entitled = true;
  readonly authAttempts: Array<{ key: unknown; secret: unknown }> = [];
  connections = 0;
  /** Every client message received on any socket, parsed. */
  readonly clientMessages: unknown[] = [];
  private readonly bars = new Map<string, AlpacaBarWire[] | null>();
  private readonly quotes = new Map<string, AlpacaQuoteWire>();
  private readonly sessions = new Map<WebSocket, Session>();

  private constructor(
    readonly key: string,
    readonly secret: string,
  ) {
    this.server = new FakeProviderServer({
      routes: {
        'GET /v2/stocks/:symbol/bars': (r) => this.barsRoute(r),
        'GET /v2/stocks/:symbol/quotes/latest': (r) => this.latestQuoteRoute(r),
      },
      onSocket: (ws) => this.onSocket(ws),
    });
  }

  static async start(opts: { key?: string; secret?: string } = {}): Promise<FakeAlpaca> {
    const fake = new FakeAlpaca(opts.key ?? 'AKTESTKEY', opts.secret ?? 'alpaca-test-secret');
    await fake.server.start();
    return fake;
  }

  get restUrl(): string {
    return this.server.restUrl;
  }

  get wsUrl(): string {
    return `${this.server.wsUrl}/v2/iex`;
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  // --- REST scripting -----------------------------------------------------------------------

  /** Minute bars for a symbol; `null` (or nothing in range) answers `bars: null`, as Alpaca does. */
  setBars(symbol: string, bars: AlpacaBarWire[] | null): void {
    this.bars.set(symbol, bars);
  }

  setLatestQuote(symbol: string, quote: AlpacaQuoteWire): void {
    this.quotes.set(symbol, { bx: 'V', ax: 'V', c: ['R'], z: 'C', ...quote });
  }

  /** 429 with Alpaca's body and a Retry-After (seconds), for `times` requests (default: until cleared). */
  throttleRest(retryAfterSeconds?: number, times?: number): void {
    this.server.setHttpFault({
      status: 429,
      body: { message: 'too many requests.' },
      headers: retryAfterSeconds !== undefined ? { 'Retry-After': String(retryAfterSeconds) } : {},
      times,
    });
  }

  setHttpFault(f: HttpFault | null): void {
    this.server.setHttpFault(f);
  }

  get requests(): RouteRequest[] {
    return this.server.requests;
  }

  // --- stream scripting ---------------------------------------------------------------------

  /** Symbols subscribed per channel, over all sockets. */
  get subscribed(): Record<Channel, Set<string>> {
    const all = { trades: new Set<string>(), quotes: new Set<string>(), bars: new Set<string>() };
    for (const s of this.sessions.values()) for (const c of CHANNELS) for (const sym of s.subs[c]) all[c].add(sym);
    return all;
  }

  get openSockets(): number {
    return this.server.sockets.size;
  }

  pushTrade(t: AlpacaTradeEvent): void {
    this.toSubscribers('trades', t.S, {
      T: 't',
      i: Math.floor(Math.random() * 1e12),
      x: 'V',
      c: ['@'],
      z: 'C',
      ...t,
    });
  }

  pushQuote(q: AlpacaQuoteEvent): void {
    this.toSubscribers('quotes', q.S, { T: 'q', bx: 'V', ax: 'V', c: ['R'], z: 'C', ...q });
  }

  pushBar(b: AlpacaBarEvent): void {
    this.toSubscribers('bars', b.S, { T: 'b', n: 10, vw: b.c, ...b });
  }

  /** `[{"T":"error","code":code,"msg":msg}]` to every socket; `close` then closes them as the server would. */
  sendError(code: number, msg: string, opts: { close?: boolean } = {}): void {
    for (const ws of this.server.sockets) {
      this.error(ws, code, msg);
      if (opts.close) ws.close(1008, msg);
    }
  }

  /** Any frame (object → JSON, string → sent as is, e.g. broken JSON) to every socket. */
  sendRaw(frame: unknown): void {
    this.server.broadcast(frame);
  }

  dropSockets(): void {
    this.server.dropSockets();
  }

  // --- internals ----------------------------------------------------------------------------

  private authFault(r: RouteRequest): RouteAnswer | null {
    if (r.headers['apca-api-key-id'] === this.key && r.headers['apca-api-secret-key'] === this.secret) return null;
    return { status: 401, body: { message: 'unauthorized.' } };
  }

  private barsRoute(r: RouteRequest): RouteAnswer {
    const denied = this.authFault(r);
    if (denied) return denied;
    if (r.query.get('timeframe') !== '1Min')
      return { status: 422, body: { code: 42210000, message: 'invalid timeframe' } };
    const start = Date.parse(r.query.get('start') ?? '');
    const end = r.query.has('end') ? Date.parse(r.query.get('end')!) : Number.POSITIVE_INFINITY;
    if (Number.isNaN(start) || Number.isNaN(end))
      return { status: 422, body: { code: 42210000, message: 'invalid start or end' } };
    if (r.query.get('feed') === 'sip' && !this.entitled) {
      return { status: 403, body: { message: 'subscription does not permit querying recent SIP data' } };
    }
    const limit = Math.min(Number(r.query.get('limit') ?? 1000), 10_000);
    const token = r.query.get('page_token');
    const offset = token ? Number(Buffer.from(token, 'base64url').toString()) : 0;
    const symbol = r.params.symbol!;
    // Alpaca's start and end are both inclusive.
    const inRange = (this.bars.get(symbol) ?? [])
      .filter((b) => Date.parse(b.t) >= start && Date.parse(b.t) <= end)
      .sort((a, b) => Date.parse(a.t) - Date.parse(b.t));
    const size = Math.min(limit, this.pageSize);
    const page = inRange.slice(offset, offset + size);
    const more = offset + size < inRange.length;
    return {
      body: {
        bars: page.length ? page : null,
        symbol,
        next_page_token: more ? Buffer.from(String(offset + size)).toString('base64url') : null,
      },
    };
  }

  private latestQuoteRoute(r: RouteRequest): RouteAnswer {
    const denied = this.authFault(r);
    if (denied) return denied;
    const quote = this.quotes.get(r.params.symbol!);
    if (!quote) return { status: 404, body: { message: 'no quote found' } };
    return { body: { symbol: r.params.symbol, quote } };
  }

  private toSubscribers(channel: Channel, symbol: string, message: object): void {
    const text = JSON.stringify([message]);
    for (const [ws, s] of this.sessions) {
      if (s.subs[channel].has(symbol) || s.subs[channel].has('*')) ws.send(text);
    }
  }

  private error(ws: WebSocket, code: number, msg: string): void {
    ws.send(JSON.stringify([{ T: 'error', code, msg }]));
  }

  private onSocket(ws: WebSocket): void {
    this.connections++;
    const session: Session = { authed: false, subs: { trades: new Set(), quotes: new Set(), bars: new Set() } };
    this.sessions.set(ws, session);
    ws.on('close', () => this.sessions.delete(ws));
    ws.send(JSON.stringify([{ T: 'success', msg: 'connected' }]));
    ws.on('message', (data) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(String(data)) as Record<string, unknown>;
      } catch {
        return this.error(ws, 400, 'invalid syntax');
      }
      this.clientMessages.push(msg);
      if (msg.action === 'auth') return this.onAuth(ws, session, msg);
      if (msg.action === 'subscribe' || msg.action === 'unsubscribe') return this.onSubscribe(ws, session, msg);
      return this.error(ws, 400, 'invalid syntax');
    });
  }

  private onAuth(ws: WebSocket, session: Session, msg: Record<string, unknown>): void {
    this.authAttempts.push({ key: msg.key, secret: msg.secret });
    if (session.authed) return this.error(ws, 403, 'already authenticated');
    switch (this.authBehaviour) {
      case 'silent':
        return;
      case 'connection_limit':
        this.error(ws, 406, 'connection limit exceeded');
        return ws.close(1008, 'connection limit exceeded');
      case 'check':
        if (msg.key !== this.key || msg.secret !== this.secret) return this.error(ws, 402, 'auth failed');
        session.authed = true;
        ws.send(JSON.stringify([{ T: 'success', msg: 'authenticated' }]));
    }
  }

  private onSubscribe(ws: WebSocket, session: Session, msg: Record<string, unknown>): void {
    if (!session.authed) return this.error(ws, 401, 'not authenticated');
    if (msg.action === 'subscribe' && !this.entitled) return this.error(ws, 409, 'insufficient subscription');
    const next = {
      trades: new Set(session.subs.trades),
      quotes: new Set(session.subs.quotes),
      bars: new Set(session.subs.bars),
    };
    for (const c of CHANNELS) {
      const list = msg[c];
      if (list === undefined) continue;
      if (!Array.isArray(list) || !list.every((s) => typeof s === 'string'))
        return this.error(ws, 400, 'invalid syntax');
      for (const s of list as string[]) {
        if (msg.action === 'subscribe') next[c].add(s);
        else next[c].delete(s);
      }
    }
    const distinct = new Set(CHANNELS.flatMap((c) => [...next[c]]));
    if (distinct.size > this.symbolLimit) return this.error(ws, 405, 'symbol limit exceeded');
    session.subs = next;
    // The answer always carries the full current lists.
    ws.send(
      JSON.stringify([
        {
          T: 'subscription',
          trades: [...next.trades],
          quotes: [...next.quotes],
          bars: [...next.bars],
          updatedBars: [],
          dailyBars: [],
          statuses: [],
          lulds: [],
          corrections: [],
          cancelErrors: [],
        },
      ]),
    );
  }
}
