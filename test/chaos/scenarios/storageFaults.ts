/**
 * Storage faults: a read-only data dir at start and a full disk while running, on a real
 * filesystem when this machine allows it (a small tmpfs: `mount -t tmpfs -o size=…`, remounted
 * read-only), else chmod 0555 (not root) or `chattr +i` (root without mount). Expected: a clear
 * error and exit code 3 at start; on a full disk no order goes out unrecorded and trading halts;
 * and nothing already committed is lost (checked by reopening the database).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Order } from '../../../src/shared/domain';
import { FakeIbGateway } from '../../fakes/ibGateway';
import { runKestrel, startServe, type ServeProcess } from '../../helpers/serveProcess';
import { tempDir } from '../../helpers/tmp';
import { WsContractClient } from '../../helpers/wsContractClient';
import { emptyResult, registerScenario, type ChaosResult } from '../harness';
import { appendAck, checkOrderStore, readAcks, type Ack } from '../orderStoreCheck';

export interface StorageParams {
  /** Full-disk rounds: start, trade, fill the disk, try to trade, kill, free, check. */
  fullDiskRounds: number;
  /** Orders placed (per mode) before and after the first failed write. */
  orders: number;
  /** Order pairs placed on the full disk, at most, waiting for the first write to fail. */
  maxOrdersToFault: number;
}

const sh = (cmd: string, args: string[]): boolean => {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** Can this process mount a tmpfs (root with CAP_SYS_ADMIN, outside a locked-down container)? */
function canMount(): boolean {
  const t = tempDir('kestrel-chaos-mnt-');
  const ok = sh('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', t.dir]);
  if (ok) sh('umount', [t.dir]);
  t.cleanup();
  return ok;
}

const isRoot = (): boolean => process.getuid?.() === 0;

const CONFIG = {
  execution: { risk: { ordersPerSecond: 50, orderBurst: 50, duplicateWindowMs: 0, priceBandBps: 10_000 } },
};
const ENV = { KESTREL_SYNTHETIC_SESSIONS: 'always', KESTREL_BACKFILL: 'off', KESTREL_LOG_LEVEL: 'warn' };

async function connect(serve: ServeProcess): Promise<WsContractClient> {
  const token = new URL(serve.url).searchParams.get('token')!;
  return WsContractClient.connect(`ws://127.0.0.1:${serve.port}/ws?token=${token}`);
}

