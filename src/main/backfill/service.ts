/**
 * Gap detection and backfill. Gaps are found at each bar close (a bar beyond the previous one plus
 * a minute) and by sweeps over the startup lookback (on start, covering the time the app was
 * closed, then periodically). Each gap becomes a job in SQLite, capped per tier; one job runs at a
 * time, from the healthiest provider with historical bars, through that provider's budget and
 * breaker. Failures back off; after maxAttempts a job is dead and the trader is alerted.
 */
import type { Bar, BackfillJob, BackfillJobState, BackfillStatus, DayGapStateDto } from '../../shared/domain';
import { dayGapState, findMinuteGaps, type GapRange } from '../bars/gaps';
import type { BarKind } from '../bars/recorder';
import type { BarStore, StoredBar } from '../bars/types';
import type { Clock } from '../clock';
import { isTradingDay, previousTradingDay, sessionForDay, tradingDays } from '../marketdata/calendar';
import type { ProviderResult } from '../marketdata/provider';
import type { BackfillRepo } from '../storage/backfillRepo';
import { nyDateKey } from '../time/newYork';
import { backoffDelayMs, type BackoffConfig } from './backoff';
import { toBackfilledBars } from './fill';
import { planJobs } from './plan';
import { roomInTier, tierFor, type TierConfig } from './tiers';

const MS_MIN = 60_000;
/** The recorder flushes every second and late trades amend within the grace window: sweeps leave the newest minutes to bar-close detection. */
const SETTLE_MS = 2 * MS_MIN;
/** An empty answer for a range this recent may be a provider's delay, not an absence: try again later. */
const RECENT_MS = 30 * MS_MIN;
/** getGapState answers at most this many calendar days at once. */
const MAX_QUERY_DAYS = 400;

export interface BackfillConfig extends TierConfig {
  enabled: boolean;
  maxAttempts: number;
  backoff: BackoffConfig;
  /** Trading days checked on start (today included), covering the time the app was closed. */
  startupLookbackDays: number;
  /** How often the lookback is swept again (catches gaps refused at a full tier). */
  sweepEveryMs: number;
}

/** A provider that can serve history, as the runner sees it. */
export interface HistorySource {
  name: string;
  /** 0..1, higher is healthier. */
  health: number;
  /** False when its breaker is open or its key was refused. */
  available: boolean;
  fetch(symbol: string, fromTs: number, toTs: number, signal: AbortSignal): Promise<ProviderResult<Bar[]>>;
}

export interface BackfillDeps {
  clock: Clock;
  config: BackfillConfig;
  repo: BackfillRepo;
  store: BarStore;
  /** Providers with historical bars, in configured priority order. */
  sources: () => HistorySource[];
  /** Watched symbols. */
  symbols: () => string[];
  /** Bars closed but not yet written by the recorder; they count as present. */
  pendingBars?: () => Iterable<StoredBar>;
  /** Minute bars older than this are pruned by retention, so missing ones there are not gaps. */
  retainedFrom?: (now: number) => number | null;
  /** A job moved to the dead-letter queue. */
  onDead?: (job: BackfillJob) => void;
  /** Queue depths changed (coalesced by the caller or by `statusEveryMs`). */
  onStatus?: (status: BackfillStatus) => void;
  onError?: (err: unknown) => void;
  random?: () => number;
}

export type RunOutcome = 'idle' | 'done' | 'retry' | 'dead' | 'released';

export class BackfillService {
  private refused = 0;
  private readonly lastBarTs = new Map<string, number>();
  private timers: ReturnType<typeof setInterval>[] = [];
  private running: Promise<RunOutcome> | null = null;
  private abort: AbortController | null = null;
  private stopped = false;
  private dirty = true;

  constructor(private readonly deps: BackfillDeps) {}

  get enabled(): boolean {
    return this.deps.config.enabled;
  }

