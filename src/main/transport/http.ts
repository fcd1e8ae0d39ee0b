/**
 * Headless mode's HTTP side: the built renderer as static files, and /healthz for monitors.
 * Bound to 127.0.0.1 only; the WebSocket bridge shares this server.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** The page may talk only to its own origin and this server's WebSocket. */
export function contentSecurityPolicy(wsPort?: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    wsPort === undefined
      ? "connect-src 'self'"
      : `connect-src 'self' ws://127.0.0.1:${wsPort} ws://localhost:${wsPort}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** A route answers JSON (any value) or, with `text`, a text body such as Prometheus metrics. */
export type Route = () => unknown | Promise<unknown>;
export interface TextBody {
  text: string;
  contentType: string;
}

function isTextBody(v: unknown): v is TextBody {
  return (
    !!v &&
    typeof v === 'object' &&
    typeof (v as TextBody).text === 'string' &&
    typeof (v as TextBody).contentType === 'string'
  );
}

export interface HttpOptions {
  rendererDir: string;
  routes: Record<string, Route>;
  port: () => number;
}

export function createHttpServer({ rendererDir, routes, port }: HttpOptions): http.Server {
  const root = path.resolve(rendererDir);
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const route = routes[url.pathname];
    if (route) {
      Promise.resolve()
        .then(route)
        .then(
          (value) => {
            if (isTextBody(value)) {
              res.writeHead(200, { 'Content-Type': value.contentType, 'Cache-Control': 'no-store' }).end(value.text);
            } else {
              res
                .writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
                .end(JSON.stringify(value));
            }
          },
          (err: Error) => {
            res
              .writeHead(500, { 'Content-Type': 'application/json' })
              .end(JSON.stringify({ status: 'error', message: err.message }));
          },
        );
      return;
    }
    const rel = url.pathname === '/' ? '/index.html' : decodeURIComponent(url.pathname);
    const file = path.resolve(root, `.${rel}`);
    // Never serve outside the renderer dir, whatever the path says.
    if (file !== root && !file.startsWith(root + path.sep)) {
      res.writeHead(404).end();
      return;
    }
    fs.readFile(file, (err, data) => {
      if (err) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found');
        return;
      }
      const type = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
      const headers: Record<string, string> = { 'Content-Type': type };
      if (type.startsWith('text/html')) {
        headers['Content-Security-Policy'] = contentSecurityPolicy(port());
        headers['Cache-Control'] = 'no-store';
      }
      res.writeHead(200, headers).end(req.method === 'HEAD' ? undefined : data);
    });
  });
}
