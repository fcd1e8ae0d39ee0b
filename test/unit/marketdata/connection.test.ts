/**
 * ProviderConnection's reconnect, with a stream that outlives its fault the way IBKR's does (it sits
 * on the shared IB connection and resubscribes itself when that comes back). Regression: the
 * connection forgot such a stream without closing it and opened another, so after n reconnects
 * every tick reached the engine once per stream (found by the gateway chaos scenario).
 */
import { describe, expect, it } from 'vitest';
import type { ProviderName } from '../../../src/shared/domain';
import { SystemClock } from '../../../src/main/clock';
import { RequestBudget } from '../../../src/main/marketdata/budget';
import { ProviderConnection } from '../../../src/main/marketdata/connection';
import { ProviderHealth } from '../../../src/main/marketdata/health';
import type { MarketDataProvider, MarketEvent, StreamHandlers } from '../../../src/main/marketdata/provider';
import { createProviderPolicy } from '../../../src/main/marketdata/resilience';
import { until } from '../../helpers/wait';

/** Every stream ever opened stays subscribed to the shared "connection" until closed. */
class SurvivingStreams implements MarketDataProvider {
  readonly name = 'ibkr' as const;
  readonly capabilities = {
    stream: { trades: true, quotes: true, bars: true },
    latestQuote: false,
    historicalBars: false,
  };
  readonly open = new Set<StreamHandlers>();
  opened = 0;
  closed = 0;

  stream(_symbols: readonly string[], handlers: StreamHandlers) {
    this.opened++;
    this.open.add(handlers);
    queueMicrotask(() => handlers.onStatus({ state: 'connected' }));
    return {
      setSymbols: () => undefined,
      close: async () => {
        this.closed++;
        this.open.delete(handlers);
      },
      lastHeartbeatAt: null,
    };
  }

  /** The shared connection drops: every live stream hears it. */
  drop(): void {
    for (const h of [...this.open]) h.onStatus({ state: 'disconnected', fault: 'down', message: 'socket closed' });
  }

  tick(price: number): void {
    const e: MarketEvent = {
      type: 'trade',
      trade: { symbol: 'NVDA', ts: Date.now(), price, size: 1, provider: 'ibkr' },
    };
    for (const h of [...this.open]) h.onEvent(e);
  }
}

function connect(provider: SurvivingStreams) {
  const clock = new SystemClock();
  const events: { provider: ProviderName; event: MarketEvent }[] = [];
  const conn = new ProviderConnection({
    provider,
    clock,
    health: new ProviderHealth('ibkr', clock, { windowMs: 60_000 }),
    budget: new RequestBudget(clock, { perMinute: 60, perDay: Infinity, costPerRequestUsd: 0 }),
    policy: createProviderPolicy(),
    sink: {
      onEvent: (p, e) => events.push({ provider: p, event: e }),
      onMalformed: () => undefined,
      onState: () => undefined,
    },
    reconnectMs: 5,
  });
  return { conn, events };
}

describe('ProviderConnection reconnect', () => {
  it('closes a stream it gives up on, so reconnects never multiply the events', async () => {
    const provider = new SurvivingStreams();
    const { conn, events } = connect(provider);
    conn.start(['NVDA']);
    await until('connected', () => conn.state === 'connected');
    for (let i = 1; i <= 3; i++) {
      provider.drop();
      await until(`reconnect ${i}`, () => provider.opened === i + 1 && conn.state === 'connected');
    }
    expect(provider.closed).toBe(3);
    expect(provider.open.size).toBe(1);
    provider.tick(100);
    expect(events).toHaveLength(1);
    await conn.stop();
    expect(provider.open.size).toBe(0);
  });

  it('ignores events and statuses from a stream after it was given up on', async () => {
    const provider = new SurvivingStreams();
    const { conn, events } = connect(provider);
    conn.start(['NVDA']);
    await until('connected', () => conn.state === 'connected');
    const stale = [...provider.open][0]!;
    provider.drop();
    // Before the old stream's close lands, it still talks: none of it may count.
    stale.onEvent({ type: 'trade', trade: { symbol: 'NVDA', ts: Date.now(), price: 1, size: 1, provider: 'ibkr' } });
    stale.onStatus({ state: 'disconnected', fault: 'down', message: 'late' });
    await until('reconnected', () => provider.opened === 2 && conn.state === 'connected');
    await new Promise((r) => setTimeout(r, 30));
    expect(provider.opened).toBe(2);
    expect(events).toHaveLength(0);
    await conn.stop();
  });
});
