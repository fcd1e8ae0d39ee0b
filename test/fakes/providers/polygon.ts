/**
 * A Polygon.io (Massive) fake that speaks the real wire format: aggregates with `next_url` cursor
 * pagination (pointing at api.polygon.io, like the real one, and without the key), last NBBO/trade
 * in ns, error bodies as Polygon writes them, and the WebSocket's JSON-array frames with the
 * connected → auth → subscribe status exchange. Tests script data and faults on it.
 */
import type { WebSocket } from 'ws';
import { FakeProviderServer, type HttpFault, type RouteAnswer, type RouteRequest } from './harness';

export interface PolygonAggWire {
  /** Bar start, epoch ms. */
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  /** May be a float such as 1.029145e+06. */
  v: number;
  vw?: number;
  n?: number;
}

/** /v2/last/nbbo results: lower case bid, upper case ask, `t` in ns. */
export interface PolygonNbboWire {
  T?: string;
  p: number;
  s: number;
  x?: number;
  P: number;
  S: number;
  X?: number;
  t: number;
  y?: number;
  q?: number;
  z?: number;
}

/** /v2/last/trade results, `t` in ns. */
export interface PolygonLastTradeWire {
  T?: string;
  p: number;
  s: number;
  x?: number;
  c?: number[];
  i?: string;
  t: number;
  y?: number;
  q?: number;
  z?: number;
}

export interface PolygonTradeEvent {
  sym: string;
  p: number;
  s: number;
  /** ms */
  t: number;
  i?: string;
  x?: number;
  c?: number[];
  z?: number;
  q?: number;
}

export interface PolygonQuoteEvent {
  sym: string;
  bp: number;
  bs: number;
  ap: number;
  as: number;
  /** ms */
  t: number;
  bx?: number;
  ax?: number;
  c?: number;
  z?: number;
  q?: number;
}

export interface PolygonAggEvent {
  ev?: 'AM' | 'A';
  sym: string;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  vw?: number;
  /** Bar start and end, ms. */
  s: number;
  e: number;
  av?: number;
  op?: number;
  a?: number;
  z?: number;
}

/**
 * What the fake answers to `{"action":"auth"}`:
 * - 'check': auth_success for the right key, auth_failed (then close) for any other;
 * - 'timeout': auth_timeout, then close;
 * - 'max_connections': max_connections, then close (the key's connection slots are taken);
 * - 'silent': nothing at all (the adapter's own handshake timeout must fire).
 */
export type PolygonAuthBehaviour = 'check' | 'timeout' | 'max_connections' | 'silent';

const REAL_BASE = 'https://api.polygon.io';

function requestId(): string {
  return Math.random().toString(16).slice(2, 18);
}

export class FakePolygon {
  readonly server: FakeProviderServer;
  /** Bars per page; a small value forces `next_url` pagination. */
  pageSize = 50_000;
  /** "OK" for real-time plans, "DELAYED" for the free one. */
  aggStatus: 'OK' | 'DELAYED' = 'OK';
  /** Host written into `next_url`; the real one names api.polygon.io whatever host you called. */
  nextUrlBase = REAL_BASE;
  authBehaviour: PolygonAuthBehaviour = 'check';
  /** Keys received in auth messages, in order. */
  readonly authAttempts: string[] = [];
  /** WebSocket connections accepted so far. */
  connections = 0;
  /** Every client message received on any socket, parsed. */
  readonly clientMessages: unknown[] = [];
  private readonly bars = new Map<string, PolygonAggWire[] | null>();
  private readonly nbbo = new Map<string, PolygonNbboWire>();
  private readonly lastTrades = new Map<string, PolygonLastTradeWire>();
  private readonly subs = new Map<WebSocket, Set<string>>();
  private readonly authed = new Set<WebSocket>();

  private constructor(readonly apiKey: string) {
    this.server = new FakeProviderServer({
      routes: {
        'GET /v2/aggs/ticker/:ticker/range/:mult/:span/:from/:to': (r) => this.aggs(r),
        'GET /v2/last/nbbo/:ticker': (r) => this.last(r, this.nbbo),
        'GET /v2/last/trade/:ticker': (r) => this.last(r, this.lastTrades),
      },
      onSocket: (ws) => this.onSocket(ws),
    });
  }

  static async start(opts: { apiKey?: string } = {}): Promise<FakePolygon> {
    const fake = new FakePolygon(opts.apiKey ?? 'polygon-test-key');
    await fake.server.start();
    return fake;
  }

  get restUrl(): string {
    return this.server.restUrl;
  }

