/**
 * Soak: the real engine in this process runs a session at accelerated time. Its Clock runs `speed`×
 * faster than the wall; the synthetic provider (sessions 'always', every symbol streaming) follows it,
 * so bars, features, signals, shadow orders, raw quotes and retention all see hours pass. Raw-quote
 * retention is set to a short window and applied every simulated hour (the engine's own hourly timer
 * counts wall time, so the scenario calls the same applyRetention on the accelerated clock), and the
 * router's staleAfterMs is scaled by `speed` (it is checked by a wall-time timer).
 * Reported: heap and RSS slope (MB per simulated hour, least squares after warm-up, after a full GC
 * at each sample), event-loop lag p99, DB rows and bytes against what retention allows.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../../../src/main/clock';
import { resolveConfig } from '../../../src/main/config';
import { Engine } from '../../../src/main/engine';
import { silentLogger } from '../../../src/main/observability/logger';
import { SyntheticProvider } from '../../../src/main/marketdata/providers/synthetic';
import { applyRetention } from '../../../src/main/storage/retention';
import { DB_FILE } from '../../../src/main/storage/db';
import { tempDir } from '../../helpers/tmp';
import { emptyResult, registerScenario, type ChaosResult } from '../harness';
import { loopLag, memSample, round, slope, tryGc, type MemSample } from '../support/memory';

export interface SoakParams {
  simulatedHours: number;
  symbols: number;
  /** Simulated ms per wall ms. */
  speed: number;
  /** Raw quotes kept, in simulated hours (retention window). */
  quoteWindowHours: number;
  /** Simulated hours between retention passes (the engine's is 1 h). */
  retentionEveryHours: number;
  /** Samples before this many simulated hours are warm-up, left out of the slope. */
  warmupHours: number;
  /** Fail above this heap slope after warm-up, MB per simulated hour. */
  maxHeapSlopeMbPerHour: number;
}

const HOUR = 3_600_000;
const MIN = 60_000;

/** Wall time sped up: `speed` simulated ms per real ms from `start`. */
class AcceleratedClock implements Clock {
  private readonly wall0 = performance.now();
  constructor(
    private readonly start: number,
    private readonly speed: number,
  ) {}
  now(): number {
    return Math.floor(this.start + (performance.now() - this.wall0) * this.speed);
  }
}