  /** Recovers jobs left running by a crash, sweeps the lookback, then runs jobs on timers. */
  start(opts: { timers?: boolean } = {}): void {
    if (!this.enabled) return;
    this.deps.repo.resetRunning(this.deps.clock.now());
    this.sweep();
    if (opts.timers === false) return;
    const guard = (fn: () => void) => () => {
      try {
        fn();
      } catch (err) {
        this.deps.onError?.(err);
      }
    };
    this.timers.push(
      setInterval(
        guard(() => void this.pump()),
        1000,
      ),
      setInterval(
        guard(() => this.sweep()),
        this.deps.config.sweepEveryMs,
      ),
      setInterval(
        guard(() => this.publish()),
        1000,
      ),
    );
    for (const t of this.timers) t.unref();
    this.publish();
  }

  /** Stops the timers and waits (bounded) for a job in flight; it goes back to queued. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.abort?.abort();
    const inFlight = this.running;
    if (inFlight) {
      await Promise.race([inFlight.catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Detection

  /** Bar-close detection: a closed bar more than a minute after the previous one leaves a gap. */
  onBar(bar: StoredBar, kind: BarKind): void {
    if (!this.enabled || this.stopped || bar.interval !== '1m' || kind === 'amended') return;
    const start = this.lookbackStart(this.deps.clock.now());
    // First bar of a symbol since start: the previous one is the newest stored before it.
    const prev = this.lastBarTs.get(bar.symbol) ?? this.deps.store.timestamps(bar.symbol, '1m', start, bar.ts).pop();
    if (prev === undefined || bar.ts > prev) this.lastBarTs.set(bar.symbol, bar.ts);
    if (prev === undefined || bar.ts <= prev + MS_MIN) return;
    const from = Math.max(prev + MS_MIN, start);
    if (from >= bar.ts) return;
    this.enqueueGaps(bar.symbol, this.findGaps(bar.symbol, from, bar.ts));
  }

  /** Checks every watched symbol over the lookback, up to the settled edge. Returns jobs queued. */
  sweep(): number {
    if (!this.enabled || this.stopped) return 0;
    const now = this.deps.clock.now();
    const from = this.lookbackStart(now);
    const to = Math.floor(now / MS_MIN) * MS_MIN - SETTLE_MS;
    this.deps.repo.pruneDone(from);
    let queued = 0;
    if (to <= from) return 0;
    for (const symbol of this.deps.symbols()) queued += this.enqueueGaps(symbol, this.findGaps(symbol, from, to));
    return queued;
  }

  /** Queues jobs for these gaps within the symbol's tier cap. Returns how many were queued. */
  enqueueGaps(symbol: string, gaps: readonly GapRange[]): number {
    if (gaps.length === 0) return 0;
    const first = gaps[0]!.fromTs;
    const last = gaps[gaps.length - 1]!.toTs;
    const planned = planJobs(gaps, this.deps.repo.overlapping(symbol, first, last));
    if (planned.length === 0) return 0;
    const tier = tierFor(symbol, this.deps.config);
    const room = roomInTier(tier, this.deps.repo.openByTier(), this.deps.config);
    const accepted = planned.slice(0, room);
    this.refused += planned.length - accepted.length;
    const added = this.deps.repo.enqueue(
      accepted.map((r) => ({ symbol, tier, ...r })),
      this.deps.clock.now(),
    );
    this.dirty = true;
    return added;
  }

  private findGaps(symbol: string, from: number, to: number): GapRange[] {
    return findMinuteGaps(this.present(symbol, from, to), from, to);
  }

  /** Stored and still-buffered bar opens in [from, to), ascending. */
  private present(symbol: string, from: number, to: number): number[] {
    const stored = this.deps.store.timestamps(symbol, '1m', from, to);
    const pending: number[] = [];
    for (const b of this.deps.pendingBars?.() ?? []) {
      if (b.symbol === symbol && b.interval === '1m' && b.ts >= from && b.ts < to) pending.push(b.ts);
    }
    if (pending.length === 0) return stored;
    return [...new Set([...stored, ...pending])].sort((a, b) => a - b);
  }

