import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { contentSecurityPolicy, createHttpServer } from '../../src/main/transport/http';
import { tempDir } from '../helpers/tmp';

/** directive name → its sources, failing on a directive given twice (the browser would ignore the second). */
function directives(policy: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (!name) continue;
    expect(map.has(name), `duplicate directive ${name}`).toBe(false);
    map.set(name, sources);
  }
  return map;
}

const LOOPBACK_WS = /^ws:\/\/(127\.0\.0\.1|localhost):\d+$/;

describe.each([
  ['Electron (app://, IPC)', undefined],
  ['headless (loopback WebSocket)', 7431],
])('the renderer CSP, %s', (_name, wsPort) => {
  const policy = contentSecurityPolicy(wsPort);
  const d = directives(policy);

  it("falls back to 'self' for everything not listed", () => {
    expect(d.get('default-src')).toEqual(["'self'"]);
  });

  it('runs only our own scripts: no eval, no inline scripts, no remote hosts', () => {
    expect(policy).not.toMatch(/unsafe-eval|wasm-unsafe-eval|unsafe-hashes|strict-dynamic/);
    expect(d.get('script-src')).toEqual(["'self'"]);
    for (const [name, sources] of d) {
      if (name !== 'style-src') expect(sources, name).not.toContain("'unsafe-inline'");
      for (const s of sources) expect(s, `${name} ${s}`).not.toMatch(/^(\*|https?:|https?:\/\/|blob:)/);
    }
  });

  it('connects only to itself and, headless, to its own loopback WebSocket', () => {
    const connect = d.get('connect-src') ?? [];
    expect(connect[0]).toBe("'self'");
    for (const s of connect.slice(1)) expect(s).toMatch(LOOPBACK_WS);
    if (wsPort === undefined) expect(connect).toEqual(["'self'"]);
    else expect(connect).toEqual(["'self'", `ws://127.0.0.1:${wsPort}`, `ws://localhost:${wsPort}`]);
  });

  it('allows no plugins, no <base> rewriting, no framing and no form posts', () => {
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'none'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    expect(d.get('form-action')).toEqual(["'none'"]);
  });

  it('takes images only from itself and data: URLs', () => {
    expect(d.get('img-src')).toEqual(["'self'", 'data:']);
  });
});

describe('the CSP header in headless mode', () => {
  let cleanup = (): void => {};
  let close = (): Promise<void> => Promise.resolve();
  afterEach(async () => {
    await close();
    cleanup();
  });

  it('rides on every HTML page, with the serving port in connect-src', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    fs.writeFileSync(path.join(t.dir, 'index.html'), '<!doctype html><title>k</title>');
    fs.writeFileSync(path.join(t.dir, 'app.js'), 'export {};');
    let port = 0;
    const server = createHttpServer({ rendererDir: t.dir, routes: {}, port: () => port });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    close = () => new Promise((resolve) => server.close(() => resolve()));

    for (const page of ['/', '/index.html']) {
      const res = await fetch(`http://127.0.0.1:${port}${page}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toBe(contentSecurityPolicy(port));
    }
    const js = await fetch(`http://127.0.0.1:${port}/app.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
