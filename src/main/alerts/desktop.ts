/**
 * Which alerts become desktop notifications, and their text (docs/alerts.md). Pure: the Electron
 * adapter (src/main/electron/notifications.ts) only shows what this decides.
 */
import type { Alert, AlertKind, SymbolMode } from '../../shared/domain';
import type { Clock } from '../clock';
import { Deduper } from './dedup';
import { TokenBucket } from './tokenBucket';

export interface DesktopNotice {
  title: string;
  body: string;
}

/** Always worth interrupting the trader. */
const ALWAYS: ReadonlySet<AlertKind> = new Set(['killSwitch', 'failover', 'orderRejected', 'brokerDisconnected']);
/** Only when the symbol trades live: a shadow symbol's gates or gaps can wait for the alert centre. */
const LIVE_ONLY: ReadonlySet<AlertKind> = new Set(['gatesFailing', 'dataGap']);

const BODY_MAX = 240;

/** null: no notification. `modeOf` says whether the alert's symbol is live right now. */
export function desktopNotice(alert: Alert, modeOf: (symbol: string) => SymbolMode | null): DesktopNotice | null {
  if (alert.level === 'info') return null;
  if (!ALWAYS.has(alert.kind)) {
    if (!LIVE_ONLY.has(alert.kind) || alert.symbol === undefined || modeOf(alert.symbol) !== 'live') return null;
  }
  const prefix = alert.level === 'critical' ? 'Kestrel ■ ' : 'Kestrel ▲ ';
  const body = alert.message.length > BODY_MAX ? `${alert.message.slice(0, BODY_MAX - 1)}…` : alert.message;
  return { title: prefix + alert.title, body };
}

/**
 * The decision plus a rate limit (burst 5, 6 a minute) and a 60 s dedup on kind + title, so a
 * failover storm cannot bury the desktop. Critical alerts are never suppressed.
 */
export class DesktopNotifier {
  private readonly bucket: TokenBucket;
  private readonly dedup: Deduper;
  readonly counters = { shown: 0, rateLimited: 0, deduplicated: 0 };

  constructor(
    clock: Clock,
    private readonly modeOf: (symbol: string) => SymbolMode | null,
    private readonly show: (n: DesktopNotice) => void,
    limits = { perMinute: 6, burst: 5, dedupWindowMs: 60_000 },
  ) {
    this.bucket = new TokenBucket(clock, limits.perMinute, limits.burst);
    this.dedup = new Deduper(clock, limits.dedupWindowMs);
  }

  onAlert(alert: Alert): void {
    const notice = desktopNotice(alert, this.modeOf);
    if (!notice) return;
    // Critical alerts (kill switch engaged) always show; they still use up the budget.
    const critical = alert.level === 'critical';
    if (!critical && this.dedup.check(alert) === null) {
      this.counters.deduplicated++;
      return;
    }
    if (!this.bucket.tryTake() && !critical) {
      this.counters.rateLimited++;
      return;
    }
    this.dedup.sent(alert);
    this.counters.shown++;
    this.show(notice);
  }
}
