/**
 * BackfillService against a real SQLite store and a scripted history source: gap → job → bars
 * filled as `backfilled`; live bars win; retry with backoff, dead-letter, list/requeue/purge; tier
 * caps under a gap storm; clear errors on bad input.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bar, BackfillJob } from '../../../src/shared/domain';
import { BackfillInputError, BackfillService, type HistorySource } from '../../../src/main/backfill/service';
import type { StoredBar } from '../../../src/main/bars/types';
import { SimulatedClock } from '../../../src/main/clock';
import { DEFAULT_BACKFILL, type BackfillConfig } from '../../../src/main/config';
import type { ProviderResult } from '../../../src/main/marketdata/provider';
import { regularMinutes } from '../../../src/main/marketdata/calendar';
import { SqliteBarStore } from '../../../src/main/storage/barRepo';
import { BackfillRepo } from '../../../src/main/storage/backfillRepo';
import { openDatabase, type Db } from '../../../src/main/storage/db';
import { fromNewYork } from '../../../src/main/time/newYork';
import { tempDir } from '../../helpers/tmp';

const MIN = 60_000;
const ny = (y: number, m: number, d: number, h = 0, min = 0) => fromNewYork(y, m, d, h, min);

function bar(symbol: string, ts: number, status: StoredBar['status'] = 'live', c = 100): StoredBar {
  return {
    symbol,
    interval: '1m',
    ts,
    o: c,
    h: c + 1,
    l: c - 1,
    c,
    v: 10,
    vw: c,
    n: 3,
    provider: 'built',
    asOf: ts,
    status,
  };
}
function wireBar(symbol: string, ts: number, c = 200): Bar {
  return { symbol, ts, o: c, h: c + 1, l: c - 1, c, v: 5, vw: c, n: 2 };
}

/** A source that answers every minute in range, or the scripted faults first. */
class ScriptedSource implements HistorySource {
  name = 'polygon';
  health = 0.9;
  available = true;
  calls: [string, number, number][] = [];
  faults: ProviderResult<Bar[]>[] = [];
  extra: Bar[] = [];
  fetch(symbol: string, fromTs: number, toTs: number): Promise<ProviderResult<Bar[]>> {
    this.calls.push([symbol, fromTs, toTs]);
    const f = this.faults.shift();
    if (f) return Promise.resolve(f);
    return Promise.resolve({
      kind: 'ok',
      value: [...[...regularMinutes(fromTs, toTs)].map((t) => wireBar(symbol, t)), ...this.extra],
    });
  }
}

let db: Db;
let cleanup: () => void;
let clock: SimulatedClock;
let store: SqliteBarStore;
let repo: BackfillRepo;
let source: ScriptedSource;
let dead: BackfillJob[];

function service(over: Partial<BackfillConfig> = {}, symbols = ['NVDA']) {
  return new BackfillService({
    clock,
    config: { ...DEFAULT_BACKFILL, startupLookbackDays: 1, ...over },
    repo,
    store,
    sources: () => [source],
    symbols: () => symbols,
    onDead: (j) => dead.push(j),
    random: () => 1,
  });
}

beforeEach(() => {
  const t = tempDir();
  cleanup = t.cleanup;
  db = openDatabase(t.dir);
  clock = new SimulatedClock(ny(2024, 3, 12, 12));
  store = new SqliteBarStore(db);
  repo = new BackfillRepo(db);
  source = new ScriptedSource();
  dead = [];
});
afterEach(() => {
  db.close();
  cleanup();
});

