/**
 * Deferred work for the simulated broker's latency. Production uses timers; tests and backtests
 * use ManualScheduler, which runs callbacks when its SimulatedClock is advanced through them.
 */
import type { SimulatedClock } from '../clock';

export interface Scheduler {
  /** Runs fn after delayMs; returns a cancel function. */
  schedule(delayMs: number, fn: () => void): () => void;
}

export const timerScheduler: Scheduler = {
  schedule(delayMs, fn) {
    const t = setTimeout(fn, delayMs);
    return () => clearTimeout(t);
  },
};

export class ManualScheduler implements Scheduler {
  private queue: { due: number; seq: number; fn: () => void }[] = [];
  private seq = 0;

  constructor(private readonly clock: SimulatedClock) {}

  schedule(delayMs: number, fn: () => void): () => void {
    const item = { due: this.clock.now() + Math.max(0, delayMs), seq: this.seq++, fn };
    this.queue.push(item);
    return () => {
      this.queue = this.queue.filter((q) => q !== item);
    };
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Advances the clock by ms, running each callback due on the way at its own time, in order. */
  advance(ms: number): void {
    const end = this.clock.now() + ms;
    for (;;) {
      const next = this.queue.filter((q) => q.due <= end).sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
      if (!next) break;
      this.queue = this.queue.filter((q) => q !== next);
      if (next.due > this.clock.now()) this.clock.set(next.due);
      next.fn();
    }
    this.clock.set(end);
  }
}
