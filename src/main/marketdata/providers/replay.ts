/**
 * Replay: plays recorded bars (from SQLite or a CSV) as a live feed at a chosen speed, keeping
 * their original timestamps so nothing pretends old data is new. Labelled SIM in the UI.
 */
import type { Bar } from '../../../shared/domain';
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

const MINUTE = 60_000;
const DAY = 86_400_000;

export interface ReplayOptions {
  /**
   * All bars to play, any symbols; sorted by time here. A function is called once, on first use,
   * so bars seeded after the provider is built (the bundled dataset at start-up) are included.
   */
  bars: readonly Bar[] | (() => readonly Bar[]);
  /** Bar length: 60 000 for minute bars (the default), 86 400 000 for daily bars. */
  intervalMs?: number;
  clock: Clock;
  /** Data time per wall time: 60 plays one minute of bars per second. */
  speed: number;
  /** Timer granularity of the playback loop. */
  tickMs?: number;
}

export class ReplayProvider implements MarketDataProvider {
  readonly name = 'replay' as const;
  readonly capabilities: ProviderCapabilities;
  private loaded: Bar[] | null = null;
  private readonly intervalMs: number;

  constructor(private readonly opts: ReplayOptions) {
    if (!(opts.speed > 0)) throw new RangeError('replay speed must be > 0');
    this.intervalMs = opts.intervalMs ?? MINUTE;
    if (!(this.intervalMs === MINUTE || this.intervalMs === DAY)) {
      throw new RangeError('replay plays minute (60000) or daily (86400000) bars');
    }
    // historicalBars promises minute bars, so only a minute replay can backfill.
    this.capabilities = {
      stream: { trades: false, quotes: false, bars: true },
      latestQuote: false,
      historicalBars: this.intervalMs === MINUTE,
    };
  }

  private get bars(): Bar[] {
    if (this.loaded === null) {
      const src = typeof this.opts.bars === 'function' ? this.opts.bars() : this.opts.bars;
      const interval = this.intervalMs === DAY ? '1d' : '1m';
      this.loaded = [...src]
        .sort((a, b) => a.ts - b.ts || a.symbol.localeCompare(b.symbol))
        .map((b) => ({ ...b, provider: 'replay', interval }));
    }
    return this.loaded;
  }

  async historicalBars(symbol: string, fromMs: number, toMs: number): Promise<ProviderResult<Bar[]>> {
    if (this.intervalMs !== MINUTE) return fault('down', 'a daily replay has no minute history');
    return ok(this.bars.filter((b) => b.symbol === symbol && b.ts >= fromMs && b.ts < toMs));
  }

  stream(symbols: readonly string[], handlers: StreamHandlers): StreamSubscription {
    let wanted = new Set(symbols);
    let index = 0;
    const { clock, speed } = this.opts;
    const bars = this.bars;
    const span = this.intervalMs;
    const first = bars[0]?.ts ?? 0;
    const startedAt = clock.now();
    handlers.onStatus({ state: 'connected' });
    const timer = setInterval(() => {
      // Data time reached so far; a bar plays once its whole span (a minute or a day) has passed.
      const dataNow = first + (clock.now() - startedAt) * speed;
      while (index < bars.length && bars[index]!.ts + span <= dataNow) {
        const bar = bars[index++]!;
        if (wanted.has(bar.symbol)) handlers.onEvent({ type: 'bar', bar });
      }
    }, this.opts.tickMs ?? 100);
    timer.unref?.();
    return {
      setSymbols: (s) => (wanted = new Set(s)),
      close: async () => clearInterval(timer),
    };
  }
}
