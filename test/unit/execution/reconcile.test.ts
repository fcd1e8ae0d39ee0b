import { describe, expect, it } from 'vitest';
import { reconcile, type LocalOrder, type ReconcileInput } from '../../../src/main/execution/reconcile';
import type { BrokerExecution, BrokerOpenOrder, BrokerSnapshot } from '../../../src/main/execution/types';

const T0 = 1_767_000_000_000;

function order(over: Partial<LocalOrder> & { clientOrderId: string }): LocalOrder {
  return {
    brokerOrderId: null,
    symbol: 'AAPL',
    side: 'BUY',
    quantity: 100,
    filled: 0,
    status: 'ACCEPTED',
    submittedAt: T0 - 60_000,
    ...over,
  };
}

function exec(over: Partial<BrokerExecution> & { execId: string }): BrokerExecution {
  return {
    brokerOrderId: '1',
    clientOrderId: null,
    symbol: 'AAPL',
    side: 'BUY',
    quantity: 10,
    price: 190,
    ts: T0 - 1000,
    ...over,
  };
}

function open(over: Partial<BrokerOpenOrder> & { brokerOrderId: string }): BrokerOpenOrder {
  return {
    clientOrderId: null,
    symbol: 'AAPL',
    side: 'BUY',
    quantity: 100,
    filled: 0,
    type: 'LMT',
    limitPrice: 180,
    status: 'Submitted',
    ...over,
  };
}

function input(
  over: Partial<Omit<ReconcileInput, 'snapshot'>> & { snapshot?: Partial<BrokerSnapshot> },
): ReconcileInput {
  return {
    orders: over.orders ?? [],
    positions: over.positions ?? [],
    knownExecIds: over.knownExecIds ?? new Set(),
    asOf: over.asOf ?? T0,
    snapshot: { openOrders: [], executions: [], positions: [], ...over.snapshot },
  };
}

