import { randomUUID } from 'node:crypto';
import type { Alert, AlertHistory, AlertKind, AlertLevel, AlertRecord } from '../../shared/domain';
import type { EventBus } from '../bus';
import type { Clock } from '../clock';
import type { AlertStore } from '../storage/alertRepo';

export interface RaiseOptions {
  /** Routes the alert to channels and desktop notifications; default 'other'. */
  kind?: AlertKind;
  symbol?: string;
}

/** A bad id from a client: the engine turns it into INVALID_INPUT. */
export class AlertInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AlertInputError';
  }
}

/** Session-only history, for an AlertCenter built without storage (unit tests, tools). */
export class MemoryAlertStore implements AlertStore {
  private readonly rows: AlertRecord[] = [];

  constructor(private readonly capacity = 1000) {}

  append(a: Alert): void {
    this.rows.push({ ...a, ackedAt: null });
    if (this.rows.length > this.capacity) this.rows.shift();
  }

  list(limit: number, beforeId?: string): AlertRecord[] {
    let end = this.rows.length;
    if (beforeId !== undefined) {
      end = this.rows.findIndex((r) => r.id === beforeId);
      if (end < 0) throw new RangeError(`no alert with id ${beforeId}`);
    }
    return this.rows.slice(Math.max(0, end - limit), end).reverse();
  }

  has(id: string): boolean {
    return this.rows.some((r) => r.id === id);
  }

  ack(id: string, ts: number): boolean {
    const row = this.rows.find((r) => r.id === id);
    if (row) row.ackedAt ??= ts;
    return row !== undefined;
  }

  ackAll(ts: number): number {
    const unread = this.rows.filter((r) => r.ackedAt === null);
    for (const r of unread) r.ackedAt = ts;
    return unread.length;
  }

  unread(): number {
    return this.rows.filter((r) => r.ackedAt === null).length;
  }
}

/**
 * Records every alert in the history (SQLite in the engine) and publishes it as an event. Raising
 * never throws: alerts are raised from failure paths, storage among them. An alert the store
 * refused is kept in memory, shown, and written with the next one.
 */
export class AlertCenter {
  private unsaved: Alert[] = [];
  /** Told once per run of storage failures (the engine logs it; raising an alert here would loop). */
  onStoreError: (err: unknown) => void = () => {};

  constructor(
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly capacity = 200,
    private readonly store: AlertStore = new MemoryAlertStore(),
  ) {}

  raise(level: AlertLevel, title: string, message: string, opts: RaiseOptions = {}): Alert {
    const ts = this.clock.now();
    const alert: Alert = {
      id: randomUUID(),
      ts,
      level,
      kind: opts.kind ?? 'other',
      title,
      message,
      ...(opts.symbol === undefined ? {} : { symbol: opts.symbol }),
    };
    this.persist(alert);
    this.bus.emit('alert', alert);
    return alert;
  }

  /** The latest alerts, oldest first, for the snapshot; read from the history so they survive restarts. */
  list(): Alert[] {
    let stored: AlertRecord[] = [];
    try {
      stored = this.store.list(this.capacity);
    } catch (err) {
      this.onStoreError(err);
    }
    const all: Alert[] = [...stored.reverse().map(({ ackedAt: _ackedAt, ...a }) => a), ...this.unsaved];
    return all.slice(-this.capacity);
  }

  /** A page of the history, newest first, and the unread count over all of it. */
  history(limit = 100, before?: string): AlertHistory {
    const pending = this.unsaved.map((a): AlertRecord => ({ ...a, ackedAt: null })).reverse();
    let stored: AlertRecord[];
    try {
      stored = this.store.list(limit, before);
    } catch (err) {
      if (err instanceof RangeError) throw new AlertInputError(err.message);
      throw err;
    }
    const first = before === undefined ? pending : [];
    return { alerts: [...first, ...stored].slice(0, limit), unread: this.store.unread() + pending.length };
  }

  /** Marks one alert read; returns the unread count. */
  ack(id: string): number {
    this.persistPending();
    if (!this.store.ack(id, this.clock.now())) throw new AlertInputError(`no alert with id ${id}`);
    return this.store.unread();
  }

  ackAll(): { acked: number; unread: number } {
    this.persistPending();
    const acked = this.store.ackAll(this.clock.now());
    return { acked, unread: this.store.unread() };
  }

  private persist(alert: Alert): void {
    this.unsaved.push(alert);
    if (this.unsaved.length > this.capacity) this.unsaved.shift();
    this.persistPending();
  }

  private persistPending(): void {
    const failing = this.unsaved.length > 1;
    try {
      while (this.unsaved.length > 0) {
        this.store.append(this.unsaved[0]!);
        this.unsaved.shift();
      }
    } catch (err) {
      if (!failing) this.onStoreError(err);
    }
  }
}
