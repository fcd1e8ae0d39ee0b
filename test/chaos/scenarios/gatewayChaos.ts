/**
 * Gateway chaos: the real engine in this process trades live (paper) against the fake IB Gateway
 * while a seeded schedule injects one fault per round: disconnects mid-order (filled / working /
 * lost), a gateway restart that rolls `nextValidId` back, delayed acks, repeated status messages,
 * duplicated execDetails, rejections, fills while the engine is disconnected, fills in slices.
 * Afterwards: the engine's live positions equal the gateway's, every execution the gateway made for
 * our orders is in the order store once, no clientOrderId is working twice at the gateway, and the
 * stored state rebuilds to itself (checkOrderStore).
 */
import { SystemClock } from '../../../src/main/clock';
import { resolveConfig } from '../../../src/main/config';
import { Engine } from '../../../src/main/engine';
import { silentLogger } from '../../../src/main/observability/logger';
import { SqliteOrderRepo } from '../../../src/main/storage/orderRepo';
import { FakeIbGateway } from '../../fakes/ibGateway';
import { tempDir } from '../../helpers/tmp';
import { until } from '../../helpers/wait';
import { emptyResult, prng, registerScenario, type ChaosResult } from '../harness';
import { checkOrderStore } from '../orderStoreCheck';

export interface GatewayChaosParams {
  rounds: number;
  /** Orders per round, at most. */
  maxOrders: number;
}

const CLIENT_ID = 17;
const SYMBOLS = { NVDA: 100, MSFT: 400 } as const;
type Sym = keyof typeof SYMBOLS;
const FAULTS = [
  'disconnect-filled',
  'disconnect-working',
  'disconnect-lost',
  'restart-rollback',
  'ack-delay',
  'repeat-status',
  'duplicate-exec',
  'reject',
  'fill-while-disconnected',
  'slices',
] as const;
type Fault = (typeof FAULTS)[number];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function ready(engine: Engine): Promise<void> {
  await until('broker trading allowed', () => engine.execution.brokerStatus().tradingAllowed, 20_000);
  if (engine.killSwitch.current().state === 'HALTED') {
    // Re-arm only once the kill sequence finished with the gateway (it cancels what was working).
    await until('kill sequence done', () => engine.execution.killProgress().phase !== 'cancelling', 20_000).catch(
      () => undefined,
    );
    await engine.server.dispatch(
      { id: 1, cmd: 'rearm', input: { confirm: true, reason: 'chaos' } },
      { surface: 'ui-ws' },
    );
  }
  for (const symbol of Object.keys(SYMBOLS)) {
    if (engine.symbols.mode(symbol) === 'live') continue;
    const r = await engine.server.dispatch(
      {
        id: 2,
        cmd: 'setSymbolMode',
        input: { symbol, mode: 'live', override: { confirm: true, reason: 'chaos: gateway' } },
      },
      { surface: 'ui-ws' },
    );
    if (!r.ok) throw new Error(`${symbol} live: ${JSON.stringify(r)}`);
  }
  for (const symbol of Object.keys(SYMBOLS))
    await until(`${symbol} quote`, () => engine.execution.reference(symbol), 10_000);
}

/** Sums the gateway's position book per symbol for the paper account. */
function gatewayPositions(gw: FakeIbGateway): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of gw.positions()) out.set(p.contract.symbol, (out.get(p.contract.symbol) ?? 0) + p.position);
  return out;
}

