/**
 * IBKR order latency against the fake IB Gateway on loopback, through the real @stoqey/ib client:
 * submit() → PLACE_ORDER received by the gateway, and cancelAll() → REQ_GLOBAL_CANCEL received
 * (the kill latency's wire leg). Baseline in the same run: a bare IBApi.placeOrder on the same socket.
 * Orders are spaced 30 ms apart to stay under the client's 40 requests/s throttle, which would
 * otherwise be what is measured.
 */
import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import { SystemClock } from '../src/main/clock';
import type { OrderRequest } from '../src/main/execution/types';
import { IbConnection } from '../src/main/ibkr/connection';
import { IbkrBroker } from '../src/main/ibkr/ibkrBroker';
import { stockContract, toIbOrder } from '../src/main/ibkr/orderMapping';
import { FakeIbGateway } from '../test/fakes/ibGateway';
import { percentile, printBench } from './report';

const N = Number(process.env.KESTREL_BENCH_ORDERS ?? 200);
const SPACING_MS = 30;
const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitUntil(what: string, fn: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = now() + timeoutMs;
  while (!fn()) {
    if (now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

function limitOrder(i: number): OrderRequest {
  return {
    clientOrderId: `bench-${i}`,
    symbol: 'AAPL',
    side: 'BUY',
    quantity: 1,
    type: 'LMT',
    limitPrice: 1,
    tif: 'DAY',
    mode: 'live',
    origin: 'signal',
    ts: 0,
  };
}

function sorted(values: number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

it('IBKR: submit → PLACE_ORDER and cancelAll → REQ_GLOBAL_CANCEL on the wire', async () => {
  const gw = new FakeIbGateway({ prices: { AAPL: 190 }, now });
  await gw.start();
  const clock = new SystemClock();
  const conn = new IbConnection({ port: gw.port, clock, reconnectMs: 50 });
  const broker = new IbkrBroker({ connection: conn, clock });
  let ready = false;
  broker.onReady(() => (ready = true));
  conn.start();
  await waitUntil('ready', () => ready);

  const placed = (): number => gw.receivedOfType('PLACE_ORDER').length;
  const submitMs: number[] = [];
  for (let i = 0; i < N; i++) {
    const before = placed();
    const t0 = now();
    expect(broker.submit(limitOrder(i))).toEqual({ ok: true });
    await waitUntil('PLACE_ORDER', () => placed() > before);
    submitMs.push((gw.receivedOfType('PLACE_ORDER').at(-1)?.at ?? NaN) - t0);
    await sleep(SPACING_MS);
  }

  const bareMs: number[] = [];
  for (let i = 0; i < N; i++) {
    const before = placed();
    const t0 = now();
    conn.api.placeOrder(conn.nextOrderId(), stockContract('AAPL'), toIbOrder(limitOrder(N + i), 'DU1234567'));
    await waitUntil('PLACE_ORDER', () => placed() > before);
    bareMs.push((gw.receivedOfType('PLACE_ORDER').at(-1)?.at ?? NaN) - t0);
    await sleep(SPACING_MS);
  }

  const killWireMs: number[] = [];
  const killResolveMs: number[] = [];
  const cancels = (): number => gw.receivedOfType('REQ_GLOBAL_CANCEL').length;
  for (let i = 0; i < Math.min(N, 100); i++) {
    const before = cancels();
    const t0 = now();
    await broker.cancelAll();
    killResolveMs.push(now() - t0);
    await waitUntil('REQ_GLOBAL_CANCEL', () => cancels() > before);
    killWireMs.push((gw.receivedOfType('REQ_GLOBAL_CANCEL').at(-1)?.at ?? NaN) - t0);
    await sleep(SPACING_MS);
  }

  const s = sorted(submitMs);
  const b = sorted(bareMs);
  const k = sorted(killWireMs);
  const kr = sorted(killResolveMs);
  printBench(`IBKR order latency on loopback (${N} orders, ${killWireMs.length} global cancels)`, [
    { name: 'submit → PLACE_ORDER at the gateway, p50', value: percentile(s, 50), unit: 'ms' },
    { name: 'submit → PLACE_ORDER at the gateway, p99', value: percentile(s, 99), unit: 'ms' },
    { name: 'baseline: bare IBApi.placeOrder → gateway, p50', value: percentile(b, 50), unit: 'ms' },
    { name: 'baseline: bare IBApi.placeOrder → gateway, p99', value: percentile(b, 99), unit: 'ms' },
    { name: 'cancelAll → resolved (written to the socket), p99', value: percentile(kr, 99), unit: 'ms' },
    { name: 'cancelAll → REQ_GLOBAL_CANCEL at the gateway, p50', value: percentile(k, 50), unit: 'ms' },
    {
      name: 'cancelAll → REQ_GLOBAL_CANCEL at the gateway, p99',
      value: percentile(k, 99),
      unit: 'ms',
      target: '≤ 50 ms',
    },
  ]);
  expect(submitMs.every(Number.isFinite)).toBe(true);
  expect(killWireMs.every(Number.isFinite)).toBe(true);
  broker.dispose();
  conn.close();
  await gw.stop();
}, 300_000);
