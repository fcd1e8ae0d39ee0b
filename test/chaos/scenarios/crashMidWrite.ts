/**
 * Crash mid-write: `kestrel serve` (the built app) under a stream of synthetic trades and bars,
 * signals, shadow orders on the simulated broker and live orders on the fake IB Gateway, killed
 * with SIGKILL at seeded random moments. After every kill the data dir is checked read-only
 * (integrity, every acknowledged order and fill present, rebuild = replay); the next start is the
 * restart, and at the end the gateway's record shows whether any order was sent twice.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Order, OrderUpdate } from '../../../src/shared/domain';
import { FakeIbGateway } from '../../fakes/ibGateway';
import { runKestrel, startServe, type ServeProcess } from '../../helpers/serveProcess';
import { tempDir } from '../../helpers/tmp';
import { WsContractClient } from '../../helpers/wsContractClient';
import { emptyResult, prng, registerScenario, type ChaosResult } from '../harness';
import { appendAck, checkOrderStore, readAcks } from '../orderStoreCheck';

export interface CrashParams {
  kills: number;
  /** Uptime before the kill, drawn uniformly from [minUpMs, maxUpMs] once orders flow. */
  minUpMs: number;
  maxUpMs: number;
  /** Pause between orders in each of the two order streams (live NVDA, shadow MSFT). */
  orderEveryMs: number;
}

const LIVE = 'NVDA';
const SHADOW = 'MSFT';

/** Risk limits opened up so the stream is orders reaching brokers, not denials (these still count). */
const CONFIG = {
  execution: {
    risk: {
      ordersPerSecond: 50,
      orderBurst: 50,
      duplicateWindowMs: 0,
      maxPositionPerSymbol: 1_000_000,
      maxGrossExposure: 1e12,
      maxOrderNotional: 1e9,
      dailyLossLimit: 1e12,
      priceBandBps: 10_000,
      rejectStormCount: 1000,
    },
  },
};

const ENV = {
  KESTREL_SYNTHETIC_SESSIONS: 'always',
  KESTREL_SIGNAL_EXTENDED_HOURS: '1',
  KESTREL_SIGNAL_THRESHOLD: '0.34',
  KESTREL_SIGNAL_COOLDOWN_MS: '0',
  KESTREL_BACKFILL: 'off',
  KESTREL_LOG_LEVEL: 'warn',
};