  get wsUrl(): string {
    return `${this.server.wsUrl}/stocks`;
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  // --- REST scripting -----------------------------------------------------------------------

  /** Minute aggregates for a ticker; `null` makes every range answer `results: null`. */
  setBars(ticker: string, bars: PolygonAggWire[] | null): void {
    this.bars.set(ticker, bars);
  }

  setNbbo(ticker: string, nbbo: PolygonNbboWire): void {
    this.nbbo.set(ticker, { T: ticker, x: 11, X: 12, y: nbbo.t, q: 1, z: 3, ...nbbo });
  }

  setLastTrade(ticker: string, trade: PolygonLastTradeWire): void {
    this.lastTrades.set(ticker, { T: ticker, x: 4, c: [12], i: '52983525029461', y: trade.t, q: 1, z: 3, ...trade });
  }

  /** 429 with Polygon's body and a Retry-After (seconds), for `times` requests (default: until cleared). */
  throttleRest(retryAfterSeconds?: number, times?: number): void {
    this.server.setHttpFault({
      status: 429,
      body: {
        status: 'ERROR',
        request_id: requestId(),
        error:
          "You've exceeded the maximum requests per minute, please wait or upgrade your subscription to continue. https://polygon.io/pricing",
      },
      headers: retryAfterSeconds !== undefined ? { 'Retry-After': String(retryAfterSeconds) } : {},
      times,
    });
  }

  /** 403 NOT_AUTHORIZED as for data the plan does not include. */
  notEntitled(times?: number): void {
    this.server.setHttpFault({
      status: 403,
      body: {
        status: 'NOT_AUTHORIZED',
        request_id: requestId(),
        message: 'You are not entitled to this data. Please upgrade your plan at https://polygon.io/pricing',
      },
      times,
    });
  }

  /** Any harness fault: latency, status/body, raw broken JSON. */
  setHttpFault(f: HttpFault | null): void {
    this.server.setHttpFault(f);
  }

  get requests(): RouteRequest[] {
    return this.server.requests;
  }

  // --- WebSocket scripting ------------------------------------------------------------------

  /** Channels subscribed on any socket, e.g. "T.AAPL". */
  get subscribed(): Set<string> {
    const all = new Set<string>();
    for (const set of this.subs.values()) for (const c of set) all.add(c);
    return all;
  }

  get openSockets(): number {
    return this.server.sockets.size;
  }

  /** Sends a trade to sockets subscribed to T.<sym> (or T.*). */
  pushTrade(t: PolygonTradeEvent): void {
    this.toSubscribers('T', t.sym, {
      ev: 'T',
      x: 4,
      i: String(Math.floor(Math.random() * 1e12)),
      z: 3,
      c: [12, 37],
      q: 1,
      trfi: 0,
      trft: 0,
      ...t,
    });
  }

  pushQuote(q: PolygonQuoteEvent): void {
    this.toSubscribers('Q', q.sym, { ev: 'Q', bx: 11, ax: 12, c: 1, i: [], q: 1, z: 3, ...q });
  }

  /** Sends a minute bar (AM, the default) or a second bar (A). */
  pushBar(a: PolygonAggEvent): void {
    const ev = a.ev ?? 'AM';
    this.toSubscribers(ev, a.sym, { av: a.v, op: a.o, a: a.vw ?? a.c, z: 50, otc: false, ...a, ev });
  }

  /** A status message to every socket, e.g. sendStatus('max_connections', '…'). */
  sendStatus(status: string, message: string): void {
    this.server.broadcast([{ ev: 'status', status, message }]);
  }

  /** Any frame (object → JSON, string → sent as is, e.g. broken JSON) to every socket. */
  sendRaw(frame: unknown): void {
    this.server.broadcast(frame);
  }

  dropSockets(): void {
    this.server.dropSockets();
  }

  // --- internals ----------------------------------------------------------------------------

  private keyFault(r: RouteRequest): RouteAnswer | null {
    if (r.query.get('apiKey') === this.apiKey) return null;
    return { status: 401, body: { status: 'ERROR', request_id: requestId(), error: 'Unknown API Key' } };
  }

  private aggs(r: RouteRequest): RouteAnswer {
    const denied = this.keyFault(r);
    if (denied) return denied;
    const { ticker, mult, span, from, to } = r.params as Record<string, string>;
    if (mult !== '1' || span !== 'minute') {
      return { status: 400, body: { status: 'ERROR', request_id: requestId(), error: 'fake serves 1/minute only' } };
    }
    const fromMs = Number(from);
    const toMs = Number(to);
    if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) {
      return {
        status: 400,
        body: { status: 'ERROR', request_id: requestId(), error: 'Could not parse the time parameter' },
      };
    }
    // The cursor carries offset and limit, as Polygon's opaque cursor carries its query.
    const cursor = r.query.get('cursor');
    let offset = 0;
    let limit = Math.min(Number(r.query.get('limit') ?? 5000), 50_000);
    if (cursor) {
      const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { offset: number; limit: number };
      offset = decoded.offset;
      limit = decoded.limit;
    }
    const stored = this.bars.get(ticker!);
    const base = {
      ticker,
      adjusted: r.query.get('adjusted') !== 'false',
      status: this.aggStatus,
      request_id: requestId(),
    };
    if (stored === null) return { body: { ...base, queryCount: 0, resultsCount: 0, results: null } };
    // `to` is inclusive on Polygon.
    const inRange = (stored ?? []).filter((b) => b.t >= fromMs && b.t <= toMs).sort((a, b) => a.t - b.t);
    const size = Math.min(limit, this.pageSize);
    const page = inRange.slice(offset, offset + size);
    const body: Record<string, unknown> = { ...base, queryCount: page.length, resultsCount: page.length };
    if (page.length) body.results = page; // an unknown ticker gets no `results` key at all
    if (offset + size < inRange.length) {
      const next = Buffer.from(JSON.stringify({ offset: offset + size, limit })).toString('base64url');
      body.next_url = `${this.nextUrlBase}/v2/aggs/ticker/${ticker}/range/1/minute/${from}/${to}?cursor=${next}`;
    }
    return { body };
  }

