/**
 * Replay: plays recorded bars (from SQLite or a CSV) as a live feed at a chosen speed, keeping
 * their original timestamps so nothing pretends old data is new. Labelled SIM in the UI.
 */
import type { Bar } from '../../../shared/domain';
import type { Clock } from '../../clock';
import {
  ok,
  type MarketDataProvider,
  type ProviderCapabilities,
  type ProviderResult,
  type StreamHandlers,
  type StreamSubscription,
} from '../provider';

export interface ReplayOptions {
  /** All bars to play, any symbols; sorted by time here. */
  bars: readonly Bar[];
  clock: Clock;
  /** Data time per wall time: 60 plays one minute of bars per second. */
  speed: number;
  /** Timer granularity of the playback loop. */
  tickMs?: number;
}

export class ReplayProvider implements MarketDataProvider {
  readonly name = 'replay' as const;
  readonly capabilities: ProviderCapabilities = {
    stream: { trades: false, quotes: false, bars: true },
    latestQuote: false,
    historicalBars: true,
  };
  private readonly bars: Bar[];

  constructor(private readonly opts: ReplayOptions) {
    if (!(opts.speed > 0)) throw new RangeError('replay speed must be > 0');
    this.bars = [...opts.bars]
      .sort((a, b) => a.ts - b.ts || a.symbol.localeCompare(b.symbol))
      .map((b) => ({ ...b, provider: 'replay' }));
  }

  async historicalBars(symbol: string, fromMs: number, toMs: number): Promise<ProviderResult<Bar[]>> {
    return ok(this.bars.filter((b) => b.symbol === symbol && b.ts >= fromMs && b.ts < toMs));
  }

  stream(symbols: readonly string[], handlers: StreamHandlers): StreamSubscription {
    let wanted = new Set(symbols);
    let index = 0;
    const { clock, speed } = this.opts;
    const first = this.bars[0]?.ts ?? 0;
    const startedAt = clock.now();
    handlers.onStatus({ state: 'connected' });
    const timer = setInterval(() => {
      // Data time reached so far; every bar that opened by then (plus its minute) has closed.
      const dataNow = first + (clock.now() - startedAt) * speed;
      while (index < this.bars.length && this.bars[index]!.ts + 60_000 <= dataNow) {
        const bar = this.bars[index++]!;
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
