import type { Surface } from '../../shared/domain';
import type { Db } from './db';

export interface AuditEntry {
  ts: number;
  surface: Surface;
  action: string;
  subject?: string | null;
  before?: unknown;
  after?: unknown;
  reason: string;
}

export interface AuditRow {
  id: number;
  ts: number;
  surface: string;
  action: string;
  subject: string | null;
  before: string | null;
  after: string | null;
  reason: string;
}

/** Append-only: the table's triggers refuse UPDATE and DELETE. */
export class AuditLog {
  private readonly insert;
  private readonly recent;

  constructor(db: Db) {
    this.insert = db.prepare(
      'INSERT INTO audit_log (ts, surface, action, subject, before, after, reason) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.recent = db.prepare('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?');
  }

  append(e: AuditEntry): void {
    this.insert.run(
      e.ts,
      e.surface,
      e.action,
      e.subject ?? null,
      e.before == null ? null : JSON.stringify(e.before),
      e.after == null ? null : JSON.stringify(e.after),
      e.reason,
    );
  }

  latest(limit = 100): AuditRow[] {
    return this.recent.all(limit) as AuditRow[];
  }
}
