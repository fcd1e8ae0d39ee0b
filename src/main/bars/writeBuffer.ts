/**
 * The write buffer between the live bar stream and the store: bars are gathered and written in one
 * transaction per flush, never one row per statement on the hot path.
 */
import type { Clock } from '../clock';
import type { BarStore, StoredBar } from './types';

export interface BarWriteBufferOptions {
  /** Flush as soon as this many bars are queued (default 500). */
  maxBars: number;
  /** Flush on `tick` once the oldest queued bar has waited this long (default 1000 ms). */
  maxDelayMs: number;
  /** A flush started by `add` or `tick` failed; the bars stay queued for the next attempt. */
  onError?: (err: unknown, queued: number) => void;
}

export const DEFAULT_BAR_WRITE_BUFFER: BarWriteBufferOptions = { maxBars: 500, maxDelayMs: 1000 };

/**
 * Queues bars for the store and writes them in one transaction every `maxBars` bars or
 * `maxDelayMs` ms (checked on `tick`, which the caller runs on its timer). One entry per
 * (symbol, interval, ts): a newer version replaces the queued one, except that our own ('built')
 * version never replaces a provider's queued bar for the same minute. A failed write keeps
 * everything queued; `add` and `tick` never throw (they report through `onError`), `flush` does.
 */
export class BarWriteBuffer {
  readonly counters = { written: 0, flushes: 0, failures: 0 };
  private pending = new Map<string, StoredBar>();
  /** Clock time the oldest queued bar was added; null when empty. */
  private oldestAt: number | null = null;
  private readonly opts: BarWriteBufferOptions;

  constructor(
    private readonly store: BarStore,
    private readonly clock: Clock,
    opts: Partial<BarWriteBufferOptions> = {},
  ) {
    this.opts = { ...DEFAULT_BAR_WRITE_BUFFER, ...opts };
  }

  /** Queues a bar; false when it was dropped because a provider's bar for that minute is queued. */
  add(bar: StoredBar): boolean {
    const key = `${bar.symbol}|${bar.interval}|${bar.ts}`;
    const existing = this.pending.get(key);
    if (existing !== undefined && existing.provider !== 'built' && bar.provider === 'built') return false;
    this.pending.set(key, bar);
    this.oldestAt ??= this.clock.now();
    if (this.pending.size >= this.opts.maxBars) this.tryFlush();
    return true;
  }

  /** Queued bars not yet written, in queue order. */
  queuedBars(): IterableIterator<StoredBar> {
    return this.pending.values();
  }

  /** Flushes when the oldest queued bar has waited maxDelayMs. */
  tick(now = this.clock.now()): void {
    if (this.oldestAt !== null && now - this.oldestAt >= this.opts.maxDelayMs) this.tryFlush();
  }

  /** Writes everything queued in one transaction and returns how many bars; on failure keeps them and throws. */
  flush(): number {
    if (this.pending.size === 0) return 0;
    const batch = [...this.pending.values()];
    try {
      this.store.upsert(batch);
    } catch (err) {
      this.counters.failures++;
      throw err;
    }
    this.pending = new Map();
    this.oldestAt = null;
    this.counters.written += batch.length;
    this.counters.flushes++;
    return batch.length;
  }

  get queued(): number {
    return this.pending.size;
  }

  private tryFlush(): void {
    try {
      this.flush();
    } catch (err) {
      this.opts.onError?.(err, this.pending.size);
    }
  }
}
