import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeadlessApp } from '../../src/main/headless';
import { MAX_FRAME_BYTES } from '../../src/main/transport/ws';
import { startTestHeadless } from '../helpers/engine';
import { tempDir } from '../helpers/tmp';
import { WsContractClient } from '../helpers/wsContractClient';

let app: HeadlessApp;
let cleanup: () => void;
let wsUrl: string;
let origin: string;

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  app = await startTestHeadless(t.dir);
  wsUrl = `ws://127.0.0.1:${app.port}/ws?token=${app.token}`;
  origin = `http://127.0.0.1:${app.port}`;
});
afterAll(async () => {
  await app.stop();
  cleanup();
});

function refusal(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => {
      ws.close();
      reject(new Error('connection was accepted'));
    });
    ws.on('error', () => {});
  });
}

describe('WebSocket transport against a real engine', () => {
  it('refuses a connection without the token, or with a wrong one', async () => {
    expect(await refusal(`ws://127.0.0.1:${app.port}/ws`)).toBe(401);
    expect(await refusal(`ws://127.0.0.1:${app.port}/ws?token=${'x'.repeat(app.token.length)}`)).toBe(401);
    expect(await refusal(`ws://127.0.0.1:${app.port}/ws?token=short`)).toBe(401);
  });

  it('refuses a browser page from a foreign origin, even with the token', async () => {
    expect(await refusal(wsUrl, { Origin: 'https://evil.example' })).toBe(403);
    expect(await refusal(wsUrl, { Origin: `http://127.0.0.1:${app.port + 1}` })).toBe(403);
  });

  it('serves our own origin and token-bearing non-browser clients', async () => {
    const browser = await WsContractClient.connect(wsUrl, { Origin: origin });
    expect(await browser.call('getTradingState')).toMatchObject({ ok: true, result: { state: 'ACTIVE' } });
    browser.close();
    const tool = await WsContractClient.connect(wsUrl);
    const snap = await tool.call('getSnapshot', {});
    expect(snap).toMatchObject({
      ok: true,
      result: { host: 'headless', symbols: [{ symbol: 'MSFT' }, { symbol: 'NVDA' }] },
    });
    tool.close();
  });

  it('answers bad input with typed errors and keeps the connection up', async () => {
    const c = await WsContractClient.connect(wsUrl);
    expect(await c.sendRaw('{"id": 1, "cmd": ')).toMatchObject({ id: null, ok: false, error: { code: 'BAD_FRAME' } });
    expect(await c.sendRaw('"just a string"')).toMatchObject({ ok: false, error: { code: 'BAD_FRAME' } });
    expect(await c.sendRaw(Buffer.from([0, 1, 2]))).toMatchObject({ ok: false, error: { code: 'BAD_FRAME' } });
    expect(await c.call('selfDestruct', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } });
    expect(await c.call('__proto__', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } });
    expect(await c.call('engageKillSwitch', { reason: 42 })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(await c.call('setSymbolMode', { symbol: 'NVDA', mode: 'live' })).toMatchObject({
      ok: false,
      error: { code: 'DENIED', message: expect.stringMatching(/cannot go live: broker: no IB Gateway is configured/) },
    });
    expect(await c.call('rearm', { confirm: true })).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    expect(await c.call('listSymbols')).toMatchObject({ ok: true });
    c.close();
  });

  it('closes only the offending connection on an oversized frame; the engine keeps serving', async () => {
    const c = await WsContractClient.connect(wsUrl);
    const closed = new Promise<number>((resolve) => c.ws.on('close', (code) => resolve(code)));
    c.ws.send(JSON.stringify({ id: 1, cmd: 'engageKillSwitch', input: { reason: 'x'.repeat(MAX_FRAME_BYTES) } }));
    expect(await closed).toBe(1009);
    const next = await WsContractClient.connect(wsUrl);
    expect(await next.call('getTradingState')).toMatchObject({ ok: true, result: { state: 'ACTIVE' } });
    next.close();
  });

  it('runs the kill switch end to end: every client hears HALTED, and re-arm needs confirm', async () => {
    const a = await WsContractClient.connect(wsUrl);
    const b = await WsContractClient.connect(wsUrl, { Origin: origin });
    expect(await a.call('engageKillSwitch', { reason: 'integration test' })).toMatchObject({
      ok: true,
      result: { state: 'HALTED', reason: 'integration test', changedBy: 'ui-ws' },
    });
    expect(await b.waitEvent('tradingState')).toMatchObject({ state: 'HALTED' });
    expect(await b.waitEvent('alert')).toMatchObject({ level: 'critical', title: 'Kill switch engaged' });
    const health = (await (await fetch(`http://127.0.0.1:${app.port}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', tradingState: 'HALTED' });
    expect(await a.call('rearm', {})).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await a.call('rearm', { confirm: true })).toMatchObject({ ok: true, result: { state: 'ACTIVE' } });
    a.close();
    b.close();
  });

  it('sends heartbeats', async () => {
    const c = await WsContractClient.connect(wsUrl);
    expect(await c.waitEvent('heartbeat', 3000)).toMatchObject({ tradingState: expect.any(String) });
    c.close();
  });
});

describe('headless HTTP', () => {
  it('serves /healthz without the token', async () => {
    const res = await fetch(`http://127.0.0.1:${app.port}/healthz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; tradingState: string; uptimeS: number };
    expect(body.status).toBe('ok');
    expect(['ACTIVE', 'HALTED', 'REDUCING']).toContain(body.tradingState);
    expect(body.uptimeS).toBeGreaterThanOrEqual(0);
  });

  it('serves the renderer with a CSP that allows only its own WebSocket', async () => {
    const res = await fetch(`http://127.0.0.1:${app.port}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<div id="root">');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${app.port}`);
    expect(csp).not.toContain('unsafe-eval');
  });

  it('never serves files outside the renderer, and refuses other methods', async () => {
    const traversal = await fetch(`http://127.0.0.1:${app.port}/..%2f..%2fpackage.json`);
    expect(traversal.status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${app.port}/healthz`, { method: 'POST' })).status).toBe(405);
  });
});