export async function runGatewayChaos(
  p: GatewayChaosParams,
  ctx: { seed: number; log: (l: string) => void },
): Promise<ChaosResult> {
  const result = emptyResult();
  const r = prng(ctx.seed);
  const pick = <T>(xs: readonly T[]): T => xs[r.int(0, xs.length - 1)]!;
  const gw = new FakeIbGateway({ prices: { ...SYMBOLS } });
  await gw.start();
  const t = tempDir('kestrel-chaos-gw-');
  const config = resolveConfig({
    flags: { dataDir: t.dir, ibPort: String(gw.port) },
    env: { KESTREL_PROVIDERS: 'ibkr', KESTREL_BACKFILL: 'off' },
  });
  const engine = new Engine({ config, clock: new SystemClock(), log: silentLogger(), host: 'headless' });
  engine.start();
  // Rounds send orders back to back; no duplicate window (chaos repeats identical tickets on purpose).
  engine.execution.risk.updateConfig({
    ordersPerSecond: 100,
    orderBurst: 100,
    duplicateWindowMs: 0,
    priceBandBps: 10_000,
  });
  const faultsRun = new Map<Fault, number>();
  const placed: string[] = [];
  let stopped = false;
  try {
    for (let round = 1; round <= p.rounds; round++) {
      // A live market ticks all the time; the fake only quotes on setPrice, so tick each symbol per round
      // (the risk check refuses orders on a stale quote).
      for (const [sym, px] of Object.entries(SYMBOLS)) gw.setPrice(sym, gw.lastPrice(sym) ?? px);
      await ready(engine);
      // Every fault once first (so the quick run covers them all), then at random.
      const fault = round <= FAULTS.length ? FAULTS[round - 1]! : pick(FAULTS);
      faultsRun.set(fault, (faultsRun.get(fault) ?? 0) + 1);
      const symbol = pick(Object.keys(SYMBOLS) as Sym[]);
      const n = r.int(1, p.maxOrders);
      const price = gw.lastPrice(symbol) ?? SYMBOLS[symbol];
      switch (fault) {
        case 'disconnect-filled':
          gw.disconnectOnNextOrder({ outcome: 'filled', when: pick(['receive', 'ack'] as const) });
          break;
        case 'disconnect-working':
          gw.disconnectOnNextOrder({ outcome: 'working', when: pick(['receive', 'ack'] as const) });
          break;
        case 'disconnect-lost':
          gw.disconnectOnNextOrder({ outcome: 'lost', when: 'receive' });
          break;
        case 'ack-delay':
          gw.setAckDelay(r.int(20, 400));
          break;
        case 'repeat-status':
          gw.setRepeat({ openOrder: r.int(1, 3), orderStatus: r.int(2, 4) });
          break;
        case 'duplicate-exec':
          gw.duplicateExecDetails(r.int(2, 4));
          break;
        case 'reject':
          gw.rejectNextOrder({ thenStatus: pick([undefined, 'Cancelled', 'Inactive'] as const) });
          break;
        case 'slices':
          gw.fillNextOrderInSlices(r.int(2, 5));
          break;
        default:
          break;
      }
      const orders: string[] = [];
      for (let i = 0; i < n; i++) {
        const side = pick(['BUY', 'SELL'] as const);
        const resting = fault === 'fill-while-disconnected' || r.next() < 0.25;
        const o = engine.execution.placeOrder({
          symbol,
          side,
          quantity: r.int(1, 20),
          type: resting ? 'LMT' : 'MKT',
          ...(resting ? { limitPrice: Math.round((side === 'BUY' ? price * 0.97 : price * 1.03) * 100) / 100 } : {}),
        });
        if (o.status === 'DENIED') {
          result.notes.push(`round ${round} (${fault}): order denied: ${o.reason}`);
          continue;
        }
        orders.push(o.clientOrderId);
        placed.push(o.clientOrderId);
      }

      if (fault === 'restart-rollback') {
        await sleep(r.int(0, 100));
        await gw.restart({ nextValidId: 1, downtimeMs: r.int(50, 500) });
      }
      if (fault === 'fill-while-disconnected') {
        await until(
          'working at the gateway',
          () => orders.every((id) => engine.execution.oms.get(id)?.status === 'ACCEPTED'),
          10_000,
        ).catch(() => undefined);
        gw.disconnectClients();
        for (const o of gw.workingOrders(CLIENT_ID)) {
          if (r.next() < 0.7) gw.fillOrder(o.orderId, { clientId: CLIENT_ID, qty: r.next() < 0.5 ? undefined : 1 });
        }
      }
      // Let the round play out: reconnect, reconcile, fills, cancels.
      await until(
        'round settled',
        () =>
          engine.execution.brokerStatus().connected &&
          orders.every((id) => {
            const s = engine.execution.oms.get(id)?.status;
            return s !== undefined && s !== 'SUBMITTED' && s !== 'PENDING_CANCEL' && s !== 'INITIALIZED';
          }),
        20_000,
      ).catch(() =>
        result.notes.push(
          `round ${round} (${fault}): orders still in flight after 20 s: ${orders.map((id) => `${id} ${engine.execution.oms.get(id)?.status}`).join(', ')}; broker ${JSON.stringify(engine.execution.brokerStatus())}`,
        ),
      );
      gw.clearFaults();
      // Now and then the market moves through resting orders.
      // Moves stay inside the engine's 10 % jump band, or it would (rightly) refuse the new quotes.
      if (r.next() < 0.3) gw.setPrice(symbol, SYMBOLS[symbol] * (r.next() < 0.5 ? 0.95 : 1.05));
      if (r.next() < 0.3) gw.setPrice(symbol, SYMBOLS[symbol]);
      // Cancel what is still working, as a trader would at the end of a round.
      for (const o of engine.execution.oms.working('live')) engine.execution.cancelOrder(o.clientOrderId);
      result.runs++;
      ctx.log(`round ${round}: ${fault}, ${orders.length} orders`);
    }

    // Quiesce: nothing working anywhere, the last reconcile done, then compare with the gateway.
    await ready(engine).catch(() => undefined);
    for (const o of engine.execution.oms.working('live')) engine.execution.cancelOrder(o.clientOrderId);
    await until(
      'no live order working',
      () => engine.execution.oms.working('live').length === 0 && gw.workingOrders(CLIENT_ID).length === 0,
      20_000,
    ).catch(() =>
      result.failed.push(
        `orders still working at the end: engine ${engine.execution.oms.working('live').map((o) => `${o.clientOrderId} ${o.status}`)}, gateway ${gw.workingOrders(CLIENT_ID).map((o) => `${o.orderId}/${o.orderRef} ${o.status}`)}`,
      ),
    );
    // The runner keeps its last 20 runs: a new one is a new last element.
    const lastRun = engine.execution.reconciler.runs.at(-1);
    gw.disconnectClients(); // one more reconcile: what a restart would find
    await until(
      'final reconcile',
      () => engine.execution.reconciler.runs.at(-1) !== lastRun && engine.execution.brokerStatus().connected,
      20_000,
    ).catch(() => result.failed.push('no reconcile after the final reconnect'));
    const finalRun = engine.execution.reconciler.runs.at(-1);
    if (finalRun?.error) result.failed.push(`final reconcile failed: ${finalRun.error}`);
    await sleep(300);

    // One market-data stream per provider, whatever the reconnects (each extra one delivers every tick again).
    const tickListeners = engine.ib?.api.listenerCount('tickPrice') ?? 0;
    result.figures.tickListeners = tickListeners;
    if (tickListeners > 1) {
      result.duplicated += tickListeners - 1;
      result.notes.push(
        `${tickListeners} market-data streams on the IB connection after the reconnects: each tick is delivered ${tickListeners} times`,
      );
    }

    // Positions: the engine's live book equals the gateway's.
    const gwPos = gatewayPositions(gw);
    for (const symbol of Object.keys(SYMBOLS)) {
      const mine = engine.execution.oms.positions.quantity('live', symbol);
      const theirs = gwPos.get(symbol) ?? 0;
      if (Math.abs(mine - theirs) > 1e-9) {
        result.corrupted++;
        result.notes.push(`position ${symbol}: engine ${mine}, gateway ${theirs}`);
      }
    }
    result.figures.gatewayPosition = [...gwPos].map(([s, q]) => `${s} ${q}`).join(', ') || 'flat';

    // Every gateway execution of our orders is stored exactly once.
    const repo = new SqliteOrderRepo(engine.db);
    const fills = repo.fills().filter((f) => f.mode === 'live');
    const stored = new Map<string, number>();
    for (const f of fills) stored.set(f.execId, (stored.get(f.execId) ?? 0) + 1);
    const ours = gw.executions().filter((e) => e.clientId === CLIENT_ID);
    for (const e of ours) {
      const c = stored.get(e.execId) ?? 0;
      if (c === 0) {
        result.lost++;
        result.notes.push(`gateway execution ${e.execId} (${e.orderRef}, ${e.shares}) not in the order store`);
      }
    }
    for (const [execId, c] of stored) {
      if (c > 1) {
        result.duplicated += c - 1;
        result.notes.push(`execution ${execId} applied ${c} times`);
      }
      if (!ours.some((e) => e.execId === execId)) {
        result.corrupted++;
        result.notes.push(`stored execution ${execId} the gateway never made`);
      }
    }
    // No clientOrderId became two orders at the gateway (a resend after a refused id is fine: IB never had it).
    const byRef = new Map<string, number[]>();
    for (const o of gw.allOrders().filter((x) => x.clientId === CLIENT_ID))
      byRef.set(o.orderRef, [...(byRef.get(o.orderRef) ?? []), o.orderId]);
    for (const [ref, ids] of byRef) {
      if (ids.length > 1) {
        result.duplicated += ids.length - 1;
        result.notes.push(`${ref} is ${ids.length} orders at the gateway (ids ${ids.join(', ')})`);
      }
    }
    const placeMsgs = gw.placedOrders(CLIENT_ID);
    const refusedIds = gw.sentOfType('ERROR', CLIENT_ID).filter((m) => m.fields.includes('103')).length;

    await engine.stop();
    stopped = true;
    const check = checkOrderStore(t.dir, []);
    result.corrupted += check.corrupted.length;
    result.notes.push(...check.corrupted);

    Object.assign(result.figures, {
      rounds: p.rounds,
      liveOrders: placed.length,
      ordersAtGateway: byRef.size,
      placeOrderMessages: placeMsgs.length,
      duplicateIdRefusals: refusedIds,
      executions: ours.length,
      storedFills: fills.length,
    });
    result.notes.unshift(
      `${p.rounds} rounds, faults: ${[...faultsRun].map(([f, c]) => `${f} ${c}`).join(', ')}; ${placed.length} live orders, ${byRef.size} distinct orders at the gateway from ${placeMsgs.length} PLACE_ORDER messages (${refusedIds} refused as duplicate ids after the rollback), ${ours.length} executions, ${fills.length} stored fills; positions ${result.figures.gatewayPosition}`,
    );
    return result;
  } finally {
    if (!stopped) await engine.stop();
    await gw.stop();
    t.cleanup();
  }
}

registerScenario<GatewayChaosParams>({
  name: 'gateway chaos',
  description:
    'The engine trades live (paper) against the fake IB Gateway while each round injects one seeded fault: a disconnect mid-order (filled, working or lost), a restart rolling `nextValidId` back, delayed acks, repeated status messages, duplicated execDetails, a rejection, fills while disconnected, fills in slices. Afterwards positions must equal the gateway’s (`corrupted` otherwise), every gateway execution must be stored once (`lost` / `duplicated`), no clientOrderId may be two orders at the gateway, and the order store must rebuild to itself.',
  quick: { rounds: FAULTS.length, maxOrders: 3 },
  full: { rounds: 120, maxOrders: 4 },
  run: (params, ctx) => runGatewayChaos(params, ctx),
});
