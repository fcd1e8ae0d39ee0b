/**
 * The engine's housekeeping around bars: the bundled dataset is seeded on a fresh data dir, raw
 * quotes are logged in batches, and retention prunes quotes older than the configured days at start.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../src/main/clock';
import { resolveConfig } from '../../../src/main/config';
import { Engine } from '../../../src/main/engine';
import { silentLogger } from '../../../src/main/observability/logger';
import { SqliteQuoteLog } from '../../../src/main/storage/barRepo';
import { openDatabase } from '../../../src/main/storage/db';
import { tempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const DAY = 86_400_000;

function engine(dataDir: string, env: Record<string, string> = {}): Engine {
  const config = resolveConfig({
    flags: { dataDir, port: 0 },
    env: { KESTREL_SYNTHETIC_SESSIONS: 'always', KESTREL_BACKFILL: 'off', ...env },
  });
  const e = new Engine({ config, clock: new SystemClock(), log: silentLogger(), host: 'headless' });
  cleanups.push(() => e.stop());
  return e;
}

describe('engine bar storage housekeeping', () => {
  it('seeds the S&P 500 daily dataset, logs raw quotes, and prunes quotes past retention at start', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    // A quote from 5 days ago and one from an hour ago, left by an earlier session.
    const db = openDatabase(t.dir);
    const now = Date.now();
    const old = { symbol: 'NVDA', bid: 1, bidSize: 1, ask: 1.01, askSize: 1, provider: 'synthetic' as const };
    new SqliteQuoteLog(db).append([
      { ...old, ts: now - 5 * DAY },
      { ...old, ts: now - 3_600_000 },
    ]);
    db.close();

    const e = engine(t.dir, { KESTREL_RETAIN_QUOTES_DAYS: '3' });
    e.start();
    const count = (sql: string): number => e.db.prepare(sql).pluck().get() as number;
    expect(count("SELECT COUNT(*) FROM bars WHERE symbol = 'SPX' AND interval = '1d'")).toBe(5105);
    expect(count('SELECT COUNT(*) FROM quotes_raw WHERE ts < ' + (now - 3 * DAY))).toBe(0);
    expect(count('SELECT COUNT(*) FROM quotes_raw')).toBe(1);
    // The synthetic feed quotes continuously; they reach SQLite within a flush or two.
    await waitFor(() => count('SELECT COUNT(*) FROM quotes_raw') > 5, 10_000);
    expect(e.quotes.counters.written).toBeGreaterThan(0);
  });

  it('keeps every quote when retention says keep, and raises an alert when the dataset is missing', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const db = openDatabase(t.dir);
    new SqliteQuoteLog(db).append([
      { symbol: 'NVDA', bid: 1, bidSize: 1, ask: 1.01, askSize: 1, provider: 'synthetic', ts: Date.now() - 40 * DAY },
    ]);
    db.close();
    const e = engine(t.dir, { KESTREL_RETAIN_QUOTES_DAYS: 'keep', KESTREL_RESOURCES_DIR: t.dir });
    e.start();
    expect(e.db.prepare('SELECT COUNT(*) FROM quotes_raw').pluck().get()).toBe(1);
    expect(e.alerts.list().map((a) => a.title)).toContain('Bundled dataset not loaded');
  });
});

describe('replay of the bundled dataset', () => {
  it('plays SPX daily bars as a SIM feed: prices move through the 2000s, and no minute bars are made up', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const e = engine(t.dir, {
      KESTREL_PROVIDERS: 'replay',
      KESTREL_SYMBOLS: 'SPX',
      KESTREL_REPLAY_SPEED: String(86_400 * 20), // twenty trading days' worth per second
    });
    e.start();
    await waitFor(() => (e.marketData.latestTicks().find((t) => t.symbol === 'SPX')?.ts ?? 0) > Date.UTC(2000, 0, 10));
    const tick = e.marketData.latestTicks().find((t) => t.symbol === 'SPX')!;
    expect(tick.provider).toBe('replay');
    expect(tick.ts).toBeLessThan(Date.UTC(2001, 0, 1)); // original timestamps, nothing pretends to be new
    expect(tick.last).toBeGreaterThan(1000);
    expect(tick.last).toBeLessThan(1600);
    expect(e.marketData.providerRows()[0]).toMatchObject({ name: 'replay', sim: true });
    expect(e.db.prepare("SELECT COUNT(*) FROM bars WHERE symbol = 'SPX' AND interval = '1m'").pluck().get()).toBe(0);
  });
});
