/**
 * Keeps the raw quotes of each symbol's active provider for a few days (audits, replaying a recent
 * incident). Quotes are gathered in memory and appended in one transaction per flush. The buffer is
 * capped: raw quotes are a convenience record, not the book of record, so when storage is failing
 * the oldest are dropped and counted rather than letting memory grow without bound.
 */
import type { Quote } from '../../shared/domain';

export interface QuoteSink {
  append(quotes: readonly Quote[]): void;
}

export interface QuoteRecorderCounters {
  written: number;
  dropped: number;
  failures: number;
}

export const DEFAULT_QUOTE_BUFFER_CAP = 100_000;

export class QuoteRecorder {
  readonly counters: QuoteRecorderCounters = { written: 0, dropped: 0, failures: 0 };
  private pending: Quote[] = [];

  constructor(
    private readonly sink: QuoteSink,
    private readonly cap = DEFAULT_QUOTE_BUFFER_CAP,
  ) {}

  add(quote: Quote): void {
    if (this.pending.length >= this.cap) {
      // Drop the oldest half in one splice: amortised O(1) per quote while storage is down.
      const drop = Math.ceil(this.cap / 2);
      this.pending.splice(0, drop);
      this.counters.dropped += drop;
    }
    this.pending.push(quote);
  }

  /** Appends everything queued; on failure keeps it queued and throws. */
  flush(): number {
    if (this.pending.length === 0) return 0;
    const batch = this.pending;
    try {
      this.sink.append(batch);
    } catch (err) {
      this.counters.failures++;
      throw err;
    }
    this.pending = [];
    this.counters.written += batch.length;
    return batch.length;
  }

  get queued(): number {
    return this.pending.length;
  }
}