async function waitFor(what: string, fn: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Places orders, logging each acknowledgement; returns the replies. */
async function trade(
  client: WsContractClient,
  ackFile: string,
  n: number,
  cycle: number,
): Promise<{ ok: Order[]; errors: string[] }> {
  const ok: Order[] = [];
  const errors: string[] = [];
  for (let i = 0; i < n; i++) {
    for (const [symbol, mode] of [
      ['NVDA', 'live'],
      ['MSFT', 'shadow'],
    ] as const) {
      const r = await client.call('placeOrder', {
        symbol,
        side: i % 2 ? 'SELL' : 'BUY',
        quantity: 1 + (i % 3),
        type: i % 4 === 3 ? 'LMT' : 'MKT',
        ...(i % 4 === 3 ? { limitPrice: 1 } : {}),
        mode,
      });
      if (r.ok) {
        const o = r.result as Order;
        ok.push(o);
        appendAck(ackFile, { type: 'order', clientOrderId: o.clientOrderId, status: o.status, mode, cycle });
      } else errors.push(`${r.error?.code}: ${r.error?.message}`);
    }
  }
  return { ok, errors };
}

async function readOnlyAtStart(method: string, dir: string, result: ChaosResult, acks: Ack[]): Promise<void> {
  const before = checkOrderStore(dir, acks);
  const db = ['kestrel.db', 'kestrel.db-wal', 'kestrel.db-shm'].map((f) => path.join(dir, f)).filter(fs.existsSync);
  const undo: (() => void)[] = [];
  if (method === 'tmpfs') {
    if (!sh('mount', ['-o', 'remount,ro', dir])) throw new Error(`cannot remount ${dir} read-only`);
    undo.push(() => sh('mount', ['-o', 'remount,rw', dir]));
  } else if (method === 'chmod') {
    for (const f of [dir, ...db]) fs.chmodSync(f, 0o555);
    undo.push(() => [dir, ...db].forEach((f) => fs.chmodSync(f, 0o755)));
  } else {
    for (const f of [...db, dir]) sh('chattr', ['+i', f]);
    undo.push(() => [dir, ...db].forEach((f) => sh('chattr', ['-i', f])));
  }
  try {
    const r = await runKestrel(['serve', '--port', '0', '--data-dir', dir], ENV);
    result.runs++;
    const out = `${r.stdout}${r.stderr}`;
    if (r.code !== 3) result.failed.push(`read-only data dir (${method}): exit code ${r.code}, expected 3: ${out}`);
    if (!/not writable/.test(out)) result.failed.push(`read-only data dir (${method}): no clear message: ${out}`);
    result.notes.push(`read-only data dir (${method}): exit ${r.code}, "${out.trim().split('\n')[0]}"`);
  } finally {
    for (const u of undo) u();
  }
  const after = checkOrderStore(dir, acks);
  result.lost += after.lost.length + Math.max(0, before.events - after.events);
  result.corrupted += after.corrupted.length;
  result.notes.push(...after.lost, ...after.corrupted);
}

/** Acknowledgements of earlier rounds, all checked already. */
let durableAcksTotal = 0;
/** The acknowledgements that must survive: every round's before its fault. */
let durableList: Ack[] = [];

async function fullDiskRound(
  dir: string,
  gw: FakeIbGateway,
  ackFile: string,
  p: StorageParams,
  round: number,
  result: ChaosResult,
): Promise<void> {
  const serve = await startServe(dir, ['--ib-port', String(gw.port), '--symbols', 'NVDA,MSFT'], ENV);
  let durableAcks = 0;
  const client = await connect(serve);
  try {
    await waitFor('paper broker', async () => {
      const r = await client.call('getBrokerStatus');
      return (r.result as { tradingAllowed: boolean }).tradingAllowed;
    });
    // The trading state may be HALTED from the previous round (it was saved when the disk had room).
    const state = await client.call('getSnapshot');
    if ((state.result as { tradingState: { state: string } }).tradingState.state === 'HALTED')
      await client.call('rearm', { confirm: true });
    const live = await client.call('setSymbolMode', {
      symbol: 'NVDA',
      mode: 'live',
      override: { confirm: true, reason: 'chaos: storage faults' },
    });
    if (!live.ok) throw new Error(`NVDA live: ${live.error?.message}`);
    await waitFor('quotes', async () => {
      const r = await client.call('placeOrder', { symbol: 'MSFT', side: 'BUY', quantity: 1, type: 'MKT' });
      return r.ok && (r.result as Order).status !== 'DENIED';
    });
    const before = await trade(client, ackFile, p.orders, round);

    // Fill the disk: a filler file until ENOSPC.
    const filler = path.join(dir, 'filler');
    const fd = fs.openSync(filler, 'w');
    const chunk = Buffer.alloc(64 * 1024);
    try {
      for (;;) fs.writeSync(fd, chunk);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
    }
    try {
      for (;;) fs.writeSync(fd, chunk.subarray(0, 512));
    } catch {
      // full to the last block
    } finally {
      fs.closeSync(fd);
    }

    // SQLite first reuses the WAL's already allocated pages, so writes keep succeeding for a while:
    // trade until the first one fails (that is the fault), then check what follows it.
    let before2 = 0;
    let failedAt = -1;
    try {
      for (let i = 0; i < p.maxOrdersToFault && failedAt < 0; i++) {
        durableAcks = readAcks(ackFile).length - durableAcksTotal;
        const r = await trade(client, ackFile, 1, round);
        before2 += r.ok.length;
        // The first failed write may be a broker report (no error reaches the client): it halts.
        const h = (await (await fetch(`${serve.origin}/healthz`)).json()) as { tradingState?: string };
        if (r.errors.some((e) => e.startsWith('UNAVAILABLE')) || h.tradingState === 'HALTED') failedAt = i;
      }
    } catch (err) {
      result.failed.push(`full disk: no reply (${(err as Error).message}): ${serve.output().slice(-800)}`);
    }
    result.runs++;
    if (failedAt < 0) result.failed.push(`full disk: no order write failed within ${p.maxOrdersToFault} orders`);
    // Orders recorded just before the fault may still be on the wire to the gateway.
    await new Promise((r) => setTimeout(r, 500));
    const sentAtFault = gw.placedOrders().length;
    let during: { ok: Order[]; errors: string[] } = { ok: [], errors: [] };
    try {
      during = await trade(client, ackFile, p.orders, round);
    } catch (err) {
      result.failed.push(`full disk: no reply (${(err as Error).message}): ${serve.output().slice(-800)}`);
    }
    const sentAfter = gw.placedOrders().length - sentAtFault;
    const health = (await (await fetch(`${serve.origin}/healthz`)).json()) as { tradingState?: string };
    const alive = serve.child.exitCode === null;
    // Not a loss by itself: an order recorded just before the fault can reach the gateway late.
    // The reopened store below must hold every order the gateway received.
    result.figures.gatewayOrdersAfterFault = Number(result.figures.gatewayOrdersAfterFault ?? 0) + sentAfter;
    const accepted = during.ok.filter((o) => o.status !== 'DENIED');
    if (accepted.length > 0)
      result.failed.push(`full disk: ${accepted.length} orders accepted after the order log failed`);
    if (failedAt >= 0 && health.tradingState !== 'HALTED')
      result.failed.push(`full disk: trading is ${health.tradingState}, expected HALTED`);
    if (!alive) result.failed.push(`full disk: the engine exited: ${serve.output().slice(-500)}`);
    result.notes.push(
      `full disk round ${round}: ${before.ok.length} orders acknowledged with room, ${before2} more after the disk filled until the first write failed (order pair ${failedAt + 1}); then ${during.errors.length} refused (${during.errors[0] ?? 'none'}), ${during.ok.length} answered (${[...new Set(during.ok.map((o) => `${o.status}${o.denyCode ? ` ${o.denyCode}` : ''}`))].join('/') || 'none'}), ${sentAfter} sent to the gateway; /healthz tradingState ${health.tradingState}; engine ${alive ? 'alive' : 'exited'}`,
    );
    fs.rmSync(filler);
  } finally {
    client.close();
    serve.child.kill('SIGKILL');
    await serve.stop();
  }
  // Reopen: everything acknowledged before the fault is there, and it replays. After it, broker
  // reports are applied in memory only (the broker did act; reconciliation restores them).
  const acks = readAcks(ackFile);
  durableList.push(...acks.slice(durableAcksTotal, durableAcksTotal + durableAcks));
  const check = checkOrderStore(dir, durableList);
  const memoryOnly = checkOrderStore(dir, acks.slice(durableAcksTotal + durableAcks)).lost.length;
  result.figures.memoryOnlyStatesAfterFault = Number(result.figures.memoryOnlyStatesAfterFault ?? 0) + memoryOnly;
  durableAcksTotal = acks.length;
  for (const o of gw.placedOrders())
    if (!check.created.has(o.orderRef)) check.lost.push(`${o.orderRef} reached the gateway but is not stored`);
  result.lost += check.lost.length;
  result.corrupted += check.corrupted.length;
  result.notes.push(...check.lost, ...check.corrupted);
}

export async function runStorageFaults(p: StorageParams, ctx: { log: (l: string) => void }): Promise<ChaosResult> {
  const result = emptyResult();
  durableAcksTotal = 0;
  durableList = [];
  const mount = canMount();
  const method = mount ? 'tmpfs' : isRoot() ? 'chattr' : 'chmod';
  result.figures = { method: mount ? 'tmpfs 16 MiB, remount ro' : method };
  const outside = tempDir('kestrel-chaos-storage-');
  const data = tempDir('kestrel-chaos-storage-data-');
  const ackFile = path.join(outside.dir, 'acks.jsonl');
  const gw = new FakeIbGateway({ prices: { NVDA: 180 } });
  await gw.start();
  let mounted = false;
  try {
    if (mount) {
      if (!sh('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', data.dir])) throw new Error('tmpfs mount failed');
      mounted = true;
    }
    fs.writeFileSync(path.join(data.dir, 'kestrel.config.json'), JSON.stringify(CONFIG));
    if (mount) {
      for (let round = 1; round <= p.fullDiskRounds; round++) {
        await fullDiskRound(data.dir, gw, ackFile, p, round, result);
        ctx.log(`full disk round ${round}: lost ${result.lost}, corrupted ${result.corrupted}`);
      }
    } else {
      result.notes.push(
        `full disk not run as a filesystem fault: this process cannot mount a tmpfs (${method} used for read-only)`,
      );
      // Still commit something for the read-only check to protect.
      const serve = await startServe(data.dir, [], ENV);
      const client = await connect(serve);
      await waitFor('quotes', async () => {
        const r = await client.call('placeOrder', { symbol: 'MSFT', side: 'BUY', quantity: 1, type: 'MKT' });
        if (r.ok) {
          const o = r.result as Order;
          appendAck(ackFile, {
            type: 'order',
            clientOrderId: o.clientOrderId,
            status: o.status,
            mode: 'shadow',
            cycle: 0,
          });
        }
        return r.ok && (r.result as Order).status !== 'DENIED';
      });
      client.close();
      await serve.stop();
    }
    await readOnlyAtStart(method, data.dir, result, mount ? durableList : readAcks(ackFile));
    const acks = readAcks(ackFile);
    result.figures.ordersAcked = new Set(acks.map((a) => (a.type === 'order' ? a.clientOrderId : a.execId))).size;
    result.figures.liveOrdersAtGateway = gw.placedOrders().length;
    const ids = gw.placedOrders().map((o) => o.orderRef);
    result.duplicated += ids.length - new Set(ids).size;
    return result;
  } finally {
    await gw.stop();
    if (mounted) sh('umount', ['-l', data.dir]);
    data.cleanup();
    outside.cleanup();
  }
}

registerScenario<StorageParams>({
  name: 'storage faults',
  description:
    'A full disk while `kestrel serve` trades (tmpfs filled to ENOSPC): no order may reach the gateway unrecorded, orders are refused, trading halts; a read-only data dir at start: exit code 3 with a clear message. After each fault the database is reopened: integrity ok, every acknowledged order present, rebuild = replay.',
  quick: { fullDiskRounds: 1, orders: 4, maxOrdersToFault: 300 },
  full: { fullDiskRounds: 5, orders: 20, maxOrdersToFault: 1000 },
  run: (params, ctx) => runStorageFaults(params, ctx),
});
