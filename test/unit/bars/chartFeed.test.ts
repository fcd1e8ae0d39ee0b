import { afterEach, describe, expect, it } from 'vitest';
import { ChartFeed, DEFAULT_BARS_LIMIT, RECENT_KEEP_MS, gapBucketsOf } from '../../../src/main/bars/chartFeed';
import type { BarStatus, StoredBar } from '../../../src/main/bars/types';
import { EventBus } from '../../../src/main/bus';
import { SimulatedClock } from '../../../src/main/clock';
import { silentLogger } from '../../../src/main/observability/logger';
import { SqliteBarStore } from '../../../src/main/storage/barRepo';
import { openDatabase } from '../../../src/main/storage/db';
import { fromNewYork } from '../../../src/main/time/newYork';
import { ContractServer, type CommandHandlers } from '../../../src/main/transport/server';
import type { BarsUpdate } from '../../../src/shared/domain';
import { tempDir } from '../../helpers/tmp';

const MIN = 60_000;
const OPEN = fromNewYork(2025, 6, 17, 9, 30); // a Tuesday
const CLOSE = fromNewYork(2025, 6, 17, 16, 0);

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function bar(ts: number, c: number, status: BarStatus = 'live', provider = 'built'): StoredBar {
  return {
    symbol: 'NVDA',
    interval: '1m',
    ts,
    o: c,
    h: c + 1,
    l: c - 1,
    c,
    v: 10,
    vw: null,
    n: null,
    provider,
    asOf: ts,
    status,
  };
}

function minutes(from: number, to: number, status: BarStatus = 'live'): StoredBar[] {
  const out: StoredBar[] = [];
  for (let ts = from; ts < to; ts += MIN) out.push(bar(ts, 100 + (ts - from) / MIN, status));
  return out;
}

function setup(now: number) {
  const t = tempDir();
  const db = openDatabase(t.dir);
  cleanups.push(() => db.close(), t.cleanup);
  const store = new SqliteBarStore(db);
  const clock = new SimulatedClock(now);
  let forming: StoredBar | null = null;
  const emitted: BarsUpdate[] = [];
  const feed = new ChartFeed({
    store,
    clock,
    forming: (s) => (s === 'NVDA' ? forming : null),
    isSim: () => true,
    emit: (u) => emitted.push(u),
  });
  return { store, clock, feed, emitted, setForming: (b: StoredBar | null) => (forming = b) };
}