describe('gap at bar close → backfill', () => {
  it('queues a job for a mid-session gap and fills it with status backfilled', async () => {
    const svc = service();
    const t0 = ny(2024, 3, 12, 11, 0);
    store.upsert([bar('NVDA', t0)]);
    // The next closed bar is 11:05: 11:01..11:04 are missing.
    const next = bar('NVDA', t0 + 5 * MIN);
    store.upsert([next]);
    svc.onBar(next, 'closed');
    const jobs = svc.list('queued', 10);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({
      symbol: 'NVDA',
      fromTs: t0 + MIN,
      toTs: t0 + 5 * MIN,
      tier: 'T1',
      state: 'queued',
    });
    expect(await svc.drain()).toBe(1);
    const rows = store.range('NVDA', '1m', t0, t0 + 6 * MIN);
    expect(rows.map((r) => r.status)).toEqual(['live', 'backfilled', 'backfilled', 'backfilled', 'backfilled', 'live']);
    expect(rows[1]).toMatchObject({ provider: 'polygon', c: 200 });
    expect(svc.list('done', 10)[0]).toMatchObject({ barsFilled: 4, provider: 'polygon', attempts: 1 });
  });

  it('does not flag the overnight gap between the last bar of one day and the first of the next', () => {
    clock.set(ny(2024, 3, 13, 9, 32));
    const svc = service({ startupLookbackDays: 2 });
    store.upsert([bar('NVDA', ny(2024, 3, 12, 15, 59))]);
    svc.onBar(bar('NVDA', ny(2024, 3, 13, 9, 30)), 'closed');
    expect(svc.list(undefined, 10)).toEqual([]);
  });

  it('never overwrites a live bar that arrived while the job ran', async () => {
    const svc = service();
    const t0 = ny(2024, 3, 12, 11, 0);
    store.upsert([bar('NVDA', t0), bar('NVDA', t0 + 3 * MIN)]);
    svc.onBar(bar('NVDA', t0 + 3 * MIN), 'closed');
    // A late provider bar for 11:01 lands before the job runs.
    store.upsert([bar('NVDA', t0 + MIN, 'live', 150)]);
    await svc.drain();
    const rows = store.range('NVDA', '1m', t0, t0 + 4 * MIN);
    expect(rows.map((r) => [r.status, r.c])).toEqual([
      ['live', 100],
      ['live', 150],
      ['backfilled', 200],
      ['live', 100],
    ]);
  });

  it('rejects invalid provider bars (NaN, closed time, wrong symbol) and counts them', async () => {
    const svc = service();
    const t0 = ny(2024, 3, 12, 11, 0);
    source.extra = [
      { ...wireBar('NVDA', t0 + MIN), c: Number.NaN },
      wireBar('NVDA', ny(2024, 3, 12, 18)),
      wireBar('MSFT', t0 + MIN),
    ];
    svc.enqueueGaps('NVDA', [{ fromTs: t0 + MIN, toTs: t0 + 2 * MIN, minutes: 1 }]);
    await svc.drain();
    const job = svc.list('done', 1)[0]!;
    expect(job.barsFilled).toBe(1);
    expect(job.lastError).toMatch(/3 bars from polygon rejected/);
    expect(store.range('NVDA', '1m', 0, Number.MAX_SAFE_INTEGER).map((b) => b.c)).toEqual([200]);
  });
});

describe('retry, backoff and the dead-letter queue', () => {
  it('backs off after a failure, dead-letters after maxAttempts, then list/requeue/purge', async () => {
    const svc = service({ maxAttempts: 3, backoff: { baseMs: 10_000, maxMs: 60_000 } });
    const g = { fromTs: ny(2024, 3, 12, 10), toTs: ny(2024, 3, 12, 10, 5), minutes: 5 };
    const g2 = { fromTs: ny(2024, 3, 12, 11), toTs: ny(2024, 3, 12, 11, 5), minutes: 5 };
    svc.enqueueGaps('NVDA', [g]);
    svc.enqueueGaps('NVDA', [g2]);
    const down: ProviderResult<Bar[]> = { kind: 'down', message: 'HTTP 503' };
    source.faults = [down, down, down, down, down, down];
    // Attempt 1 on both jobs fails; neither is due again until the backoff (10 s, random=1) passes.
    expect(await svc.drain()).toBe(2);
    expect(await svc.drain()).toBe(0);
    const [a, b] = svc.list('queued', 10);
    expect(a!.nextAttemptAt - clock.now()).toBe(10_000);
    expect(b!.lastError).toBe('polygon down: HTTP 503');
    clock.advance(10_000);
    await svc.drain(); // attempt 2: next wait doubles to 20 s
    expect(svc.list('queued', 10)[0]!.nextAttemptAt - clock.now()).toBe(20_000);
    clock.advance(20_000);
    await svc.drain(); // attempt 3: dead
    const dlq = svc.list('dead', 10);
    expect(dlq.map((j) => j.attempts)).toEqual([3, 3]);
    expect(dead).toHaveLength(2);
    expect(svc.status()).toMatchObject({ dead: 2, depths: { T0: 0, T1: 0, T2: 0 } });
    // A dead range is not silently queued again by a sweep.
    expect(svc.sweep()).toBeGreaterThanOrEqual(0);
    expect(svc.list('queued', 10).filter((j) => j.fromTs === g.fromTs)).toEqual([]);

    // Requeue one by id: fresh attempts, runs now and fills.
    const [first, second] = dlq;
    expect(svc.requeue({ ids: [first!.id] })).toEqual({ requeued: 1, skipped: 0 });
    expect(svc.list('dead', 10).map((j) => j.id)).toEqual([second!.id]);
    await svc.drain();
    expect(svc.list('done', 10).map((j) => j.id)).toContain(first!.id);
    // Purge the rest: gone from the DLQ, the gap is still reported by the gap state.
    expect(svc.purge({ all: true })).toEqual({ purged: 1 });
    expect(svc.list('dead', 10)).toEqual([]);
    const day = svc.gapState('NVDA', '2024-03-12', '2024-03-12')[0]!;
    expect(day.missing.some((m) => m.fromTs <= second!.fromTs && m.toTs >= second!.toTs)).toBe(true);
  });

  it('refuses bad requeue/purge selections with a clear error and changes nothing', async () => {
    const svc = service({ maxAttempts: 1 });
    svc.enqueueGaps('NVDA', [{ fromTs: ny(2024, 3, 12, 10), toTs: ny(2024, 3, 12, 10, 1), minutes: 1 }]);
    svc.enqueueGaps('NVDA', [{ fromTs: ny(2024, 3, 12, 11), toTs: ny(2024, 3, 12, 11, 1), minutes: 1 }]);
    source.faults = [{ kind: 'unauthorized', message: 'bad key' }];
    await svc.drain();
    const deadJob = svc.list('dead', 10)[0]!;
    const doneJob = svc.list('done', 10)[0]!;
    expect(() => svc.requeue({ ids: [deadJob.id, 9999] })).toThrow(BackfillInputError);
    expect(() => svc.purge({ ids: [deadJob.id, doneJob.id] })).toThrow(/is done, not dead/);
    expect(svc.list('dead', 10).map((j) => j.id)).toEqual([deadJob.id]);
    expect(() => svc.gapState('NVDA', '2024-13-01')).toThrow(BackfillInputError);
    expect(() => svc.gapState('NVDA', '2024-03-12', '2024-03-01')).toThrow(/before/);
  });

  it('dead-letters when no provider has historical bars', async () => {
    const svc = service({ maxAttempts: 1 });
    source.available = false;
    svc.enqueueGaps('NVDA', [{ fromTs: ny(2024, 3, 12, 10), toTs: ny(2024, 3, 12, 10, 1), minutes: 1 }]);
    expect(await svc.drain()).toBe(1);
    expect(dead[0]!.lastError).toMatch(/no available provider/);
  });
});

