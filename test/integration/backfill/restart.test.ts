/**
 * Engine-level: bars are recorded, the engine stops, time passes (the rest of the session and the
 * next morning), and a restart on the same data dir detects the missed session minutes and fills
 * them from the synthetic provider's history, through its connection. Nights are never queued.
 * Then the same through the contract commands: getGapState, listBackfillJobs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../src/main/clock';
import { resolveConfig } from '../../../src/main/config';
import { Engine } from '../../../src/main/engine';
import { regularMinutes } from '../../../src/main/marketdata/calendar';
import { SyntheticProvider } from '../../../src/main/marketdata/providers/synthetic';
import { silentLogger } from '../../../src/main/observability/logger';
import { fromNewYork } from '../../../src/main/time/newYork';
import { tempDir } from '../../helpers/tmp';

const ny = (y: number, m: number, d: number, h = 0, min = 0) => fromNewYork(y, m, d, h, min);

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});

function engine(dir: string, clock: SimulatedClock, env: Record<string, string> = {}): Engine {
  const config = resolveConfig({
    flags: { dataDir: dir, port: 0, symbols: 'NVDA' },
    env: { KESTREL_BACKFILL_LOOKBACK_DAYS: '2', ...env },
    readFile: false,
  });
  const e = new Engine({
    config,
    clock,
    log: silentLogger(),
    host: 'headless',
    providers: [new SyntheticProvider({ clock })],
  });
  cleanups.push(() => e.stop());
  return e;
}

describe('backfill after downtime', () => {
  it('a restart detects and backfills the session minutes missed while the app was closed', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const clock = new SimulatedClock(ny(2024, 3, 12, 10, 0) + 5_000);
    // First run: the morning of Tue 2024-03-12 was recorded live (09:30–09:59).
    // (Backfill off here so the first run does not queue its own morning before the bars land.)
    const first = engine(t.dir, clock, { KESTREL_BACKFILL: 'off' });
    first.start();
    const morning = [...regularMinutes(ny(2024, 3, 12, 9, 30), ny(2024, 3, 12, 10))];
    first.bars.upsert(
      morning.map((ts) => ({
        symbol: 'NVDA',
        interval: '1m' as const,
        ts,
        o: 1,
        h: 1,
        l: 1,
        c: 1,
        v: 1,
        vw: null,
        n: null,
        provider: 'synthetic',
        asOf: ts,
        status: 'live' as const,
      })),
    );
    await first.stop();

    // Closed over the rest of Tuesday and the night; restarted Wed 2024-03-13 at 11:00.
    clock.set(ny(2024, 3, 13, 11, 0) + 5_000);
    const second = engine(t.dir, clock);
    second.start();
    const queued = second.backfill.list('queued', 100).sort((a, b) => a.fromTs - b.fromTs);
    expect(queued.map((j) => [j.fromTs, j.toTs])).toEqual([
      [ny(2024, 3, 12, 10), ny(2024, 3, 12, 16)],
      [ny(2024, 3, 13, 9, 30), ny(2024, 3, 13, 10, 58)],
    ]);
    await second.backfill.drain();
    expect(second.backfill.list('done', 10).map((j) => j.provider)).toEqual(['synthetic', 'synthetic']);

    const tue = second.bars.range('NVDA', '1m', ny(2024, 3, 12), ny(2024, 3, 13));
    expect(tue).toHaveLength(390);
    expect(tue.filter((b) => b.status === 'live').map((b) => b.ts)).toEqual(morning);
    expect(tue.filter((b) => b.status === 'backfilled')).toHaveLength(360);
    // Nothing was written for the night: first Wednesday bar is the 09:30 open.
    const wed = second.bars.range('NVDA', '1m', ny(2024, 3, 12, 16), ny(2024, 3, 13, 11));
    expect(wed[0]!.ts).toBe(ny(2024, 3, 13, 9, 30));
    expect(wed).toHaveLength(88);

    // The gap state through the contract handler: Tuesday complete, Wednesday complete but for
    // the two newest minutes, which the next bar close or sweep picks up.
    const res = await second.server.dispatch(
      { id: 1, cmd: 'getGapState', input: { symbol: 'NVDA', fromDay: '2024-03-12', toDay: '2024-03-13' } },
      { surface: 'cli' },
    );
    expect(res.ok).toBe(true);
    expect(res.ok && res.result).toMatchObject([
      { date: '2024-03-12', expectedMinutes: 390, haveMinutes: 390, backfilledMinutes: 360, state: 'complete' },
      { date: '2024-03-13', expectedMinutes: 90, haveMinutes: 88, state: 'partial', openJobs: 0 },
    ]);
  });

  it('KESTREL_BACKFILL=off queues nothing', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const clock = new SimulatedClock(ny(2024, 3, 13, 11));
    const e = engine(t.dir, clock, { KESTREL_BACKFILL: 'off' });
    e.start();
    expect(e.backfill.list(undefined, 10)).toEqual([]);
    expect(e.backfill.status().enabled).toBe(false);
  });

  it('the contract refuses bad backfill input with INVALID_INPUT and changes nothing', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const e = engine(t.dir, new SimulatedClock(ny(2024, 3, 13, 11)));
    e.start();
    const ctx = { surface: 'cli' as const };
    const bad = [
      { cmd: 'getGapState', input: { symbol: 'NVDA', fromDay: '2024-02-30' } },
      { cmd: 'getGapState', input: { symbol: 'NVDA', fromDay: '12/03/2024' } },
      { cmd: 'requeueBackfill', input: { ids: [42] } },
      { cmd: 'purgeBackfill', input: { ids: [] } },
      { cmd: 'purgeBackfill', input: { all: false } },
    ];
    for (const b of bad) {
      const r = await e.server.dispatch({ id: 1, ...b }, ctx);
      expect(r.ok ? 'ok' : r.error.code, JSON.stringify(b)).toBe('INVALID_INPUT');
    }
    const jobs = await e.server.dispatch({ id: 2, cmd: 'listBackfillJobs', input: { state: 'dead' } }, ctx);
    expect(jobs).toMatchObject({ ok: true, result: [] });
  });
});