describe('ChartFeed.getBars', () => {
  it('loads history from SQLite, lays unwritten and forming bars over it, and aggregates', () => {
    const now = OPEN + 10 * MIN + 30_000;
    const { store, feed, setForming } = setup(now);
    store.upsert(minutes(OPEN, OPEN + 8 * MIN));
    // Heard from the recorder but not written yet: a newer version of 09:37 and the closed 09:38, 09:39.
    feed.onBar({ ...bar(OPEN + 7 * MIN, 500), status: 'amended' });
    feed.onBar(bar(OPEN + 8 * MIN, 108));
    feed.onBar(bar(OPEN + 9 * MIN, 109));
    setForming(bar(OPEN + 10 * MIN, 110));
    const res = feed.getBars({ symbol: 'NVDA', interval: '1m' });
    expect(res.bars.map((b) => b.ts)).toEqual(Array.from({ length: 11 }, (_, i) => OPEN + i * MIN));
    expect(res.bars[7]).toMatchObject({ c: 500, status: 'amended' });
    expect(res.bars[10]).toMatchObject({ c: 110, status: 'live' });
    expect(res).toMatchObject({ symbol: 'NVDA', interval: '1m', sim: true, sources: ['built'], truncated: false });
    expect(res.gaps).toEqual([]);

    const fives = feed.getBars({ symbol: 'NVDA', interval: '5m' }).bars;
    expect(fives).toEqual([
      { ts: OPEN, o: 100, h: 105, l: 99, c: 104, v: 50, status: 'live' },
      { ts: OPEN + 5 * MIN, o: 105, h: 501, l: 104, c: 109, v: 50, status: 'amended' },
      { ts: OPEN + 10 * MIN, o: 110, h: 111, l: 109, c: 110, v: 10, status: 'live' },
    ]);
  });

  it('never lets our built bar hide a stored provider bar of the same minute', () => {
    const { store, feed } = setup(OPEN + 5 * MIN);
    store.upsert([bar(OPEN, 42, 'live', 'polygon')]);
    feed.onBar(bar(OPEN, 41));
    expect(feed.getBars({ symbol: 'NVDA', interval: '1m' }).bars[0]?.c).toBe(42);
  });

  it('forgets unwritten bars after RECENT_KEEP_MS: SQLite has them by then', () => {
    const { clock, feed } = setup(OPEN + 5 * MIN);
    feed.onBar(bar(OPEN + 3 * MIN, 7));
    expect(feed.getBars({ symbol: 'NVDA', interval: '1m' }).bars).toHaveLength(1);
    clock.advance(RECENT_KEEP_MS + 1);
    expect(feed.getBars({ symbol: 'NVDA', interval: '1m' }).bars).toHaveLength(0);
  });

  it('reports regular-session holes as gaps, per minute and per bucket, and backfilled bars as such', () => {
    const { store, feed } = setup(CLOSE + 4 * 3_600_000);
    // A full session, 10:00–10:15 missing, 11:00–11:05 backfilled.
    const session = minutes(OPEN, CLOSE).filter((b) => b.ts < OPEN + 30 * MIN || b.ts >= OPEN + 45 * MIN);
    for (const b of session) if (b.ts >= OPEN + 90 * MIN && b.ts < OPEN + 95 * MIN) b.status = 'backfilled';
    store.upsert(session);
    const res = feed.getBars({ symbol: 'NVDA', interval: '1m' });
    expect(res.gaps).toEqual([{ fromTs: OPEN + 30 * MIN, toTs: OPEN + 45 * MIN, minutes: 15 }]);
    expect(res.gapBuckets).toEqual(Array.from({ length: 15 }, (_, i) => OPEN + (30 + i) * MIN));
    expect(res.bars.filter((b) => b.status === 'backfilled')).toHaveLength(5);
    // After-hours up to now are closed time, never a gap.
    const hours = feed.getBars({ symbol: 'NVDA', interval: '1h' });
    expect(hours.gapBuckets).toEqual([OPEN]);
    expect(hours.bars[1]).toMatchObject({ ts: OPEN + 60 * MIN, status: 'backfilled' });
    expect(feed.getBars({ symbol: 'NVDA', interval: '15m' }).gapBuckets).toEqual([OPEN + 30 * MIN]);
  });

  it('never counts the running or unsettled minute as a gap, and nothing before the first bar', () => {
    const now = OPEN + 60 * MIN + 1_000; // 10:30:01: the 10:29 bar may still be closing
    const { store, feed } = setup(now);
    store.upsert(minutes(OPEN + 20 * MIN, OPEN + 59 * MIN));
    expect(feed.getBars({ symbol: 'NVDA', interval: '1m' }).gaps).toEqual([]);
  });

  it('the feed dying mid-session shows as a gap up to the last settled minute', () => {
    const now = OPEN + 30 * MIN + 10_000;
    const { store, feed } = setup(now);
    store.upsert(minutes(OPEN, OPEN + 20 * MIN));
    expect(feed.getBars({ symbol: 'NVDA', interval: '1m' }).gaps).toEqual([
      // 09:59 ended 10 s ago, past the 2 s grace: missing. 10:00 is still running.
      { fromTs: OPEN + 20 * MIN, toTs: OPEN + 30 * MIN, minutes: 10 },
    ]);
  });

  it('returns the newest `limit` bars, widening the window back to where the data is', () => {
    // Two sessions a week apart; the chart opens a week later.
    const { store, feed } = setup(CLOSE + 7 * 86_400_000 + 3_600_000);
    store.upsert(minutes(OPEN, OPEN + 30 * MIN));
    const res = feed.getBars({ symbol: 'NVDA', interval: '1m', limit: 10 });
    expect(res.bars).toHaveLength(10);
    expect(res.bars[0]?.ts).toBe(OPEN + 20 * MIN);
    expect(res.truncated).toBe(true);
    // Gaps only from the first bar shown: the rest of that session, then every later session up
    // to now (06-18, 06-20, 06-23, 06-24; Juneteenth 06-19 and the weekend are closed, never gaps).
    expect(res.gaps[0]).toEqual({ fromTs: OPEN + 30 * MIN, toTs: CLOSE, minutes: 360 });
    expect(res.gaps.slice(1).map((g) => [g.fromTs, g.minutes])).toEqual(
      [18, 20, 23, 24].map((d) => [fromNewYork(2025, 6, d, 9, 30), 390]),
    );
    expect(feed.getBars({ symbol: 'NVDA', interval: '1m' }).bars).toHaveLength(30);
    expect(DEFAULT_BARS_LIMIT).toBe(2000);
  });

  it('honours fromTs and toTs', () => {
    const { store, feed } = setup(CLOSE);
    store.upsert(minutes(OPEN, OPEN + 30 * MIN));
    const res = feed.getBars({ symbol: 'NVDA', interval: '5m', fromTs: OPEN + 10 * MIN, toTs: OPEN + 20 * MIN });
    expect(res.bars.map((b) => b.ts)).toEqual([OPEN + 10 * MIN, OPEN + 15 * MIN]);
  });

  it('uses stored daily bars for 1d where there are no minutes, and names their source', () => {
    const { store, feed } = setup(CLOSE);
    const before = fromNewYork(2025, 6, 16, 9, 30);
    store.upsert([{ ...bar(before, 50, 'live', 'dataset'), interval: '1d' }]);
    store.upsert(minutes(OPEN, OPEN + 30 * MIN));
    const res = feed.getBars({ symbol: 'NVDA', interval: '1d' });
    expect(res.bars.map((b) => [b.ts, b.c])).toEqual([
      [before, 50],
      [OPEN, 129],
    ]);
    expect(res.sources).toEqual(['built', 'dataset']);
  });

  it('answers an unknown symbol with no bars and no gaps', () => {
    const { feed } = setup(CLOSE);
    expect(feed.getBars({ symbol: 'ZZZ', interval: '1h' })).toMatchObject({ bars: [], gaps: [], gapBuckets: [] });
  });
});

