/**
 * The contract over a loopback WebSocket, for headless mode and browsers. A client must present the
 * per-run token, and a browser must come from our own origin; frames are JSON as in docs/ipc.md.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../observability/logger';
import type { ContractServer } from './server';

export const WS_PATH = '/ws';
/** Larger frames are refused by ws itself (close 1009): no command needs more. */
export const MAX_FRAME_BYTES = 256 * 1024;
/** Requests one client may have unanswered; beyond it the client is flooding. */
export const MAX_IN_FLIGHT = 256;
/** A client that cannot keep up loses events rather than growing our memory without bound. */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export interface WsTransportOptions {
  http: Server;
  contract: ContractServer;
  token: string;
  /** Origins a browser may connect from: our own page's. */
  allowedOrigins: () => string[];
  log: Logger;
}

function tokenMatches(expected: string, given: string | null): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${text}\n`);
}

export function attachWsTransport({ http, contract, token, allowedOrigins, log }: WsTransportOptions): {
  clients: () => number;
  close: () => Promise<void>;
} {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== WS_PATH) return refuse(socket, 404, 'Not Found');
    if (!tokenMatches(token, url.searchParams.get('token'))) {
      log.warn({ remote: req.socket.remoteAddress }, 'websocket refused: bad or missing token');
      return refuse(socket, 401, 'Unauthorized');
    }
    const origin = req.headers.origin;
    // Non-browser clients send no Origin; a browser page from anywhere else must not drive the engine.
    if (origin !== undefined && !allowedOrigins().includes(origin)) {
      log.warn({ origin }, 'websocket refused: foreign origin');
      return refuse(socket, 403, 'Forbidden');
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveClient(ws));
  });

  function serveClient(ws: WebSocket): void {
    let inFlight = 0;
    const unsubscribe = contract.subscribe((frame) => {
      if (ws.readyState !== ws.OPEN || ws.bufferedAmount > MAX_BUFFERED_BYTES) return;
      ws.send(JSON.stringify(frame));
    });
    ws.on('message', async (data, isBinary) => {
      if (isBinary) {
        ws.send(JSON.stringify({ id: null, ok: false, error: { code: 'BAD_FRAME', message: 'frames are JSON text' } }));
        return;
      }
      if (inFlight >= MAX_IN_FLIGHT) {
        ws.send(
          JSON.stringify({
            id: null,
            ok: false,
            error: { code: 'UNAVAILABLE', message: 'too many requests in flight; slow down' },
          }),
        );
        return;
      }
      inFlight++;
      try {
        const reply = await contract.dispatchText(data.toString(), { surface: 'ui-ws' });
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
      } finally {
        inFlight--;
      }
    });
    ws.on('error', (err) => log.warn({ err }, 'websocket client error'));
    ws.on('close', unsubscribe);
  }

  return {
    clients: () => wss.clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}