/** 60 one-minute bars ending a minute ago, so features are warm and bars close into signals. */
function seedBars(file: string, price: number): void {
  const end = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
  const lines = ['ts_ms,open,high,low,close,volume'];
  for (let i = 59; i >= 0; i--) {
    const p = price * (1 + 0.002 * Math.sin(i));
    lines.push(`${end - i * 60_000},${p},${p * 1.001},${p * 0.999},${p * (1 + 0.001 * Math.cos(i))},${1000 + i}`);
  }
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Cycle {
  serve: ServeProcess;
  client: WsContractClient;
}

async function startCycle(dataDir: string, gw: FakeIbGateway): Promise<Cycle> {
  const serve = await startServe(dataDir, ['--ib-port', String(gw.port), '--symbols', `${LIVE},${SHADOW}`], ENV);
  const token = new URL(serve.url).searchParams.get('token')!;
  const client = await WsContractClient.connect(`ws://127.0.0.1:${serve.port}/ws?token=${token}`);
  await until(
    'paper broker ready',
    async () => ((await client.call('getBrokerStatus')).result as { tradingAllowed?: boolean }).tradingAllowed,
    15_000,
  );
  const live = await client.call('setSymbolMode', {
    symbol: LIVE,
    mode: 'live',
    override: { confirm: true, reason: 'chaos: crash mid-write' },
  });
  if (!live.ok) throw new Error(`could not put ${LIVE} live: ${live.error?.message}`);
  return { serve, client };
}

export async function runCrashMidWrite(
  p: CrashParams,
  ctx: { seed: number; log: (l: string) => void },
): Promise<ChaosResult> {
  const result = emptyResult();
  const rnd = prng(ctx.seed);
  const data = tempDir('kestrel-chaos-crash-');
  const outside = tempDir('kestrel-chaos-acks-');
  const ackFile = path.join(outside.dir, 'acks.jsonl');
  const gw = new FakeIbGateway({ prices: { [LIVE]: 180 } });
  await gw.start();
  let placed = 0;
  let denied = 0;
  let signals = 0;
  let fillsAcked = 0;
  let current: Cycle | null = null;
  try {
    fs.writeFileSync(path.join(data.dir, 'kestrel.config.json'), JSON.stringify(CONFIG));
    const csv = path.join(outside.dir, 'bars.csv');
    for (const [symbol, price] of [
      [LIVE, 180],
      [SHADOW, 480],
    ] as const) {
      seedBars(csv, price);
      const r = await runKestrel(['import', '--csv', csv, '--symbol', symbol, '--data-dir', data.dir]);
      if (r.code !== 0) throw new Error(`seeding bars failed: ${r.stderr}`);
    }

    for (let cycle = 1; cycle <= p.kills; cycle++) {
      current = await startCycle(data.dir, gw);
      const { serve, client } = current;
      let running = true;
      client.ws.on('message', (raw) => {
        const frame = JSON.parse(raw.toString()) as { event?: string; payload?: unknown };
        if (frame.event === 'signal') signals++;
        if (frame.event !== 'order') return;
        const u = frame.payload as OrderUpdate;
        for (const o of u.orders)
          appendAck(ackFile, { type: 'order', clientOrderId: o.clientOrderId, status: o.status, mode: o.mode, cycle });
        for (const f of u.fills) {
          fillsAcked++;
          appendAck(ackFile, {
            type: 'fill',
            execId: f.execId,
            clientOrderId: f.clientOrderId,
            quantity: f.quantity,
            cycle,
          });
        }
      });
      client.events.length = 0;
      const resting: string[] = [];
      const stream = async (symbol: string, mode: 'live' | 'shadow'): Promise<void> => {
        let i = 0;
        while (running) {
          i++;
          const roll = rnd.next();
          try {
            if (roll < 0.1 && resting.length > 0) {
              const id = resting.splice(rnd.int(0, resting.length - 1), 1)[0]!;
              await client.call('cancelOrder', { clientOrderId: id });
            } else {
              const lmt = roll < 0.3;
              const r = await client.call('placeOrder', {
                symbol,
                side: i % 2 === 0 ? 'SELL' : 'BUY',
                quantity: rnd.int(1, 5),
                type: lmt ? 'LMT' : 'MKT',
                ...(lmt ? { limitPrice: 1 } : {}),
                mode,
              });
              if (r.ok) {
                const o = r.result as Order;
                placed++;
                if (o.status === 'DENIED') denied++;
                if (o.working) resting.push(o.clientOrderId);
                appendAck(ackFile, { type: 'order', clientOrderId: o.clientOrderId, status: o.status, mode, cycle });
              }
            }
          } catch {
            // The engine is gone (killed mid-call): the reply never came, so nothing was acknowledged.
            return;
          }
          await new Promise((r) => setTimeout(r, p.orderEveryMs));
        }
      };
      const streams = Promise.all([stream(LIVE, 'live'), stream(SHADOW, 'shadow')]);
      const upMs = rnd.int(p.minUpMs, p.maxUpMs);
      await new Promise((r) => setTimeout(r, upMs));
      serve.child.kill('SIGKILL');
      await serve.stop();
      running = false;
      client.close();
      await streams;
      current = null;

      const check = checkOrderStore(data.dir, readAcks(ackFile));
      result.runs++;
      result.lost += check.lost.length;
      result.corrupted += check.corrupted.length;
      result.notes.push(...check.lost, ...check.corrupted);
      ctx.log(
        `kill ${cycle}/${p.kills} after ${upMs} ms: integrity ${check.integrity}, ${check.orders} orders, ${check.fills} fills, lost ${check.lost.length}, corrupted ${check.corrupted.length}`,
      );
    }

    // The restart after the last kill: reconciliation runs, then a clean stop.
    current = await startCycle(data.dir, gw);
    await new Promise((r) => setTimeout(r, 1000));
    current.client.close();
    const code = await current.serve.stop();
    current = null;
    if (code !== 0) result.notes.push(`the final clean stop exited with ${code}`);
    const final = checkOrderStore(data.dir, readAcks(ackFile));
    result.lost += final.lost.length;
    result.corrupted += final.corrupted.length;
    result.notes.push(...final.lost, ...final.corrupted);

    // Sent twice: a clientOrderId (orderRef) placed more than once, or an IB order id reused.
    const sent = gw.placedOrders();
    const byRef = new Map<string, number>();
    const byId = new Map<number, number>();
    for (const o of sent) {
      byRef.set(o.orderRef, (byRef.get(o.orderRef) ?? 0) + 1);
      byId.set(o.orderId, (byId.get(o.orderId) ?? 0) + 1);
      if (!final.created.has(o.orderRef)) {
        result.lost++;
        result.notes.push(`the gateway received ${o.orderRef} (IB id ${o.orderId}), which the order log does not hold`);
      }
    }
    for (const [ref, n] of byRef)
      if (n > 1) {
        result.duplicated += n - 1;
        result.notes.push(`${ref} was placed at the gateway ${n} times`);
      }
    for (const [id, n] of byId)
      if (n > 1) {
        result.duplicated += n - 1;
        result.notes.push(`IB order id ${id} was used ${n} times`);
      }
    const acks = readAcks(ackFile);
    result.figures = {
      kills: result.runs,
      ordersAcked: new Set(acks.filter((a) => a.type === 'order').map((a) => a.clientOrderId)).size,
      fillsAcked: new Set(acks.filter((a) => a.type === 'fill').map((a) => a.execId)).size,
      liveOrdersAtGateway: sent.length,
      ordersStored: final.orders,
      eventsStored: final.events,
      denied,
      signals,
    };
    result.notes.unshift(
      `${result.runs} SIGKILLs at uptimes ${p.minUpMs}–${p.maxUpMs} ms (seed ${ctx.seed}); ${placed} placeOrder replies (${denied} denied), ${fillsAcked} fill acknowledgements, ${signals} signal events; ${sent.length} PLACE_ORDER at the fake gateway over ${p.kills + 1} starts`,
    );
    return result;
  } finally {
    if (current) {
      current.client.close();
      current.serve.child.kill('SIGKILL');
      await current.serve.stop();
    }
    await gw.stop();
    data.cleanup();
    outside.cleanup();
  }
}

registerScenario<CrashParams>({
  name: 'crash mid-write',
  description:
    '`kestrel serve` (built app) with synthetic trades/bars, signals, shadow orders (simulated broker) and live orders (fake IB Gateway), SIGKILLed at seeded random moments; after each kill: integrity_check, acknowledged orders/fills present, rebuild = replay; restarts must not send any order twice.',
  quick: { kills: 3, minUpMs: 300, maxUpMs: 1500, orderEveryMs: 20 },
  full: { kills: 50, minUpMs: 200, maxUpMs: 4000, orderEveryMs: 10 },
  run: (params, ctx) => runCrashMidWrite(params, ctx),
});