describe('reconcile', () => {
  it('returns nothing when local state and the broker agree', () => {
    const corrections = reconcile(
      input({
        orders: [order({ clientOrderId: 'k1', brokerOrderId: '5', filled: 40, status: 'PARTIALLY_FILLED' })],
        positions: [{ symbol: 'AAPL', quantity: 40 }],
        knownExecIds: new Set(['e1']),
        snapshot: {
          openOrders: [open({ brokerOrderId: '5', clientOrderId: 'k1', filled: 40 })],
          executions: [exec({ execId: 'e1', clientOrderId: 'k1', brokerOrderId: '5', quantity: 40 })],
          positions: [{ account: 'DU1', symbol: 'AAPL', quantity: 40, avgCost: 190 }],
        },
      }),
    );
    expect(corrections).toEqual([]);
  });

  it('applies missed fills once each, oldest first, matched by orderRef or broker id', () => {
    const e2 = exec({ execId: 'e2', clientOrderId: 'k1', ts: T0 - 500, quantity: 30 });
    const e1 = exec({ execId: 'e1', clientOrderId: null, brokerOrderId: '5', ts: T0 - 900, quantity: 20 });
    const corrections = reconcile(
      input({
        orders: [order({ clientOrderId: 'k1', brokerOrderId: '5' })],
        positions: [],
        snapshot: {
          openOrders: [open({ brokerOrderId: '5', clientOrderId: 'k1', filled: 50 })],
          executions: [e2, e1, e2],
          positions: [{ account: 'DU1', symbol: 'AAPL', quantity: 50, avgCost: 190 }],
        },
      }),
    );
    expect(corrections).toEqual([
      { kind: 'applyFill', clientOrderId: 'k1', execution: e1 },
      { kind: 'applyFill', clientOrderId: 'k1', execution: e2 },
    ]);
  });

  it('skips executions the order manager already knows', () => {
    const corrections = reconcile(
      input({
        orders: [order({ clientOrderId: 'k1', filled: 10, status: 'PARTIALLY_FILLED' })],
        positions: [{ symbol: 'AAPL', quantity: 10 }],
        knownExecIds: new Set(['e1']),
        snapshot: {
          openOrders: [open({ brokerOrderId: '5', clientOrderId: 'k1', filled: 10 })],
          executions: [exec({ execId: 'e1', clientOrderId: 'k1' })],
          positions: [{ account: 'DU1', symbol: 'AAPL', quantity: 10, avgCost: 190 }],
        },
      }),
    );
    expect(corrections).toEqual([]);
  });

  it('finishes an order through its missed fills without an extra markFilled', () => {
    const fill = exec({ execId: 'e1', clientOrderId: 'k1', quantity: 100 });
    const corrections = reconcile(
      input({
        orders: [order({ clientOrderId: 'k1', status: 'SUBMITTED' })],
        snapshot: { executions: [fill], positions: [{ account: 'DU1', symbol: 'AAPL', quantity: 100, avgCost: 190 }] },
      }),
    );
    expect(corrections).toEqual([{ kind: 'applyFill', clientOrderId: 'k1', execution: fill }]);
  });

  it('marks an order filled when it is gone from IB and its fills were already applied', () => {
    const corrections = reconcile(
      input({
        orders: [order({ clientOrderId: 'k1', filled: 100, status: 'PARTIALLY_FILLED' })],
        positions: [{ symbol: 'AAPL', quantity: 100 }],
        snapshot: { positions: [{ account: 'DU1', symbol: 'AAPL', quantity: 100, avgCost: 190 }] },
      }),
    );
    expect(corrections).toEqual([
      { kind: 'markFilled', clientOrderId: 'k1', reason: 'no longer open at IB and fully filled' },
    ]);
  });

  it('marks orders gone from IB canceled (partly filled or not) and never-acknowledged ones rejected', () => {
    const partFill = exec({ execId: 'e9', clientOrderId: 'k2', quantity: 25 });
    const corrections = reconcile(
      input({
        orders: [
          order({ clientOrderId: 'k1', status: 'ACCEPTED' }),
          order({ clientOrderId: 'k2', status: 'ACCEPTED' }),
          order({ clientOrderId: 'k3', status: 'SUBMITTED' }),
          order({ clientOrderId: 'k4', status: 'PENDING_CANCEL' }),
        ],
        snapshot: { executions: [partFill], positions: [{ account: 'DU1', symbol: 'AAPL', quantity: 25, avgCost: 1 }] },
      }),
    );
    expect(corrections.map((c) => [c.kind, 'clientOrderId' in c ? c.clientOrderId : null])).toEqual([
      ['applyFill', 'k2'],
      ['markCanceled', 'k1'],
      ['markCanceled', 'k2'],
      ['markRejected', 'k3'],
      ['markCanceled', 'k4'],
    ]);
    const k2 = corrections.find((c) => c.kind === 'markCanceled' && c.clientOrderId === 'k2');
    expect(k2 && 'reason' in k2 ? k2.reason : '').toContain('25 of 100 filled');
  });

  it('leaves closed orders and orders sent after the snapshot was requested alone', () => {
    const corrections = reconcile(
      input({
        orders: [
          order({ clientOrderId: 'done', status: 'CANCELED' }),
          order({ clientOrderId: 'new', status: 'SUBMITTED', submittedAt: T0 + 5 }),
        ],
      }),
    );
    expect(corrections).toEqual([]);
  });

  it('applies a fill that arrives for an order canceled locally', () => {
    const late = exec({ execId: 'late', clientOrderId: 'k1', quantity: 10 });
    const corrections = reconcile(
      input({
        orders: [order({ clientOrderId: 'k1', status: 'CANCELED' })],
        snapshot: { executions: [late], positions: [{ account: 'DU1', symbol: 'AAPL', quantity: 10, avgCost: 190 }] },
      }),
    );
    expect(corrections).toEqual([{ kind: 'applyFill', clientOrderId: 'k1', execution: late }]);
  });

  it('marks a submitted order accepted when IB is working it', () => {
    const corrections = reconcile(
      input({
        orders: [order({ clientOrderId: 'k1', status: 'SUBMITTED' })],
        snapshot: { openOrders: [open({ brokerOrderId: '7', clientOrderId: 'k1' })] },
      }),
    );
    expect(corrections).toEqual([
      { kind: 'markAccepted', clientOrderId: 'k1', brokerOrderId: '7', reason: 'working at IB (Submitted)' },
    ]);
  });

  it('adopts unknown broker orders as EXTERNAL, with or without an orderRef', () => {
    const manual = open({ brokerOrderId: 'perm:99', clientOrderId: null, symbol: 'MSFT', side: 'SELL', quantity: 5 });
    const lost = open({ brokerOrderId: '12', clientOrderId: 'k-lost' });
    const corrections = reconcile(input({ snapshot: { openOrders: [manual, lost] } }));
    expect(corrections).toEqual([
      { kind: 'adoptExternal', order: manual, reason: 'open at IB (SELL 5 MSFT) and not placed by Kestrel' },
      { kind: 'adoptExternal', order: lost, reason: 'open at IB with orderRef k-lost, which no local order has' },
    ]);
  });

  it('reports a broker fill count the executions do not explain, without inventing a fill', () => {
    const corrections = reconcile(
      input({
        orders: [order({ clientOrderId: 'k1', filled: 10, status: 'PARTIALLY_FILLED' })],
        positions: [{ symbol: 'AAPL', quantity: 30 }],
        snapshot: {
          openOrders: [open({ brokerOrderId: '5', clientOrderId: 'k1', filled: 30 })],
          positions: [{ account: 'DU1', symbol: 'AAPL', quantity: 30, avgCost: 190 }],
        },
      }),
    );
    expect(corrections).toEqual([
      {
        kind: 'fillMismatch',
        clientOrderId: 'k1',
        localFilled: 10,
        brokerFilled: 30,
        reason: 'IB reports 30 filled but the executions account for 10',
      },
    ]);
  });

  it('reports position mismatches after counting missed and external fills, summed over accounts', () => {
    const external = exec({ execId: 'x1', clientOrderId: null, brokerOrderId: 'perm:5', symbol: 'MSFT', side: 'SELL' });
    const corrections = reconcile(
      input({
        positions: [
          { symbol: 'AAPL', quantity: 50 },
          { symbol: 'MSFT', quantity: 20 },
          { symbol: 'QQQ', quantity: 0 },
        ],
        snapshot: {
          executions: [external],
          positions: [
            { account: 'DU1', symbol: 'AAPL', quantity: 30, avgCost: 1 },
            { account: 'DU2', symbol: 'AAPL', quantity: 20, avgCost: 1 },
            { account: 'DU1', symbol: 'MSFT', quantity: 10, avgCost: 1 },
            { account: 'DU1', symbol: 'SPY', quantity: -3, avgCost: 1 },
          ],
        },
      }),
    );
    expect(corrections).toEqual([
      {
        kind: 'externalFill',
        execution: external,
        reason: 'execution x1 (SELL 10 MSFT @ 190) matches no Kestrel order',
      },
      {
        kind: 'positionMismatch',
        symbol: 'SPY',
        local: 0,
        broker: -3,
        reason: 'Kestrel expects 0 SPY (after missed fills), IB holds -3',
      },
    ]);
  });

  it('flags a local position the broker does not hold', () => {
    const corrections = reconcile(input({ positions: [{ symbol: 'NVDA', quantity: 7 }] }));
    expect(corrections).toEqual([
      {
        kind: 'positionMismatch',
        symbol: 'NVDA',
        local: 7,
        broker: 0,
        reason: 'Kestrel expects 7 NVDA (after missed fills), IB holds 0',
      },
    ]);
  });
});
