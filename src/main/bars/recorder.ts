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

export interface RecorderCounters {
  written: number;
  flushes: number;
  reconciled: number;
  listenerErrors: number;
}

export type BarKind = 'closed' | 'amended' | 'provider';
export type BarListener = (bar: StoredBar, kind: BarKind) => void;

export class BarRecorder {
  readonly aggregator: BarAggregator;
  readonly counters: RecorderCounters = { written: 0, flushes: 0, reconciled: 0, listenerErrors: 0 };
  /** Where listener failures go; the engine logs them. */
  onListenerError: (err: unknown) => void = () => {};
  private pending = new Map<string, StoredBar>();
  private readonly listeners = new Set<BarListener>();

  constructor(
    private readonly store: BarStore,
    clock: Clock,
    cfg: AggregatorConfig = DEFAULT_AGGREGATOR_CONFIG,
  ) {
    this.aggregator = new BarAggregator(
      clock,
      {
        closed: (bar) => this.queue(bar, 'closed'),
        amended: (bar) => this.queue(bar, 'amended'),
        reconciled: (d: BarDiff) => {
          this.counters.reconciled++;
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
    else if (event.type === 'bar') this.aggregator.onProviderBar(event.bar, provider);
  }

  /** Closes due bars; call on a short timer. */
  tick(now?: number): void {
    this.aggregator.onClock(now);
  }

  /** Writes everything queued in one transaction. Returns how many bars were written. */
  flush(): number {
    if (this.pending.size === 0) return 0;
    const batch = [...this.pending.values()];
    this.store.upsert(batch);
    // Only forget what was written: if upsert throws, the batch stays queued for the next flush.
    this.pending = new Map();
    this.counters.written += batch.length;
    this.counters.flushes++;
    return batch.length;
  }

  get queued(): number {
    return this.pending.size;
  }

  private queue(bar: StoredBar, kind: BarKind): void {
    const key = `${bar.symbol}|${bar.interval}|${bar.ts}`;
    const existing = this.pending.get(key);
    // A provider's bar wins over ours for the same minute, whichever came first.
    if (existing && existing.provider !== 'built' && bar.provider === 'built') return;
    this.pending.set(key, bar);
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
