/**
 * The Synthetic provider: a seeded simulation (SyntheticMarket) driven by a Clock, so the app works
 * with no keys at all. Its name is `synthetic` and the UI labels it SIM; nothing it produces is a
 * real price.
 *
 * - `stream` advances a private SyntheticMarket to `clock.now()` every `tickMs` and forwards the
 *   quotes, trades and whole-minute bars (like Polygon's AM) it emits. If the process stalled
 *   (laptop sleep), it skips ahead rather than replaying a burst: at most `maxCatchUpMs` of events.
 * - `historicalBars` returns the same bars the stream builds, for completed minutes only (a bar
 *   whose minute has not ended at `clock.now()` is not history yet). Same seed, same bars.
 * - `latestQuote` is the simulated quote in force at `clock.now()`, or the last one before the
 *   close when the market is shut; `last` is the latest simulated trade.
 *
 * `sessions`: 'nyse' (default) trades only in NYSE regular hours from the calendar (holidays, early
 * closes, DST), plus thin pre/post trading with `extendedHours`; outside the calendar's years
 * (2000–2030) nothing trades. 'always' trades every minute of every day with a flat intraday
 * profile: for demos at night and for tests.
 */
import { Symbol as SymbolSchema, type Bar, type Quote } from '../../../shared/domain';
import type { Clock } from '../../clock';
import {
  fault,
  ok,
  type MarketDataProvider,
  type ProviderCapabilities,
  type ProviderResult,
  type StreamHandlers,
  type StreamSubscription,
} from '../provider';
import {
  SYNTHETIC_DEFAULT_SEED,
  SYNTHETIC_DEFAULT_SPECS,
  SyntheticMarket,
  type SyntheticSessions,
  type SyntheticSymbolSpec,
} from './syntheticMarket';

export { SYNTHETIC_DEFAULT_SEED, SYNTHETIC_DEFAULT_SPECS } from './syntheticMarket';

export const SYNTHETIC_DEFAULT_TICK_MS = 200;
export const SYNTHETIC_DEFAULT_MAX_CATCH_UP_MS = 5_000;
/** Backfill requests longer than this are refused: in 'always' mode a year is already 525,600 bars. */
export const SYNTHETIC_MAX_HISTORY_MS = 366 * 86_400_000;

const MS_MIN = 60_000;

export interface SyntheticProviderOptions {
  clock: Clock;
  /** Default SYNTHETIC_DEFAULT_SEED. */
  seed?: number;
  /** Symbol parameters (base price, volatility, spread, activity); default NVDA and MSFT. */
  specs?: readonly SyntheticSymbolSpec[];
  /** Default 'nyse'. */
  sessions?: SyntheticSessions;
  /** Thin pre-market and after-hours trading in 'nyse' mode; default false. */
  extendedHours?: boolean;
  /** How often the stream advances to the clock; default 200 ms. */
  tickMs?: number;
  /** Longest stretch of events replayed after a stall; default 5 s. */
  maxCatchUpMs?: number;
}

export class SyntheticProvider implements MarketDataProvider {
  readonly name = 'synthetic' as const;
  readonly capabilities: ProviderCapabilities = {
    stream: { trades: true, quotes: true, bars: true },
    latestQuote: true,
    historicalBars: true,
  };
  private readonly clock: Clock;
  private readonly seed: number;
  private readonly specs: readonly SyntheticSymbolSpec[];
  private readonly sessions: SyntheticSessions;
  private readonly extendedHours: boolean;
  private readonly tickMs: number;
  private readonly maxCatchUpMs: number;
  /** Shared by REST-style calls; it keeps no stream cursor state that they depend on. */
  private readonly history: SyntheticMarket;