describe('gapBucketsOf', () => {
  it('maps missing minutes to the buckets that hold them, once each', () => {
    const gaps = [{ fromTs: OPEN + 28 * MIN, toTs: OPEN + 47 * MIN, minutes: 19 }];
    expect(gapBucketsOf(gaps, '15m')).toEqual([OPEN + 15 * MIN, OPEN + 30 * MIN, OPEN + 45 * MIN]);
    expect(gapBucketsOf(gaps, '1d')).toEqual([OPEN]);
  });
});

describe('ChartFeed.flush (the bars event)', () => {
  it('coalesces heard bars per symbol and sends the forming bar only when it changed', () => {
    const { feed, emitted, setForming } = setup(OPEN + 5 * MIN);
    feed.flush(['NVDA']);
    expect(emitted).toEqual([]);
    feed.onBar(bar(OPEN + 3 * MIN, 1));
    feed.onBar({ ...bar(OPEN + 3 * MIN, 2), status: 'amended' });
    feed.onBar(bar(OPEN + 2 * MIN, 3));
    setForming(bar(OPEN + 4 * MIN, 4));
    feed.flush(['NVDA']);
    expect(emitted).toHaveLength(1);
    expect(emitted[0]!.symbol).toBe('NVDA');
    expect(emitted[0]!.bars.map((b) => [b.ts, b.c, b.status])).toEqual([
      [OPEN + 2 * MIN, 3, 'live'],
      [OPEN + 3 * MIN, 2, 'amended'],
      [OPEN + 4 * MIN, 4, 'live'],
    ]);
    feed.flush(['NVDA']);
    expect(emitted).toHaveLength(1);
    setForming({ ...bar(OPEN + 4 * MIN, 4), c: 4.5 });
    feed.flush(['NVDA']);
    expect(emitted[1]!.bars).toEqual([{ ts: OPEN + 4 * MIN, o: 4, h: 5, l: 3, c: 4.5, v: 10, status: 'live' }]);
  });

  it('emits bars of symbols not in the watch list too, one event per symbol', () => {
    const { feed, emitted } = setup(OPEN + 5 * MIN);
    feed.onBar(bar(OPEN, 1));
    feed.onBar({ ...bar(OPEN, 2), symbol: 'MSFT' });
    feed.onBar({ ...bar(OPEN, 3), interval: '1d' }); // daily bars are not chart updates
    feed.flush([]);
    expect(emitted.map((e) => [e.symbol, e.bars.length])).toEqual([
      ['NVDA', 1],
      ['MSFT', 1],
    ]);
  });
});

