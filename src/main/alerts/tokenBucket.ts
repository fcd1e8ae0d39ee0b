import type { Clock } from '../clock';

/**
 * A token bucket on the engine's Clock: `burst` tokens, refilled at `perMinute`. A dozen lines, so
 * no library: alerts over the limit are dropped and counted, never queued for later (a late alert
 * is worse than a counted one), and bottleneck's queuing is exactly what we do not want here.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly clock: Clock,
    private readonly perMinute: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Takes a token when at least 1 + `keep` are there: `keep` tokens stay for more important callers. */
  tryTake(keep = 0): boolean {
    this.refill();
    if (this.tokens < 1 + keep) return false;
    this.tokens -= 1;
    return true;
  }

  available(): number {
    this.refill();
    return this.tokens;
  }

  private refill(): void {
    const now = this.clock.now();
    // A clock that steps back (wall clock adjusted) refills nothing rather than going negative.
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.perMinute) / 60_000);
  }
}
