/**
 * The engine's execution path against the fake IB Gateway on loopback (docs/execution.md):
 *  - kill command (engageKillSwitch through the ContractServer) → REQ_GLOBAL_CANCEL received by
 *    the gateway, with live orders working; target ≤ 50 ms p99, the seed allowed 2 s;
 *  - passed signal (bus `signal` event) → PLACE_ORDER received by the gateway, p50/p99.
 * Baselines in the same run: a bare IBApi.reqGlobalCancel / IBApi.placeOrder on the same socket.
 * The gateway runs in this process, so "received" also waits for the engine's synchronous SQLite
 * writes (synchronous = FULL: an fsync each) that follow the socket write; "written" is the kill
 * latency the engine reports (getKillProgress, /metrics).
 * Orders are spaced 30 ms apart to stay under @stoqey/ib's 40 messages/s throttle.
 */
import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import type { Signal } from '../src/shared/domain';
import { SystemClock } from '../src/main/clock';
import { resolveConfig } from '../src/main/config';
import { Engine } from '../src/main/engine';
import { stockContract, toIbOrder } from '../src/main/ibkr/orderMapping';
import { silentLogger } from '../src/main/observability/logger';
import { FakeIbGateway } from '../test/fakes/ibGateway';
import { tempDir } from '../test/helpers/tmp';
import { percentile, printBench } from './report';

const KILLS = Number(process.env.KESTREL_BENCH_KILLS ?? 30);
const SIGNALS = Number(process.env.KESTREL_BENCH_SIGNALS ?? 100);
const SEED_ALLOWANCE_MS = 2000;
const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const ctx = { surface: 'cli' as const };