describe('tiers and caps', () => {
  it('caps each tier under a gap storm; other tiers still queue; T0 runs first', async () => {
    const svc = service({ caps: { T0: 5, T1: 3, T2: 2 }, tiers: { NVDA: 'T0', AAPL: 'T2' } });
    // A storm: every other minute missing on Feb 1–28 2024 for AAPL (T2): 19 trading days (Presidents' Day
    // closed) → 19 day-jobs wanted, 2 allowed, 17 refused.
    const storm = [];
    for (let d = 1; d <= 28; d++) {
      const open = fromNewYork(2024, 2, d, 9, 30);
      for (let k = 0; k < 390; k += 2) storm.push({ fromTs: open + k * MIN, toTs: open + (k + 1) * MIN, minutes: 1 });
    }
    const gaps = storm.filter((g) => [...regularMinutes(g.fromTs, g.toTs)].length === 1);
    expect(svc.enqueueGaps('AAPL', gaps)).toBe(2);
    expect(svc.status()).toMatchObject({ depths: { T0: 0, T1: 0, T2: 2 }, refused: 17 });
    expect(svc.enqueueGaps('AAPL', gaps)).toBe(0);
    expect(db.prepare('SELECT COUNT(*) AS n FROM backfill_jobs').get()).toEqual({ n: 2 });
    // T0 and the default tier are unaffected.
    expect(svc.enqueueGaps('NVDA', [{ fromTs: ny(2024, 3, 12, 10), toTs: ny(2024, 3, 12, 10, 1), minutes: 1 }])).toBe(
      1,
    );
    expect(svc.enqueueGaps('MSFT', [{ fromTs: ny(2024, 3, 12, 10), toTs: ny(2024, 3, 12, 10, 1), minutes: 1 }])).toBe(
      1,
    );
    await svc.pump();
    expect(source.calls[0]![0]).toBe('NVDA');
  });
});

describe('startup sweep', () => {
  it('finds the session minutes missed while closed, and only those', () => {
    clock.set(ny(2024, 3, 13, 10, 30));
    const svc = service({ startupLookbackDays: 2 });
    store.upsert([...regularMinutes(ny(2024, 3, 12, 9, 30), ny(2024, 3, 12, 14))].map((t) => bar('NVDA', t)));
    svc.start({ timers: false });
    const jobs = svc.list('queued', 10).sort((a, b) => a.fromTs - b.fromTs);
    expect(jobs.map((j) => [j.fromTs, j.toTs])).toEqual([
      [ny(2024, 3, 12, 14), ny(2024, 3, 12, 16)],
      // Up to the settled edge: two minutes before now's minute.
      [ny(2024, 3, 13, 9, 30), ny(2024, 3, 13, 10, 28)],
    ]);
  });
});

describe('retention', () => {
  it('never treats minutes older than the retained span as gaps', () => {
    const now = clock.now(); // 2024-03-12 12:00 New York, a Tuesday
    const svc = new BackfillService({
      clock,
      config: { ...DEFAULT_BACKFILL, startupLookbackDays: 3 },
      repo,
      store,
      sources: () => [source],
      symbols: () => ['NVDA'],
      random: () => 1,
      retainedFrom: (t) => t - 86_400_000, // keep one day of minute bars
    });
    expect(svc.lookbackStart(now)).toBe(now - 86_400_000);
    const unbounded = service({ startupLookbackDays: 3 });
    expect(unbounded.lookbackStart(now)).toBe(ny(2024, 3, 8, 9, 30));
  });
});
