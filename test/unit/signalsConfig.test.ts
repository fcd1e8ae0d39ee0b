import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../../src/main/config';
import { tempDir } from '../helpers/tmp';

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

function withFile(json: unknown): string {
  const t = tempDir();
  cleanup = t.cleanup;
  fs.writeFileSync(path.join(t.dir, 'kestrel.config.json'), JSON.stringify(json));
  return t.dir;
}

describe('signals config', () => {
  it('defaults: NVDA/MSFT pair, 0.6, 60 s cooldown, regular hours, shipped weights', () => {
    const c = resolveConfig({ flags: { dataDir: '/d' }, env: {}, readFile: false });
    expect(c.signals).toEqual({
      pair: ['NVDA', 'MSFT'],
      defaultThreshold: 0.6,
      thresholds: {},
      cooldownMs: 60_000,
      maxFeatureAgeMs: 90_000,
      allowExtendedHours: false,
      weights: { single: 'models/single.json', dual: 'models/dual-nvda-msft.json' },
    });
  });

  it('file, then environment; "none" turns the pair off', () => {
    const dir = withFile({
      signals: {
        pair: ['AAPL', 'SPY'],
        thresholds: { AAPL: 0.7, 'AAPL/SPY': 0.5 },
        weights: { dual: '/abs/dual.json' },
      },
    });
    const c = resolveConfig({ flags: { dataDir: dir }, env: {} });
    expect(c.signals.pair).toEqual(['AAPL', 'SPY']);
    expect(c.signals.thresholds).toEqual({ AAPL: 0.7, 'AAPL/SPY': 0.5 });
    expect(c.signals.weights).toEqual({ single: 'models/single.json', dual: '/abs/dual.json' });
    const e = resolveConfig({
      flags: { dataDir: dir },
      env: {
        KESTREL_SIGNAL_PAIR: 'none',
        KESTREL_SIGNAL_THRESHOLD: '0.75',
        KESTREL_SIGNAL_COOLDOWN_MS: '5000',
        KESTREL_SIGNAL_EXTENDED_HOURS: '1',
      },
    });
    expect(e.signals).toMatchObject({ pair: null, defaultThreshold: 0.75, cooldownMs: 5000, allowExtendedHours: true });
    expect(resolveConfig({ flags: { dataDir: dir }, env: { KESTREL_SIGNAL_PAIR: 'amd, intc' } }).signals.pair).toEqual([
      'AMD',
      'INTC',
    ]);
  });

  it('bad values are clear errors', () => {
    expect(() =>
      resolveConfig({ flags: { dataDir: '/d' }, env: { KESTREL_SIGNAL_THRESHOLD: '1.5' }, readFile: false }),
    ).toThrow(/signals\.defaultThreshold/);
    expect(() =>
      resolveConfig({ flags: { dataDir: '/d' }, env: { KESTREL_SIGNAL_PAIR: 'NVDA,NVDA' }, readFile: false }),
    ).toThrow(/two different symbols/);
    const dir = withFile({ signals: { cooldown: 5 } });
    expect(() => resolveConfig({ flags: { dataDir: dir }, env: {} })).toThrow(ConfigError);
    expect(() => resolveConfig({ flags: { dataDir: dir }, env: {} })).toThrow(/signals/);
  });
});
