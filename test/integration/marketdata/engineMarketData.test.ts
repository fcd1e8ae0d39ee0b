/**
 * The engine with its default feed (synthetic, no keys) over the real WebSocket contract and HTTP:
 * provider rows, ticks, promotion gates, manual failover refusals, /healthz and /metrics.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../src/main/clock';
import { resolveConfig } from '../../../src/main/config';
import { startHeadless, type HeadlessApp } from '../../../src/main/headless';
import { silentLogger } from '../../../src/main/observability/logger';
import { tempDir } from '../../helpers/tmp';
import { WsContractClient } from '../../helpers/wsContractClient';

let app: HeadlessApp;
let client: WsContractClient;
let cleanup: () => void;

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  const config = resolveConfig({ flags: { dataDir: t.dir, port: 0 }, env: { KESTREL_SYNTHETIC_SESSIONS: 'always' } });
  app = await startHeadless({
    config,
    clock: new SystemClock(),
    log: silentLogger(),
    rendererDir: path.resolve('out/renderer'),
  });
  client = await WsContractClient.connect(`ws://127.0.0.1:${app.port}/ws?token=${app.token}`);
});
afterAll(async () => {
  client?.close();
  await app?.stop();
  cleanup?.();
});

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`not reached in time: ${JSON.stringify(v).slice(0, 3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('engine market data (synthetic default)', () => {
  it('uses the synthetic feed when no keys are set, labelled SIM and active for every symbol', async () => {
    const rows = await eventually(
      async () =>
        (await client.call('listProviders')).result as {
          name: string;
          sim: boolean;
          state: string;
          activeFor: string[];
        }[],
      (r) => r[0]?.state === 'active',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name: 'synthetic', sim: true, state: 'active', activeFor: ['MSFT', 'NVDA'] });
  });

  it('streams coalesced ticks with valid prices', async () => {
    const ticks = (await client.waitEvent('ticks', 5000)) as {
      symbol: string;
      last: number | null;
      bid: number | null;
      ask: number | null;
    }[];
    expect(ticks.length).toBeGreaterThan(0);
    for (const t of ticks) {
      expect(['NVDA', 'MSFT']).toContain(t.symbol);
      if (t.bid !== null && t.ask !== null) expect(t.bid).toBeLessThanOrEqual(t.ask);
    }
  });

  it('reports promotion gates: FAIL with figures, and a typed error for a bad target', async () => {
    const report = (await client.call('getPromotionGates', { provider: 'synthetic' })).result as {
      verdict: string;
      criteria: { name: string; value: number | null; pass: boolean }[];
    };
    expect(['PASS', 'FAIL']).toContain(report.verdict);
    expect(report.criteria.map((c) => c.name).length).toBeGreaterThanOrEqual(4);
    const bySymbol = await client.call('getPromotionGates', { symbol: 'NVDA' });
    expect(bySymbol).toMatchObject({ ok: true, result: { target: 'symbol NVDA' } });
    expect(await client.call('getPromotionGates', { provider: 'nasdaq' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(await client.call('getPromotionGates', { provider: 'synthetic', symbol: 'NVDA' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
  });

  it('passes the freshness and success gates once the synthetic feed has enough evidence', async () => {
    const report = await eventually(
      async () =>
        (await client.call('getPromotionGates', { provider: 'synthetic' })).result as {
          verdict: string;
          criteria: { name: string; pass: boolean; detail: string }[];
        },
      (r) => r.verdict === 'PASS',
      25_000,
    );
    expect(report.criteria.every((c) => c.pass)).toBe(true);
  }, 35_000);

  it('refuses a manual failover to a provider that is not configured, saying why', async () => {
    expect(await client.call('failover', { symbol: 'NVDA', to: 'polygon' })).toMatchObject({
      ok: false,
      error: { code: 'DENIED', message: 'polygon may not serve NVDA' },
    });
  });

  it('/healthz lists providers and symbols; /metrics speaks Prometheus text', async () => {
    const health = await eventually(
      async () =>
        (await (await fetch(`http://127.0.0.1:${app.port}/healthz`)).json()) as {
          providers: unknown[];
          symbols: { symbol: string; lastPrice: number | null; activeProvider: string | null }[];
        },
      (h) => h.symbols.every((s) => s.lastPrice !== null),
    );
    expect(health.providers).toEqual([
      expect.objectContaining({ name: 'synthetic', state: 'active', breaker: 'closed' }),
    ]);
    expect(health.symbols).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          symbol: 'NVDA',
          mode: 'shadow',
          activeProvider: 'synthetic',
          lastPrice: expect.any(Number),
        }),
      ]),
    );
    const res = await fetch(`http://127.0.0.1:${app.port}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^hotpath_shadow_reads_total 0$/m);
    expect(text).toMatch(/^kestrel_marketdata_delivered_total \d+$/m);
    expect(text).toContain('kestrel_nodejs_eventloop_lag_p99_seconds');
    // The synthetic feed trades, so the aggregator has counted trades; bad-input kinds are listed too.
    expect(Number(/^kestrel_bar_events\{kind="trades"\} (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
    expect(text).toMatch(/^kestrel_bar_events\{kind="duplicates"\} \d+$/m);
    expect(text).toMatch(/^kestrel_bar_events\{kind="providerMismatched"\} \d+$/m);
  });
});