  /** Regular open of the oldest trading day in the lookback (today counts once its session opened). */
  lookbackStart(now: number): number {
    let day = nyDateKey(now);
    const today = sessionForDay(day);
    if (!today || today.open > now) day = previousTradingDay(day);
    for (let i = 1; i < this.deps.config.startupLookbackDays; i++) day = previousTradingDay(day);
    return Math.max(sessionForDay(day)!.open, this.deps.retainedFrom?.(now) ?? 0);
  }

  // -------------------------------------------------------------------------------------------
  // Running jobs

  /** Runs the next due job unless one is running. */
  pump(): Promise<RunOutcome> {
    if (this.running || this.stopped || !this.enabled) return Promise.resolve('idle');
    const p = this.runOnce().finally(() => {
      this.running = null;
    });
    this.running = p;
    return p;
  }

  /** Runs every due job now, one after another (tests and the CLI). */
  async drain(limit = 10_000): Promise<number> {
    let n = 0;
    while (n < limit) {
      // A job started by the timer: wait for it, then go on.
      if (this.running) await this.running.catch(() => 'idle');
      const outcome = await this.pump();
      if (outcome === 'idle') break;
      n++;
    }
    return n;
  }

  private async runOnce(): Promise<RunOutcome> {
    const { clock, repo } = this.deps;
    const job = repo.claimNext(clock.now());
    if (!job) return 'idle';
    this.dirty = true;
    const source = this.pickSource();
    if (!source) return this.failJob(job, 'no available provider with historical bars', null);
    this.abort = new AbortController();
    let result: ProviderResult<Bar[]>;
    try {
      result = await source.fetch(job.symbol, job.fromTs, job.toTs, this.abort.signal);
    } catch (err) {
      result = { kind: 'down', message: err instanceof Error ? err.message : String(err) };
    } finally {
      this.abort = null;
    }
    // The engine is stopping: the store may be closing, and this attempt does not count.
    if (this.stopped) return 'released';
    if (result.kind !== 'ok') {
      return this.failJob(job, `${source.name} ${result.kind}: ${result.message}`, source.name, result.retryAfterMs);
    }
    const now = clock.now();
    if (result.value.length === 0 && job.toTs > now - RECENT_MS) {
      return this.failJob(job, `${source.name} has no bars for this range yet`, source.name);
    }
    const fill = toBackfilledBars(
      result.value,
      job,
      source.name,
      new Set(this.present(job.symbol, job.fromTs, job.toTs)),
      now,
    );
    try {
      this.deps.store.upsert(fill.bars);
    } catch (err) {
      return this.failJob(job, `bar storage failed: ${(err as Error).message}`, source.name);
    }
    const note = fill.rejected > 0 ? `${fill.rejected} bars from ${source.name} rejected as invalid` : null;
    repo.done(job.id, fill.bars.length, source.name, note, now);
    this.dirty = true;
    return 'done';
  }

  /** Healthiest available source; ties keep the configured priority order. */
  private pickSource(): HistorySource | null {
    const candidates = this.deps.sources().filter((s) => s.available);
    candidates.sort((a, b) => b.health - a.health);
    return candidates[0] ?? null;
  }

  private failJob(job: BackfillJob, error: string, provider: string | null, retryAfterMs?: number): RunOutcome {
    const { clock, config, repo } = this.deps;
    const now = clock.now();
    const failures = job.attempts + 1;
    const dead = failures >= config.maxAttempts;
    const next = dead ? now : now + backoffDelayMs(failures, config.backoff, this.deps.random, retryAfterMs);
    repo.fail(job.id, dead, next, error, provider, now);
    this.dirty = true;
    if (dead) this.deps.onDead?.(repo.get(job.id)!);
    return dead ? 'dead' : 'retry';
  }

  // -------------------------------------------------------------------------------------------
  // Queries and dead-letter commands

