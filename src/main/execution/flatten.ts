/**
 * Flatten, the kill switch's separate confirmed action: cancel what is working, then send
 * reduce-only market orders (origin 'flatten', which passes while HALTED) and repeat, round after
 * round, until every position of the chosen modes is zero, the rounds run out or time is up.
 */
import { performance } from 'node:perf_hooks';
import type { OrderRecord } from './orderEvents';
import type { OrderManager } from './orderManager';
import type { PositionView } from './positions';
import type { OrderMode } from './types';

export interface FlattenOptions {
  oms: OrderManager;
  modes: readonly OrderMode[];
  timeoutMs: number;
  maxRounds: number;
  /** How often working orders are checked. */
  pollMs?: number;
}

export interface FlattenResult {
  flat: boolean;
  rounds: number;
  orders: OrderRecord[];
  remaining: PositionView[];
}

const EPS = 1e-9;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function flatten(opts: FlattenOptions): Promise<FlattenResult> {
  const { oms, modes } = opts;
  const pollMs = opts.pollMs ?? 20;
  const deadline = performance.now() + opts.timeoutMs;
  const inModes = (m: OrderMode): boolean => modes.includes(m);
  const open = (): PositionView[] => oms.positions.list().filter((p) => inModes(p.mode) && Math.abs(p.quantity) > EPS);
  const working = (): OrderRecord[] => oms.working().filter((o) => inModes(o.request.mode));
  const settle = async (): Promise<void> => {
    while (working().length > 0 && performance.now() < deadline) await sleep(pollMs);
  };

  // Working orders on the same side would make a reduce-only order look like it adds exposure.
  for (const o of working()) if (o.status !== 'PENDING_CANCEL') oms.cancel(o.clientOrderId);
  const orders: OrderRecord[] = [];
  let rounds = 0;
  while (rounds < opts.maxRounds) {
    await settle();
    const positions = open();
    if (positions.length === 0 || performance.now() >= deadline) break;
    rounds++;
    let sent = 0;
    for (const p of positions) {
      const order = oms.submit({
        symbol: p.symbol,
        side: p.quantity > 0 ? 'SELL' : 'BUY',
        quantity: Math.round(Math.abs(p.quantity)),
        type: 'MKT',
        mode: p.mode,
        origin: 'flatten',
        reduceOnly: true,
      });
      orders.push(order);
      if (order.status !== 'DENIED') sent++;
    }
    // Everything denied (rate limit, no quote): give the reason a moment to pass before retrying.
    if (sent === 0) await sleep(250);
  }
  await settle();
  const remaining = open();
  // Orders move on after submit: report their latest state.
  return { flat: remaining.length === 0, rounds, orders: orders.map((o) => oms.get(o.clientOrderId) ?? o), remaining };
}