function symbolNames(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++)
    out.push(`SK${String.fromCharCode(65 + Math.floor(i / 26))}${String.fromCharCode(65 + (i % 26))}`);
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runSoak(p: SoakParams, ctx: { log: (l: string) => void }): Promise<ChaosResult> {
  const result = emptyResult();
  const t = tempDir('kestrel-chaos-soak-');
  const symbols = symbolNames(p.symbols);
  // A Monday 09:30 New York: the day starts where a trader's would (sessions are 'always' anyway).
  const start = Date.UTC(2026, 2, 2, 14, 30);
  const clock = new AcceleratedClock(start, p.speed);
  const config = resolveConfig({
    flags: { dataDir: t.dir, symbols: symbols.join(',') },
    env: {
      KESTREL_PROVIDERS: 'synthetic',
      KESTREL_SYNTHETIC_SESSIONS: 'always',
      KESTREL_BACKFILL: 'off',
      KESTREL_RETAIN_QUOTES_DAYS: String(p.quoteWindowHours / 24),
      // The router's silence threshold is Clock time but its checks run on wall-time timers: scale it
      // so it means the same 2 s of wall time, or event-loop lag × speed would read as a dead feed.
      KESTREL_STALE_AFTER_MS: String(2000 * p.speed),
    },
  });
  const provider = new SyntheticProvider({
    clock,
    sessions: 'always',
    specs: symbols.map((symbol, i) => ({ symbol, basePrice: 20 + i * 7, tradesPerMinute: 30 })),
    // At `speed`× a 200 ms tick is speed × 200 ms of market: replay all of it, never skip ahead.
    maxCatchUpMs: Math.max(5_000, p.speed * 2_000),
  });
  const engine = new Engine({ config, clock, log: silentLogger(), host: 'headless', providers: [provider] });
  const lag = loopLag();
  const samples: MemSample[] = [];
  const dbSamples: { x: number; quotes: number; bars: number; usedBytes: number; fileBytes: number }[] = [];
  let retentionPasses = 0;
  let quotesDeleted = 0;
  try {
    engine.start();
    tryGc();
    const end = start + p.simulatedHours * HOUR;
    // ~60 samples over the run, never more often than every 250 ms of wall time.
    const sampleEvery = Math.max(250 * p.speed, (p.simulatedHours * HOUR) / 60);
    let nextSample = start;
    let nextRetention = start + p.retentionEveryHours * HOUR;
    while (clock.now() < end) {
      await sleep(100);
      const now = clock.now();
      if (now >= nextRetention) {
        const r = applyRetention(engine.db, config.retention, clock);
        retentionPasses++;
        quotesDeleted += r.quotesDeleted;
        nextRetention += p.retentionEveryHours * HOUR;
      }
      if (now >= nextSample) {
        tryGc();
        const x = (now - start) / HOUR;
        samples.push(memSample(x));
        const q = engine.db.prepare('SELECT COUNT(*) AS n FROM quotes_raw').get() as { n: number };
        const b = engine.db.prepare("SELECT COUNT(*) AS n FROM bars WHERE interval = '1m'").get() as { n: number };
        const pages = engine.db.pragma('page_count', { simple: true }) as number;
        const free = engine.db.pragma('freelist_count', { simple: true }) as number;
        const pageSize = engine.db.pragma('page_size', { simple: true }) as number;
        const file = path.join(t.dir, DB_FILE);
        const fileBytes = fs.statSync(file).size + (fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0);
        dbSamples.push({ x, quotes: q.n, bars: b.n, usedBytes: (pages - free) * pageSize, fileBytes });
        nextSample += sampleEvery;
        ctx.log(
          `${round(x, 2)} h: heap ${round(samples.at(-1)!.heapMb, 1)} MB, rss ${round(samples.at(-1)!.rssMb, 0)} MB, quotes ${q.n}, bars ${b.n}`,
        );
      }
    }
    const loop = lag.stop();
    const steady = samples.filter((s) => s.x >= p.warmupHours);
    const heapSlope = slope(steady.map((s) => ({ x: s.x, y: s.heapMb })));
    const rssSlope = slope(steady.map((s) => ({ x: s.x, y: s.rssMb })));
    const last = dbSamples.at(-1)!;
    const dbSteady = dbSamples.filter((s) => s.x >= p.quoteWindowHours + p.retentionEveryHours);
    const usedSlope = slope(dbSteady.map((s) => ({ x: s.x, y: s.usedBytes / 2 ** 20 })));
    const barsPerHour = slope(dbSamples.map((s) => ({ x: s.x, y: s.bars })));
    const oldestQuote = (engine.db.prepare('SELECT MIN(ts) AS ts FROM quotes_raw').get() as { ts: number | null }).ts;
    const signals = (engine.db.prepare('SELECT COUNT(*) AS n FROM signals').get() as { n: number }).n;
    const orders = engine.execution.oms.list().length;
    result.runs = samples.length;
    Object.assign(result.figures, {
      simulatedHours: round((clock.now() - start) / HOUR, 2),
      symbols: p.symbols,
      speed: `${p.speed}×`,
      heapSlopeMbPerSimHour: round(heapSlope),
      rssSlopeMbPerSimHour: round(rssSlope),
      heapStartMb: round(samples[0]?.heapMb ?? NaN, 1),
      heapEndMb: round(samples.at(-1)?.heapMb ?? NaN, 1),
      loopLagP99Ms: round(loop.p99, 1),
      loopLagMaxMs: round(loop.max, 1),
      bars1m: last.bars,
      quotesRaw: last.quotes,
      quotesDeleted,
      retentionPasses,
      dbMb: round(last.fileBytes / 2 ** 20, 1),
      dbUsedSlopeMbPerSimHour: round(usedSlope),
      signals,
      orders,
    });

    // Bars: every symbol has one per minute from its first to its last, no holes; and it started promptly.
    const perSymbol = engine.db
      .prepare(
        "SELECT symbol, COUNT(*) AS n, MIN(ts) AS lo, MAX(ts) AS hi FROM bars WHERE interval = '1m' GROUP BY symbol",
      )
      .all() as { symbol: string; n: number; lo: number; hi: number }[];
    let holes = 0;
    for (const s of perSymbol) {
      const missing = (s.hi - s.lo) / MIN + 1 - s.n;
      if (missing !== 0) {
        holes += Math.abs(missing);
        result.notes.push(
          `${s.symbol}: ${s.n} 1m bars between ${new Date(s.lo).toISOString()} and ${new Date(s.hi).toISOString()}, ${missing} missing`,
        );
      }
      if (s.lo - start > 5 * MIN)
        result.failed.push(`${s.symbol}: first bar ${(s.lo - start) / MIN} min after the start`);
      if (clock.now() - s.hi > 5 * MIN)
        result.failed.push(`${s.symbol}: last bar ${(clock.now() - s.hi) / MIN} min before the end`);
    }
    result.lost += holes;
    if (perSymbol.length !== p.symbols) result.failed.push(`bars for ${perSymbol.length} of ${p.symbols} symbols`);
    // Quotes: nothing older than the window plus the one-hour pass interval survives a pass.
    const quoteFloor = clock.now() - (p.quoteWindowHours + p.retentionEveryHours) * HOUR - MIN;
    if (
      p.simulatedHours > p.quoteWindowHours + p.retentionEveryHours &&
      oldestQuote !== null &&
      oldestQuote < quoteFloor
    )
      result.failed.push(
        `raw quotes older than the retention window survive: oldest ${new Date(oldestQuote).toISOString()}`,
      );
    if (p.simulatedHours > p.quoteWindowHours + p.retentionEveryHours && quotesDeleted === 0)
      result.failed.push('retention never deleted a raw quote past its window');
    if (heapSlope > p.maxHeapSlopeMbPerHour)
      result.failed.push(
        `heap grows ${round(heapSlope)} MB per simulated hour after warm-up (bound ${p.maxHeapSlopeMbPerHour})`,
      );
    result.notes.push(
      `${round((clock.now() - start) / HOUR, 2)} simulated hours at ${p.speed}× with ${p.symbols} symbols (synthetic, every minute trading): heap ${result.figures.heapStartMb} → ${result.figures.heapEndMb} MB, slope ${round(heapSlope)} MB/h after ${p.warmupHours} h warm-up (bound ${p.maxHeapSlopeMbPerHour} MB/h), RSS slope ${round(rssSlope)} MB/h; event-loop lag p99 ${round(loop.p99, 1)} ms (max ${round(loop.max, 1)} ms)`,
      `DB: ${last.bars} 1m bars (${round(barsPerHour, 0)}/h, expected ${p.symbols * 60}/h), ${last.quotes} raw quotes kept with a ${p.quoteWindowHours} h window (${quotesDeleted} deleted in ${retentionPasses} passes, one every ${p.retentionEveryHours} h), ${result.figures.dbMb} MB on disk; pages in use grow ${round(usedSlope)} MB/h once the window is full; ${signals} signals, ${orders} orders`,
    );
    return result;
  } finally {
    lag.stop();
    await engine.stop();
    t.cleanup();
  }
}

