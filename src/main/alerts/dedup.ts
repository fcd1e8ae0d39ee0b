import type { Alert } from '../../shared/domain';
import type { Clock } from '../clock';

type Key = Pick<Alert, 'kind' | 'title'>;

/**
 * Suppresses repeats: the same kind + title within `windowMs` of the last one sent is counted, not
 * sent. The next one sent after the window carries the count ("N more like this"). check() and
 * sent() are separate so an alert the rate limit drops does not open a window it never used.
 */
export class Deduper {
  private readonly seen = new Map<string, { sentAt: number; suppressed: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly windowMs: number,
  ) {}

  /** null: a repeat, suppressed and counted. Otherwise how many like it were suppressed before. */
  check(alert: Key): { suppressed: number } | null {
    const entry = this.seen.get(key(alert));
    if (entry && this.clock.now() - entry.sentAt < this.windowMs) {
      entry.suppressed++;
      return null;
    }
    return { suppressed: entry?.suppressed ?? 0 };
  }

  /** The alert went out: its window starts now and its count is reported. */
  sent(alert: Key): void {
    const now = this.clock.now();
    this.seen.set(key(alert), { sentAt: now, suppressed: 0 });
    if (this.seen.size > 256) {
      // Forget windows that ended with nothing suppressed, so the map stays small.
      for (const [k, e] of this.seen) if (now - e.sentAt >= this.windowMs && e.suppressed === 0) this.seen.delete(k);
    }
  }
}

function key(a: Key): string {
  return `${a.kind}\u0000${a.title}`;
}