describe('getBars through the contract', () => {
  function serve() {
    const { feed, store } = setup(CLOSE);
    store.upsert(minutes(OPEN, OPEN + 30 * MIN));
    const handlers = { getBars: (i: Parameters<ChartFeed['getBars']>[0]) => feed.getBars(i) };
    const server = new ContractServer(handlers as unknown as CommandHandlers, new EventBus(), silentLogger());
    const ctx = { surface: 'ui-ws' as const };
    return (input: unknown) => server.dispatch({ id: 1, cmd: 'getBars', input }, ctx);
  }

  it('answers a valid request with validated output', async () => {
    const call = serve();
    const r = await call({ symbol: 'NVDA', interval: '15m', limit: 1 });
    expect(r).toMatchObject({ ok: true, result: { bars: [{ ts: OPEN + 15 * MIN }], truncated: true } });
  });

  it.each([
    [{ symbol: 'NVDA', interval: '2m' }, /interval/],
    [{ symbol: 'nvda', interval: '1m' }, /symbol/],
    [{ symbol: 'NVDA', interval: '1m', limit: 0 }, /limit/],
    [{ symbol: 'NVDA', interval: '1m', limit: 20_001 }, /limit/],
    [{ symbol: 'NVDA', interval: '1m', limit: 1.5 }, /limit/],
    [{ symbol: 'NVDA', interval: '1m', fromTs: -1 }, /fromTs/],
    [{ symbol: 'NVDA', interval: '1m', fromTs: 10, toTs: 10 }, /fromTs must be before toTs/],
    [{ symbol: 'NVDA', interval: '1m', extra: true }, /extra/],
    [{ interval: '1m' }, /symbol/],
  ])('refuses %j with INVALID_INPUT', async (input, message) => {
    const r = await serve()(input);
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(r.ok === false && r.error.message).toMatch(message);
  });

  it('refuses a fromTs after the default end (now + 1 min) with INVALID_INPUT', async () => {
    const r = await serve()({ symbol: 'NVDA', interval: '1m', fromTs: CLOSE + 3_600_000 });
    expect(r).toEqual({ id: 1, ok: false, error: { code: 'INVALID_INPUT', message: 'fromTs must be before toTs' } });
  });

  it('accepts the maximum limit', async () => {
    const r = await serve()({ symbol: 'NVDA', interval: '1m', limit: 20_000 });
    expect(r.ok && (r.result as { bars: unknown[] }).bars).toHaveLength(30);
  });
});
