/** The pure parts of the execution wiring: config, signal → orders, the live-mode guard. */
import { describe, expect, it } from 'vitest';
import type { GateReport, Signal } from '../../../src/shared/domain';
import { ConfigError, resolveConfig } from '../../../src/main/config';
import { ExecutionLiveGuard } from '../../../src/main/execution/liveModeGuard';
import { ordersForSignal, type SignalOrderDeps } from '../../../src/main/execution/signalOrders';
import type { BrokerStatus } from '../../../src/main/execution/types';

const resolve = (env: Record<string, string>, flags: Record<string, string> = {}) =>
  resolveConfig({ flags: { dataDir: '/tmp/kestrel-none', ...flags }, env, readFile: false });

describe('execution config', () => {
  it('defaults to no live broker, and to ibkr when a gateway port is given or IBKR is a provider', () => {
    expect(resolve({}).execution.liveBroker).toBe('none');
    expect(resolve({}, { ibPort: '4999' }).execution.liveBroker).toBe('ibkr');
    expect(resolve({ KESTREL_IB_PORT: '4999' }).execution.liveBroker).toBe('ibkr');
    expect(resolve({ KESTREL_PROVIDERS: 'ibkr' }).execution.liveBroker).toBe('ibkr');
    expect(resolve({ KESTREL_PROVIDERS: 'ibkr', KESTREL_LIVE_BROKER: 'none' }).execution.liveBroker).toBe('none');
  });

  it('takes the kill timeout and loss limit from the environment', () => {
    const c = resolve({ KESTREL_KILL_TIMEOUT_MS: '2500', KESTREL_DAILY_LOSS_LIMIT: '300' }).execution;
    expect(c.kill.cancelTimeoutMs).toBe(2500);
    expect(c.risk.dailyLossLimit).toBe(300);
    expect(c.risk.ordersPerSecond).toBe(5);
  });

  it('refuses bad values with the field named', () => {
    expect(() => resolve({ KESTREL_LIVE_BROKER: 'alpaca' })).toThrow(ConfigError);
    expect(() => resolve({ KESTREL_LIVE_BROKER: 'alpaca' })).toThrow(/execution\.liveBroker/);
    expect(() => resolve({ KESTREL_KILL_TIMEOUT_MS: 'soon' })).toThrow(/execution\.kill\.cancelTimeoutMs/);
    expect(() => resolve({ KESTREL_DAILY_LOSS_LIMIT: '-5' })).toThrow(/execution\.risk\.dailyLossLimit/);
  });
});

function signal(legs: Signal['legs'], passed = true): Signal {
  return {
    ts: 1,
    barTs: 0,
    policy: legs.length === 2 ? 'dual' : 'single',
    symbols: legs.map((l) => l.symbol),
    action: 'BUY',
    legs,
    probs: [0, 0, 1],
    confidence: 0.9,
    threshold: 0.6,
    passed,
    reason: passed ? null : 'confidence',
    reasons: [],
    detail: '',
    latencyUs: 1,
    mode: 'shadow',
  };
}

const deps = (over: Partial<SignalOrderDeps> = {}): SignalOrderDeps => ({
  mode: (s) => (s === 'OFF' ? 'off' : s === 'LIVE' ? 'live' : 'shadow'),
  sizing: () => ({ kind: 'fixedNotional', notional: 1000 }),
  price: () => 100,
  equity: () => 100_000,
  position: () => 0,
  allowShort: false,
  ...over,
});

describe('signal → orders', () => {
  it('sizes each BUY/SELL leg in its symbol mode and skips HOLD, off symbols and blocked signals', () => {
    const r = ordersForSignal(
      signal([
        { symbol: 'NVDA', side: 'BUY' },
        { symbol: 'LIVE', side: 'BUY' },
      ]),
      deps(),
    );
    expect(r.orders).toEqual([
      { symbol: 'NVDA', side: 'BUY', quantity: 10, type: 'MKT', mode: 'shadow', origin: 'signal' },
      { symbol: 'LIVE', side: 'BUY', quantity: 10, type: 'MKT', mode: 'live', origin: 'signal' },
    ]);
    expect(ordersForSignal(signal([{ symbol: 'OFF', side: 'BUY' }]), deps()).skipped[0]?.reason).toMatch(/off/);
    expect(ordersForSignal(signal([{ symbol: 'NVDA', side: 'HOLD' }]), deps()).orders).toEqual([]);
    expect(ordersForSignal(signal([{ symbol: 'NVDA', side: 'BUY' }], false), deps()).orders).toEqual([]);
  });

  it('never opens a short unless allowed, and sells at most the long', () => {
    const sell = signal([{ symbol: 'NVDA', side: 'SELL' }]);
    expect(ordersForSignal(sell, deps()).skipped[0]?.reason).toMatch(/without a long/);
    expect(ordersForSignal(sell, deps({ position: () => 4 })).orders[0]?.quantity).toBe(4);
    expect(ordersForSignal(sell, deps({ allowShort: true })).orders[0]?.quantity).toBe(10);
  });

  it('reports a size that cannot be computed instead of sending it', () => {
    const r = ordersForSignal(signal([{ symbol: 'NVDA', side: 'BUY' }]), deps({ price: () => null }));
    expect(r.orders).toEqual([]);
    expect(r.skipped[0]?.reason).toMatch(/no valid price/);
  });
});

describe('live-mode guard', () => {
  const paper: BrokerStatus = {
    name: 'ibkr',
    connected: true,
    accounts: ['DU1'],
    paper: true,
    tradingAllowed: true,
    reason: null,
  };
  const pass: GateReport = { target: 'symbol NVDA', verdict: 'PASS', windowMs: 1, criteria: [] };
  const fail: GateReport = {
    target: 'symbol NVDA',
    verdict: 'FAIL',
    windowMs: 1,
    criteria: [{ name: 'uptime', value: 0.5, threshold: '≥ 0.99', pass: false, detail: '50%' }],
  };

  it('needs a broker that allows trading and passing gates', () => {
    const down = { ...paper, connected: false, tradingAllowed: false, reason: 'not connected: closed' };
    expect(new ExecutionLiveGuard({ brokerStatus: () => down, gates: () => pass }).check('NVDA')).toEqual({
      allowed: false,
      reason: 'broker: not connected: closed',
    });
    const gated = new ExecutionLiveGuard({ brokerStatus: () => paper, gates: () => fail }).check('NVDA');
    expect(gated).toEqual({ allowed: false, reason: 'promotion gates fail: uptime (50%)' });
    expect(new ExecutionLiveGuard({ brokerStatus: () => paper, gates: () => pass }).check('NVDA')).toEqual({
      allowed: true,
    });
  });

  it('lets one confirmed override through, for that symbol only', () => {
    const g = new ExecutionLiveGuard({ brokerStatus: () => paper, gates: () => fail });
    g.allowOnce('NVDA');
    expect(g.check('MSFT').allowed).toBe(false);
    expect(g.check('NVDA').allowed).toBe(true);
    expect(g.check('NVDA').allowed).toBe(false);
  });
});