  constructor(opts: SyntheticProviderOptions) {
    this.clock = opts.clock;
    this.seed = opts.seed ?? SYNTHETIC_DEFAULT_SEED;
    this.specs = opts.specs ?? SYNTHETIC_DEFAULT_SPECS;
    this.sessions = opts.sessions ?? 'nyse';
    this.extendedHours = opts.extendedHours ?? false;
    this.tickMs = opts.tickMs ?? SYNTHETIC_DEFAULT_TICK_MS;
    this.maxCatchUpMs = opts.maxCatchUpMs ?? SYNTHETIC_DEFAULT_MAX_CATCH_UP_MS;
    this.history = this.market([], 0);
  }

  latestQuote(symbol: string, signal?: AbortSignal): Promise<ProviderResult<Quote>> {
    if (signal?.aborted) return Promise.resolve(fault('down', 'aborted'));
    if (!SymbolSchema.safeParse(symbol).success) {
      return Promise.resolve(fault('malformed', `not a symbol: ${JSON.stringify(symbol)}`));
    }
    const quote = this.history.quoteAt(symbol, this.clock.now());
    if (!quote) return Promise.resolve(fault('stale', `no simulated session for ${symbol} in the last 10 days`));
    return Promise.resolve(ok(quote));
  }

  historicalBars(symbol: string, fromMs: number, toMs: number, signal?: AbortSignal): Promise<ProviderResult<Bar[]>> {
    if (signal?.aborted) return Promise.resolve(fault('down', 'aborted'));
    if (!SymbolSchema.safeParse(symbol).success) {
      return Promise.resolve(fault('malformed', `not a symbol: ${JSON.stringify(symbol)}`));
    }
    if (toMs - fromMs > SYNTHETIC_MAX_HISTORY_MS) {
      return Promise.resolve(fault('malformed', `range longer than ${SYNTHETIC_MAX_HISTORY_MS / 86_400_000} days`));
    }
    // Completed minutes only: bar.ts + 1 min <= now.
    const end = Math.min(toMs, Math.floor(this.clock.now() / MS_MIN) * MS_MIN);
    return Promise.resolve(ok(end > fromMs ? this.history.bars(symbol, fromMs, end) : []));
  }

  stream(symbols: readonly string[], handlers: StreamHandlers): StreamSubscription {
    const market = this.market(this.validSymbols(symbols, handlers), this.clock.now());
    let closed = false;
    let lastHeartbeatAt: number | null = null;
    const stop = (): void => {
      closed = true;
      clearInterval(timer);
    };
    const tick = (): void => {
      if (closed) return;
      const now = this.clock.now();
      lastHeartbeatAt = now;
      if (now - market.cursor > this.maxCatchUpMs) market.skipTo(now - this.maxCatchUpMs);
      try {
        market.advanceTo(now, (e) => handlers.onEvent(e));
      } catch (err) {
        // A throwing handler is a bug downstream; stop rather than spin on it every tick.
        stop();
        handlers.onStatus({ state: 'disconnected', fault: 'down', message: `synthetic feed stopped: ${String(err)}` });
      }
    };
    const timer = setInterval(tick, this.tickMs);
    timer.unref?.();
    // Statuses after `stream` returns, as a real connection's would.
    queueMicrotask(() => {
      if (closed) return;
      handlers.onStatus({ state: 'connecting' });
      handlers.onStatus({ state: 'connected' });
    });
    return {
      setSymbols: (next) => market.setSymbols(this.validSymbols(next, handlers)),
      close: () => {
        stop();
        return Promise.resolve();
      },
      get lastHeartbeatAt() {
        return lastHeartbeatAt;
      },
    };
  }

  private market(symbols: readonly string[], startTs: number): SyntheticMarket {
    return new SyntheticMarket({
      seed: this.seed,
      specs: this.specs,
      symbols,
      sessions: this.sessions,
      extendedHours: this.extendedHours,
      startTs,
    });
  }

  private validSymbols(symbols: readonly string[], handlers: StreamHandlers): string[] {
    const out: string[] = [];
    for (const s of symbols) {
      if (SymbolSchema.safeParse(s).success) out.push(s);
      else handlers.onMalformed(`synthetic feed ignored invalid symbol ${JSON.stringify(s)}`);
    }
    return out;
  }
}
