/** Domain code takes a Clock and never reads the wall clock itself, so backtests and tests control time. */
export interface Clock {
  /** Epoch milliseconds, UTC. */
  now(): number;
}

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
}

/** A clock that moves only when told to: backtests and tests. */
export class SimulatedClock implements Clock {
  constructor(private current = 0) {}

  now(): number {
    return this.current;
  }

  set(ts: number): void {
    if (ts < this.current) throw new Error(`SimulatedClock cannot go back from ${this.current} to ${ts}`);
    this.current = ts;
  }

  advance(ms: number): void {
    this.set(this.current + ms);
  }
}
