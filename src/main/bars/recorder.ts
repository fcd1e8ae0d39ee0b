/**
 * Turns the live market-data stream into stored bars: trades go through the aggregator, provider
 * minute bars replace built ones, and every closed, amended or reconciled bar is written in
 * batches, one transaction per flush, never one row per statement on the hot path.
 */
import type { ProviderName } from '../../shared/domain';
import type { Clock } from '../clock';
import type { MarketEvent } from '../marketdata/provider';
import { BarAggregator, type AggregatorConfig, type BarDiff, DEFAULT_AGGREGATOR_CONFIG } from './aggregator';
import type { BarStore, StoredBar } from './types';
import { BarWriteBuffer } from './writeBuffer';

export interface RecorderCounters {
  reconciled: number;
  listenerErrors: number;
}

export type BarKind = 'closed' | 'amended' | 'provider';
export type BarListener = (bar: StoredBar, kind: BarKind) => void;

export class BarRecorder {
  readonly aggregator: BarAggregator;
  readonly counters: RecorderCounters = { reconciled: 0, listenerErrors: 0 };
  /** Written bars and flushes live here: `buffer.counters`. */
  readonly buffer: BarWriteBuffer;
  /** A provider bar replaced one we built; the engine records the difference in the log. */
  onReconciled: (d: BarDiff) => void = () => {};
  /** Where listener failures go; the engine logs them. */
  onListenerError: (err: unknown) => void = () => {};
  private readonly listeners = new Set<BarListener>();

  constructor(store: BarStore, clock: Clock, cfg: AggregatorConfig = DEFAULT_AGGREGATOR_CONFIG) {
    // The engine flushes on a 1 s timer; the size cap only bounds memory in a burst.
    this.buffer = new BarWriteBuffer(store, clock, {
      maxBars: 5000,
      maxDelayMs: 1000,
      onError: (err) => this.onListenerError(err),
    });
    this.aggregator = new BarAggregator(
      clock,
      {
        closed: (bar) => this.queue(bar, 'closed'),
        amended: (bar) => this.queue(bar, 'amended'),
        reconciled: (d: BarDiff) => {
          this.counters.reconciled++;
          if (d.diff !== null) this.onReconciled(d);
          this.queue(d.provider, 'provider');
        },
      },
      cfg,
    );
  }

  /** Hears every bar as it is queued for storage (chart, features, gap checks). Returns an unsubscribe. */
  subscribe(listener: BarListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onEvent(provider: ProviderName, event: MarketEvent): void {
    if (event.type === 'trade') this.aggregator.onTrade(event.trade);
    // Daily bars (a daily replay) are already stored; only minute bars are aggregated here.
    else if (event.type === 'bar' && (event.bar.interval ?? '1m') === '1m')
      this.aggregator.onProviderBar(event.bar, provider);
  }

  /** Closes due bars; call on a short timer. */
  tick(now?: number): void {
    this.aggregator.onClock(now);
  }

  /** Writes everything queued in one transaction. Returns how many bars were written; throws and keeps them on failure. */
  flush(): number {
    return this.buffer.flush();
  }

  get queued(): number {
    return this.buffer.queued;
  }

  /** Bars closed but not yet written (the store lags by up to one flush interval). */
  queuedBars(): IterableIterator<StoredBar> {
    return this.buffer.queuedBars();
  }

  private queue(bar: StoredBar, kind: BarKind): void {
    // A provider's bar wins over ours for the same minute, whichever came first.
    if (!this.buffer.add(bar)) return;
    for (const listener of this.listeners) {
      try {
        listener(bar, kind);
      } catch (err) {
        // A failing listener must not stop bars from being stored or reaching the others.
        this.counters.listenerErrors++;
        this.onListenerError(err);
      }
    }
  }
}