registerScenario<SoakParams>({
  name: 'soak',
  description:
    'A simulated session at accelerated time (the engine’s Clock runs faster than the wall) with many symbols from the synthetic provider: bars, features, signals, shadow orders, raw quotes, hourly retention. Reported: heap and RSS slope per simulated hour after warm-up (with a full GC before each sample), event-loop lag p99, and DB rows and size against the retention window. `lost` counts holes in each symbol’s 1m bars. Heap-slope bound: a trading day is 6.5 h, so 8 MB/h would be ~50 MB a day, visible within a week of uptime; steady state should be flat.',
  // Inside `npm test` the run shares two cores with other files: a slower clock (30×) means only a
  // wall stall of ~2 s, not ~0.7 s, could leave a minute without trades.
  quick: {
    simulatedHours: 1 / 6,
    symbols: 10,
    speed: 30,
    quoteWindowHours: 0.05,
    retentionEveryHours: 0.025,
    warmupHours: 0.05,
    maxHeapSlopeMbPerHour: 60,
  },
  full: {
    simulatedHours: 8,
    symbols: 50,
    speed: 60,
    quoteWindowHours: 2,
    retentionEveryHours: 1,
    warmupHours: 1,
    maxHeapSlopeMbPerHour: 8,
  },
  run: (params, ctx) => runSoak(params, ctx),
});
