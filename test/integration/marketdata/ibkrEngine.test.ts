/**
 * The engine with IBKR as primary feed (the fake gateway on loopback) and synthetic as warm spare:
 * IBKR serves, a price divergence against IBKR raises an alert, and a dead gateway fails over.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../src/main/clock';
import { resolveConfig } from '../../../src/main/config';
import { Engine } from '../../../src/main/engine';
import { silentLogger } from '../../../src/main/observability/logger';
import { FakeIbGateway } from '../../fakes/ibGateway';
import { tempDir } from '../../helpers/tmp';
import { until } from '../../helpers/wait';

let gw: FakeIbGateway;
let engine: Engine;
let cleanup: () => void;

beforeAll(async () => {
  gw = new FakeIbGateway({ prices: { NVDA: 100, MSFT: 400 } });
  await gw.start();
  const t = tempDir();
  cleanup = t.cleanup;
  const config = resolveConfig({
    flags: { dataDir: t.dir, ibPort: String(gw.port) },
    env: { KESTREL_PROVIDERS: 'ibkr,synthetic', KESTREL_SYNTHETIC_SESSIONS: 'always' },
  });
  engine = new Engine({ config, clock: new SystemClock(), log: silentLogger(), host: 'headless' });
  engine.start();
});
afterAll(async () => {
  await engine?.stop();
  await gw?.stop();
  cleanup?.();
});

describe('IBKR as a market-data provider in the engine', () => {
  it('connects with the fixed clientId from config and serves as primary', async () => {
    await until('ibkr active', () => engine.marketData.router.active('NVDA') === 'ibkr');
    expect(gw.connectedClientIds()).toEqual([17]);
    // Ticks keep flowing from the fake; the price the engine shows is IBKR's.
    gw.setPrice('NVDA', 101);
    await until('IBKR price', () => engine.marketData.latestTicks().find((t) => t.symbol === 'NVDA' && t.last === 101));
  });

  it('alerts when another provider diverges from IBKR by more than 0.1%', async () => {
    // The synthetic feed prices NVDA near 180, far from the fake gateway's 101. The gateway keeps
    // printing (it prints only on a change, so it alternates by a cent) so IBKR's reference stays
    // inside the cross-check's 2 s window.
    let flip = false;
    const ticker = setInterval(() => {
      flip = !flip;
      gw.setPrice('NVDA', flip ? 101.01 : 101);
    }, 200);
    const alert = await until('divergence alert', () =>
      engine.alerts.list().find((a) => a.title === 'Price divergence NVDA'),
    ).finally(() => clearInterval(ticker));
    expect(alert.message).toMatch(/synthetic .* vs IBKR 101(\.01)? \(\d+\.\d bps\)/);
  });

  it('stays on IBKR through a quiet spell, and fails over to the warm spare when the gateway goes away', async () => {
    await new Promise((r) => setTimeout(r, 3000));
    expect(engine.marketData.router.active('NVDA')).toBe('ibkr');
    await gw.stop();
    await until('synthetic active', () => engine.marketData.router.active('NVDA') === 'synthetic');
    expect(engine.alerts.list().some((a) => a.title === 'Failover NVDA')).toBe(true);
  });
});
