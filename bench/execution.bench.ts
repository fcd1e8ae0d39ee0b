/**
 * OMS submit → fill round trips on the simulated broker (no latency): with the in-memory event
 * store (backtests) and with SQLite on the real pragmas (synchronous=FULL: each event is an fsync).
 */
import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import { SimulatedClock } from '../src/main/clock';
import { MemoryOrderStore } from '../src/main/execution/orderEvents';
import { OrderManager } from '../src/main/execution/orderManager';
import { RiskEngine } from '../src/main/execution/risk';
import { SimulatedBroker } from '../src/main/execution/simulatedBroker';
import { openDatabase } from '../src/main/storage/db';
import { tempDir } from '../test/helpers/tmp';
import { printBench } from './report';

function run(n: number, sqlite: boolean): number {
  const clock = new SimulatedClock(Date.UTC(2026, 2, 2, 15));
  const t = tempDir();
  const db = sqlite ? openDatabase(t.dir) : undefined;
  const broker = new SimulatedBroker({ clock, quotes: () => ({ bid: 99.99, ask: 100.01, ts: clock.now() }) });
  const risk = new RiskEngine({
    clock,
    config: {
      ordersPerSecond: 1e9,
      orderBurst: 1e9,
      duplicateWindowMs: 0,
      maxPositionPerSymbol: 1e12,
      maxGrossExposure: 1e15,
      dailyLossLimit: 1e12,
    },
  });
  const oms = new OrderManager({
    clock,
    ...(db ? { db } : { store: new MemoryOrderStore() }),
    brokers: { shadow: broker },
    risk,
    tradingState: () => 'ACTIVE',
    quote: () => ({ price: 100, ts: clock.now() }),
  });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const o = oms.submit({
      symbol: 'NVDA',
      side: i % 2 ? 'SELL' : 'BUY',
      quantity: 10,
      type: 'MKT',
      mode: 'shadow',
      origin: 'signal',
    });
    if (o.status !== 'FILLED') throw new Error(`order ${i} ended ${o.status}: ${o.reason}`);
    clock.advance(1);
  }
  const perSec = n / ((performance.now() - t0) / 1000);
  oms.close();
  db?.close();
  t.cleanup();
  return perSec;
}

it('OMS submit → fill throughput on the simulated broker', () => {
  const memory = run(20_000, false);
  const sqlite = run(500, true);
  printBench('execution: OMS submit → fill (simulated broker)', [
    { name: 'in-memory event store', value: memory, unit: 'orders/s' },
    { name: 'SQLite event store (synchronous=FULL)', value: sqlite, unit: 'orders/s' },
  ]);
  expect(memory).toBeGreaterThan(0);
  expect(sqlite).toBeGreaterThan(0);
});
