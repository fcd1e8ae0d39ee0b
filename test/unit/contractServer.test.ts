import { describe, expect, it } from 'vitest';
import { EventBus } from '../../src/main/bus';
import { CommandError } from '../../src/main/errors';
import { silentLogger } from '../../src/main/observability/logger';
import { ContractServer, type CommandHandlers } from '../../src/main/transport/server';

const state = { state: 'ACTIVE' as const, reason: 'r', changedAt: 1, changedBy: 'cli' as const };
const pnl = { realizedPnl: 0, unrealizedPnl: 0, dailyPnl: 0, grossExposure: 0 };

function server(overrides: Partial<CommandHandlers> = {}) {
  const bus = new EventBus();
  const handlers: CommandHandlers = {
    getSnapshot: () => ({
      version: 't',
      host: 'headless',
      serverTime: 1,
      uptimeS: 0,
      tradingState: state,
      symbols: [],
      alerts: [],
      providers: [],
      ticks: [],
      activeProviders: {},
    }),
    getTradingState: () => state,
    engageKillSwitch: ({ reason }) => ({ ...state, state: 'HALTED', reason }),
    rearm: () => state,
    listSymbols: () => [],
    setSymbolMode: ({ symbol, mode }) => ({ symbol, mode, changedAt: 1 }),
    addSymbol: ({ symbol }) => ({ symbol, mode: 'shadow', changedAt: 1 }),
    listProviders: () => [],
    failover: ({ symbol, to }) => ({ symbol, from: null, to, reason: 'manual', ts: 1 }),
    getPromotionGates: () => ({ target: 't', verdict: 'FAIL', windowMs: 1, criteria: [] }),
    getBars: ({ symbol, interval }) => ({
      symbol,
      interval,
      bars: [],
      gaps: [],
      gapBuckets: [],
      sim: true,
      sources: [],
      truncated: false,
    }),
    listSignals: () => [],
    getSignalStats: () => ({
      latency: { window: 1, count: 0, p50Us: null, p95Us: null, p99Us: null },
      decisions: 0,
      passed: 0,
      blocked: 0,
      blockedByReason: {},
      inferenceErrors: 0,
      pairUnmatched: 0,
      pair: null,
      defaultThreshold: 0.6,
      thresholds: {},
      cooldownMs: 0,
      maxFeatureAgeMs: 1000,
      allowExtendedHours: false,
    }),
    getGapState: () => [],
    listBackfillJobs: () => [],
    requeueBackfill: () => ({ requeued: 0, skipped: 0 }),
    purgeBackfill: () => ({ purged: 0 }),
    getBackfillStatus: () => ({
      ts: 1,
      enabled: false,
      depths: { T0: 0, T1: 0, T2: 0 },
      caps: { T0: 1, T1: 1, T2: 1 },
      running: 0,
      dead: 0,
      refused: 0,
    }),
    // --- execution ---
    listOrders: () => [],
    listFills: () => [],
    listPositions: () => ({ positions: [], totals: { shadow: pnl, live: pnl }, ts: 1 }),
    placeOrder: () => {
      throw new CommandError('DENIED', 'no broker');
    },
    cancelOrder: () => {
      throw new CommandError('DENIED', 'no order');
    },
    flattenAll: () => ({ flat: true, rounds: 0, orders: [], remaining: [] }),
    getBrokerStatus: () => ({
      name: 'none',
      connected: false,
      accounts: [],
      paper: false,
      tradingAllowed: false,
      reason: 'r',
    }),
    getKillProgress: () => ({
      phase: 'idle',
      message: '',
      cancelled: 0,
      total: 0,
      timedOut: false,
      latencyMs: null,
      reason: null,
      startedAt: null,
      finishedAt: null,
      shadowed: [],
      errors: [],
    }),
    // --- end execution ---
    // --- alerts ---
    listAlerts: () => ({ alerts: [], unread: 0 }),
    ackAlert: () => ({ unread: 0 }),
    ackAllAlerts: () => ({ acked: 0, unread: 0 }),
    getAlertChannels: () => [],
    testAlertChannel: () => ({ ok: true, status: 204, error: null, durationMs: 1 }),
    // --- end alerts ---
    ...overrides,
  };
  return { bus, server: new ContractServer(handlers, bus, silentLogger()) };
}

const ctx = { surface: 'ui-ws' as const };

describe('ContractServer', () => {
  it('dispatches by name and validates the answer', async () => {
    const { server: s } = server();
    expect(await s.dispatch({ id: 7, cmd: 'engageKillSwitch', input: { reason: 'x' } }, ctx)).toEqual({
      id: 7,
      ok: true,
      result: { ...state, state: 'HALTED', reason: 'x' },
    });
  });

  it('answers bad frames, unknown commands and bad input with typed errors', async () => {
    const { server: s } = server();
    expect(await s.dispatchText('{not json', ctx)).toMatchObject({ id: null, ok: false, error: { code: 'BAD_FRAME' } });
    expect(await s.dispatch([1, 2], ctx)).toMatchObject({ id: null, ok: false, error: { code: 'BAD_FRAME' } });
    expect(await s.dispatch({ id: 'a', input: {} }, ctx)).toMatchObject({
      id: 'a',
      ok: false,
      error: { code: 'BAD_FRAME' },
    });
    expect(await s.dispatch({ id: 1, cmd: 'launchMissiles' }, ctx)).toMatchObject({
      error: { code: 'UNKNOWN_COMMAND' },
    });
    expect(await s.dispatch({ id: 1, cmd: 'constructor' }, ctx)).toMatchObject({ error: { code: 'UNKNOWN_COMMAND' } });
    const bad = await s.dispatch({ id: 2, cmd: 'rearm', input: { confirm: false } }, ctx);
    expect(bad).toMatchObject({ id: 2, ok: false, error: { code: 'INVALID_INPUT' } });
    expect(bad.ok === false && bad.error.message).toMatch(/confirm/);
  });

  it('passes CommandError codes through and hides other exceptions as INTERNAL', async () => {
    const { server: s } = server({
      rearm: () => {
        throw new CommandError('INVALID_STATE', 'already ACTIVE');
      },
      listSymbols: () => {
        throw new TypeError('cannot read properties of undefined');
      },
    });
    expect(await s.dispatch({ id: 1, cmd: 'rearm', input: { confirm: true } }, ctx)).toEqual({
      id: 1,
      ok: false,
      error: { code: 'INVALID_STATE', message: 'already ACTIVE' },
    });
    const internal = await s.dispatch({ id: 2, cmd: 'listSymbols' }, ctx);
    expect(internal).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(internal)).not.toContain('cannot read properties');
  });

  it('refuses to send an answer that fails the output schema', async () => {
    const { server: s } = server({ getTradingState: () => ({ state: 'PANIC' }) as never });
    expect(await s.dispatch({ id: 1, cmd: 'getTradingState' }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'INTERNAL' },
    });
  });

  it('forwards valid events and drops ones that fail the contract', () => {
    const { server: s, bus } = server();
    const frames: unknown[] = [];
    s.subscribe((f) => frames.push(f));
    bus.emit('heartbeat', { ts: 1, uptimeS: 1, tradingState: 'ACTIVE' });
    bus.emit('heartbeat', { ts: -1, uptimeS: 1, tradingState: 'ACTIVE' });
    expect(frames).toEqual([{ event: 'heartbeat', payload: { ts: 1, uptimeS: 1, tradingState: 'ACTIVE' } }]);
  });
});