async function waitUntil(what: string, fn: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = now() + timeoutMs;
  while (!fn()) {
    if (now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

const sorted = (v: number[]): number[] => [...v].sort((a, b) => a - b);

function buySignal(): Signal {
  const ts = Date.now();
  return {
    ts,
    barTs: ts - 60_000,
    policy: 'single',
    symbols: ['NVDA'],
    action: 'BUY',
    legs: [{ symbol: 'NVDA', side: 'BUY' }],
    probs: [0.05, 0.05, 0.9],
    confidence: 0.9,
    threshold: 0.6,
    passed: true,
    reason: null,
    reasons: [],
    detail: '',
    latencyUs: 0,
    mode: 'live',
  };
}

it('execution: kill → REQ_GLOBAL_CANCEL and signal → PLACE_ORDER on the wire', async () => {
  const gw = new FakeIbGateway({ prices: { NVDA: 100, MSFT: 400 }, now });
  await gw.start();
  const t = tempDir();
  const config = resolveConfig({
    flags: { dataDir: t.dir, ibPort: String(gw.port) },
    env: { KESTREL_PROVIDERS: 'ibkr', KESTREL_BACKFILL: 'off' },
  });
  const engine = new Engine({ config, clock: new SystemClock(), log: silentLogger(), host: 'headless' });
  engine.start();
  const exec = engine.execution;
  const api = engine.ib!.api;
  try {
    await waitUntil('broker ready', () => exec.brokerStatus().tradingAllowed);
    exec.risk.updateConfig({
      ordersPerSecond: 50,
      orderBurst: 50,
      duplicateWindowMs: 0,
      maxPositionPerSymbol: 1_000_000,
      maxGrossExposure: 1e9,
    });
    let tick = 0;
    const freshQuote = async (): Promise<void> => {
      const p = tick++ % 2 === 0 ? 100 : 100.02;
      gw.setPrice('NVDA', p);
      await waitUntil('quote', () => Math.abs((exec.reference('NVDA')?.price ?? 0) - p) < 0.011);
    };
    const goLive = async (): Promise<void> => {
      const r = await engine.server.dispatch(
        {
          id: 0,
          cmd: 'setSymbolMode',
          input: { symbol: 'NVDA', mode: 'live', override: { confirm: true, reason: 'bench' } },
        },
        ctx,
      );
      expect(r.ok).toBe(true);
    };

    // --- kill command → REQ_GLOBAL_CANCEL ---
    const kill: number[] = [];
    const written: number[] = [];
    for (let i = 0; i < KILLS; i++) {
      await goLive();
      await freshQuote();
      const ids: string[] = [];
      for (const qty of [1, 2, 3]) {
        ids.push(
          exec.placeOrder({ symbol: 'NVDA', side: 'BUY', quantity: qty, type: 'LMT', limitPrice: 98 }).clientOrderId,
        );
        await sleep(30);
      }
      await waitUntil('accepted', () => ids.every((id) => exec.oms.get(id)?.status === 'ACCEPTED'));
      const seen = gw.receivedOfType('REQ_GLOBAL_CANCEL').length;
      const t0 = now();
      const done = engine.server.dispatch({ id: i, cmd: 'engageKillSwitch', input: { reason: `bench ${i}` } }, ctx);
      await waitUntil('global cancel', () => gw.receivedOfType('REQ_GLOBAL_CANCEL').length > seen);
      kill.push(gw.receivedOfType('REQ_GLOBAL_CANCEL')[seen]!.at - t0);
      await done;
      await waitUntil('cancelled', () => exec.killProgress().phase === 'done');
      written.push(exec.killProgress().latencyMs!);
      engine.killSwitch.rearm('cli', 'bench');
      await sleep(30);
    }
    const bare: number[] = [];
    for (let i = 0; i < KILLS; i++) {
      const seen = gw.receivedOfType('REQ_GLOBAL_CANCEL').length;
      const t0 = now();
      api.reqGlobalCancel();
      await waitUntil('bare global cancel', () => gw.receivedOfType('REQ_GLOBAL_CANCEL').length > seen);
      bare.push(gw.receivedOfType('REQ_GLOBAL_CANCEL')[seen]!.at - t0);
      await sleep(30);
    }

    // --- signal → PLACE_ORDER ---
    await goLive();
    const toWire: number[] = [];
    for (let i = 0; i < SIGNALS; i++) {
      if (i % 20 === 0) await freshQuote();
      const seen = gw.receivedOfType('PLACE_ORDER').length;
      const t0 = now();
      engine.bus.emit('signal', buySignal());
      await waitUntil('place order', () => gw.receivedOfType('PLACE_ORDER').length > seen);
      toWire.push(gw.receivedOfType('PLACE_ORDER')[seen]!.at - t0);
      await sleep(30);
    }
    const barePlace: number[] = [];
    for (let i = 0; i < SIGNALS; i++) {
      const seen = gw.receivedOfType('PLACE_ORDER').length;
      const id = engine.ib!.nextOrderId(1_000_000 + i);
      const t0 = now();
      api.placeOrder(
        id,
        stockContract('NVDA'),
        toIbOrder(
          {
            clientOrderId: `bare-${i}`,
            symbol: 'NVDA',
            side: 'BUY',
            quantity: 1,
            type: 'LMT',
            limitPrice: 1,
            tif: 'DAY',
            mode: 'live',
            origin: 'manual',
            ts: 0,
          },
          'DU1234567',
        ),
      );
      await waitUntil('bare place', () => gw.receivedOfType('PLACE_ORDER').length > seen);
      barePlace.push(gw.receivedOfType('PLACE_ORDER')[seen]!.at - t0);
      await sleep(30);
    }

    const k = sorted(kill);
    const w = sorted(written);
    const b = sorted(bare);
    const s = sorted(toWire);
    const bp = sorted(barePlace);
    printBench(`kill command → REQ_GLOBAL_CANCEL at the gateway (${KILLS} kills, 3 live orders working)`, [
      { name: 'engine kill → written to the socket p50', value: percentile(w, 50), unit: 'ms' },
      { name: 'engine kill → written to the socket p99', value: percentile(w, 99), unit: 'ms', target: '≤ 50 ms' },
      { name: 'engine kill → received by the gateway p50', value: percentile(k, 50), unit: 'ms' },
      { name: 'engine kill → received by the gateway p99', value: percentile(k, 99), unit: 'ms', target: '≤ 50 ms' },
      { name: 'baseline: seed allowance', value: SEED_ALLOWANCE_MS, unit: 'ms' },
      { name: 'baseline: bare IBApi.reqGlobalCancel p99', value: percentile(b, 99), unit: 'ms' },
    ]);
    printBench(
      `passed signal → PLACE_ORDER at the gateway (${SIGNALS} signals)`,
      [
        { name: 'engine signal → wire p50', value: percentile(s, 50), unit: 'ms' },
        { name: 'engine signal → wire p99', value: percentile(s, 99), unit: 'ms' },
        { name: 'baseline: bare IBApi.placeOrder p50', value: percentile(bp, 50), unit: 'ms' },
        { name: 'baseline: bare IBApi.placeOrder p99', value: percentile(bp, 99), unit: 'ms' },
      ],
      { label: 'engine / bare (p50)', value: percentile(s, 50) / percentile(bp, 50) },
    );
    expect(kill).toHaveLength(KILLS);
    expect(toWire).toHaveLength(SIGNALS);
  } finally {
    await engine.stop();
    await gw.stop();
    t.cleanup();
  }
}, 120_000);
