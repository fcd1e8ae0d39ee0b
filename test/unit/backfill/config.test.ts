import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_BACKFILL, resolveConfig } from '../../../src/main/config';
import { tempDir } from '../../helpers/tmp';

const cfg = (env: Record<string, string>, file?: unknown) => {
  const t = tempDir();
  try {
    if (file) fs.writeFileSync(path.join(t.dir, 'kestrel.config.json'), JSON.stringify(file));
    return resolveConfig({ flags: { dataDir: t.dir }, env }).backfill;
  } finally {
    t.cleanup();
  }
};

describe('backfill config', () => {
  it('is on by default with modest defaults; KESTREL_BACKFILL=off turns it off', () => {
    expect(cfg({})).toEqual(DEFAULT_BACKFILL);
    expect(cfg({ KESTREL_BACKFILL: 'off' }).enabled).toBe(false);
    expect(cfg({ KESTREL_BACKFILL: 'on' }, { backfill: { enabled: false } }).enabled).toBe(true);
  });
  it('takes tiers, caps and backoff from the file; env beats the file', () => {
    const b = cfg(
      { KESTREL_BACKFILL_LOOKBACK_DAYS: '3' },
      { backfill: { tiers: { NVDA: 'T0' }, caps: { T2: 10 }, startupLookbackDays: 9, backoff: { maxMs: 90_000 } } },
    );
    expect(b).toMatchObject({ tiers: { NVDA: 'T0' }, caps: { T0: 1000, T1: 500, T2: 10 }, startupLookbackDays: 3 });
    expect(b.backoff).toEqual({ baseMs: 30_000, maxMs: 90_000 });
  });
  it('refuses bad values with a clear error', () => {
    expect(() => cfg({ KESTREL_BACKFILL: 'maybe' })).toThrow(ConfigError);
    expect(() => cfg({}, { backfill: { tiers: { NVDA: 'T9' } } })).toThrow(/backfill/);
    expect(() => cfg({}, { backfill: { caps: { T0: 0 } } })).toThrow(/backfill\.caps\.T0/);
    expect(() => cfg({ KESTREL_BACKFILL_LOOKBACK_DAYS: 'lots' })).toThrow(/startupLookbackDays/);
  });
});
