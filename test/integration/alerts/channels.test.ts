/**
 * The outbound channels against a local HTTP receiver on 127.0.0.1: the exact webhook, Slack and
 * Discord bodies, rate limiting, dedup, retries on 500 and 429 (Retry-After), timeouts, and the
 * test-send. Waits between attempts go through a recording sleep, so nothing here depends on timing.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_ALERTS, type AlertChannelConfig, type AlertsConfig } from '../../../src/main/alerts/config';
import { AlertDispatcher } from '../../../src/main/alerts/dispatcher';
import { SimulatedClock } from '../../../src/main/clock';
import { AlertInputError } from '../../../src/main/observability/alerts';
import type { Alert } from '../../../src/shared/domain';

const SECRET_PATH = '/services/T0000/B0000/s3cr3tT0ken';
const VERSION = '9.9.9-test';
const T0 = Date.parse('2026-03-02T15:30:00Z');

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (a timeout). */
  hang?: boolean;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A receiver that records every request body and answers with `reply(n)` for the n-th request (1-based). */
async function receiver(reply: (n: number) => Reply = () => ({ status: 204 })) {
  const got: { body: unknown; path: string; contentType: string | undefined }[] = [];
  const server = http.createServer((req, res) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (data += c));
    req.on('end', () => {
      got.push({ body: JSON.parse(data), path: req.url ?? '', contentType: req.headers['content-type'] });
      const r = reply(got.length);
      if (r.hang) return;
      res.writeHead(r.status, r.headers);
      res.end(r.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${port}${SECRET_PATH}?token=abc`, got };
}

function dispatcher(channels: AlertChannelConfig[], over: Partial<AlertsConfig> = {}) {
  const clock = new SimulatedClock(T0);
  const sleeps: number[] = [];
  const warnings: unknown[] = [];
  const d = new AlertDispatcher({
    config: { ...DEFAULT_ALERTS, backoffBaseMs: 100, ...over, channels },
    clock,
    version: VERSION,
    log: { warn: (obj: unknown) => warnings.push(obj) } as never,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  cleanups.push(() => d.stop(0));
  return { d, clock, sleeps, warnings };
}

let n = 0;
const alert = (over: Partial<Alert> = {}): Alert => ({
  id: `id-${++n}`,
  ts: T0,
  level: 'critical',
  kind: 'killSwitch',
  title: 'Kill switch engaged',
  message: 'daily loss limit hit',
  ...over,
});

describe('alert channel formats', () => {
  it('posts the generic JSON webhook body', async () => {
    const r = await receiver();
    const { d } = dispatcher([{ type: 'webhook', url: r.url, minLevel: 'info' }]);
    d.dispatch(alert({ id: 'abc', symbol: 'NVDA' }));
    await d.idle();
    expect(r.got).toHaveLength(1);
    expect(r.got[0]!.contentType).toBe('application/json');
    expect(r.got[0]!.path).toBe(`${SECRET_PATH}?token=abc`);
    expect(r.got[0]!.body).toEqual({
      id: 'abc',
      ts: T0,
      level: 'critical',
      kind: 'killSwitch',
      title: 'Kill switch engaged',
      detail: 'daily loss limit hit',
      symbol: 'NVDA',
      suppressed: 0,
      dropped: 0,
      app: 'kestrel',
      version: VERSION,
    });
    expect(d.status()[0]).toMatchObject({ sent: 1, failed: 0, lastStatus: 204, lastError: null, lastSentTs: T0 });
  });

  it('posts a Slack incoming-webhook message with text and blocks, escaping control characters', async () => {
    const r = await receiver(() => ({ status: 200, body: 'ok' }));
    const { d } = dispatcher([{ type: 'slack', url: r.url, minLevel: 'warning' }]);
    d.dispatch(
      alert({ level: 'warning', kind: 'failover', title: 'Failover <NVDA>', message: 'polygon → alpaca & co' }),
    );
    await d.idle();
    expect(r.got[0]!.body).toEqual({
      text: 'WARNING: Failover &lt;NVDA&gt;',
      blocks: [
        {
          type: 'section',
          text: { type: 'mrkdwn', text: ':warning: *WARNING: Failover &lt;NVDA&gt;*\npolygon → alpaca &amp; co' },
        },
        {
          type: 'context',
          elements: [{ type: 'mrkdwn', text: `kestrel ${VERSION} · failover · 2026-03-02T15:30:00.000Z` }],
        },
      ],
    });
  });

  it('posts a Discord webhook message with one embed and no mentions', async () => {
    const r = await receiver();
    const { d } = dispatcher([{ type: 'discord', url: r.url, minLevel: 'warning' }]);
    d.dispatch(
      alert({ kind: 'orderRejected', title: 'Order rejected NVDA', message: '@everyone margin', symbol: 'NVDA' }),
    );
    await d.idle();
    expect(r.got[0]!.body).toEqual({
      content: '**CRITICAL**: Order rejected NVDA',
      embeds: [
        {
          title: 'Order rejected NVDA',
          description: '@everyone margin',
          color: 0xe53935,
          timestamp: '2026-03-02T15:30:00.000Z',
          footer: { text: `kestrel ${VERSION} · orderRejected · NVDA` },
        },
      ],
      allowed_mentions: { parse: [] },
    });
  });
});

describe('routing, rate limiting and dedup', () => {
  it('routes by minimum level and kinds', async () => {
    const all = await receiver();
    const critical = await receiver();
    const gaps = await receiver();
    const { d } = dispatcher([
      { type: 'webhook', url: all.url, minLevel: 'info' },
      { type: 'webhook', url: critical.url, minLevel: 'critical' },
      { type: 'webhook', url: gaps.url, minLevel: 'warning', kinds: ['dataGap'] },
    ]);
    d.dispatch(alert({ level: 'info', kind: 'other', title: 'i' }));
    d.dispatch(alert({ level: 'warning', kind: 'dataGap', title: 'w' }));
    d.dispatch(alert({ level: 'critical', kind: 'killSwitch', title: 'c' }));
    await d.idle();
    const titles = (r: { got: { body: unknown }[] }) => r.got.map((g) => (g.body as { title: string }).title);
    expect(titles(all)).toEqual(['i', 'w', 'c']);
    expect(titles(critical)).toEqual(['c']);
    expect(titles(gaps)).toEqual(['w']);
  });

  it('delivers a burst up to the bucket, counts the rest, and tells the receiver on the next send', async () => {
    const r = await receiver();
    const { d, clock } = dispatcher([{ type: 'webhook', url: r.url, minLevel: 'info' }], {
      burst: 5,
      ratePerMinute: 5,
      criticalReserve: 2,
    });
    for (let i = 0; i < 20; i++) d.dispatch(alert({ level: 'warning', kind: 'failover', title: `Failover S${i}` }));
    // Warnings may use 3 of the 5 tokens; the reserve lets a critical one through.
    d.dispatch(alert({ title: 'Kill switch engaged' }));
    d.dispatch(alert({ title: 'Halt follow-up failed' }));
    d.dispatch(alert({ title: 'Third critical' })); // bucket empty now
    await d.idle();
    const titles = r.got.map((g) => (g.body as { title: string }).title);
    expect(titles).toEqual([
      'Failover S0',
      'Failover S1',
      'Failover S2',
      'Kill switch engaged',
      'Halt follow-up failed',
    ]);
    expect(d.status()[0]).toMatchObject({ sent: 5, rateLimited: 18, deduplicated: 0 });
    clock.advance(12_000); // one token back at 5/min
    d.dispatch(alert({ level: 'critical', title: 'After the storm' }));
    await d.idle();
    // The drops are reported once, with the next send after them.
    const dropped = r.got.map((g) => (g.body as { dropped: number }).dropped);
    expect(dropped.reduce((a, b) => a + b, 0)).toBe(18);
    expect(dropped.filter((x) => x > 0)).toHaveLength(1);
    clock.advance(12_000);
    d.dispatch(alert({ level: 'critical', title: 'Quiet again' }));
    await d.idle();
    expect(r.got.at(-1)!.body).toMatchObject({ title: 'Quiet again', dropped: 0 });
  });

  it('suppresses repeats of kind + title within the window and reports them with the next one', async () => {
    const r = await receiver(() => ({ status: 200 }));
    const { d, clock } = dispatcher([{ type: 'slack', url: r.url, minLevel: 'info' }], { dedupWindowMs: 60_000 });
    for (let i = 0; i < 5; i++) d.dispatch(alert({ level: 'warning', kind: 'failover', title: 'Failover NVDA' }));
    d.dispatch(alert({ level: 'warning', kind: 'failover', title: 'Failover MSFT' }));
    await d.idle();
    expect(r.got).toHaveLength(2);
    expect(d.status()[0]).toMatchObject({ sent: 2, deduplicated: 4 });
    clock.advance(60_000);
    d.dispatch(alert({ level: 'warning', kind: 'failover', title: 'Failover NVDA', message: 'polygon → alpaca' }));
    await d.idle();
    const section = (r.got.at(-1)!.body as { blocks: { text?: { text: string } }[] }).blocks[0]!.text!.text;
    expect(section).toBe(':warning: *WARNING: Failover NVDA*\npolygon → alpaca\n(+4 more like this)');
  });
});

describe('delivery failures', () => {
  it('retries a 500 with exponential backoff, then succeeds', async () => {
    const r = await receiver((i) => (i <= 2 ? { status: 500, body: 'boom' } : { status: 204 }));
    const { d, sleeps } = dispatcher([{ type: 'webhook', url: r.url, minLevel: 'info' }], { backoffBaseMs: 100 });
    d.dispatch(alert());
    await d.idle();
    expect(r.got).toHaveLength(3);
    expect(sleeps).toEqual([100, 200]);
    expect(d.status()[0]).toMatchObject({ sent: 1, retries: 2, failed: 0, lastError: null });
  });

  it('honours Retry-After on a 429', async () => {
    const r = await receiver((i) => (i === 1 ? { status: 429, headers: { 'retry-after': '3' } } : { status: 204 }));
    const { d, sleeps } = dispatcher([{ type: 'discord', url: r.url, minLevel: 'info' }]);
    d.dispatch(alert());
    await d.idle();
    expect(r.got).toHaveLength(2);
    expect(sleeps).toEqual([3000]);
    expect(d.status()[0]).toMatchObject({ sent: 1, retries: 1 });
  });

  it('gives up on a Retry-After longer than the longest wait, and after maxAttempts on 5xx', async () => {
    const r = await receiver((i) => (i === 1 ? { status: 429, headers: { 'retry-after': '3600' } } : { status: 503 }));
    const { d, sleeps } = dispatcher([{ type: 'webhook', url: r.url, minLevel: 'info' }], {
      maxAttempts: 3,
      backoffMaxMs: 60_000,
    });
    d.dispatch(alert({ title: 'one' }));
    await d.idle();
    expect(r.got).toHaveLength(1);
    expect(d.status()[0]!.lastError).toBe('HTTP 429 (Retry-After 3600 s is too long)');
    d.dispatch(alert({ title: 'two' }));
    await d.idle();
    expect(r.got).toHaveLength(4); // three attempts, all 503
    expect(sleeps).toEqual([100, 200]);
    expect(d.status()[0]).toMatchObject({ sent: 0, failed: 2, retries: 2, lastStatus: 503, lastError: 'HTTP 503' });
  });

  it('does not retry a 4xx, and never reveals the URL path in errors, status or logs', async () => {
    const r = await receiver(() => ({ status: 404, body: `no hook at ${SECRET_PATH}` }));
    const { d, warnings } = dispatcher([{ type: 'slack', url: r.url, minLevel: 'info' }]);
    d.dispatch(alert());
    await d.idle();
    expect(r.got).toHaveLength(1);
    const status = d.status()[0]!;
    expect(status).toMatchObject({ failed: 1, retries: 0, lastStatus: 404 });
    expect(status.target).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\*\*\*$/);
    expect(warnings).toHaveLength(1);
    const visible = JSON.stringify([status, warnings]);
    expect(visible).not.toContain('s3cr3tT0ken');
    expect(visible).not.toContain('token=abc');
  });

  it('times out a receiver that never answers, and retries it like a 5xx', async () => {
    const r = await receiver(() => ({ status: 0, hang: true }));
    const { d } = dispatcher([{ type: 'webhook', url: r.url, minLevel: 'info' }], { timeoutMs: 200, maxAttempts: 2 });
    d.dispatch(alert());
    await d.idle();
    expect(r.got).toHaveLength(2);
    expect(d.status()[0]).toMatchObject({
      failed: 1,
      retries: 1,
      lastStatus: null,
      lastError: 'timed out after 200 ms',
    });
  });

  it('reports a refused connection by its cause', async () => {
    // A port that was just free: nothing listens there.
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const dead = `http://127.0.0.1:${port}${SECRET_PATH}`;
    const { d } = dispatcher([{ type: 'webhook', url: dead, minLevel: 'info' }], { maxAttempts: 1 });
    d.dispatch(alert());
    await d.idle();
    expect(d.status()[0]!.lastError).toContain('ECONNREFUSED');
  });

  it('bounds the queue of a stuck channel, dropping the oldest and counting it', async () => {
    const released: (() => void)[] = [];
    const seen: string[] = [];
    const clock = new SimulatedClock(T0);
    const d = new AlertDispatcher({
      config: {
        ...DEFAULT_ALERTS,
        queueSize: 2,
        channels: [{ type: 'webhook', url: 'http://127.0.0.1:9/x', minLevel: 'info' }],
      },
      clock,
      version: VERSION,
      log: { warn: () => {} } as never,
      post: (_url, body) => {
        seen.push((body as { title: string }).title);
        return new Promise((resolve) => released.push(() => resolve({ status: 204, error: null, retryAfterMs: null })));
      },
    });
    for (const t of ['a', 'b', 'c', 'd', 'e']) d.dispatch(alert({ title: t }));
    // 'a' is in flight; the queue holds the newest two.
    expect(d.status()[0]).toMatchObject({ queued: 2, dropped: 2 });
    while (seen.length < 3 || released.length > 0) {
      released.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await d.idle();
    expect(seen).toEqual(['a', 'd', 'e']);
  });
});

describe('test-send', () => {
  it('sends a test alert through one channel and returns the HTTP result', async () => {
    const ok = await receiver(() => ({ status: 200 }));
    const bad = await receiver(() => ({ status: 403, body: 'invalid_token' }));
    const { d } = dispatcher([
      { type: 'slack', url: ok.url, minLevel: 'critical' },
      { type: 'discord', url: bad.url, minLevel: 'critical' },
    ]);
    expect(await d.test(0)).toMatchObject({ ok: true, status: 200, error: null });
    expect((ok.got[0]!.body as { text: string }).text).toBe('INFO: Kestrel test alert');
    expect(await d.test(1)).toMatchObject({ ok: false, status: 403, error: 'HTTP 403: invalid_token' });
    expect(() => d.test(2)).toThrow(AlertInputError);
    // A test-send is not counted as an alert delivery.
    expect(d.status().map((s) => s.sent)).toEqual([0, 0]);
  });
});