  status(): BackfillStatus {
    const { repo, config, clock } = this.deps;
    const depths = repo.openByTier();
    return {
      ts: clock.now(),
      enabled: config.enabled,
      depths,
      caps: { ...config.caps },
      running: repo.count('running'),
      dead: repo.count('dead'),
      refused: this.refused,
    };
  }

  /** Emits the status if anything changed since the last one: at most once per timer tick (1 Hz). */
  publish(): void {
    if (!this.dirty || this.stopped) return;
    this.dirty = false;
    this.deps.onStatus?.(this.status());
  }

  list(state: BackfillJobState | undefined, limit: number): BackfillJob[] {
    return this.deps.repo.list(state, limit);
  }

  /**
   * Dead jobs back to the queue. All or nothing: an unknown id or a job that is not dead is an
   * error and nothing changes. Requeued jobs count against their tier's cap; the ones that do not
   * fit stay dead and are reported as skipped.
   */
  requeue(sel: { ids: number[] } | { all: true }): { requeued: number; skipped: number } {
    const { repo, config, clock } = this.deps;
    const ids = 'all' in sel ? repo.deadIds() : this.checkDead(sel.ids);
    const open = repo.openByTier();
    const fit: number[] = [];
    for (const id of ids) {
      const tier = repo.get(id)!.tier;
      if (roomInTier(tier, open, config) > 0) {
        open[tier]++;
        fit.push(id);
      }
    }
    const requeued = repo.requeue(fit, clock.now());
    this.dirty = true;
    return { requeued, skipped: ids.length - requeued };
  }

  /** Deletes dead jobs; same all-or-nothing checks as requeue. Their gaps stay visible in the gap state. */
  purge(sel: { ids: number[] } | { all: true }): { purged: number } {
    const ids = 'all' in sel ? this.deps.repo.deadIds() : this.checkDead(sel.ids);
    const purged = this.deps.repo.purge(ids);
    this.dirty = true;
    return { purged };
  }

  private checkDead(ids: readonly number[]): number[] {
    const unique = [...new Set(ids)];
    for (const id of unique) {
      const job = this.deps.repo.get(id);
      if (!job) throw new BackfillInputError(`no backfill job ${id}`);
      if (job.state !== 'dead') throw new BackfillInputError(`backfill job ${id} is ${job.state}, not dead`);
    }
    return unique;
  }

  /** Gap state of one symbol per New York trading day in [fromDay, toDay] (default: the lookback). */
  gapState(symbol: string, fromDay?: string, toDay?: string): DayGapStateDto[] {
    const now = this.deps.clock.now();
    const to = toDay ?? nyDateKey(now);
    const from = fromDay ?? nyDateKey(this.lookbackStart(now));
    let days: string[];
    try {
      isTradingDay(from);
      isTradingDay(to);
      days = tradingDays(from, to);
    } catch (err) {
      throw new BackfillInputError((err as Error).message);
    }
    if (to < from) throw new BackfillInputError(`toDay ${to} is before fromDay ${from}`);
    const span = (Date.parse(to) - Date.parse(from)) / 86_400_000;
    if (span > MAX_QUERY_DAYS) throw new BackfillInputError(`at most ${MAX_QUERY_DAYS} days per query`);
    return days.map((date) => {
      const session = sessionForDay(date)!;
      const bars = this.deps.store.range(symbol, '1m', session.open, session.close);
      const present = this.present(symbol, session.open, session.close);
      const state = dayGapState(date, present, now);
      const jobs = this.deps.repo.overlappingJobs(symbol, session.open, session.close);
      return {
        date: state.date,
        expectedMinutes: state.expectedMinutes,
        haveMinutes: state.haveMinutes,
        backfilledMinutes: bars.filter((b) => b.status === 'backfilled').length,
        missing: state.missing,
        state: state.status,
        openJobs: jobs.filter((s) => s === 'queued' || s === 'running').length,
        deadJobs: jobs.filter((s) => s === 'dead').length,
      };
    });
  }
}

/** Bad input to a backfill command; the engine turns it into INVALID_INPUT. */
export class BackfillInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackfillInputError';
  }
}