  private last(r: RouteRequest, table: Map<string, object>): RouteAnswer {
    const denied = this.keyFault(r);
    if (denied) return denied;
    const found = table.get(r.params.ticker!);
    if (!found)
      return { status: 404, body: { status: 'NOT_FOUND', request_id: requestId(), message: 'Data not found.' } };
    return { body: { status: 'OK', request_id: requestId(), results: found } };
  }

  private toSubscribers(channel: string, sym: string, message: object): void {
    const text = JSON.stringify([message]);
    for (const [ws, set] of this.subs) {
      if (set.has(`${channel}.${sym}`) || set.has(`${channel}.*`)) ws.send(text);
    }
  }

  private status(ws: WebSocket, status: string, message: string): void {
    ws.send(JSON.stringify([{ ev: 'status', status, message }]));
  }

  private onSocket(ws: WebSocket): void {
    this.connections++;
    this.subs.set(ws, new Set());
    ws.on('close', () => {
      this.subs.delete(ws);
      this.authed.delete(ws);
    });
    this.status(ws, 'connected', 'Connected Successfully');
    ws.on('message', (data) => {
      let msg: { action?: unknown; params?: unknown };
      try {
        msg = JSON.parse(String(data)) as typeof msg;
      } catch {
        return this.status(ws, 'error', 'invalid JSON');
      }
      this.clientMessages.push(msg);
      const params = typeof msg.params === 'string' ? msg.params : '';
      if (msg.action === 'auth') return this.onAuth(ws, params);
      if (msg.action !== 'subscribe' && msg.action !== 'unsubscribe') {
        return this.status(ws, 'error', `unknown action: ${String(msg.action)}`);
      }
      if (!this.authed.has(ws)) return this.status(ws, 'error', 'not authorized');
      const set = this.subs.get(ws)!;
      for (const channel of params.split(',').filter(Boolean)) {
        if (msg.action === 'subscribe') {
          set.add(channel);
          this.status(ws, 'success', `subscribed to: ${channel}`);
        } else {
          set.delete(channel);
          this.status(ws, 'success', `unsubscribed to: ${channel}`);
        }
      }
    });
  }

  private onAuth(ws: WebSocket, key: string): void {
    this.authAttempts.push(key);
    switch (this.authBehaviour) {
      case 'silent':
        return;
      case 'timeout':
        this.status(ws, 'auth_timeout', 'authentication timed out');
        return ws.close(1008, 'auth timeout');
      case 'max_connections':
        this.status(
          ws,
          'max_connections',
          'Maximum number of websocket connections exceeded. You have reached the connection limit for your account. Please contact support at https://polygon.io/contact to increase your limit.',
        );
        return ws.close(1008, 'max connections');
      case 'check':
        if (key !== this.apiKey) {
          this.status(ws, 'auth_failed', 'authentication failed');
          return ws.close(1008, 'authentication failed');
        }
        this.authed.add(ws);
        return this.status(ws, 'auth_success', 'authenticated');
    }
  }
}
