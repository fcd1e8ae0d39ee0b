/**
 * A Finnhub fake in the real wire format: the REST quote (`t` in seconds, an all-zero body for
 * unknown symbols, `{"error": …}` bodies) and the trade stream (`?token=` on the URL, subscribe /
 * unsubscribe per symbol, `trade` frames with `data[]`, `ping`, `error`).
 *
 * Finnhub refuses a bad token at the WebSocket upgrade with HTTP 401, which the shared harness
 * cannot do (it accepts every upgrade), so the stream side runs on its own small ws server here;
 * the harness serves REST with its fault knobs.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { FakeProviderServer, type HttpFault, type RouteAnswer, type RouteRequest } from './harness';

export interface FinnhubQuoteWire {
  c: number;
  d: number | null;
  dp: number | null;
  h: number;
  l: number;
  o: number;
  pc: number;
  /** Epoch seconds. */
  t: number;
}

export interface FinnhubTradeWire {
  s: string;
  p: number;
  v: number;
  /** Epoch ms. */
  t: number;
  c?: string[] | null;
}

const UNKNOWN_SYMBOL: FinnhubQuoteWire = { c: 0, d: null, dp: null, h: 0, l: 0, o: 0, pc: 0, t: 0 };

export class FakeFinnhub {
  readonly server: FakeProviderServer;
  /** Finnhub allows one stream per key; set 1 to have a second upgrade refused with 429. */
  maxConnections = Number.POSITIVE_INFINITY;
  /** Upgrades accepted so far. */
  connections = 0;
  /** HTTP statuses of refused upgrades, in order. */
  readonly refusedUpgrades: number[] = [];
  /** Every client message received on any socket, parsed. */
  readonly clientMessages: unknown[] = [];
  private readonly quotes = new Map<string, FinnhubQuoteWire>();
  private readonly subs = new Map<WebSocket, Set<string>>();
  private readonly wsHttp: http.Server;
  private readonly wss: WebSocketServer;

  private constructor(readonly token: string) {
    this.server = new FakeProviderServer({ routes: { 'GET /api/v1/quote': (r) => this.quoteRoute(r) } });
    this.wsHttp = http.createServer((_req, res) =>
      res.writeHead(426, { 'Content-Type': 'text/plain' }).end('Upgrade Required'),
    );
    this.wss = new WebSocketServer({
      server: this.wsHttp,
      verifyClient: (info, done) => {
        const url = new URL(info.req.url ?? '/', 'http://127.0.0.1');
        const refuse = (status: number, text: string) => {
          this.refusedUpgrades.push(status);
          done(false, status, text);
        };
        if (url.searchParams.get('token') !== this.token) return refuse(401, 'Unauthorized');
        if (this.subs.size >= this.maxConnections) return refuse(429, 'Too Many Requests');
        done(true);
      },
    });
    this.wss.on('connection', (ws) => this.onSocket(ws));
  }

  static async start(opts: { token?: string } = {}): Promise<FakeFinnhub> {
    const fake = new FakeFinnhub(opts.token ?? 'finnhub-test-token');
    await fake.server.start();
    await new Promise<void>((resolve) => fake.wsHttp.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get restUrl(): string {
    return this.server.restUrl;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${(this.wsHttp.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.dropSockets();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.wsHttp.closeAllConnections();
    await new Promise<void>((resolve) => this.wsHttp.close(() => resolve()));
    await this.server.stop();
  }

  // --- REST scripting -----------------------------------------------------------------------

  /** The quote for a symbol; unknown symbols get Finnhub's all-zero body. */
  setQuote(symbol: string, quote: FinnhubQuoteWire): void {
    this.quotes.set(symbol, quote);
  }

  /** 429 with Finnhub's body and a Retry-After (seconds), for `times` requests (default: until cleared). */
  throttleRest(retryAfterSeconds?: number, times?: number): void {
    this.server.setHttpFault({
      status: 429,
      body: { error: 'API limit reached. Please try again later. Remaining Limit: 0' },
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

  get subscribed(): Set<string> {
    const all = new Set<string>();
    for (const set of this.subs.values()) for (const s of set) all.add(s);
    return all;
  }

  get openSockets(): number {
    return this.subs.size;
  }

  /** One `trade` frame per socket, holding the prints for symbols that socket subscribed. */
  pushTrades(trades: FinnhubTradeWire[]): void {
    for (const [ws, set] of this.subs) {
      const data = trades.filter((t) => set.has(t.s)).map((t) => ({ c: null, ...t }));
      if (data.length) ws.send(JSON.stringify({ type: 'trade', data }));
    }
  }

  ping(): void {
    this.sendRaw({ type: 'ping' });
  }

  sendError(msg: string): void {
    this.sendRaw({ type: 'error', msg });
  }

  /** Any frame (object → JSON, string → sent as is, e.g. broken JSON) to every socket. */
  sendRaw(frame: unknown): void {
    const text = typeof frame === 'string' ? frame : JSON.stringify(frame);
    for (const ws of this.subs.keys()) ws.send(text);
  }

  /** Kills every stream socket without a close handshake, as a network drop would. */
  dropSockets(): void {
    for (const ws of this.subs.keys()) ws.terminate();
  }

  // --- internals ----------------------------------------------------------------------------

  private quoteRoute(r: RouteRequest): RouteAnswer {
    const token = r.query.get('token') ?? r.headers['x-finnhub-token'];
    if (token !== this.token) return { status: 401, body: { error: 'Invalid API key' } };
    const symbol = r.query.get('symbol');
    if (!symbol) return { status: 422, body: { error: 'Wrong symbol' } };
    return { body: this.quotes.get(symbol) ?? UNKNOWN_SYMBOL };
  }

  private onSocket(ws: WebSocket): void {
    this.connections++;
    const set = new Set<string>();
    this.subs.set(ws, set);
    ws.on('close', () => this.subs.delete(ws));
    ws.on('message', (data) => {
      let msg: { type?: unknown; symbol?: unknown };
      try {
        msg = JSON.parse(String(data)) as typeof msg;
      } catch {
        return ws.send(JSON.stringify({ type: 'error', msg: 'Invalid message' }));
      }
      this.clientMessages.push(msg);
      if (typeof msg.symbol !== 'string' || (msg.type !== 'subscribe' && msg.type !== 'unsubscribe')) {
        return ws.send(JSON.stringify({ type: 'error', msg: 'Invalid message' }));
      }
      if (msg.type === 'subscribe') set.add(msg.symbol);
      else set.delete(msg.symbol);
    });
  }
}
