import { describe, expect, it } from 'vitest';
import { desktopNotice, DesktopNotifier, type DesktopNotice } from '../../../src/main/alerts/desktop';
import { SimulatedClock } from '../../../src/main/clock';
import type { Alert, SymbolMode } from '../../../src/shared/domain';

const alert = (over: Partial<Alert>): Alert => ({
  id: 'a',
  ts: 0,
  level: 'warning',
  kind: 'other',
  title: 't',
  message: 'm',
  ...over,
});
const modes: Record<string, SymbolMode> = { NVDA: 'live', MSFT: 'shadow' };
const modeOf = (s: string) => modes[s] ?? null;

describe('desktopNotice', () => {
  it('notifies kill switch, failover, order rejected and broker disconnected whatever the symbol', () => {
    for (const kind of ['killSwitch', 'failover', 'orderRejected', 'brokerDisconnected'] as const) {
      expect(desktopNotice(alert({ kind, title: 'T', symbol: 'MSFT' }), modeOf)).toEqual({
        title: 'Kestrel ▲ T',
        body: 'm',
      });
    }
    expect(
      desktopNotice(alert({ kind: 'killSwitch', level: 'critical', title: 'Kill switch engaged' }), modeOf),
    ).toEqual({ title: 'Kestrel ■ Kill switch engaged', body: 'm' });
  });

  it('notifies gates failing and data gaps only for a live symbol', () => {
    for (const kind of ['gatesFailing', 'dataGap'] as const) {
      expect(desktopNotice(alert({ kind, symbol: 'NVDA' }), modeOf)).not.toBeNull();
      expect(desktopNotice(alert({ kind, symbol: 'MSFT' }), modeOf)).toBeNull();
      expect(desktopNotice(alert({ kind, symbol: 'ZZZ' }), modeOf)).toBeNull();
      expect(desktopNotice(alert({ kind }), modeOf)).toBeNull();
    }
  });

  it('stays quiet for storage, other kinds and info alerts, and clips long bodies', () => {
    expect(desktopNotice(alert({ kind: 'storage', level: 'critical' }), modeOf)).toBeNull();
    expect(desktopNotice(alert({ kind: 'other', level: 'critical' }), modeOf)).toBeNull();
    expect(desktopNotice(alert({ kind: 'brokerDisconnected', level: 'info' }), modeOf)).toBeNull();
    const n = desktopNotice(alert({ kind: 'failover', message: 'x'.repeat(1000) }), modeOf);
    expect(n?.body).toHaveLength(240);
    expect(n?.body.endsWith('…')).toBe(true);
  });
});

describe('DesktopNotifier', () => {
  it('rate-limits and dedups warnings but always shows critical alerts', () => {
    const clock = new SimulatedClock(0);
    const shown: DesktopNotice[] = [];
    const n = new DesktopNotifier(clock, modeOf, (x) => shown.push(x), {
      perMinute: 1,
      burst: 2,
      dedupWindowMs: 60_000,
    });
    n.onAlert(alert({ kind: 'failover', title: 'Failover NVDA' }));
    n.onAlert(alert({ kind: 'failover', title: 'Failover NVDA' })); // repeat
    n.onAlert(alert({ kind: 'failover', title: 'Failover MSFT' }));
    n.onAlert(alert({ kind: 'failover', title: 'Failover AAPL' })); // bucket empty
    n.onAlert(alert({ kind: 'killSwitch', level: 'critical', title: 'Kill switch engaged' }));
    n.onAlert(alert({ kind: 'killSwitch', level: 'critical', title: 'Kill switch engaged' }));
    n.onAlert(alert({ kind: 'storage', level: 'critical' })); // not a desktop kind
    expect(shown.map((s) => s.title)).toEqual([
      'Kestrel ▲ Failover NVDA',
      'Kestrel ▲ Failover MSFT',
      'Kestrel ■ Kill switch engaged',
      'Kestrel ■ Kill switch engaged',
    ]);
    expect(n.counters).toEqual({ shown: 4, rateLimited: 1, deduplicated: 1 });
  });
});
