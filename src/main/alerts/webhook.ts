import type { Alert } from '../../shared/domain';

/** What an outbound channel gets beyond the alert: repeats and drops since the last send. */
export interface Delivery {
  alert: Alert;
  /** Same kind + title suppressed by dedup since the last one sent. */
  suppressed: number;
  /** Other alerts this channel dropped (rate limit, full queue) since its last send. */
  dropped: number;
  version: string;
}

/** "(+3 more like this; 5 other alerts dropped by the rate limit)", or '' when nothing was held back. */
export function summaryLine(d: Pick<Delivery, 'suppressed' | 'dropped'>): string {
  const parts: string[] = [];
  if (d.suppressed > 0) parts.push(`+${d.suppressed} more like this`);
  if (d.dropped > 0) parts.push(`${d.dropped} other alert${d.dropped === 1 ? '' : 's'} not sent (rate limit)`);
  return parts.length === 0 ? '' : `(${parts.join('; ')})`;
}

/** The generic JSON webhook body (docs/alerts.md): flat, stable field names for any receiver. */
export function webhookPayload(d: Delivery) {
  const { alert } = d;
  return {
    id: alert.id,
    ts: alert.ts,
    level: alert.level,
    kind: alert.kind,
    title: alert.title,
    detail: alert.message,
    symbol: alert.symbol ?? null,
    suppressed: d.suppressed,
    dropped: d.dropped,
    app: 'kestrel' as const,
    version: d.version,
  };
}
