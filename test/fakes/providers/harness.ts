/**
 * A local HTTP + WebSocket server for provider fakes. Each fake supplies its REST routes and its
 * WebSocket session logic; the harness adds the fault knobs every provider shares (latency, HTTP
 * status with body, malformed JSON, dropping sockets) so tests exercise the real adapters over
 * real sockets.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface HttpFault {
  /** Added before answering. */
  latencyMs?: number;
  /** Answer with this status and body instead of the route's. */
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send this raw text (e.g. broken JSON) with status 200. */
  raw?: string;
  /** How many requests it applies to; undefined = until cleared. */
  times?: number;
}

export interface RouteRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** Path parameters captured by `:name` segments. */
  params: Record<string, string>;
}

export type RouteAnswer = { status?: number; body: unknown; headers?: Record<string, string> };
export type Route = (req: RouteRequest) => RouteAnswer | Promise<RouteAnswer>;

export interface FakeServerOptions {
  /** e.g. { 'GET /v2/aggs/ticker/:ticker/range/1/minute/:from/:to': handler } */
  routes: Record<string, Route>;
  /** Called for each WebSocket connection on any path. */
  onSocket?: (ws: WebSocket, req: http.IncomingMessage) => void;
}

interface CompiledRoute {
  method: string;
  pattern: RegExp;
  names: string[];
  route: Route;
}

function compile(key: string, route: Route): CompiledRoute {
  const [method, path] = key.split(' ') as [string, string];
  const names: string[] = [];
  const pattern = new RegExp(
    '^' +
      path
        .split('/')
        .map((seg) =>
          seg.startsWith(':') ? (names.push(seg.slice(1)), '([^/]+)') : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
        )
        .join('/') +
      '$',
  );
  return { method, pattern, names, route };
}

export class FakeProviderServer {
  private readonly server: http.Server;
  private readonly wss: WebSocketServer;
  private readonly routes: CompiledRoute[];
  private httpFault: HttpFault | null = null;
  readonly requests: RouteRequest[] = [];
  readonly sockets = new Set<WebSocket>();
  port = 0;

  constructor(private readonly opts: FakeServerOptions) {
    this.routes = Object.entries(opts.routes).map(([k, r]) => compile(k, r));
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.wss = new WebSocketServer({ server: this.server });
    this.wss.on('connection', (ws, req) => {
      this.sockets.add(ws);
      ws.on('close', () => this.sockets.delete(ws));
      opts.onSocket?.(ws, req);
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get restUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** Applies to the next requests (all routes) until cleared or `times` runs out. */
  setHttpFault(f: HttpFault | null): void {
    this.httpFault = f;
  }

  /** Sends a frame to every connected socket. */
  broadcast(frame: unknown): void {
    const text = typeof frame === 'string' ? frame : JSON.stringify(frame);
    for (const ws of this.sockets) ws.send(text);
  }

  /** Kills every socket without a close handshake, as a network drop would. */
  dropSockets(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  async stop(): Promise<void> {
    this.dropSockets();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const f = this.httpFault;
    if (f) {
      if (f.times !== undefined && --f.times <= 0) this.httpFault = null;
      if (f.latencyMs) await new Promise((r) => setTimeout(r, f.latencyMs));
      if (f.raw !== undefined) {
        res.writeHead(200, { 'Content-Type': 'application/json', ...f.headers }).end(f.raw);
        return;
      }
      if (f.status !== undefined) {
        res.writeHead(f.status, { 'Content-Type': 'application/json', ...f.headers }).end(JSON.stringify(f.body ?? {}));
        return;
      }
    }
    for (const r of this.routes) {
      if (r.method !== req.method) continue;
      const m = r.pattern.exec(url.pathname);
      if (!m) continue;
      const params = Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
      const rr: RouteRequest = {
        method: req.method,
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        params,
      };
      this.requests.push(rr);
      const answer = await r.route(rr);
      res
        .writeHead(answer.status ?? 200, { 'Content-Type': 'application/json', ...answer.headers })
        .end(JSON.stringify(answer.body));
      return;
    }
    res
      .writeHead(404, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ error: `no fake route for ${req.method} ${url.pathname}` }));
  }
}
